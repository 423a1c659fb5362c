package extract

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/dcc/carport/internal/contract"
)

// field returns f[i], or nil (null) for an absent optional column.
func field(f [][]byte, i int) []byte {
	if i < 0 {
		return nil
	}
	return f[i]
}

// rowTools are what every row parser of one worker shares.
type rowTools struct {
	codeOK  []uint8 // by Sym: 0 not checked yet, 1 a valid code, 2 not
	syms    *symCache
	parties partyCheck
	period  contract.Period
	anyTime bool
	region  []Sym
	smets   []Sym
	devType []Sym
	day     dayCache // for the row's event time
	day2    dayCache // for a second timestamp column
	sig     sigCache
}

func newRowTools(o Options) *rowTools {
	return &rowTools{
		syms:    newSymCache(o.Symbols),
		parties: partyCheck{p: o.Parties},
		period:  o.Period,
		anyTime: o.AnyTime,
		region:  regionEnum.syms(o.Symbols),
		smets:   smetsEnum.syms(o.Symbols),
		devType: deviceTypeEnum.syms(o.Symbols),
	}
}

// sigCache interns the seven device and hub columns of a row at once:
// rows repeat a few thousand device and hub combinations, so one lookup on
// their length-prefixed bytes replaces seven symbol lookups. It is cleared
// when it reaches sigCacheMax entries, so odd data cannot grow it.
type sigCache struct {
	key []byte
	m   map[string][7]Sym
}

const sigCacheMax = 1 << 16

// signifiers returns the symbols of the seven fields at cols (absent
// optional columns read as null).
func (t *rowTools) signifiers(f [][]byte, cols []int) [7]Sym {
	c := &t.sig
	k := c.key[:0]
	for _, i := range cols {
		v := field(f, i)
		k = binary.AppendUvarint(k, uint64(len(v)))
		k = append(k, v...)
	}
	c.key = k
	if s, ok := c.m[string(k)]; ok {
		return s
	}
	var s [7]Sym
	for j, i := range cols {
		s[j] = t.syms.intern(field(f, i))
	}
	if c.m == nil || len(c.m) >= sigCacheMax {
		c.m = make(map[string][7]Sym, 1024)
	}
	c.m[string(k)] = s
	return s
}

// required returns the symbol of a non-nullable string field.
func (t *rowTools) required(col string, v []byte) (Sym, *badRow) {
	if len(v) == 0 {
		return Null, errNull(col)
	}
	return t.syms.intern(v), nil
}

// code returns the symbol of a non-nullable srv or alert_code, which must
// be a ValidCode: it names the report folder data/<role>/<report>/. The
// check runs once per distinct value.
func (t *rowTools) code(col string, v []byte) (Sym, *badRow) {
	x, bad := t.required(col, v)
	if bad != nil {
		return x, bad
	}
	if int(x) >= len(t.codeOK) {
		t.codeOK = append(t.codeOK, make([]uint8, int(x)+64-len(t.codeOK))...)
	}
	if t.codeOK[x] == 0 {
		t.codeOK[x] = 2
		if contract.ValidCode(string(v)) {
			t.codeOK[x] = 1
		}
	}
	if t.codeOK[x] != 1 {
		return Null, &badRow{col, "bad value in " + col, fmt.Sprintf(
			"bad code %q (want letters, digits, '.', '_' or '-', at most %d, starting with a letter or digit)", clip(v), contract.MaxCode)}
	}
	return x, nil
}

// enumSym checks v against e and returns its symbol from syms.
func enumSym(e enum, syms []Sym, col string, v []byte) (Sym, *badRow) {
	i := e.index(v)
	if i < 0 {
		return Null, e.bad(col, v)
	}
	return syms[i], nil
}

// party checks that (party_id, user_role) is in parties.csv.
func (t *rowTools) party(id, role []byte) (Sym, contract.Role, *badRow) {
	if len(id) == 0 {
		return Null, "", errNull("party_id")
	}
	ri := roleEnum.index(role)
	if ri < 0 {
		return Null, "", roleEnum.bad("user_role", role)
	}
	x := t.syms.intern(id)
	if !t.parties.has(x, id, ri) {
		return Null, "", errUnknownParty("party_id", id, contract.Roles[ri])
	}
	return x, contract.Roles[ri], nil
}

// timestamp parses a non-nullable timestamp.
func timestamp(col string, v []byte) (int64, *badRow) { return timestampWith(col, v, nil) }

func timestampWith(col string, v []byte, c *dayCache) (int64, *badRow) {
	if len(v) == 0 {
		return 0, errNull(col)
	}
	ms, ok := parseTimestampWith(v, c)
	if !ok {
		return 0, errTimestamp(col, v)
	}
	return ms, nil
}

// nullableTimestamp parses a nullable timestamp; null is ok=false.
func nullableTimestamp(col string, v []byte) (ms int64, present bool, bad *badRow) {
	return nullableTimestampWith(col, v, nil)
}

func nullableTimestampWith(col string, v []byte, c *dayCache) (ms int64, present bool, bad *badRow) {
	if len(v) == 0 {
		return 0, false, nil
	}
	ms, ok := parseTimestampWith(v, c)
	if !ok {
		return 0, false, errTimestamp(col, v)
	}
	return ms, true, nil
}

// nullableDate parses a nullable date; null is NoDate.
func nullableDate(col string, v []byte) (int32, *badRow) {
	if len(v) == 0 {
		return NoDate, nil
	}
	d, ok := parseDate(v)
	if !ok {
		return 0, errDate(col, v)
	}
	return d, nil
}

// ---- service_requests.csv

// Columns of service_requests.csv by their position in the contract's
// list (the reader's idx slice follows that list).
var (
	sr          = contract.ServiceRequestsFile
	srRequest   = mustIndex(sr, "request_id")
	srParty     = mustIndex(sr, "party_id")
	srRole      = mustIndex(sr, "user_role")
	srSRV       = mustIndex(sr, "srv")
	srVariant   = mustIndex(sr, "command_variant")
	srSubmitted = mustIndex(sr, "submitted_at")
	srRTT       = mustIndex(sr, "rtt_ms")
	srOutcome   = mustIndex(sr, "outcome")
	srResponse  = mustIndex(sr, "response_code")
	srRegion    = mustIndex(sr, "region")
	srSMETS     = mustIndex(sr, "smets_version")
	srDevType   = mustIndex(sr, "device_type")
	srDevMan    = mustIndex(sr, "device_manufacturer")
	srCHFFW     = mustIndex(sr, "chf_firmware")
)

// mustIndex is the position of column name in f's contract list.
func mustIndex(f contract.File, name string) int {
	i := f.Index(name)
	if i < 0 {
		panic("extract: " + f.Name + " has no column " + name) // a typo here, caught by every test
	}
	return i
}

// ScanServiceRequests reads service_requests.csv(.gz) in dir and passes
// each valid row of the period to the sink of the worker that parsed it.
// newSink is called once per worker, in order, before any row; rows outside
// the period are validated, counted in OutsidePeriod and not passed.
func ScanServiceRequests(dir string, o Options, newSink func(worker int) func(*ServiceRequest)) (FileReport, error) {
	o, err := o.withDefaults(true)
	if err != nil {
		return FileReport{}, err
	}
	res, err := scanFile(dir, fileSpec{file: sr}, o, func(w int, idx []int) rowFunc {
		sink := newSink(w)
		t := newRowTools(o)
		var r ServiceRequest
		return func(f [][]byte, line int64) (bool, *badRow) {
			var bad *badRow
			r = ServiceRequest{Line: line, RTT: -1}
			if len(f[idx[srRequest]]) == 0 {
				return false, errNull("request_id")
			}
			if r.Party, r.Role, bad = t.party(f[idx[srParty]], f[idx[srRole]]); bad != nil {
				return false, bad
			}
			if r.SRV, bad = t.code("srv", f[idx[srSRV]]); bad != nil {
				return false, bad
			}
			if v := field(f, idx[srVariant]); len(v) > 0 {
				n, ok := parseInt(v)
				if !ok {
					return false, errInteger("command_variant", v)
				}
				if n < 1 || n > 8 {
					return false, errRange("command_variant", n, 1, 8)
				}
				r.Variant = int(n)
			}
			if r.AtMS, bad = timestampWith("submitted_at", f[idx[srSubmitted]], &t.day); bad != nil {
				return false, bad
			}
			if v := f[idx[srRTT]]; len(v) > 0 {
				n, ok := parseInt(v)
				if !ok {
					return false, errInteger("rtt_ms", v)
				}
				if n < 0 {
					return false, errNegative("rtt_ms", n)
				}
				r.RTT = n
			}
			switch oi := srOutcomeEnum.index(f[idx[srOutcome]]); oi {
			case -1:
				return false, srOutcomeEnum.bad("outcome", f[idx[srOutcome]])
			default:
				r.Success = oi == 0
			}
			if r.ResponseCode, bad = t.required("response_code", f[idx[srResponse]]); bad != nil {
				return false, bad
			}
			if r.Region, bad = enumSym(regionEnum, t.region, "region", f[idx[srRegion]]); bad != nil {
				return false, bad
			}
			if r.SMETS, bad = enumSym(smetsEnum, t.smets, "smets_version", f[idx[srSMETS]]); bad != nil {
				return false, bad
			}
			if r.DeviceType, bad = enumSym(deviceTypeEnum, t.devType, "device_type", f[idx[srDevType]]); bad != nil {
				return false, bad
			}
			sig := t.signifiers(f, idx[srDevMan:srCHFFW+1])
			r.DeviceManufacturer, r.DeviceModel, r.DeviceFirmware = sig[0], sig[1], sig[2]
			r.CHFManufacturer, r.CHFModel, r.CHFVariant, r.CHFFirmware = sig[3], sig[4], sig[5], sig[6]
			if t.anyTime {
				r.Day = -1
				sink(&r)
				return false, nil
			}
			r.Day = t.period.DayOf(r.AtMS)
			if r.Day < 0 {
				return true, nil
			}
			sink(&r)
			return false, nil
		}
	})
	if err != nil {
		return res.rep, err
	}
	return res.rep, o.check(res.rep)
}

// ---- alerts.csv

// Columns of alerts.csv by their position in the contract's list.
var (
	al          = contract.AlertsFile
	alID        = mustIndex(al, "alert_id")
	alParty     = mustIndex(al, "party_id")
	alRole      = mustIndex(al, "user_role")
	alCode      = mustIndex(al, "alert_code")
	alSource    = mustIndex(al, "alert_source")
	alDevice    = mustIndex(al, "device_id")
	alSupplier  = mustIndex(al, "energy_supplier_id")
	alGenerated = mustIndex(al, "generated_at")
	alDelivered = mustIndex(al, "delivered_at")
	alOutcome   = mustIndex(al, "outcome")
	alReason    = mustIndex(al, "reason_code")
	alRegion    = mustIndex(al, "region")
	alSMETS     = mustIndex(al, "smets_version")
	alDevType   = mustIndex(al, "device_type")
	alDevMan    = mustIndex(al, "device_manufacturer")
	alCHFFW     = mustIndex(al, "chf_firmware")
)

// supplierRoles are the roles an energy_supplier_id may hold.
var supplierRoles = roleBit(contract.IS) | roleBit(contract.ES) | roleBit(contract.GS)

// ScanAlerts reads alerts.csv(.gz) in dir and passes every valid row, with
// InPeriod and Day set, to the sink of the worker that parsed it. Rows
// outside the period (the days after it that the extract carries) are
// passed too and also counted in OutsidePeriod. energy_supplier_id, when
// present, must be a party holding a supplier role (IS, ES or GS).
func ScanAlerts(dir string, o Options, newSink func(worker int) func(*Alert)) (FileReport, error) {
	o, err := o.withDefaults(true)
	if err != nil {
		return FileReport{}, err
	}
	res, err := scanFile(dir, fileSpec{file: al}, o, func(w int, idx []int) rowFunc {
		sink := newSink(w)
		t := newRowTools(o)
		var a Alert
		return func(f [][]byte, line int64) (bool, *badRow) {
			var bad *badRow
			a = Alert{Line: line, DeliveryMS: -1}
			if a.AlertID = f[idx[alID]]; len(a.AlertID) == 0 {
				return false, errNull("alert_id")
			}
			if a.Party, a.Role, bad = t.party(f[idx[alParty]], f[idx[alRole]]); bad != nil {
				return false, bad
			}
			if a.Code, bad = t.code("alert_code", f[idx[alCode]]); bad != nil {
				return false, bad
			}
			switch si := alertSourceEnum.index(f[idx[alSource]]); si {
			case -1:
				return false, alertSourceEnum.bad("alert_source", f[idx[alSource]])
			default:
				a.DCC = si == 1
			}
			a.DeviceID = f[idx[alDevice]]
			if v := f[idx[alSupplier]]; len(v) > 0 {
				a.EnergySupplier = t.syms.intern(v)
				if !t.parties.hasAny(a.EnergySupplier, v, supplierRoles) {
					return false, &badRow{"energy_supplier_id", "unknown party",
						fmt.Sprintf("unknown party %q with a supplier role", clip(v))}
				}
			}
			if a.GeneratedMS, bad = timestampWith("generated_at", f[idx[alGenerated]], &t.day); bad != nil {
				return false, bad
			}
			del, present, bad := nullableTimestampWith("delivered_at", f[idx[alDelivered]], &t.day2)
			if bad != nil {
				return false, bad
			}
			if present {
				a.DeliveryMS = del - a.GeneratedMS
				if a.DeliveryMS < 0 {
					return false, &badRow{"delivered_at", "negative delivery time",
						fmt.Sprintf("before generated_at (delivery time %d ms)", a.DeliveryMS)}
				}
			}
			switch oi := alertOutcomeEnum.index(f[idx[alOutcome]]); oi {
			case -1:
				return false, alertOutcomeEnum.bad("outcome", f[idx[alOutcome]])
			default:
				a.Delivered = oi == 0
			}
			a.ReasonCode = t.syms.intern(f[idx[alReason]])
			if a.Region, bad = enumSym(regionEnum, t.region, "region", f[idx[alRegion]]); bad != nil {
				return false, bad
			}
			if a.SMETS, bad = enumSym(smetsEnum, t.smets, "smets_version", f[idx[alSMETS]]); bad != nil {
				return false, bad
			}
			if a.DeviceType, bad = enumSym(deviceTypeEnum, t.devType, "device_type", f[idx[alDevType]]); bad != nil {
				return false, bad
			}
			sig := t.signifiers(f, idx[alDevMan:alCHFFW+1])
			a.DeviceManufacturer, a.DeviceModel, a.DeviceFirmware = sig[0], sig[1], sig[2]
			a.CHFManufacturer, a.CHFModel, a.CHFVariant, a.CHFFirmware = sig[3], sig[4], sig[5], sig[6]
			if t.anyTime {
				a.Day, a.InPeriod = -1, false
				sink(&a)
				return false, nil
			}
			a.Day = t.period.DayOf(a.GeneratedMS)
			a.InPeriod = a.Day >= 0
			sink(&a)
			return !a.InPeriod, nil
		}
	})
	if err != nil {
		return res.rep, err
	}
	return res.rep, o.check(res.rep)
}

// ---- devices.csv

// Columns of devices.csv by their position in the contract's list.
var (
	dv         = contract.DevicesFile
	dvID       = mustIndex(dv, "device_id")
	dvSMS      = mustIndex(dv, "sms_id")
	dvType     = mustIndex(dv, "device_type")
	dvMan      = mustIndex(dv, "device_manufacturer")
	dvModel    = mustIndex(dv, "device_model")
	dvFW       = mustIndex(dv, "firmware_version")
	dvSMETS    = mustIndex(dv, "smets_version")
	dvCSP      = mustIndex(dv, "csp_id")
	dvRegion   = mustIndex(dv, "region")
	dvImport   = mustIndex(dv, "import_supplier_id")
	dvExport   = mustIndex(dv, "export_supplier_id")
	dvGas      = mustIndex(dv, "gas_supplier_id")
	dvDNO      = mustIndex(dv, "dno_id")
	dvMPXN     = mustIndex(dv, "mpxn")
	dvPostcode = mustIndex(dv, "postcode")
	dvLastRead = mustIndex(dv, "last_read_at")
	dvLastAlrt = mustIndex(dv, "last_alert_at")
	dvStatus   = mustIndex(dv, "commissioned_status")
	dvOutage   = mustIndex(dv, "outage_alert_count")
	dvPrepay   = mustIndex(dv, "prepayment")
	dvCPL      = mustIndex(dv, "cpl_expiry_date")
	dvCert     = mustIndex(dv, "cert_expiry_date")
	dvCosStart = mustIndex(dv, "cos_start_date")
	dvCosEnd   = mustIndex(dv, "cos_end_date")
)

// validEUI64 reports whether v is 16 hex digits in dashed pairs
// ("00-1B-C5-0C-00-00-12-34").
func validEUI64(v []byte) bool {
	if len(v) != 23 {
		return false
	}
	for i, c := range v {
		if i%3 == 2 {
			if c != '-' {
				return false
			}
			continue
		}
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'F' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// validMPxN reports whether v is an MPAN (13 digits) or MPRN (6 to 10).
func validMPxN(v []byte) bool {
	if n := len(v); n != 13 && (n < 6 || n > 10) {
		return false
	}
	for _, c := range v {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// ScanDevices reads devices.csv(.gz) in dir and passes every valid device
// row to the sink of the worker that parsed it; there is no period filter.
// A device id seen on an earlier row makes the row bad (ids are compared
// as numbers, so case does not make two ids differ); with several workers,
// which of the rows is the earlier one is not defined.
// Owner columns must name parties holding the matching role: IS for
// import_supplier_id, ES for export_supplier_id, GS for gas_supplier_id, ED
// for dno_id.
func ScanDevices(dir string, o Options, newSink func(worker int) func(*Device)) (FileReport, error) {
	o, err := o.withDefaults(false)
	if err != nil {
		return FileReport{}, err
	}
	seen := newIDSet(o.Workers > 1)
	res, err := scanFile(dir, fileSpec{file: dv, rows: seen.reserve}, o, func(w int, idx []int) rowFunc {
		sink := newSink(w)
		t := newRowTools(o)
		var d Device
		fields := make([][]byte, len(dv.Columns))
		owner := func(col string, v []byte, r contract.Role) (Sym, *badRow) {
			if len(v) == 0 {
				return Null, nil
			}
			x := t.syms.intern(v)
			if !t.parties.hasAny(x, v, roleBit(r)) {
				return Null, errUnknownParty(col, v, r)
			}
			return x, nil
		}
		return func(f [][]byte, line int64) (bool, *badRow) {
			var bad *badRow
			for i, k := range idx {
				fields[i] = f[k]
			}
			d = Device{Line: line, Fields: fields}
			if d.ID = fields[dvID]; !validEUI64(d.ID) {
				if len(d.ID) == 0 {
					return false, errNull("device_id")
				}
				return false, &badRow{"device_id", "bad device id",
					fmt.Sprintf("bad device id %q (want 16 hex digits with dashes)", clip(d.ID))}
			}

			for _, k := range []int{dvSMS, dvMan, dvModel, dvFW} {
				if len(fields[k]) == 0 {
					return false, errNull(dv.Columns[k].Name)
				}
			}
			if d.DeviceType, bad = enumSym(deviceTypeEnum, t.devType, "device_type", fields[dvType]); bad != nil {
				return false, bad
			}
			if smetsEnum.index(fields[dvSMETS]) < 0 {
				return false, smetsEnum.bad("smets_version", fields[dvSMETS])
			}
			if cspEnum.index(fields[dvCSP]) < 0 {
				return false, cspEnum.bad("csp_id", fields[dvCSP])
			}
			if regionEnum.index(fields[dvRegion]) < 0 {
				return false, regionEnum.bad("region", fields[dvRegion])
			}
			c := t.syms
			d.Manufacturer = c.intern(fields[dvMan])
			d.Model = c.intern(fields[dvModel])
			d.Firmware = c.intern(fields[dvFW])
			if d.ImportSupplier, bad = owner("import_supplier_id", fields[dvImport], contract.IS); bad != nil {
				return false, bad
			}
			if d.ExportSupplier, bad = owner("export_supplier_id", fields[dvExport], contract.ES); bad != nil {
				return false, bad
			}
			if d.GasSupplier, bad = owner("gas_supplier_id", fields[dvGas], contract.GS); bad != nil {
				return false, bad
			}
			if d.DNO, bad = owner("dno_id", fields[dvDNO], contract.ED); bad != nil {
				return false, bad
			}
			if d.MPXN = fields[dvMPXN]; len(d.MPXN) > 0 && !validMPxN(d.MPXN) {
				return false, &badRow{"mpxn", "bad mpxn",
					fmt.Sprintf("bad MPxN %q (want 13 digits for an MPAN or 6 to 10 for an MPRN)", clip(d.MPXN))}
			}
			d.Postcode = fields[dvPostcode]
			for _, k := range []int{dvLastRead, dvLastAlrt} {
				if _, _, bad = nullableTimestamp(dv.Columns[k].Name, fields[k]); bad != nil {
					return false, bad
				}
			}
			if statusEnum.index(fields[dvStatus]) < 0 {
				return false, statusEnum.bad("commissioned_status", fields[dvStatus])
			}
			if v := fields[dvOutage]; len(v) == 0 {
				return false, errNull("outage_alert_count")
			} else if n, ok := parseInt(v); !ok {
				return false, errInteger("outage_alert_count", v)
			} else if n < 0 {
				return false, errNegative("outage_alert_count", n)
			}
			if v := fields[dvPrepay]; len(v) == 0 {
				return false, errNull("prepayment")
			} else if _, ok := parseBool(v); !ok {
				return false, errBool("prepayment", v)
			}
			if d.CPLExpiry, bad = nullableDate("cpl_expiry_date", fields[dvCPL]); bad != nil {
				return false, bad
			}
			if d.CertExpiry, bad = nullableDate("cert_expiry_date", fields[dvCert]); bad != nil {
				return false, bad
			}
			for _, k := range []int{dvCosStart, dvCosEnd} {
				if _, bad = nullableDate(dv.Columns[k].Name, fields[k]); bad != nil {
					return false, bad
				}
			}
			// last, so that only valid rows claim their id
			if !seen.add(eui64(d.ID)) {
				return false, &badRow{"device_id", "duplicate device id",
					fmt.Sprintf("duplicate device id %q (an earlier valid row has it)", d.ID)}
			}
			sink(&d)
			return false, nil
		}
	})
	if err != nil {
		return res.rep, err
	}
	return res.rep, o.check(res.rep)
}

// ---- incidents.csv

// ReadIncidents reads incidents.csv(.gz) in dir, in file order. The file
// may have no data rows. Regions "all" is returned as nil; an end before
// the start is a bad row.
func ReadIncidents(dir string, o Options) ([]Incident, FileReport, error) {
	o, err := o.withDefaults(false)
	if err != nil {
		return nil, FileReport{}, err
	}
	o.Workers = 1
	var out []Incident
	res, err := scanFile(dir, fileSpec{file: contract.IncidentsFile}, o, func(_ int, idx []int) rowFunc {
		return func(f [][]byte, _ int64) (bool, *badRow) {
			var bad *badRow
			in := Incident{EndMS: -1}
			if in.ID = string(f[idx[0]]); in.ID == "" {
				return false, errNull("incident_id")
			}
			v := f[idx[1]]
			n, ok := parseInt(v)
			switch {
			case len(v) == 0:
				return false, errNull("category")
			case !ok:
				return false, errInteger("category", v)
			case n < 1 || n > 2:
				return false, errRange("category", n, 1, 2)
			}
			in.Category = int(n)
			if in.StartMS, bad = timestamp("start_at", f[idx[2]]); bad != nil {
				return false, bad
			}
			end, present, bad := nullableTimestamp("end_at", f[idx[3]])
			if bad != nil {
				return false, bad
			}
			if present {
				if end < in.StartMS {
					return false, &badRow{"end_at", "negative duration in end_at", "before start_at"}
				}
				in.EndMS = end
			}
			regions := string(f[idx[4]])
			switch regions {
			case "":
				return false, errNull("regions")
			case contract.AllRegions:
			default:
				for _, r := range strings.Split(regions, ";") {
					if regionEnum.index([]byte(r)) < 0 {
						return false, &badRow{"regions", "bad value in regions",
							fmt.Sprintf("region %q not one of North, Central, South (or the whole field \"all\")", r)}
					}
					in.Regions = append(in.Regions, r)
				}
			}
			if in.Title = string(f[idx[5]]); in.Title == "" {
				return false, errNull("title")
			}
			out = append(out, in)
			return false, nil
		}
	})
	if err != nil {
		return nil, res.rep, err
	}
	return out, res.rep, o.check(res.rep)
}
