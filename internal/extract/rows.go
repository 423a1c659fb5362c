package extract

import "github.com/dcc/carport/internal/contract"

// Row types handed to sinks. A row pointer and any []byte in it are valid
// only during the sink call: copy what you keep.

// ServiceRequest is one service request of the period (rows outside the
// period are counted in FileReport.OutsidePeriod and not passed on).
type ServiceRequest struct {
	Line    int64         // 1-based line of the row's first line in the file
	Party   Sym           // party_id
	Role    contract.Role // user_role
	SRV     Sym           // srv, e.g. "4.1.1"
	Variant int           // command_variant, 0 when null
	AtMS    int64         // submitted_at, Unix ms
	Day     int           // London day index of submitted_at within the period
	RTT     int64         // rtt_ms, -1 when null
	Success bool          // outcome == "success"

	ResponseCode, Region, SMETS, DeviceType            Sym
	DeviceManufacturer, DeviceModel, DeviceFirmware    Sym
	CHFManufacturer, CHFModel, CHFVariant, CHFFirmware Sym
}

// Alert is one alert sent to a party. Every valid row is passed on,
// including the days after the period that the extract carries for
// follow-up rules: InPeriod says whether generated_at is in the period.
type Alert struct {
	Line           int64
	AlertID        []byte        // alert_id
	Party          Sym           // party_id
	Role           contract.Role // user_role
	Code           Sym           // alert_code, e.g. "8F35", "AD1"
	DCC            bool          // alert_source == "dcc"
	DeviceID       []byte        // device_id, empty when null
	EnergySupplier Sym           // energy_supplier_id
	GeneratedMS    int64         // generated_at, Unix ms
	InPeriod       bool
	Day            int   // London day index of generated_at, -1 outside the period
	Delivered      bool  // outcome == "delivered"
	DeliveryMS     int64 // delivered_at - generated_at in ms, -1 when delivered_at is null
	ReasonCode     Sym

	Region, SMETS, DeviceType                          Sym
	DeviceManufacturer, DeviceModel, DeviceFirmware    Sym
	CHFManufacturer, CHFModel, CHFVariant, CHFFirmware Sym
}

// Device is one device of the estate at period end.
type Device struct {
	Line int64
	ID   []byte // device_id

	DeviceType, Manufacturer, Model, Firmware Sym

	// Owners: Null when the column is empty.
	ImportSupplier, ExportSupplier, GasSupplier, DNO Sym

	MPXN, Postcode []byte

	// Dates as days since 1970-01-01; NoDate when null.
	CPLExpiry, CertExpiry int32

	// Fields holds every column of contract.DevicesFile, in that order, as the raw
	// text of the row (after CSV unquoting).
	Fields [][]byte
}

// NoDate marks a null date in Device.
const NoDate int32 = -1 << 31

// Incident is a Category 1 or 2 incident.
type Incident struct {
	ID       string
	Category int
	StartMS  int64
	EndMS    int64    // -1 while still open
	Regions  []string // nil means all regions
	Title    string
}

// FileReport says what reading one extract file found.
type FileReport struct {
	File          string           // file name as found, e.g. "alerts.csv.gz"
	Bytes         int64            // bytes read from disk (compressed size for .gz)
	Rows          int64            // data rows read (header excluded)
	Bad           int64            // rows rejected
	OutsidePeriod int64            // valid rows outside the period
	ByReason      map[string]int64 // bad rows by reason (short, stable text)
	Examples      []string         // the first few "file:line: reason" lines
}
