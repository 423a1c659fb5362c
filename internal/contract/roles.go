package contract

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

// roleNames gives each role's long name, in the order of Roles.
var roleNames = []string{
	"Import Supplier", "Export Supplier", "Gas Supplier", "Electricity Distributor",
	"Gas Transporter", "Registered Supplier Agent", "Other User",
}

// RoleNames lists the roles' names as strings, in the order of Roles: the
// user_role enumeration of the extracts.
func RoleNames() []string {
	out := make([]string, len(Roles))
	for i, r := range Roles {
		out[i] = string(r)
	}
	return out
}

// Index is the role's position in Roles, or -1 for a string that is not
// a role.
func (r Role) Index() int {
	for i, x := range Roles {
		if x == r {
			return i
		}
	}
	return -1
}

// Name is the role's long name ("Import Supplier"), or "" for a string
// that is not a role.
func (r Role) Name() string {
	if i := r.Index(); i >= 0 {
		return roleNames[i]
	}
	return ""
}

// ParseRole returns the role named s, or an error listing the valid names.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if r.Index() < 0 {
		return "", fmt.Errorf("unknown user role %q (want one of IS, ES, GS, ED, GT, RSA, OU)", s)
	}
	return r, nil
}

// UnmarshalText accepts only a role of the contract.
func (r *Role) UnmarshalText(b []byte) error {
	x, err := ParseRole(string(b))
	if err != nil {
		return err
	}
	*r = x
	return nil
}
