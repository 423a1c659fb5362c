package synth

import (
	"bytes"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/dcc/carport/internal/contract"
)

// srvWeight is the relative volume of an SRV among those a role may send.
// The four read SRVs carry about 60% of all traffic, as on the real network.
func srvWeight(srv string) float64 {
	switch srv {
	case "4.1.1":
		return 24
	case "4.6.1":
		return 14
	case "4.8.1":
		return 12
	case "4.17":
		return 14
	case "6.15.1", "4.2", "4.6.2", "4.8.3":
		return 2
	case "11.2", "8.2", "4.4.2", "2.1", "1.1.1", "6.2.7", "12.2", "4.3", "5.2":
		return 1.2
	case "8.1.1", "11.1", "6.13", "6.24.1", "8.11", "12.1", "7.1", "6.2.4", "11.3":
		return 0.6
	}
	return 0.3
}

// Target kinds of an SRV: the supply meter of the sender's fuel, or any
// device in the home the sender may address.
const (
	targetMeter = iota
	targetAny
)

// srvParam holds what a request of one SRV looks like.
type srvParam struct {
	srv     string
	target  int
	mu      float64 // log of the median round trip time in ms
	sigma   float64
	failMul float64
}

func makeSRVParams() []srvParam {
	out := make([]srvParam, len(srvCatalogue))
	for i, d := range srvCatalogue {
		h := fnv.New32a()
		h.Write([]byte(d.srv))
		v := float64(h.Sum32()%1000) / 1000 // a fixed per-SRV variation in [0, 1)
		p := srvParam{srv: d.srv, target: targetMeter, sigma: 0.7 + 0.25*v, failMul: 0.7 + 0.8*v}
		median := 4000.0
		switch major := d.srv[:strings.IndexByte(d.srv+".", '.')]; major {
		case "4":
			median = 2500
			p.failMul *= 0.7
		case "6":
			median = 8000
		case "8", "12":
			median, p.target = 1200, targetAny
		case "11":
			median, p.target = 30000, targetAny
			p.failMul *= 1.8
		}
		if d.srv == "4.17" || d.srv == "4.8.1" {
			median = 6000 // profile data is bigger
		}
		p.mu = math.Log(median * (0.75 + 0.5*v))
		out[i] = p
	}
	return out
}

// failureCodes are DUIS failure response codes with their shares among
// ordinary failures (incidents add more E21, E20 and E30).
var (
	failureCodes = []string{"E21", "E20", "E30", "E5", "E11", "E3", "E12", "E1", "E17", "E19", "E13", "E2", "E4"}
	failureCum   = cumulative([]float64{30, 22, 10, 9, 8, 6, 4, 3, 3, 2, 1.5, 0.8, 0.7})
)

// roleTraffic is each role's share of service requests, in role bit order.
var roleTraffic = [len(roleCodes)]float64{0.42, 0.03, 0.30, 0.10, 0.04, 0.02, 0.09}

// sender is one party sending in one role.
type sender struct {
	party, role int
}

// requestPlan holds the tables service request generation draws from.
type requestPlan struct {
	senders   []sender
	senderCum []float64
	srvs      [len(roleCodes)][]int // srvCatalogue indexes each role may send
	srvCum    [len(roleCodes)][]float64
	params    []srvParam
}

func (g *gen) makeRequestPlan() *requestPlan {
	rp := &requestPlan{params: makeSRVParams()}
	var w []float64
	for r := range roleCodes {
		var ids []int
		var ws []float64
		sum := 0.0
		for _, p := range g.ps.byRole[r] {
			x := g.ps.list[p].activity
			if r <= 4 { // roles with an estate
				x *= float64(len(g.est.of[r][p]))
			}
			if x > 0 {
				ids = append(ids, p)
				ws = append(ws, x)
				sum += x
			}
		}
		for i, p := range ids {
			rp.senders = append(rp.senders, sender{party: p, role: r})
			w = append(w, roleTraffic[r]*ws[i]/sum)
		}
		var sw []float64
		for i, d := range srvCatalogue {
			if d.roles&(1<<r) != 0 {
				rp.srvs[r] = append(rp.srvs[r], i)
				sw = append(sw, srvWeight(d.srv))
			}
		}
		rp.srvCum[r] = cumulative(sw)
	}
	rp.senderCum = cumulative(w)
	return rp
}

// anySlots are the device types a role may address in a home, besides its meter.
var anySlots = [len(roleCodes)][]int{
	{typeESME, typeCHF, typeIHD, typePPMID, typeHCALCS, typeOTHER}, // IS
	{typeESME}, // ES
	{typeGSME, typeGPF, typeCHF, typeIHD, typePPMID}, // GS
	{typeESME, typeCHF},                    // ED
	{typeGSME, typeGPF},                    // GT
	{typeESME, typeGSME, typeCHF},          // RSA
	{typeESME, typeGSME, typeCHF, typeIHD}, // OU
}

// pickTarget chooses the home and device a request or alert concerns.
func (g *gen) pickTarget(rng *rand.Rand, party, role, target int) (uint32, int) {
	var h uint32
	if role <= 4 {
		list := g.est.of[role][party]
		h = list[rng.IntN(len(list))]
	} else if len(g.est.gas) > 0 && rng.IntN(10) < 3 || len(g.est.elec) == 0 {
		h = g.est.gas[rng.IntN(len(g.est.gas))]
	} else {
		h = g.est.elec[rng.IntN(len(g.est.elec))]
	}
	x := &g.est.homes[h]
	slot := typeESME
	if role == 2 || role == 4 || !x.has(typeESME) {
		slot = typeGSME
	}
	if target == targetAny {
		slots := anySlots[role]
		for try := 0; try < 4; try++ {
			s := slots[rng.IntN(len(slots))]
			if x.has(s) && (s != typeESME || role != 2) {
				slot = s
				break
			}
		}
	}
	return h, slot
}

// appendSignifiers appends region,smets_version,device_type,device_*,chf_*
// for the device in slot of home h.
// d is the device's draw from g.device.
func (g *gen) appendSignifiers(b []byte, h uint32, slot int, d dev, src *rand.PCG) []byte {
	x := &g.est.homes[h]
	b = append(b, regionNames[x.region]...)
	b = append(b, ',')
	b = appendSMETS(b, x)
	b = append(b, ',')
	b = append(b, typeNames[slot]...)
	b = append(b, ',')
	b = appendModel(b, d)
	b = append(b, ',')
	c := d
	if slot != typeCHF {
		c = g.device(h, typeCHF, src)
	}
	cm := &catalogue[c.model]
	b = append(b, cm.maker...)
	b = append(b, ',')
	b = append(b, cm.name...)
	b = append(b, ',')
	b = append(b, cm.variant...)
	b = append(b, ',')
	return append(b, cm.fw[c.fw]...)
}

// appendModel writes a device's manufacturer, model and firmware, the
// column triple of every extract.
func appendModel(b []byte, d dev) []byte {
	m := &catalogue[d.model]
	b = append(b, m.maker...)
	b = append(b, ',')
	b = append(b, m.name...)
	b = append(b, ',')
	return append(b, m.fw[d.fw]...)
}

// Kinds of deliberately bad rows (Options.BadRows), in rotation.
const (
	badTimestamp = iota
	badOutcome
	badRTT
	badRegion
	badFieldCount
	numBadKinds
)

// commandVariants are DUIS command variants and their shares.
var commandVariantCum = cumulative([]float64{48, 8, 14, 5, 5, 3, 2, 15})

// writeRequests writes service_requests.csv.
func (g *gen) writeRequests(o *fileOut, n, badRows int) {
	o.header(contract.ServiceRequestsFile.Header())
	rp := g.makeRequestPlan()
	rng := rand.New(rand.NewPCG(g.seed, 0x5e41ce))
	var src rand.PCG
	stride := 0
	if badRows > 0 {
		stride = max(1, n/badRows)
	}
	prefix := "R" + g.per.String()[2:4] + g.per.String()[5:7] + "-"
	var row int
	bad := 0
	for _, bk := range g.hourBuckets(g.per.StartMS(), g.per.EndMS(), float64(n), &requestHours) {
		for k := 0; k < bk.n; k++ {
			badKind := -1
			if stride > 0 && bad < badRows && row%stride == stride/2 {
				badKind = bad % numBadKinds
				bad++
			}
			row++
			ms := bk.startMS + rng.Int64N(hourMS)
			s := rp.senders[pick(rp.senderCum, rng.Float64())]
			p := &g.ps.list[s.party]
			srvIdx := rp.srvs[s.role][pick(rp.srvCum[s.role], rng.Float64())]
			sp := &rp.params[srvIdx]
			h, slot := g.pickTarget(rng, s.party, s.role, sp.target)
			x := &g.est.homes[h]

			b := o.bw.AvailableBuffer()
			b = append(b, prefix...)
			b = appendPadded(b, uint64(row), 10)
			b = append(b, ',')
			b = append(b, p.id...)
			b = append(b, ',')
			b = append(b, roleCodes[s.role]...)
			b = append(b, ',')
			b = append(b, sp.srv...)
			b = append(b, ',')
			if u := rng.Float64(); u >= 0.1 {
				b = strconv.AppendInt(b, int64(1+pick(commandVariantCum, (u-0.1)/0.9)), 10)
			}
			b = append(b, ',')
			if badKind == badTimestamp {
				b = append(b, "2026-13-41T25:61:00Z"...)
			} else {
				b = g.zone.appendTS(b, ms, int(rng.Uint64()&3))
			}
			b = append(b, ',')
			// Draw the device first: its firmware changes the failure odds.
			d := g.device(h, slot, &src)
			m := &catalogue[d.model]
			pf := (1 - p.success) * sp.failMul
			if d.fw == m.badFW {
				pf *= 3.5
			}
			if x.smets1() {
				pf *= 1.4
			}
			inc := g.incidentAt(ms, x.region)
			pf = min(pf+inc, 0.95)
			code := "I0"
			var rtt float64 = -1
			slow := 1.0
			if x.smets1() {
				slow = 1.5
			}
			if inc > 0 {
				slow *= 3
			}
			if rng.Float64() < pf {
				if inc > 0 && rng.Float64() < inc/pf {
					code = [...]string{"E21", "E20", "E30"}[rng.IntN(3)]
				} else {
					code = failureCodes[pick(failureCum, rng.Float64())]
				}
				switch code {
				case "E21", "E30": // no response: null round trip time
				case "E20":
					rtt = math.Exp(math.Log(12000)+0.5*rng.NormFloat64()) * slow
				default: // rejected by the DCC before reaching the device
					rtt = math.Exp(math.Log(250) + 0.5*rng.NormFloat64())
				}
			} else {
				rtt = math.Exp(sp.mu+sp.sigma*rng.NormFloat64()) * slow
			}
			switch {
			case badKind == badRTT:
				b = append(b, "-17"...)
			case rtt >= 0:
				b = strconv.AppendInt(b, int64(rtt), 10)
			}
			b = append(b, ',')
			switch {
			case badKind == badOutcome:
				b = append(b, "succeeded"...)
			case code == "I0":
				b = append(b, "success"...)
			default:
				b = append(b, "failure"...)
			}
			b = append(b, ',')
			b = append(b, code...)
			b = append(b, ',')
			mark := len(b)
			b = g.appendSignifiers(b, h, slot, d, &src)
			switch badKind {
			case badRegion:
				b = append(b[:mark], append([]byte("Atlantis"), b[mark+len(regionNames[x.region]):]...)...)
			case badFieldCount:
				b = b[:bytes.LastIndexByte(b, ',')]
			}
			b = append(b, '\n')
			o.bw.Write(b)
			o.rows++
		}
	}
}
