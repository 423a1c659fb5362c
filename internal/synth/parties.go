package synth

// Party ids must be safe to grep for: tests look for other parties' ids in a
// party's bundle, so no id may be a substring of another id, of any party's
// name or address, or of any other text this package writes.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/dcc/carport/internal/contract"
)

// roleMask is a set of user roles.
type roleMask uint8

// The user roles as bits, in the contract's order.
const (
	roleIS roleMask = 1 << iota
	roleES
	roleGS
	roleED
	roleGT
	roleRSA
	roleOU
)

// roleCodes are the contract's role codes in bit order (the array's
// length is the number of roles: a change to the contract's list panics
// here, at start).
var roleCodes = [7]string(contract.RoleNames())

// srvDef is one SRV and the roles that may send it.
type srvDef struct {
	srv   string
	roles roleMask
}

// party is one generated SEC party.
type party struct {
	id, name, email string
	roles           roleMask
	share           float64 // relative market share for supplier roles, size for distributors
	success         float64 // base success rate of its service requests
	diligence       float64 // chance a device it owns runs its model's newest firmware
	activity        float64 // service requests per home relative to peers
	prefMaker       [numTypes]uint8
	areas           []int // ED: MPAN distributor area ids it serves
}

// composition is how many parties of each kind a scale has.
type composition struct {
	dual, isOnly, gsOnly, esOnly, esAlsoIS, dno, idno, gt, rsa, ou int
}

// composeParties splits n parties into kinds. At n = 12 it gives six dual
// fuel suppliers (so IS and GS have five peers each) and roles with fewer
// than six parties (ES, ED, GT, RSA, OU), so both sides of the minimum-peers
// rule are exercised.
func composeParties(n int) composition {
	x := n - 12
	c := composition{
		dno:    min(14, 2+x/4),
		idno:   min(3, x/12),
		gt:     min(4, 1+x/10),
		rsa:    min(2, 1+x/30),
		esOnly: min(3, 1+x/20),
		gsOnly: min(3, x/10),
		isOnly: min(8, x/12),
	}
	c.esAlsoIS = c.esOnly
	rest := n - (c.dno + c.idno + c.gt + c.rsa + c.esOnly + c.gsOnly + c.isOnly)
	c.dual = max(6, rest/2)
	c.ou = rest - c.dual
	return c
}

// areaNames are the 14 electricity distribution licence areas by MPAN area
// id 10 to 23, with their CSP region.
var areaNames = [14]struct {
	name   string
	region int
}{
	{"Eastern Counties", regionCentral}, {"East Midlands", regionCentral},
	{"Metropolitan", regionSouth}, {"Mersey and Dee", regionNorth},
	{"West Midlands", regionCentral}, {"Tyne and Tees", regionNorth},
	{"Irwell Valley", regionNorth}, {"Highland and Islands", regionNorth},
	{"Lowland Scotland", regionNorth}, {"Weald and Downs", regionSouth},
	{"Solent and Thames", regionSouth}, {"Glamorgan", regionSouth},
	{"Westcountry", regionSouth}, {"Pennine", regionNorth},
}

// areaWeight is the relative number of homes in each area.
var areaWeight = [14]float64{3.6, 2.6, 2.3, 1.5, 2.5, 1.6, 2.4, 0.8, 2.0, 2.3, 3.0, 1.1, 1.6, 2.3}

// Name parts for made-up parties.
var (
	nameStems = []string{
		"Northwind", "Brightwater", "Kestrel", "Heron", "Meadowlark", "Oakfield", "Ashcombe",
		"Solway", "Tamarind", "Cobalt", "Lumen", "Harbourside", "Granite", "Willowbrook",
		"Bramble", "Larkspur", "Cedarline", "Falconer", "Summitry", "Beaconsfield", "Embervale",
		"Glenmore", "Hawthorn", "Ivybridge", "Juniper", "Kitemark", "Linden", "Marlowe",
		"Nimbus", "Orchard", "Pebblestone", "Quayside", "Rowan", "Saffron", "Tarnside",
		"Upland", "Valemont", "Wrenfield", "Yarrow", "Zephyr", "Amberley", "Birchwood",
		"Clover", "Dalesman", "Elmstead", "Fernhill", "Goldcrest", "Hillcrest", "Inglewood",
		"Jasmine", "Kingfisher", "Lattice", "Moorland", "Nettleton", "Otterburn", "Primrose",
		"Quillon", "Redwing", "Sandpiper", "Thistle", "Ullswater", "Verity", "Westerly",
		"Yewdale", "Alder", "Bluebell", "Corrie", "Dunmore", "Estuary", "Foxglove",
	}
	supplierWords = []string{"Energy", "Power", "Gas and Power", "Home Energy", "Electric", "Utilities", "Energy Supply"}
	ouWords       = []string{"Analytics", "Metering Services", "Housing", "Energy Insights", "Data Services", "Smart Homes", "Switching"}
)

// parties is the generated party list plus indexes by role.
type parties struct {
	list   []party
	byRole [len(roleCodes)][]int // party indexes holding each role, in list order
}

// makeParties builds the party list for n parties. Ids and names depend only
// on n; shares, success rates and preferences depend on the seed.
func makeParties(n int, seed uint64) (*parties, error) {
	c := composeParties(n)
	rng := rand.New(rand.NewPCG(seed, 0x9a47))
	used := newIDSet(vocabulary())
	var list []party
	stem := 0
	next := func(words []string, suffix string, roles roleMask) error {
		s := nameStems[stem%len(nameStems)]
		w := words[(stem*5+stem/len(nameStems))%len(words)]
		if stem >= len(nameStems) {
			s += " " + []string{"North", "South", "Bay", "Vale"}[stem/len(nameStems)%4]
		}
		stem++
		name := s + " " + w + suffix
		id, err := used.claim(name)
		if err != nil {
			return err
		}
		list = append(list, party{id: id, name: name, roles: roles})
		return nil
	}
	add := func(k int, words []string, suffix string, roles roleMask) error {
		for i := 0; i < k; i++ {
			if err := next(words, suffix, roles); err != nil {
				return err
			}
		}
		return nil
	}
	steps := []func() error{
		func() error { return add(c.esAlsoIS, supplierWords, " Ltd", roleIS|roleGS|roleES) },
		func() error { return add(c.dual-c.esAlsoIS, supplierWords, " Ltd", roleIS|roleGS) },
		func() error { return add(c.isOnly, supplierWords, " Ltd", roleIS) },
		func() error { return add(c.gsOnly, []string{"Gas"}, " Ltd", roleGS) },
		func() error { return add(c.esOnly, []string{"Solar Export", "Renewables"}, " Ltd", roleES) },
	}
	for _, f := range steps {
		if err := f(); err != nil {
			return nil, err
		}
	}
	// Distributors: DNOnn ids for the licence areas, IDNOnn for independents.
	for i := 0; i < c.dno; i++ {
		p := party{id: fmt.Sprintf("DNO%d", 10+i), name: areaNames[i].name + " Distribution plc", roles: roleED}
		for a := i; a < 14; a += c.dno {
			p.areas = append(p.areas, 10+a)
		}
		if err := used.add(p.id, p.name); err != nil {
			return nil, err
		}
		list = append(list, p)
	}
	idnoNames := []string{"Meridian Independent Networks Ltd", "Keystone Last Mile Networks Ltd", "Parkgate Connections Ltd"}
	for i := 0; i < c.idno; i++ {
		p := party{id: fmt.Sprintf("IDNO%d", 24+i), name: idnoNames[i], roles: roleED, areas: []int{24 + i}}
		if err := used.add(p.id, p.name); err != nil {
			return nil, err
		}
		list = append(list, p)
	}
	gtNames := []string{"Northern Gas Transmission plc", "Midland Gas Networks plc", "Southern Pipelines plc", "Western Gas Grid plc"}
	for i := 0; i < c.gt; i++ {
		id, err := used.claim(gtNames[i])
		if err != nil {
			return nil, err
		}
		list = append(list, party{id: id, name: gtNames[i], roles: roleGT})
	}
	rsaNames := []string{"Orbit Registered Agents Ltd", "Talisman Meter Agents Ltd"}
	for i := 0; i < c.rsa; i++ {
		id, err := used.claim(rsaNames[i])
		if err != nil {
			return nil, err
		}
		list = append(list, party{id: id, name: rsaNames[i], roles: roleRSA})
	}
	if err := add(c.ou, ouWords, " Ltd", roleOU); err != nil {
		return nil, err
	}
	// Readers must cope with quoted names: give two parties a comma and a quote.
	if len(list) > 2 {
		list[1].name = strings.Replace(list[1].name, " Ltd", ", Trading Ltd", 1)
		f := strings.Fields(list[2].name)
		f[1] = `"` + f[1] + `"`
		list[2].name = strings.Join(f, " ")
	}

	for i := range list {
		p := &list[i]
		if rng.Float64() < 0.85 || i < 2 {
			p.email = "reports@" + slug(p.name) + ".example"
		}
		// Zipf-like market shares in seeded order, so the largest party
		// differs between seeds.
		rank := float64(rng.IntN(len(list)) + 1)
		p.share = 1 / math.Pow(rank+0.5, 1.1)
		if p.roles&roleED != 0 {
			p.share = 1
		}
		p.success = 0.90 + 0.085*rng.Float64()
		p.diligence = 0.2 + 0.6*rng.Float64()
		p.activity = 0.6 + 0.8*rng.Float64()
		for t := range p.prefMaker {
			p.prefMaker[t] = uint8(rng.IntN(256))
		}
	}
	ps := &parties{list: list}
	for i, p := range list {
		for r := range roleCodes {
			if p.roles&(1<<r) != 0 {
				ps.byRole[r] = append(ps.byRole[r], i)
			}
		}
	}
	return ps, nil
}

// slug turns a name into a lowercase mail domain label.
func slug(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// idSet hands out party ids that are not substrings of one another or of any
// text already claimed.
type idSet struct {
	ids   []string
	texts []string // every name, address and vocabulary word so far
}

func newIDSet(vocab []string) *idSet { return &idSet{texts: vocab} }

// ok reports whether id can be added.
func (s *idSet) ok(id string) bool {
	for _, o := range s.ids {
		if strings.Contains(o, id) || strings.Contains(id, o) {
			return false
		}
	}
	for _, t := range s.texts {
		if strings.Contains(t, id) {
			return false
		}
	}
	return true
}

// add records a fixed id and its name.
func (s *idSet) add(id, name string) error {
	if !s.ok(id) {
		return fmt.Errorf("party id %s clashes with another id or text", id)
	}
	for _, o := range s.ids {
		if strings.Contains(name, o) {
			return fmt.Errorf("party name %q contains party id %s", name, o)
		}
	}
	s.ids = append(s.ids, id)
	s.texts = append(s.texts, name, slug(name))
	return nil
}

// claim derives an id of 4 to 6 capital letters from a name.
func (s *idSet) claim(name string) (string, error) {
	var words []string
	for _, w := range strings.Fields(strings.ToUpper(name)) {
		w = strings.Map(func(r rune) rune {
			if r >= 'A' && r <= 'Z' {
				return r
			}
			return -1
		}, w)
		if w != "" && w != "LTD" && w != "PLC" && w != "AND" && w != "THE" {
			words = append(words, w)
		}
	}
	pre := func(w string, k int) string { return w[:min(k, len(w))] }
	var cands []string
	w1 := words[0]
	rest := strings.Join(words[1:], "")
	for k1 := 3; k1 <= 5; k1++ {
		for k2 := 1; k2 <= 3; k2++ {
			id := pre(w1, k1) + pre(rest, k2)
			if len(id) >= 4 && len(id) <= 6 {
				cands = append(cands, id)
			}
		}
	}
	for i := 2; i < len(w1); i++ { // skip a letter of the stem
		id := w1[:1] + w1[i:min(i+2, len(w1))] + pre(rest, 2)
		if len(id) >= 4 && len(id) <= 6 {
			cands = append(cands, id)
		}
	}
	for _, id := range cands {
		if s.ok(id) {
			if err := s.add(id, name); err == nil {
				return id, nil
			}
		}
	}
	return "", fmt.Errorf("no free party id for %q", name)
}
