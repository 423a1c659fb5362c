package contract

// A party id becomes part of file names (keys/<party>.txt,
// OUT/<period>/<party>.zip.age), so an id read from an extract, a folder
// or a form is used as a name only after it passed CheckPartyID: data is
// never a path. Ids starting with "dcc-" (any case) are kept for the
// DCC's own files in keys/ (dcc-signing.pub, dcc-archive.txt).

import (
	"fmt"
	"strings"
)

// MaxPartyID is the longest party id accepted, in bytes.
const MaxPartyID = 32

// PartyIDError says why a string is not a party id.
type PartyIDError struct {
	ID       string
	Reserved bool // the id has the DCC's reserved prefix "dcc-"
}

func (e *PartyIDError) Error() string {
	if e.Reserved {
		return fmt.Sprintf("party id %q is reserved: ids starting with \"dcc-\" name the DCC's own files in keys/", clip(e.ID))
	}
	return fmt.Sprintf("bad party id %q (want letters, digits, '_' or '-', at most %d, not starting with '.' or '-')", clip(e.ID), MaxPartyID)
}

// CheckPartyID returns a *PartyIDError unless id matches
// ^[A-Za-z0-9_][A-Za-z0-9_-]{0,31}$ and does not start with "dcc-" in any
// case.
func CheckPartyID(id string) error {
	ok := len(id) > 0 && len(id) <= MaxPartyID && id[0] != '-'
	for i := 0; ok && i < len(id); i++ {
		c := id[i]
		ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
	}
	if !ok {
		return &PartyIDError{ID: id}
	}
	if len(id) >= 4 && strings.EqualFold(id[:4], "dcc-") {
		return &PartyIDError{ID: id, Reserved: true}
	}
	return nil
}

// ValidPartyID reports whether id may name a party (see CheckPartyID).
func ValidPartyID(id string) bool { return CheckPartyID(id) == nil }

// clip shortens a value for a message so one odd row cannot flood a report.
func clip(s string) string {
	const max = 40
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}
