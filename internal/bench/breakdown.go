package bench

// The seed asks that performance be "broken down by meter type, Region and
// SMETS1/SMETS2". Every (role, party, code) group therefore also counts its
// events per value of those three signifiers: thirteen fixed slots. The
// slots are resolved once per signifier tuple, which the worker numbers
// anyway, so the breakdown costs three array increments a row and no map.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/extract"
	"github.com/dcc/carport/internal/reportdef"
)

type breakDim struct {
	name   string
	col    int // signifier slot in the dims array (see dimNames)
	values []string
}

// breakDims are the breakdown dimensions, values in contract order.
var breakDims = func() []breakDim {
	var out []breakDim
	for _, d := range contract.BreakdownDims {
		sr, al := dimNames[contract.ServiceRequests], dimNames[contract.Alerts]
		col := slices.Index(sr[:], d.Name)
		if col < 0 || col != slices.Index(al[:], d.Name) {
			panic("bench: breakdown dimension " + d.Name + " has no signifier slot")
		}
		out = append(out, breakDim{d.Name, col, d.Values})
	}
	return out
}()

// nSlots is the number of breakdown values over every dimension.
const nSlots = 13

// slotOf is the breakdown slot of each (dimension, value).
var slotOf = func() map[string]int {
	m := map[string]int{}
	for _, d := range breakDims {
		for _, v := range d.values {
			m[d.name+"\x00"+v] = len(m)
		}
	}
	return m
}()

// slotCache maps a symbol of one dimension to its slot; a worker keeps one
// per dimension so the hot path is a slice index.
type slotCache struct {
	sym *extract.Symbols
	dim string
	tbl []int8 // slot+1; 0: not looked up yet; -1: no slot
}

func (c *slotCache) slot(s extract.Sym) int {
	if int(s) < len(c.tbl) {
		switch v := c.tbl[s]; {
		case v < 0:
			return -1
		case v > 0:
			return int(v) - 1
		}
	} else {
		c.tbl = append(c.tbl, make([]int8, int(s)+64-len(c.tbl))...)
	}
	v := int8(-1)
	if i, ok := slotOf[c.dim+"\x00"+c.sym.Name(s)]; ok {
		v = int8(i + 1)
	}
	c.tbl[s] = v
	if v < 0 {
		return -1
	}
	return int(v) - 1
}

// breakSlots resolves the three breakdown signifiers of one event.
type breakSlots [3]slotCache

func newBreakSlots(sym *extract.Symbols) *breakSlots {
	var b breakSlots
	for i, d := range breakDims {
		b[i] = slotCache{sym: sym, dim: d.name}
	}
	return &b
}

// slots resolves the breakdown slots of one signifier tuple (-1: none).
func (b *breakSlots) slots(dims *[nDims]extract.Sym) [3]int8 {
	var out [3]int8
	for i := range b {
		out[i] = int8(b[i].slot(dims[breakDims[i].col]))
	}
	return out
}

// addSlots counts one event in the breakdown slots of its tuple.
func addSlots(m *monthAgg, slots [3]int8, ok bool, dur int64) {
	for _, s := range slots {
		if s < 0 {
			continue
		}
		m.brk[s].add(ok, dur)
	}
}

// breakdown builds breakdown.csv: the recipient's success (or delivery)
// rate and mean duration per value of each breakdown dimension, against
// industry where at least k peers had events with that value.
func (b *builder) breakdown(ev *events, v reportdef.View, role roleID, in codeSet, me extract.Sym) table {
	var you, ind [nSlots]dayAgg
	var peers [nSlots]int
	perParty := map[extract.Sym]*[nSlots]dayAgg{}
	ev.each(role, in, func(_, party extract.Sym, m *monthAgg) {
		p := perParty[party]
		if p == nil {
			p = &[nSlots]dayAgg{}
			perParty[party] = p
		}
		for s := range m.brk {
			p[s].merge(&m.brk[s])
		}
	})
	for party, p := range perParty {
		for s := range p {
			ind[s].merge(&p[s])
			if party == me {
				you[s].merge(&p[s])
			} else if p[s].n > 0 {
				peers[s]++
			}
		}
	}
	var t table
	want := v.Dimensions
	if len(want) == 0 {
		for _, d := range breakDims {
			want = append(want, d.name)
		}
	}
	var withheld []string
	for _, name := range want {
		for _, d := range breakDims {
			if d.name != name {
				continue
			}
			for _, val := range d.values {
				s := slotOf[d.name+"\x00"+val]
				y := you[s]
				if y.n == 0 {
					continue
				}
				indRate, indMean := "", ""
				if Disclosed(peers[s], b.k) {
					indRate, indMean = FormatRate(Rate(ind[s].ok, ind[s].n)), MeanMS(ind[s].durSum, ind[s].durN)
				} else {
					withheld = append(withheld, val)
				}
				t.rows = append(t.rows, []string{d.name, val, itoa(y.n), itoa(y.ok), FormatRate(Rate(y.ok, y.n)),
					MeanMS(y.durSum, y.durN), indRate, indMean})
			}
		}
	}
	if len(withheld) > 0 {
		t.withheld = fmt.Sprintf("Industry figures withheld for %s: fewer than %d other parties had traffic there, and at least %d are needed to protect their anonymity.",
			strings.Join(withheld, ", "), b.k, b.k)
	}
	return t
}
