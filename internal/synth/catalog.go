package synth

import (
	"slices"

	"github.com/dcc/carport/internal/contract"
)

// The device catalogue is made up: makers and models are fictional so that
// "this firmware fails more" never describes a real product.

// Device types; the value is also the device's slot in its home.
const (
	typeESME = iota
	typeGSME
	typeCHF
	typeGPF
	typeIHD
	typePPMID
	typeHCALCS
	typeOTHER
	numTypes
)

// typeNames are the contract's device_type values by type (the constants
// above follow the contract's order; a change of its length panics here).
var typeNames = [numTypes]string(contract.DeviceTypes)

// Regions and their Communication Service Providers.
const (
	regionNorth = iota
	regionCentral
	regionSouth
)

var (
	regionNames = [3]string(contract.Regions)
	cspNames    = [3]string(contract.CSPs)
)

// model is one device model with its firmware versions, oldest first.
type model struct {
	typ     int
	maker   string
	name    string
	smets1  bool
	variant string    // CHF only: hub function variant
	fw      []string  // firmware versions, oldest first
	fwW     []float64 // their share in the estate
	badFW   int       // index of a firmware that fails noticeably more, -1 for none
	weight  float64   // share of the model among its type and SMETS version
}

// catalogue lists every model. Each type has SMETS1 and SMETS2 models from
// three or more makers.
var catalogue = []model{
	// ESME
	{typeESME, "Aldmere Metering", "AM-E210", false, "", []string{"2.1.4", "2.2.0", "2.3.1", "2.4.0"}, []float64{5, 15, 55, 25}, 1, 3},
	{typeESME, "Aldmere Metering", "AM-E330", false, "", []string{"3.0.2", "3.1.0"}, []float64{30, 70}, -1, 1.5},
	{typeESME, "Aldmere Metering", "AM-E100", true, "", []string{"1.8.0", "1.9.2", "1.9.5"}, []float64{20, 50, 30}, -1, 1},
	{typeESME, "Brackwell Instruments", "BW-SE2", false, "", []string{"04.10", "04.12", "05.01"}, []float64{10, 60, 30}, -1, 2.5},
	{typeESME, "Brackwell Instruments", "BW-SE2P", false, "", []string{"04.11", "05.02"}, []float64{40, 60}, -1, 0.4},
	{typeESME, "Brackwell Instruments", "BW-S1E", true, "", []string{"S1-7.2", "S1-7.4"}, []float64{35, 65}, 0, 1},
	{typeESME, "Corvan Systems", "CV-E7", false, "", []string{"7.0.9", "7.1.3", "7.2.0", "7.2.2", "7.3.0"}, []float64{3, 7, 40, 35, 15}, 2, 2},
	{typeESME, "Corvan Systems", "CV-E7X", false, "", []string{"7.2.0", "7.3.0"}, []float64{50, 50}, -1, 0.8},
	{typeESME, "Eastgate Meters", "EG-1E", true, "", []string{"1.02", "1.03"}, []float64{60, 40}, -1, 0.8},
	{typeESME, "Eastgate Meters", "EG-2E", false, "", []string{"2.10", "2.11", "2.14"}, []float64{20, 50, 30}, -1, 1.2},
	// GSME
	{typeGSME, "Aldmere Metering", "AM-G210", false, "", []string{"2.0.8", "2.1.1", "2.1.6"}, []float64{15, 55, 30}, -1, 2.5},
	{typeGSME, "Aldmere Metering", "AM-G100", true, "", []string{"1.4.0", "1.4.3"}, []float64{40, 60}, -1, 1},
	{typeGSME, "Fenwick Controls", "FC-G4", false, "", []string{"4.01", "4.02", "4.05", "4.07"}, []float64{5, 25, 50, 20}, 1, 2},
	{typeGSME, "Fenwick Controls", "FC-G5", false, "", []string{"5.00", "5.01"}, []float64{45, 55}, -1, 1},
	{typeGSME, "Hollin Devices", "HD-GM1", true, "", []string{"0.9.7", "1.0.1"}, []float64{50, 50}, 0, 0.8},
	{typeGSME, "Hollin Devices", "HD-GM2", false, "", []string{"2.2", "2.3", "2.5"}, []float64{20, 45, 35}, -1, 1.5},
	{typeGSME, "Eastgate Meters", "EG-2G", false, "", []string{"2.10", "2.12"}, []float64{60, 40}, -1, 0.7},
	// CHF
	{typeCHF, "Greyfield Comms", "GC-HUB2", false, "single-band", []string{"1.2.0", "1.3.1", "1.3.4", "1.4.0"}, []float64{5, 30, 45, 20}, 1, 3},
	{typeCHF, "Greyfield Comms", "GC-HUB2D", false, "dual-band", []string{"1.3.4", "1.4.0"}, []float64{40, 60}, -1, 1.5},
	{typeCHF, "Ironbridge Networks", "IB-CH200", false, "single-band", []string{"200.4", "200.6", "201.0"}, []float64{20, 50, 30}, -1, 2},
	{typeCHF, "Ironbridge Networks", "IB-CH300", false, "dual-band", []string{"300.1", "300.2"}, []float64{45, 55}, 0, 1},
	{typeCHF, "Corvan Systems", "CV-CH1", true, "single-band", []string{"1.1", "1.2", "1.4"}, []float64{20, 40, 40}, -1, 1},
	{typeCHF, "Jessop Wireless", "JW-S1H", true, "single-band", []string{"3.3", "3.5"}, []float64{55, 45}, -1, 1},
	// GPF
	{typeGPF, "Greyfield Comms", "GC-GPF2", false, "", []string{"1.3.1", "1.3.4", "1.4.0"}, []float64{30, 45, 25}, -1, 3},
	{typeGPF, "Ironbridge Networks", "IB-GP200", false, "", []string{"200.4", "200.6"}, []float64{50, 50}, -1, 2},
	{typeGPF, "Jessop Wireless", "JW-S1G", true, "", []string{"3.3", "3.5"}, []float64{55, 45}, -1, 1},
	{typeGPF, "Corvan Systems", "CV-GP1", true, "", []string{"1.1", "1.2"}, []float64{50, 50}, -1, 1},
	// IHD
	{typeIHD, "Kelda Displays", "KD-Glow3", false, "", []string{"3.0.1", "3.0.4", "3.1.0"}, []float64{20, 50, 30}, -1, 2},
	{typeIHD, "Kelda Displays", "KD-Glow4", false, "", []string{"4.0.0", "4.0.2"}, []float64{60, 40}, -1, 1.5},
	{typeIHD, "Lumina Home", "LH-View", false, "", []string{"5.4", "5.6", "5.7"}, []float64{15, 60, 25}, 0, 2},
	{typeIHD, "Lumina Home", "LH-ViewS1", true, "", []string{"5.1", "5.2"}, []float64{50, 50}, -1, 1},
	{typeIHD, "Marsden Tech", "MT-IHD6", false, "", []string{"6.0", "6.1"}, []float64{45, 55}, -1, 1},
	{typeIHD, "Marsden Tech", "MT-IHD5", true, "", []string{"5.8", "5.9"}, []float64{50, 50}, -1, 1},
	// PPMID
	{typePPMID, "Kelda Displays", "KD-Pay2", false, "", []string{"2.0.3", "2.1.0"}, []float64{40, 60}, -1, 2},
	{typePPMID, "Marsden Tech", "MT-PP1", false, "", []string{"1.2", "1.3", "1.5"}, []float64{20, 50, 30}, 1, 1.5},
	{typePPMID, "Marsden Tech", "MT-PPS1", true, "", []string{"1.0", "1.1"}, []float64{50, 50}, -1, 1},
	{typePPMID, "Nettlefold Electronics", "NE-PPM", false, "", []string{"0.8", "0.9"}, []float64{35, 65}, -1, 1},
	{typePPMID, "Nettlefold Electronics", "NE-PPM1", true, "", []string{"0.7"}, []float64{1}, -1, 1},
	// HCALCS
	{typeHCALCS, "Brackwell Instruments", "BW-ALCS", false, "", []string{"1.0", "1.1"}, []float64{40, 60}, -1, 1},
	{typeHCALCS, "Oxley Controls", "OX-HC1", true, "", []string{"1.4", "1.6"}, []float64{50, 50}, -1, 1},
	{typeHCALCS, "Oxley Controls", "OX-HC2", false, "", []string{"2.0", "2.1", "2.2"}, []float64{20, 40, 40}, -1, 1},
	{typeHCALCS, "Pemberton Devices", "PD-LC20", false, "", []string{"20.1", "20.3"}, []float64{50, 50}, -1, 0.5},
	// OTHER
	{typeOTHER, "Pemberton Devices", "PD-CAD1", false, "", []string{"1.0", "1.2"}, []float64{50, 50}, -1, 1},
	{typeOTHER, "Oxley Controls", "OX-X1", true, "", []string{"0.4"}, []float64{1}, -1, 1},
	{typeOTHER, "Nettlefold Electronics", "NE-SENS", false, "", []string{"3.1", "3.2"}, []float64{60, 40}, -1, 1},
}

// catIndex gives, per type and SMETS version (0 = SMETS2, 1 = SMETS1), the
// catalogue indexes of its models and their cumulative weights.
type catIndex struct {
	models [numTypes][2][]int
	cum    [numTypes][2][]float64
	fwCum  [][]float64 // per model
}

func newCatIndex() *catIndex {
	c := &catIndex{fwCum: make([][]float64, len(catalogue))}
	for i, m := range catalogue {
		s := 0
		if m.smets1 {
			s = 1
		}
		c.models[m.typ][s] = append(c.models[m.typ][s], i)
		prev := 0.0
		if n := len(c.cum[m.typ][s]); n > 0 {
			prev = c.cum[m.typ][s][n-1]
		}
		c.cum[m.typ][s] = append(c.cum[m.typ][s], prev+m.weight)
		c.fwCum[i] = cumulative(m.fwW)
	}
	return c
}

// cumulative returns the running sums of w, for pick.
func cumulative(w []float64) []float64 {
	out := make([]float64, len(w))
	s := 0.0
	for i, x := range w {
		s += x
		out[i] = s
	}
	return out
}

// pick returns the index i with cum[i-1] <= u*total < cum[i].
func pick(cum []float64, u float64) int {
	x := u * cum[len(cum)-1]
	lo, hi := 0, len(cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if cum[mid] > x {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// Commissioning statuses and their shares.
var (
	statusNames = []string{"Commissioned", "InstalledNotCommissioned", "Pending", "Whitelisted",
		"Decommissioned", "Withdrawn", "Suspended", "Recovery", "Recovered"}
	statusCum = cumulative([]float64{92, 2, 1, 1, 1.5, 0.5, 1, 0.5, 0.5})
)

// Postcode areas by region.
var postcodeAreas = [3][]string{
	{"G", "EH", "AB", "DD", "M", "L", "LS", "NE", "S", "YO", "BD", "CH", "WA", "DH"},
	{"B", "CV", "NG", "LE", "DE", "ST", "NR", "CB", "MK", "WV", "IP", "PE"},
	{"SE", "SW", "BN", "BS", "PL", "EX", "RG", "SO", "CF", "TN", "GU", "E", "N", "SA"},
}

// postcodeLetters are the letters used in an inward code.
const postcodeLetters = "ABDEFGHJLNPQRSTUWXYZ"

// vocabulary is every fixed text the generator writes, so party ids can be
// kept out of it.
func vocabulary() []string {
	v := slices.Concat(contract.SMETSVersions, contract.RequestOutcomes, contract.AlertOutcomes, contract.AlertSources,
		[]string{"single-band", "dual-band", "INC", "true", "false", contract.AllRegions, "SMS-"})
	v = append(v, typeNames[:]...)
	v = append(v, regionNames[:]...)
	v = append(v, cspNames[:]...)
	v = append(v, roleCodes[:]...)
	v = append(v, statusNames...)
	for _, m := range catalogue {
		v = append(v, m.maker, m.name)
		v = append(v, m.fw...)
	}
	for _, a := range postcodeAreas {
		v = append(v, a...)
	}
	for _, d := range srvCatalogue {
		v = append(v, d.srv)
	}
	v = append(v, failureCodes...)
	v = append(v, "I0")
	v = append(v, deliveryFailReasons...)
	v = append(v, allAlertCodes()...)
	v = append(v, incidentTitles...)
	return v
}
