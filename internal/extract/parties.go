package extract

import (
	"fmt"
	"sort"

	"github.com/dcc/carport/internal/contract"
)

// Parties are the SEC parties of parties.csv: who receives reports, with
// which roles.
type Parties struct {
	list []*Party // by ID
	byID map[string]*Party
	mask map[string]uint8 // roles held, one bit per contract.Roles index
}

// NewParties builds the table from parties already validated elsewhere
// (tests, tools). Roles are put in contract order without duplicates.
func NewParties(ps []*Party) *Parties {
	p := &Parties{byID: map[string]*Party{}, mask: map[string]uint8{}}
	for _, x := range ps {
		q := p.byID[x.ID]
		if q == nil {
			q = &Party{ID: x.ID, Name: x.Name, Email: x.Email}
			p.byID[x.ID] = q
			p.list = append(p.list, q)
		}
		for _, r := range x.Roles {
			p.mask[x.ID] |= roleBit(r)
		}
	}
	for _, q := range p.list {
		q.Roles = q.Roles[:0]
		for i, r := range contract.Roles {
			if p.mask[q.ID]&(1<<i) != 0 {
				q.Roles = append(q.Roles, r)
			}
		}
	}
	sort.Slice(p.list, func(i, j int) bool { return p.list[i].ID < p.list[j].ID })
	return p
}

// All returns every party, sorted by ID.
func (p *Parties) All() []*Party { return p.list }

// Get returns the party with this ID, or nil.
func (p *Parties) Get(id string) *Party { return p.byID[id] }

// InRole returns the parties holding role r, sorted by ID.
func (p *Parties) InRole(r contract.Role) []*Party {
	var out []*Party
	for _, x := range p.list {
		if x.HasRole(r) {
			out = append(out, x)
		}
	}
	return out
}

// Has reports whether party id holds role r. It does not allocate.
func (p *Parties) Has(id []byte, r contract.Role) bool {
	return p.mask[string(id)]&roleBit(r) != 0
}

// partyCheck answers "does this party hold this role" per worker by the
// party's Sym, so the hot path costs a slice index after the first sight.
type partyCheck struct {
	p     *Parties
	known []uint8 // by Sym: role mask | 0x80 once looked up
}

func (c *partyCheck) has(x Sym, id []byte, roleIdx int) bool {
	return c.hasAny(x, id, 1<<roleIdx)
}

// hasAny reports whether party id holds any role of the mask.
func (c *partyCheck) hasAny(x Sym, id []byte, mask uint8) bool {
	if int(x) >= len(c.known) {
		c.known = append(c.known, make([]uint8, int(x)+1-len(c.known)+64)...)
	}
	m := c.known[x]
	if m == 0 {
		m = c.p.mask[string(id)] | 0x80
		c.known[x] = m
	}
	return m&mask != 0
}

// ReadParties reads parties.csv (or parties.csv.gz) in dir. Any bad row is
// fatal: the error is a *DataError naming the first one's line and column.
// A party_id may appear once per role, always with the same name and
// contact address.
func ReadParties(dir string) (*Parties, FileReport, error) {
	type rec struct {
		party *Party
		mask  uint8
	}
	byID := map[string]*rec{}
	var order []*Party
	o := Options{Workers: 1, Examples: 1}
	res, err := scanFile(dir, fileSpec{file: contract.PartiesFile}, o, func(_ int, idx []int) rowFunc {
		return func(f [][]byte, _ int64) (bool, *badRow) {
			id, name := f[idx[0]], f[idx[1]]
			var email []byte
			if idx[3] >= 0 {
				email = f[idx[3]]
			}
			if len(id) == 0 {
				return false, errNull("party_id")
			}
			if bad := checkPartyID(id); bad != nil {
				return false, bad
			}
			if len(name) == 0 {
				return false, errNull("party_name")
			}
			ri := roleEnum.index(f[idx[2]])
			if ri < 0 {
				return false, roleEnum.bad("user_role", f[idx[2]])
			}
			r := byID[string(id)]
			if r == nil {
				r = &rec{party: &Party{ID: string(id), Name: string(name), Email: string(email)}}
				byID[r.party.ID] = r
				order = append(order, r.party)
			}
			switch {
			case r.mask&(1<<ri) != 0:
				return false, &badRow{"user_role", "duplicate party role",
					fmt.Sprintf("party %q already has role %s", clip(id), contract.Roles[ri])}
			case r.party.Name != string(name):
				return false, &badRow{"party_name", "party name differs",
					fmt.Sprintf("party %q is already named %q", clip(id), r.party.Name)}
			case r.party.Email != string(email):
				return false, &badRow{"contact_email", "contact email differs",
					fmt.Sprintf("party %q already has contact %q", clip(id), r.party.Email)}
			}
			r.mask |= 1 << ri
			r.party.Roles = append(r.party.Roles, contract.Roles[ri])
			return false, nil
		}
	})
	if err != nil {
		return nil, res.rep, err
	}
	if len(res.examples) > 0 {
		e := res.examples[0]
		return nil, res.rep, &DataError{File: res.path, Line: e.line, Column: e.bad.col, Msg: e.bad.msg,
			Hint: "parties.csv must have no bad rows"}
	}
	if len(order) == 0 {
		return nil, res.rep, &DataError{File: res.path, Msg: "no parties: the file has a header and no data rows",
			Hint: "parties.csv lists who receives reports, one row per party and role"}
	}
	return NewParties(order), res.rep, nil
}

// checkPartyID is contract.CheckPartyID as a bad row of party_id.
func checkPartyID(id []byte) *badRow {
	err := contract.CheckPartyID(string(id))
	if err == nil {
		return nil
	}
	class := "bad party id"
	if pe, ok := err.(*contract.PartyIDError); ok && pe.Reserved {
		class = "reserved party id"
	}
	return &badRow{"party_id", class, err.Error()}
}
