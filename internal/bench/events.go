package bench

// Service requests and alerts share one shape: an event sent by or to a
// party in a role, about a code (an SRV or an alert code), on a day, that
// succeeded or not (success / delivered), with a duration (round trip /
// delivery time, -1 when unknown) and eleven signifiers. One aggregator
// serves both; the views name the columns per dataset.

import "github.com/dcc/carport/internal/extract"

// nDims is the number of signifiers kept per event.
const nDims = 11

// dimNames gives the column name of each signifier slot per dataset; slot
// 0 is the response code (service requests) or reason code (alerts).
var dimNames = map[string][nDims]string{
	"service_requests": {"response_code", "region", "smets_version", "device_type", "device_manufacturer",
		"device_model", "device_firmware", "chf_manufacturer", "chf_model", "chf_variant", "chf_firmware"},
	"alerts": {"reason_code", "region", "smets_version", "device_type", "device_manufacturer",
		"device_model", "device_firmware", "chf_manufacturer", "chf_model", "chf_variant", "chf_firmware"},
}

type roleID uint8

func roleIndex(r extract.Role) roleID {
	for i, x := range extract.Roles {
		if x == r {
			return roleID(i)
		}
	}
	return 255
}

// gkey identifies a party's traffic for one code in one role.
type gkey struct {
	role  roleID
	party extract.Sym
	code  extract.Sym
}

type monthAgg struct {
	n, ok          int64
	durN, durSum   int64
	durMin, durMax int64
	sk             Sketch
}

func (m *monthAgg) add(ok bool, dur int64) {
	m.n++
	if ok {
		m.ok++
	}
	if dur >= 0 {
		if m.durN == 0 || dur < m.durMin {
			m.durMin = dur
		}
		if m.durN == 0 || dur > m.durMax {
			m.durMax = dur
		}
		m.durN++
		m.durSum += dur
		m.sk.Add(dur)
	}
}

func (m *monthAgg) merge(o *monthAgg) {
	if o.durN > 0 {
		if m.durN == 0 || o.durMin < m.durMin {
			m.durMin = o.durMin
		}
		if m.durN == 0 || o.durMax > m.durMax {
			m.durMax = o.durMax
		}
	}
	m.n += o.n
	m.ok += o.ok
	m.durN += o.durN
	m.durSum += o.durSum
	m.sk.Merge(&o.sk)
}

type dayKey struct {
	g   gkey
	day int16
}

type dayAgg struct{ n, ok, durN, durSum int64 }

func (d *dayAgg) merge(o *dayAgg) {
	d.n += o.n
	d.ok += o.ok
	d.durN += o.durN
	d.durSum += o.durSum
}

type dimKey struct {
	g    gkey
	ok   bool
	dims [nDims]extract.Sym
}

type dimAgg struct {
	n, durN, durSum int64
	sk              Sketch
}

func (d *dimAgg) merge(o *dimAgg) {
	d.n += o.n
	d.durN += o.durN
	d.durSum += o.durSum
	d.sk.Merge(&o.sk)
}

// events aggregates one dataset. Each scan worker fills its own; merge
// combines them.
type events struct {
	month map[gkey]*monthAgg
	day   map[dayKey]*dayAgg
	dims  map[dimKey]*dimAgg
	// Built by finish once every worker is merged: the views' way in.
	byRole map[roleID]map[extract.Sym]map[extract.Sym]*monthAgg // role → code → party
	days   map[gkey][]dayAgg                                    // dense per period day
	groups map[gkey][]dimEntry
	// sketchDims says whether dims groups keep a duration sketch (the
	// service-request SVP file has a median column; the alert one does not).
	sketchDims bool
}

func newEvents(sketchDims bool) *events {
	return &events{month: map[gkey]*monthAgg{}, day: map[dayKey]*dayAgg{}, dims: map[dimKey]*dimAgg{}, sketchDims: sketchDims}
}

func (e *events) add(g gkey, day int, ok bool, dur int64, dims *[nDims]extract.Sym) {
	m := e.month[g]
	if m == nil {
		m = &monthAgg{}
		e.month[g] = m
	}
	m.add(ok, dur)
	dk := dayKey{g, int16(day)}
	d := e.day[dk]
	if d == nil {
		d = &dayAgg{}
		e.day[dk] = d
	}
	d.n++
	if ok {
		d.ok++
	}
	if dur >= 0 {
		d.durN++
		d.durSum += dur
	}
	xk := dimKey{g: g, ok: ok, dims: *dims}
	x := e.dims[xk]
	if x == nil {
		x = &dimAgg{}
		e.dims[xk] = x
	}
	x.n++
	if dur >= 0 {
		x.durN++
		x.durSum += dur
		if e.sketchDims {
			x.sk.Add(dur)
		}
	}
}

func (e *events) merge(o *events) {
	for k, v := range o.month {
		if m := e.month[k]; m != nil {
			m.merge(v)
		} else {
			e.month[k] = v
		}
	}
	for k, v := range o.day {
		if d := e.day[k]; d != nil {
			d.merge(v)
		} else {
			e.day[k] = v
		}
	}
	for k, v := range o.dims {
		if d := e.dims[k]; d != nil {
			d.merge(v)
		} else {
			e.dims[k] = v
		}
	}
}

// srSink returns a per-worker sink for service requests.
func srSink(e *events) func(*extract.ServiceRequest) {
	var dims [nDims]extract.Sym
	return func(r *extract.ServiceRequest) {
		dims = [nDims]extract.Sym{r.ResponseCode, r.Region, r.SMETS, r.DeviceType, r.DeviceManufacturer,
			r.DeviceModel, r.DeviceFirmware, r.CHFManufacturer, r.CHFModel, r.CHFVariant, r.CHFFirmware}
		e.add(gkey{roleIndex(r.Role), r.Party, r.SRV}, r.Day, r.Success, r.RTT, &dims)
	}
}

type dimEntry struct {
	ok   bool
	dims [nDims]extract.Sym
	agg  *dimAgg
}

// finish indexes the merged aggregates by role, code and party so that
// each view reads only its own groups.
func (e *events) finish(days int) {
	e.byRole = map[roleID]map[extract.Sym]map[extract.Sym]*monthAgg{}
	for k, v := range e.month {
		codes := e.byRole[k.role]
		if codes == nil {
			codes = map[extract.Sym]map[extract.Sym]*monthAgg{}
			e.byRole[k.role] = codes
		}
		parties := codes[k.code]
		if parties == nil {
			parties = map[extract.Sym]*monthAgg{}
			codes[k.code] = parties
		}
		parties[k.party] = v
	}
	e.days = map[gkey][]dayAgg{}
	for k, v := range e.day {
		d := e.days[k.g]
		if d == nil {
			d = make([]dayAgg, days)
			e.days[k.g] = d
		}
		d[k.day] = *v
	}
	e.groups = map[gkey][]dimEntry{}
	for k, v := range e.dims {
		e.groups[k.g] = append(e.groups[k.g], dimEntry{k.ok, k.dims, v})
	}
	e.month, e.day, e.dims = nil, nil, nil
}

// each calls fn for every party's month aggregate of the codes in set.
func (e *events) each(role roleID, in codeSet, fn func(code, party extract.Sym, m *monthAgg)) {
	for code, parties := range e.byRole[role] {
		if !in(code) {
			continue
		}
		for p, m := range parties {
			fn(code, p, m)
		}
	}
}
