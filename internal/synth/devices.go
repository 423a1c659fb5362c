package synth

import (
	"math/rand/v2"
	"strconv"

	"github.com/dcc/carport/internal/contract"
)

// noDate marks a null date.
const noDate = int64(-1) << 40

// alertCodesByType are device alerts a device of each type may have raised
// last (for last_alert_code).
var alertCodesByType = [numTypes][]string{
	typeESME:   {"8F35", "8F36", "8F0C", "81C6", "8145", "8F01", "8F3F"},
	typeGSME:   {"81B4", "81B6", "8184", "819D", "8145"},
	typeCHF:    {"8F12", "8F20", "81A2", "81A3"},
	typeGPF:    {"8F12", "8145"},
	typeIHD:    {"8183"},
	typePPMID:  {"8183", "810E"},
	typeHCALCS: {"8183"},
	typeOTHER:  {"8183"},
}

// makeCPL gives every model and firmware its Central Products List expiry
// (days since the epoch): mostly years away, but the oldest firmware of some
// models expires around the period end.
func (g *gen) makeCPL() {
	rng := rand.New(rand.NewPCG(g.seed, 0xc91))
	last := g.lastDay
	g.cpl = make([][]int64, len(catalogue))
	for i, m := range catalogue {
		g.cpl[i] = make([]int64, len(m.fw))
		for j := range m.fw {
			switch {
			case m.typ == typeOTHER && rng.IntN(2) == 0:
				g.cpl[i][j] = noDate
			case j == 0 && len(m.fw) > 1 && i%3 == 0:
				g.cpl[i][j] = last - 5 + int64(rng.IntN(34))
			default:
				g.cpl[i][j] = last + 200 + int64(rng.IntN(1600))
			}
		}
	}
}

// writeDevices writes devices.csv: one row per device, homes in order.
func (g *gen) writeDevices(o *fileOut) {
	o.header(contract.DevicesFile.Header())
	var src rand.PCG
	var pc rand.PCG
	startMS, endMS := g.per.StartMS(), g.per.EndMS()
	for hi := range g.est.homes {
		h := uint32(hi)
		x := &g.est.homes[hi]
		pc.Seed(g.seed^0x9057c0de, uint64(h))
		var postcode []byte
		if unit(pc.Uint64()) >= 0.02 {
			postcode = appendPostcode(nil, &pc, x.region)
		}
		for slot := 0; slot < numTypes; slot++ {
			if !x.has(slot) {
				continue
			}
			d := g.device(h, slot, &src)
			b := o.bw.AvailableBuffer()
			b = appendEUI64(b, h<<3|uint32(slot))
			b = append(b, ",SMS-"...)
			b = appendPadded(b, uint64(mix32(h, 0x5a5)), 10)
			b = append(b, ',')
			b = append(b, typeNames[slot]...)
			b = append(b, ',')
			b = appendModel(b, d)
			b = append(b, ',')
			b = appendSMETS(b, x)
			b = append(b, ',')
			b = append(b, cspNames[x.region]...)
			b = append(b, ',')
			b = append(b, regionNames[x.region]...)
			b = append(b, ',')
			elec := slot == typeESME || slot == typeHCALCS
			shared := slot == typeCHF || slot == typeIHD || slot == typePPMID || slot == typeOTHER
			if (elec || shared) && x.imp != 0 {
				b = append(b, g.ps.list[x.imp-1].id...)
			}
			b = append(b, ',')
			if slot == typeESME && x.exp != 0 {
				b = append(b, g.ps.list[x.exp-1].id...)
			}
			b = append(b, ',')
			if (slot == typeGSME || slot == typeGPF || shared) && x.gas != 0 {
				b = append(b, g.ps.list[x.gas-1].id...)
			}
			b = append(b, ',')
			if elec && x.ed != 0 {
				b = append(b, g.ps.list[x.ed-1].id...)
			}
			b = append(b, ',')
			switch {
			case slot == typeOTHER:
			case elec || (shared && x.imp != 0):
				b = appendMPAN(b, int(x.area), h)
			default:
				b = appendMPRN(b, h)
			}
			b = append(b, ',')
			b = append(b, postcode...)
			b = append(b, ',')
			// last_read_at: meters only.
			status := pick(statusCum, unit(src.Uint64()))
			if slot == typeESME || slot == typeGSME {
				u := unit(src.Uint64())
				var at int64 = -1
				switch {
				case status != 0 && u < 0.5:
				case u < 0.88:
					at = endMS - 1 - int64(unit(src.Uint64())*3*86_400_000)
				case u < 0.96:
					at = startMS + int64(unit(src.Uint64())*float64(endMS-startMS-3*86_400_000))
				}
				if at >= 0 {
					b = g.zone.appendTS(b, at, int(src.Uint64()&3))
				}
			}
			b = append(b, ',')
			if unit(src.Uint64()) < 0.25 {
				at := startMS + int64(unit(src.Uint64())*float64(endMS-startMS))
				b = g.zone.appendTS(b, at, int(src.Uint64()&3))
				b = append(b, ',')
				codes := alertCodesByType[slot]
				b = append(b, codes[int(src.Uint64()%uint64(len(codes)))]...)
			} else {
				b = append(b, ',')
			}
			b = append(b, ',')
			b = append(b, statusNames[status]...)
			b = append(b, ',')
			outages := 0
			if slot == typeESME && unit(src.Uint64()) < 0.08 {
				outages = 1
				for outages < 20 && unit(src.Uint64()) < 0.45 {
					outages++
				}
			}
			b = strconv.AppendInt(b, int64(outages), 10)
			b = append(b, ',')
			prepay := x.flags&homePrepay != 0 && (slot == typeESME || slot == typeGSME || slot == typePPMID)
			b = strconv.AppendBool(b, prepay)
			b = append(b, ',')
			b = appendNullDate(b, g.cpl[d.model][d.fw])
			b = append(b, ',')
			cert := g.lastDay + 365 + int64(unit(src.Uint64())*3300)
			if u := unit(src.Uint64()); u < 0.03 {
				cert = g.lastDay - 3 + int64(u/0.03*93)
			} else if u < 0.04 {
				cert = noDate
			}
			b = appendNullDate(b, cert)
			b = append(b, ',')
			if (slot == typeESME || slot == typeGSME) && unit(src.Uint64()) < 0.03 {
				start := g.lastDay - int64(unit(src.Uint64())*40)
				b = appendDate(b, start)
				b = append(b, ',')
				if unit(src.Uint64()) < 0.6 {
					b = appendDate(b, start+1+int64(unit(src.Uint64())*21))
				}
			} else {
				b = append(b, ',')
			}
			b = append(b, '\n')
			o.bw.Write(b)
			o.rows++
		}
	}
}

func appendNullDate(b []byte, d int64) []byte {
	if d == noDate {
		return b
	}
	return appendDate(b, d)
}

func appendSMETS(b []byte, x *home) []byte {
	if x.smets1() {
		return append(b, "SMETS1"...)
	}
	return append(b, "SMETS2"...)
}

// appendPostcode appends a UK-looking postcode for a region, e.g. "LS12 4PQ".
func appendPostcode(b []byte, src *rand.PCG, region uint8) []byte {
	areas := postcodeAreas[region]
	b = append(b, areas[src.Uint64()%uint64(len(areas))]...)
	b = strconv.AppendUint(b, 1+src.Uint64()%29, 10)
	b = append(b, ' ', byte('1'+src.Uint64()%9))
	b = append(b, postcodeLetters[src.Uint64()%uint64(len(postcodeLetters))])
	return append(b, postcodeLetters[src.Uint64()%uint64(len(postcodeLetters))])
}

// writeParties writes parties.csv: one row per party and role.
func (g *gen) writeParties(o *fileOut) {
	o.header(contract.PartiesFile.Header())
	for _, p := range g.ps.list {
		for r, code := range roleCodes {
			if p.roles&(1<<r) == 0 {
				continue
			}
			b := o.bw.AvailableBuffer()
			b = append(b, p.id...)
			b = append(b, ',')
			b = appendField(b, p.name)
			b = append(b, ',')
			b = append(b, code...)
			b = append(b, ',')
			b = append(b, p.email...)
			b = append(b, '\n')
			o.bw.Write(b)
			o.rows++
		}
	}
}
