package extract

import (
	"fmt"
	"strings"

	"github.com/dcc/carport/internal/contract"
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

// The enumerations of the contract (internal/contract's lists).
var (
	roleEnum         = newEnum(contract.RoleNames()...) // same order as contract.Roles
	deviceTypeEnum   = newEnum(contract.DeviceTypes...)
	smetsEnum        = newEnum(contract.SMETSVersions...)
	cspEnum          = newEnum(contract.CSPs...)
	regionEnum       = newEnum(contract.Regions...)
	statusEnum       = newEnum(contract.CommissionedStatuses...)
	srOutcomeEnum    = newEnum(contract.RequestOutcomes...)
	alertOutcomeEnum = newEnum(contract.AlertOutcomes...)
	alertSourceEnum  = newEnum(contract.AlertSources...)
)

// roleBit is the bit of role r in a party's role mask, 0 for no role.
func roleBit(r contract.Role) uint8 {
	if i := r.Index(); i >= 0 {
		return 1 << i
	}
	return 0
}
