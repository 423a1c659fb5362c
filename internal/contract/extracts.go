package contract

// The extract contract's files, in the order a month is written and read.
// Columns are matched by name; the order here is the contract's, which is
// the order a generator writes them in.

// File is one extract of a period's folder.
type File struct {
	Name    string   // "devices.csv" (".gz" may follow on disk)
	Columns []Column // in the contract's order
}

// Column is one column of an extract.
type Column struct {
	Name     string
	Optional bool // may be absent from the header (then read as null)
}

// Header is the file's column names in the contract's order.
func (f File) Header() []string {
	out := make([]string, len(f.Columns))
	for i, c := range f.Columns {
		out[i] = c.Name
	}
	return out
}

// Index is the position of the column named name, or -1.
func (f File) Index(name string) int {
	for i, c := range f.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

func columns(names ...string) []Column {
	out := make([]Column, len(names))
	for i, n := range names {
		out[i] = Column{Name: n}
	}
	return out
}

func optional(cs []Column, names ...string) []Column {
	for _, n := range names {
		for i := range cs {
			if cs[i].Name == n {
				cs[i].Optional = true
			}
		}
	}
	return cs
}

// Signifiers are the device and hub columns that service requests and
// alerts share, in the contract's order: the dimensions their views group
// events by.
var Signifiers = []string{
	"region", "smets_version", "device_type", "device_manufacturer", "device_model",
	"device_firmware", "chf_manufacturer", "chf_model", "chf_variant", "chf_firmware",
}

// The extracts.
var (
	PartiesFile = File{Name: "parties.csv", Columns: optional(columns(
		"party_id", "party_name", "user_role", "contact_email"), "contact_email")}
	DevicesFile = File{Name: "devices.csv", Columns: columns(
		"device_id", "sms_id", "device_type", "device_manufacturer", "device_model",
		"firmware_version", "smets_version", "csp_id", "region",
		"import_supplier_id", "export_supplier_id", "gas_supplier_id", "dno_id",
		"mpxn", "postcode", "last_read_at", "last_alert_at", "last_alert_code",
		"commissioned_status", "outage_alert_count", "prepayment",
		"cpl_expiry_date", "cert_expiry_date", "cos_start_date", "cos_end_date")}
	ServiceRequestsFile = File{Name: "service_requests.csv", Columns: optional(columns(append([]string{
		"request_id", "party_id", "user_role", "srv", "command_variant", "submitted_at",
		"rtt_ms", "outcome", "response_code"}, Signifiers...)...), "command_variant")}
	AlertsFile = File{Name: "alerts.csv", Columns: columns(append([]string{
		"alert_id", "party_id", "user_role", "alert_code", "alert_source", "device_id",
		"energy_supplier_id", "generated_at", "delivered_at", "outcome", "reason_code"}, Signifiers...)...)}
	IncidentsFile = File{Name: "incidents.csv", Columns: columns(
		"incident_id", "category", "start_at", "end_at", "regions", "title")}
)

// Files lists every extract of a period's folder.
var Files = []File{PartiesFile, DevicesFile, ServiceRequestsFile, AlertsFile, IncidentsFile}

// The enumerations of the extracts: case-sensitive, exactly as listed,
// in the contract's order.
var (
	DeviceTypes          = []string{"ESME", "GSME", "CHF", "GPF", "IHD", "PPMID", "HCALCS", "OTHER"}
	SMETSVersions        = []string{"SMETS1", "SMETS2"}
	CSPs                 = []string{"CSP-N", "CSP-C", "CSP-S"}
	Regions              = []string{"North", "Central", "South"}
	CommissionedStatuses = []string{"Pending", "Whitelisted", "InstalledNotCommissioned", "Commissioned",
		"Decommissioned", "Withdrawn", "Suspended", "Recovery", "Recovered"}
	RequestOutcomes = []string{"success", "failure"}  // service_requests.csv outcome
	AlertOutcomes   = []string{"delivered", "failed"} // alerts.csv outcome
	AlertSources    = []string{"device", "dcc"}
)

// AllRegions is the regions value of an incident that touches every region.
const AllRegions = "all"

// EstateOwners maps each ownership column of devices.csv to the role whose
// estate it places the device in.
var EstateOwners = []struct {
	Column string
	Role   Role
}{{"import_supplier_id", IS}, {"export_supplier_id", ES}, {"gas_supplier_id", GS}, {"dno_id", ED}}
