package synth

// The estate is a list of homes; a home's devices occupy fixed slots (slot =
// device type) and device number home*8+slot. Everything about a device is
// drawn from a PCG seeded with the run's seed and that number, so the same
// device looks the same in devices.csv, service_requests.csv and alerts.csv.

import (
	"math/rand/v2"
)

// home is one supply address with its smart metering system.
type home struct {
	imp, gas, exp, ed, gt uint16 // party index + 1; 0 = none
	area                  uint8  // MPAN distributor area id (10..23, or 24+ for independents)
	region                uint8
	mask                  uint8 // device slots present
	flags                 uint8
}

// Home flags.
const (
	homeSMETS1 = 1 << iota
	homePrepay
)

func (h *home) has(slot int) bool { return h.mask&(1<<slot) != 0 }
func (h *home) smets1() bool      { return h.flags&homeSMETS1 != 0 }

// idnoRegion is the region of each independent distributor's area (24, 25, 26).
var idnoRegion = [3]uint8{regionCentral, regionSouth, regionNorth}

// estate is every home plus, per role and party, the homes in its estate.
type estate struct {
	homes []home
	// of[role][party] lists the homes whose device of that role's fuel the
	// party owns (IS: ESME, GS: GSME, ES: exporting ESME, ED: ESME on its
	// network, GT: GSME on its network).
	of [len(roleCodes)][][]uint32
	// elec and gas list every home with an ESME / a GSME.
	elec, gas []uint32
}

// weightedParties returns the party indexes of a role and their cumulative
// market shares.
func weightedParties(ps *parties, role int) ([]int, []float64) {
	idx := ps.byRole[role]
	w := make([]float64, len(idx))
	for i, p := range idx {
		w[i] = ps.list[p].share
	}
	return idx, cumulative(w)
}

// buildEstate draws homes until they hold nDevices devices.
func buildEstate(ps *parties, nDevices int, seed uint64) *estate {
	rng := rand.New(rand.NewPCG(seed, 0xe57a7e))
	e := &estate{}
	for r := range e.of {
		e.of[r] = make([][]uint32, len(ps.list))
	}
	isIdx, isCum := weightedParties(ps, 0)
	esIdx, esCum := weightedParties(ps, 1)
	gsIdx, gsCum := weightedParties(ps, 2)
	gts := ps.byRole[4]
	// Electricity areas: the 14 licence areas plus one per independent.
	areaED := map[int]int{} // area id -> ED party index
	var areas []int
	var areaW []float64
	for _, p := range ps.byRole[3] {
		for _, a := range ps.list[p].areas {
			areaED[a] = p
		}
	}
	for a := 10; a < 24; a++ {
		areas = append(areas, a)
		areaW = append(areaW, areaWeight[a-10])
	}
	for a := 24; a < 27; a++ {
		if _, ok := areaED[a]; ok {
			areas = append(areas, a)
			areaW = append(areaW, 0.3)
		}
	}
	areaCum := cumulative(areaW)
	holds := func(p int, r roleMask) bool { return ps.list[p].roles&r != 0 }

	total := 0
	for h := uint32(0); total < nDevices; h++ {
		var x home
		area := areas[pick(areaCum, rng.Float64())]
		x.area = uint8(area)
		if area < 24 {
			x.region = uint8(areaNames[area-10].region)
		} else {
			x.region = idnoRegion[area-24]
		}
		kind := rng.Float64() // < 0.58 dual fuel, < 0.92 electricity only, else gas only
		if rng.Float64() < 0.25 {
			x.flags |= homeSMETS1
		}
		if rng.Float64() < 0.15 {
			x.flags |= homePrepay
		}
		x.mask = 1 << typeCHF
		if kind < 0.92 {
			imp := isIdx[pick(isCum, rng.Float64())]
			x.imp = uint16(imp + 1)
			x.mask |= 1 << typeESME
			if p, ok := areaED[area]; ok {
				x.ed = uint16(p + 1)
			}
			if len(esIdx) > 0 && rng.Float64() < 0.08 {
				if holds(imp, roleES) && rng.Float64() < 0.7 {
					x.exp = uint16(imp + 1)
				} else {
					x.exp = uint16(esIdx[pick(esCum, rng.Float64())] + 1)
				}
			}
			if kind < 0.58 {
				if holds(imp, roleGS) && rng.Float64() < 0.85 {
					x.gas = uint16(imp + 1)
				} else {
					x.gas = uint16(gsIdx[pick(gsCum, rng.Float64())] + 1)
				}
			}
			if rng.Float64() < 0.04 {
				x.mask |= 1 << typeHCALCS
			}
		} else {
			x.gas = uint16(gsIdx[pick(gsCum, rng.Float64())] + 1)
		}
		if x.gas != 0 {
			x.mask |= 1<<typeGSME | 1<<typeGPF
			if len(gts) > 0 {
				x.gt = uint16(gts[area%len(gts)] + 1)
			}
		}
		if rng.Float64() < 0.92 {
			x.mask |= 1 << typeIHD
		}
		if x.flags&homePrepay != 0 && rng.Float64() < 0.9 {
			x.mask |= 1 << typePPMID
		}
		if rng.Float64() < 0.02 {
			x.mask |= 1 << typeOTHER
		}
		x.mask = trimMask(x.mask, nDevices-total)
		total += popcount(x.mask)
		e.add(h, x)
	}
	return e
}

// trimPriority is the order slots are kept in when the last home must be
// cut down to hit the device count exactly.
var trimPriority = [numTypes]int{typeCHF, typeESME, typeGSME, typeGPF, typeIHD, typePPMID, typeHCALCS, typeOTHER}

func trimMask(mask uint8, room int) uint8 {
	if popcount(mask) <= room {
		return mask
	}
	var out uint8
	for _, s := range trimPriority {
		if room == 0 {
			break
		}
		if mask&(1<<s) != 0 {
			out |= 1 << s
			room--
		}
	}
	return out
}

func popcount(m uint8) int {
	n := 0
	for ; m != 0; m &= m - 1 {
		n++
	}
	return n
}

// add appends home x (number h) and files it in its owners' estates.
func (e *estate) add(h uint32, x home) {
	e.homes = append(e.homes, x)
	if x.has(typeESME) {
		e.elec = append(e.elec, h)
		e.of[0][x.imp-1] = append(e.of[0][x.imp-1], h)
		if x.exp != 0 {
			e.of[1][x.exp-1] = append(e.of[1][x.exp-1], h)
		}
		if x.ed != 0 {
			e.of[3][x.ed-1] = append(e.of[3][x.ed-1], h)
		}
	}
	if x.has(typeGSME) {
		e.gas = append(e.gas, h)
		e.of[2][x.gas-1] = append(e.of[2][x.gas-1], h)
		if x.gt != 0 {
			e.of[4][x.gt-1] = append(e.of[4][x.gt-1], h)
		}
	}
}

// dev is the catalogue entry of one device.
type dev struct {
	model int // index into catalogue
	fw    int // index into the model's firmware list
}

// unit maps 64 random bits to [0, 1).
func unit(x uint64) float64 { return float64(x>>11) * 0x1p-53 }

// owner returns the party index whose estate decides a device's make, or -1.
func (h *home) owner(slot int) int {
	o := h.imp
	switch slot {
	case typeGSME, typeGPF:
		o = h.gas
	case typeCHF, typeIHD, typePPMID, typeOTHER:
		if o == 0 {
			o = h.gas
		}
	}
	return int(o) - 1
}

// device draws the model and firmware of the device in slot of home h,
// seeding src from the device number; callers may keep drawing from src for
// further attributes.
func (g *gen) device(h uint32, slot int, src *rand.PCG) dev {
	src.Seed(g.seed^0xde71ce, uint64(h)<<3|uint64(slot))
	x := &g.est.homes[h]
	s := 0
	if x.smets1() {
		s = 1
	}
	models := g.cat.models[slot][s]
	var d dev
	diligence := 0.3
	u := unit(src.Uint64())
	if o := x.owner(slot); o >= 0 {
		p := &g.ps.list[o]
		diligence = p.diligence
		if u < 0.45 {
			d.model = models[int(p.prefMaker[slot])%len(models)]
		} else {
			d.model = models[pick(g.cat.cum[slot][s], unit(src.Uint64()))]
		}
	} else {
		d.model = models[pick(g.cat.cum[slot][s], u)]
	}
	m := &catalogue[d.model]
	if unit(src.Uint64()) < diligence*0.5 {
		d.fw = len(m.fw) - 1
	} else {
		d.fw = pick(g.cat.fwCum[d.model], unit(src.Uint64()))
	}
	return d
}
