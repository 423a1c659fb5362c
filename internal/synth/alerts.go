package synth

// Alerts are generated as events: most events are one alert, but the
// follow-up rules the ED views check (AD1 then a restoration within 24 h, N16
// then N42 within 7 days) come from episodes that emit the whole sequence at
// once, so rows are not in time order. Follow-ups falling after the end of
// the extract window are left out, as a warehouse cut-off would.

import (
	"math"
	"math/rand/v2"

	"github.com/dcc/carport/internal/contract"
)

// Alert event kinds.
const (
	evSupplierDevice = iota
	evSupplierDCC
	evEDOutage
	evEDRestoreOnly
	evEDPolyphase
	evEDN16
	evEDSingle
	numEvents
)

// eventWeight is each kind's share of events; eventRows the mean alert
// rows one event of the kind yields (to size the file).
var (
	eventWeight = [numEvents]float64{45, 15, 12, 2, 2, 6, 18}
	eventRows   = [numEvents]float64{1, 1, 2.69, 1.9, 2.5, 1.9, 1}
)

// weightedCode is an alert code and its relative frequency.
type weightedCode struct {
	code string
	w    float64
}

// Alert code mixes.
var (
	supplierDeviceCodes = [numTypes][]weightedCode{
		typeESME:   {{"8F35", 8}, {"8F36", 6}, {"8F0C", 6}, {"81C6", 4}, {"8145", 6}, {"8F01", 2}, {"8F3F", 1}},
		typeGSME:   {{"81B4", 2}, {"81B6", 2}, {"8184", 3}, {"819D", 4}, {"8145", 5}, {"8F0C", 3}, {"81C6", 2}},
		typeCHF:    {{"8F12", 4}, {"8F20", 2}, {"8F0C", 1}},
		typeGPF:    {{"8F12", 2}, {"8145", 2}},
		typeIHD:    {{"8183", 1}},
		typePPMID:  {{"8183", 1}},
		typeHCALCS: {{"8183", 1}},
		typeOTHER:  {{"8183", 1}},
	}
	prepayCodes      = []weightedCode{{"810D", 3}, {"8119", 2}, {"81AA", 1}, {"81AB", 1}}
	supplierDCCCodes = []weightedCode{{"N12", 3}, {"N13", 2}, {"N16", 4}, {"N42", 4}, {"N53", 2}, {"N55", 2}, {"AD1", 3}}
	edSingleCodes    = []weightedCode{{"8F0C", 4}, {"81C6", 3}, {"N12", 3}, {"N13", 3}, {"N53", 2}, {"N55", 3}}
)

// dccCodes are the DCC alert codes (alert_source dcc).
var dccCodes = map[string]bool{"AD1": true, "N12": true, "N13": true, "N16": true, "N42": true, "N53": true, "N55": true}

// deliveryFailReasons are the reason codes of failed deliveries.
var deliveryFailReasons = []string{"timeout", "rejected", "queue-expired", "endpoint-unavailable"}

// allAlertCodes lists every alert code the generator can write.
func allAlertCodes() []string {
	var out []string
	add := func(ws []weightedCode) {
		for _, w := range ws {
			out = append(out, w.code)
		}
	}
	for _, ws := range supplierDeviceCodes {
		add(ws)
	}
	add(prepayCodes)
	add(supplierDCCCodes)
	add(edSingleCodes)
	out = append(out, "8F58", "8F59", "8F5A", "8F37", "8F38", "8F39", "8F3A", "8F3B", "8F3C", "8F35", "8F36", "AD1", "N16", "N42")
	for _, cs := range alertCodesByType {
		out = append(out, cs...)
	}
	return out
}

func pickCode(rng *rand.Rand, ws []weightedCode) string {
	total := 0.0
	for _, w := range ws {
		total += w.w
	}
	x := rng.Float64() * total
	for _, w := range ws {
		if x < w.w {
			return w.code
		}
		x -= w.w
	}
	return ws[len(ws)-1].code
}

// alertWriter carries the state of alerts.csv while it is written.
type alertWriter struct {
	g      *gen
	o      *fileOut
	rng    *rand.Rand
	src    rand.PCG
	prefix string
	seq    uint64
}

// emit writes one alert row. slot is the device concerned in home h.
func (w *alertWriter) emit(party, role int, code string, h uint32, slot int, supplier int, genMS int64) {
	g := w.g
	if genMS >= g.alertEndMS {
		return
	}
	rng := w.rng
	x := &g.est.homes[h]
	w.seq++
	style := int(rng.Uint64() & 3)
	b := w.o.bw.AvailableBuffer()
	b = append(b, w.prefix...)
	b = appendPadded(b, w.seq, 10)
	b = append(b, ',')
	b = append(b, g.ps.list[party].id...)
	b = append(b, ',')
	b = append(b, roleCodes[role]...)
	b = append(b, ',')
	b = append(b, code...)
	b = append(b, ',')
	dcc := dccCodes[code]
	if dcc {
		b = append(b, "dcc,"...)
	} else {
		b = append(b, "device,"...)
	}
	b = appendEUI64(b, h<<3|uint32(slot))
	b = append(b, ',')
	if supplier >= 0 {
		b = append(b, g.ps.list[supplier].id...)
	}
	b = append(b, ',')
	b = g.zone.appendTS(b, genMS, style)
	b = append(b, ',')
	sev := g.incidentAt(genMS, x.region)
	if rng.Float64() < 0.012+0.3*sev {
		b = append(b, ",failed,"...)
		b = append(b, deliveryFailReasons[rng.IntN(len(deliveryFailReasons))]...)
	} else {
		median := 700.0
		if dcc {
			median = 400
		}
		if sev > 0 {
			median *= 8
		}
		delay := int64(math.Exp(math.Log(median) + 1.2*rng.NormFloat64()))
		if style == tsZSeconds || style == tsLocalSecs {
			// whole-second stamps: keep delivered_at after generated_at
			delay = (genMS%1000 + delay + 999) / 1000 * 1000
			b = g.zone.appendTS(b, genMS-genMS%1000+delay, style)
		} else {
			b = g.zone.appendTS(b, genMS+delay, style)
		}
		b = append(b, ",delivered,"...)
	}
	b = append(b, ',')
	d := g.device(h, slot, &w.src)
	b = g.appendSignifiers(b, h, slot, d, &w.src)
	b = append(b, '\n')
	w.o.bw.Write(b)
	w.o.rows++
}

// lognormalMS draws a duration with the given median and spread.
func lognormalMS(rng *rand.Rand, median, sigma float64) int64 {
	return int64(math.Exp(math.Log(median) + sigma*rng.NormFloat64()))
}

// writeAlerts writes alerts.csv: the period plus the 7 days after it.
func (g *gen) writeAlerts(o *fileOut, n int) {
	o.header(contract.AlertsFile.Header())
	w := &alertWriter{g: g, o: o, rng: rand.New(rand.NewPCG(g.seed, 0xa1e47)),
		prefix: "A" + g.per.String()[2:4] + g.per.String()[5:7] + "-"}
	rng := w.rng

	// Recipients: suppliers by role and estate, distributors by estate.
	var sup []sender
	var supW []float64
	supRole := [3]float64{0.55, 0.07, 0.38} // IS, ES, GS
	for r := 0; r < 3; r++ {
		sum := 0.0
		for _, p := range g.ps.byRole[r] {
			sum += float64(len(g.est.of[r][p]))
		}
		for _, p := range g.ps.byRole[r] {
			if k := len(g.est.of[r][p]); k > 0 {
				sup = append(sup, sender{party: p, role: r})
				supW = append(supW, supRole[r]*float64(k)/sum)
			}
		}
	}
	var eds []int
	var edW []float64
	for _, p := range g.ps.byRole[3] {
		if k := len(g.est.of[3][p]); k > 0 {
			eds = append(eds, p)
			edW = append(edW, float64(k))
		}
	}
	supCum, edCum := cumulative(supW), cumulative(edW)
	kw := eventWeight
	if len(eds) == 0 {
		for k := evEDOutage; k < numEvents; k++ {
			kw[k] = 0
		}
	}
	if len(sup) == 0 {
		kw[evSupplierDevice], kw[evSupplierDCC] = 0, 0
	}
	kindCum := cumulative(kw[:])
	rows := 0.0
	for k := range kw {
		rows += kw[k] * eventRows[k]
	}
	perEvent := rows / kindCum[len(kindCum)-1]
	window := float64(g.alertEndMS-g.per.StartMS()) / float64(g.per.EndMS()-g.per.StartMS())
	events := float64(n) / perEvent * window

	for _, bk := range g.hourBuckets(g.per.StartMS(), g.alertEndMS, events, &alertHours) {
		for k := 0; k < bk.n; k++ {
			t := bk.startMS + rng.Int64N(hourMS)
			kind := pick(kindCum, rng.Float64())
			if kind <= evSupplierDCC {
				s := sup[pick(supCum, rng.Float64())]
				target := targetMeter
				if rng.IntN(4) == 0 {
					target = targetAny
				}
				h, slot := g.pickTarget(rng, s.party, s.role, target)
				var code string
				switch {
				case kind == evSupplierDCC:
					code = pickCode(rng, supplierDCCCodes)
					if code == "AD1" && s.role != 0 {
						code = "N12"
					}
				case g.est.homes[h].flags&homePrepay != 0 && slot <= typeGSME && rng.IntN(5) == 0:
					code = pickCode(rng, prepayCodes)
				default:
					code = pickCode(rng, supplierDeviceCodes[slot])
				}
				w.emit(s.party, s.role, code, h, slot, s.party, t)
				continue
			}
			ed := eds[pick(edCum, rng.Float64())]
			list := g.est.of[3][ed]
			h := list[rng.IntN(len(list))]
			imp := int(g.est.homes[h].imp) - 1
			at := func(code string, ms int64) { w.emit(ed, 3, code, h, typeESME, imp, ms) }
			restore := func(ms int64) {
				switch u := rng.Float64(); {
				case u < 0.92:
					at("8F35", ms)
					at("8F36", ms+rng.Int64N(2000))
				case u < 0.96:
					at("8F35", ms)
				default:
					at("8F36", ms)
				}
			}
			switch kind {
			case evEDOutage:
				at("AD1", t)
				switch u := rng.Float64(); {
				case u < 0.80:
					restore(t + min(lognormalMS(rng, 90*60_000, 1.0), 23*hourMS+30*60_000))
				case u < 0.88:
					restore(t + 25*hourMS + rng.Int64N(5*hourMS))
				}
			case evEDRestoreOnly:
				restore(t)
			case evEDPolyphase:
				phase := rng.IntN(3)
				at([...]string{"8F58", "8F59", "8F5A"}[phase], t)
				if rng.Float64() < 0.85 {
					r := t + lognormalMS(rng, 40*60_000, 1.0)
					at([...]string{"8F37", "8F39", "8F3B"}[phase], r)
					if rng.Float64() < 0.8 {
						at([...]string{"8F38", "8F3A", "8F3C"}[phase], r+rng.Int64N(1500))
					}
				}
			case evEDN16:
				at("N16", t)
				const day = 24 * hourMS
				switch u := rng.Float64(); {
				case u < 0.80:
					at("N42", t+1+min(lognormalMS(rng, 1.5*day, 0.8), 7*day-hourMS))
				case u < 0.90:
					at("N42", t+7*day+hourMS+rng.Int64N(3*day))
				}
			default:
				at(pickCode(rng, edSingleCodes), t)
			}
		}
	}
}
