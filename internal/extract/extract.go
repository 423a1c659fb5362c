// Package extract reads the warehouse extracts of one reporting period
// (../shared/spec/extracts.md) as streams, fast, and applies the contract's
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

import "fmt"

// Role is a SEC user role, exactly as the contract spells it.
type Role string

// The user roles of the contract.
const (
	IS  Role = "IS"  // Import Supplier
	ES  Role = "ES"  // Export Supplier
	GS  Role = "GS"  // Gas Supplier
	ED  Role = "ED"  // Electricity Distributor
	GT  Role = "GT"  // Gas Transporter
	RSA Role = "RSA" // Registered Supplier Agent
	OU  Role = "OU"  // Other User
)

// Roles lists every role in the contract's order.
var Roles = []Role{IS, ES, GS, ED, GT, RSA, OU}

// RoleNames gives each role's long name, for pages.
var RoleNames = map[Role]string{
	IS: "Import Supplier", ES: "Export Supplier", GS: "Gas Supplier",
	ED: "Electricity Distributor", GT: "Gas Transporter",
	RSA: "Registered Supplier Agent", OU: "Other User",
}

// ParseRole returns the role named s, or an error listing the valid names.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if _, ok := RoleNames[r]; ok {
		return r, nil
	}
	return "", fmt.Errorf("unknown user role %q (want one of IS, ES, GS, ED, GT, RSA, OU)", s)
}

// Sym is an interned string; 0 is the null (empty) value.
type Sym uint32

// Null is the Sym of an empty field.
const Null Sym = 0

// Party is one SEC Party with every role it holds in parties.csv.
type Party struct {
	ID    string
	Name  string
	Roles []Role // in the order of Roles, no duplicates
	Email string // optional contact address
}

// HasRole reports whether the party holds role r.
func (p *Party) HasRole(r Role) bool {
	for _, x := range p.Roles {
		if x == r {
			return true
		}
	}
	return false
}
