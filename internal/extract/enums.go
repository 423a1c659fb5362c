package extract

import (
	"fmt"
	"strings"
)

// enum is one of the contract's enumerations: case-sensitive, exact.
type enum struct {
	names []string
}

func newEnum(names ...string) enum { return enum{names: names} }

// index returns the position of b in the enumeration, or -1.
func (e enum) index(b []byte) int {
	for i, n := range e.names {
		if string(b) == n {
			return i
		}
	}
	return -1
}

// syms interns the enumeration's names, in order.
func (e enum) syms(s *Symbols) []Sym {
	out := make([]Sym, len(e.names))
	for i, n := range e.names {
		out[i] = s.Intern([]byte(n))
	}
	return out
}

// bad is the reason for a value outside the enumeration (null included).
func (e enum) bad(col string, v []byte) *badRow {
	if len(v) == 0 {
		return errNull(col)
	}
	return &badRow{col, "bad value in " + col,
		fmt.Sprintf("value %q not one of %s", clip(v), strings.Join(e.names, ", "))}
}

// The enumerations of the contract.
var (
	roleEnum       = newEnum("IS", "ES", "GS", "ED", "GT", "RSA", "OU") // same order as Roles
	deviceTypeEnum = newEnum("ESME", "GSME", "CHF", "GPF", "IHD", "PPMID", "HCALCS", "OTHER")
	smetsEnum      = newEnum("SMETS1", "SMETS2")
	cspEnum        = newEnum("CSP-N", "CSP-C", "CSP-S")
	regionEnum     = newEnum("North", "Central", "South")
	statusEnum     = newEnum("Pending", "Whitelisted", "InstalledNotCommissioned", "Commissioned",
		"Decommissioned", "Withdrawn", "Suspended", "Recovery", "Recovered")
	srOutcomeEnum    = newEnum("success", "failure")
	alertOutcomeEnum = newEnum("delivered", "failed")
	alertSourceEnum  = newEnum("device", "dcc")
)

// roleBit is the bit of role r in a party's role mask, 0 for no role.
func roleBit(r Role) uint8 {
	for i, x := range Roles {
		if x == r {
			return 1 << i
		}
	}
	return 0
}
