// Package extract reads the warehouse extracts of one reporting period
// (docs/extracts.md; the columns, enumerations and calendar are
// internal/contract's) as streams, fast, and applies the contract's
// bad-row rules.
//
// Readers match columns by header name, accept .csv or .csv.gz (never both),
// a leading BOM and CRLF line ends. A row that breaks a rule is counted by
// reason in a FileReport with the first few "file:line: reason" examples; a
// file whose bad rows exceed Options.MaxBadFraction fails the whole run, and
// parties.csv tolerates none.
//
// The hot readers (service requests, alerts, devices) split a file into
// record-aligned blocks and parse them on several workers; each worker feeds
// its own sink, so callers aggregate without locks and merge at the end.
// Strings that repeat (codes, makers, models) are interned into Symbols so a
// row costs no allocation.
package extract

import "github.com/dcc/carport/internal/contract"

// Sym is an interned string; 0 is the null (empty) value.
type Sym uint32

// Null is the Sym of an empty field.
const Null Sym = 0

// Party is one SEC Party with every role it holds in parties.csv.
type Party struct {
	ID    string
	Name  string
	Roles []contract.Role // in the order of contract.Roles, no duplicates
	Email string          // optional contact address
}

// HasRole reports whether the party holds role r.
func (p *Party) HasRole(r contract.Role) bool {
	for _, x := range p.Roles {
		if x == r {
			return true
		}
	}
	return false
}
