package bench

// Service requests and alerts share one shape: an event sent by or to a
// party in a role, about a code (an SRV or an alert code), on a day, that
// succeeded or not (success / delivered), with a duration (round trip /
// delivery time, -1 when unknown) and eleven signifiers. One aggregator
// serves both; the views name the columns per dataset.

import (
	"sync"

	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/extract"
)

// nDims is the number of signifiers kept per event.
const nDims = 11

// dimNames gives the column name of each signifier slot per dataset; slot
// 0 is the response code (service requests) or reason code (alerts).
var dimNames = map[contract.Dataset][nDims]string{
	contract.ServiceRequests: [nDims]string(append([]string{"response_code"}, contract.Signifiers...)),
	contract.Alerts:          [nDims]string(append([]string{"reason_code"}, contract.Signifiers...)),
}

type roleID uint8

func roleIndex(r contract.Role) roleID {
	switch r { // the hot path: one per row
	case contract.IS:
		return 0
	case contract.GS:
		return 2
	case contract.ED:
		return 3
	}
	for i, x := range contract.Roles {
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
	brk            [nSlots]dayAgg // by device type, region, SMETS version (breakdown.go)
}

// add counts one event; its duration goes to the group's shared sketch
// (see sharedSketches), not to m.sk.
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
	for i := range m.brk {
		m.brk[i].merge(&o.brk[i])
	}
}

type dayAgg struct{ n, ok, durN, durSum int64 }

// add counts one event with its duration (-1: none).
func (d *dayAgg) add(ok bool, dur int64) {
	d.n++
	if ok {
		d.ok++
	}
	if dur >= 0 {
		d.durN++
		d.durSum += dur
	}
}

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

// events is one dataset's aggregates once every worker is merged: the
// views' way in. Signifier groups are not held here: they are read back
// per party from the spill (see spill.go), so memory does not grow with
// them.
type events struct {
	byRole map[roleID]map[extract.Sym]map[extract.Sym]*monthAgg // role → code → party
	days   map[gkey][]dayAgg                                    // dense per period day
	dims   *dimStore
}

// eventWorker is one scan worker's aggregator. Month and day figures live
// in dense slices indexed by a small group number, found through a map
// with a one-entry cache (consecutive rows often share a group); the
// signifiers of each row go to the spill as a 20-byte record naming a
// worker-local tuple of the eleven symbols.
type eventWorker struct {
	days   int
	gids   groupTable
	lastK  gkey
	lastG  int32
	keys   []gkey
	month  []monthAgg
	day    [][]dayAgg // by group: one per period day, cut from dayChunk
	chunk  []dayAgg   // where the next groups' days are cut from
	tuples tupleTable
	lastT  [nDims]extract.Sym
	lastID uint32
	sp     *spillWriter
	// Durations wait in pend[id] and go to the group's sketch, shared by
	// all workers, sketchBatch at a time.
	sketches *sharedSketches
	shared   []*lockedSketch
	pend     [][]int64
	brk      *breakSlots
	tslots   [][3]int8 // breakdown slots of each tuple id, -1 for none
}

// sketchBatch is how many durations a worker buffers per group before
// taking the group's lock.
const sketchBatch = 32

func newEventWorker(days int, sp *spillWriter, sk *sharedSketches, sym *extract.Symbols) *eventWorker {
	return &eventWorker{days: days, lastG: -1, lastID: noTuple, sp: sp, sketches: sk, brk: newBreakSlots(sym)}
}

// sharedSketches holds one duration sketch per group for every worker of
// a dataset. Per-worker sketches cost one set of bucket pages per worker
// and group, and their bucket pages are most of the aggregates' memory.
type sharedSketches struct {
	mu sync.Mutex
	m  map[gkey]*lockedSketch
}

type lockedSketch struct {
	mu sync.Mutex
	sk Sketch
}

func newSharedSketches() *sharedSketches { return &sharedSketches{m: map[gkey]*lockedSketch{}} }

func (s *sharedSketches) get(g gkey) *lockedSketch {
	s.mu.Lock()
	defer s.mu.Unlock()
	x := s.m[g]
	if x == nil {
		x = &lockedSketch{}
		s.m[g] = x
	}
	return x
}

// flush adds the buffered durations of group id to its shared sketch.
func (w *eventWorker) flush(id int32) {
	p := w.pend[id]
	if len(p) == 0 {
		return
	}
	x := w.shared[id]
	x.mu.Lock()
	for _, v := range p {
		x.sk.Add(v)
	}
	x.mu.Unlock()
	w.pend[id] = p[:0]
}

const noTuple = ^uint32(0)

func (w *eventWorker) group(g gkey) int32 {
	if w.lastG >= 0 && w.lastK == g {
		return w.lastG
	}
	id, ok := w.gids.find(g)
	if !ok {
		id = w.gids.add(g)
		w.keys = append(w.keys, g)
		w.month = append(w.month, monthAgg{})
		// days come from 64-group chunks: appending to one slice would
		// copy it at every doubling and leave the old copies as garbage
		if len(w.chunk) < w.days {
			w.chunk = make([]dayAgg, 64*w.days)
		}
		w.day = append(w.day, w.chunk[:w.days:w.days])
		w.chunk = w.chunk[w.days:]
		w.shared = append(w.shared, w.sketches.get(g))
		w.pend = append(w.pend, nil)
	}
	w.lastK, w.lastG = g, id
	return id
}

func (w *eventWorker) tuple(dims *[nDims]extract.Sym) uint32 {
	if w.lastID != noTuple && w.lastT == *dims {
		return w.lastID
	}
	id := w.tuples.id(dims)
	w.lastT, w.lastID = *dims, id
	return id
}

func (w *eventWorker) add(g gkey, day int, ok bool, dur int64, dims *[nDims]extract.Sym) {
	id := w.group(g)
	tid := w.tuple(dims)
	for int(tid) >= len(w.tslots) { // tuple ids are dense: a new one is the next
		w.tslots = append(w.tslots, w.brk.slots(&w.tuples.list[len(w.tslots)]))
	}
	m := &w.month[id]
	m.add(ok, dur)
	addSlots(m, w.tslots[tid], ok, dur)
	if dur >= 0 {
		if w.pend[id] == nil {
			w.pend[id] = make([]int64, 0, sketchBatch)
		}
		w.pend[id] = append(w.pend[id], dur)
		if len(w.pend[id]) == sketchBatch {
			w.flush(id)
		}
	}
	w.day[id][day].add(ok, dur)
	w.sp.dim(g, ok, tid, dur)
}

// mergeWorkers combines the workers' aggregates of one dataset, closes
// their spills and indexes the result by role, code and party.
func mergeWorkers(ws []*eventWorker, sketchDims bool, days int) (*events, error) {
	e := &events{byRole: map[roleID]map[extract.Sym]map[extract.Sym]*monthAgg{}, days: map[gkey][]dayAgg{},
		dims: &dimStore{sketch: sketchDims}}
	var err error
	for _, w := range ws {
		for i := range w.keys {
			w.flush(int32(i))
		}
	}
	for _, w := range ws {
		for i, k := range w.keys {
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
			if m := parties[k.party]; m != nil {
				m.merge(&w.month[i])
			} else {
				m := w.month[i]
				parties[k.party] = &m
			}
			d := e.days[k]
			if d == nil {
				d = make([]dayAgg, days)
				e.days[k] = d
			}
			for j := range d {
				d[j].merge(&w.day[i][j])
			}
		}
		if cerr := w.sp.close(); err == nil {
			err = cerr
		}
		e.dims.workers = append(e.dims.workers, dimSource{dir: w.sp.dir, w: w.sp.w, tuples: w.tuples.list})
		w.shared, w.pend = nil, nil
		w.gids, w.tuples.slots, w.month, w.day, w.chunk = groupTable{}, nil, nil, nil, nil
	}
	if len(ws) > 0 {
		for k, x := range ws[0].sketches.m {
			if m := e.byRole[k.role][k.code][k.party]; m != nil {
				m.sk = x.sk
			}
		}
	}
	return e, err
}

// srSink returns a per-worker sink for service requests.
func srSink(e *eventWorker) func(*extract.ServiceRequest) {
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

// has reports whether party had any event in role for the codes in set.
func (e *events) has(role roleID, in codeSet, party extract.Sym) bool {
	for code, parties := range e.byRole[role] {
		if parties[party] != nil && in(code) {
			return true
		}
	}
	return false
}

// received narrows set to the codes party had events of in role.
func (e *events) received(role roleID, in codeSet, party extract.Sym) codeSet {
	mine := map[extract.Sym]bool{}
	for code, parties := range e.byRole[role] {
		if parties[party] != nil && in(code) {
			mine[code] = true
		}
	}
	return func(s extract.Sym) bool { return mine[s] }
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
