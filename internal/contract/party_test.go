package contract

import (
	"strings"
	"testing"
)

func TestValidPartyID(t *testing.T) {
	for id, want := range map[string]bool{"BGAS": true, "a_b-c": true, "_x": true, "9": true, "": false, "-x": false,
		".x": false, "a.b": false, "a/b": false, strings.Repeat("x", 32): true, strings.Repeat("x", 33): false,
		"dcc-archive": false, "dccx": true, "ü": false,
		// the cases of the three copies this check replaced (extract, publish, published)
		"SUPA": true, "NORE": true, "0": true, "../x": false, "DCC-x": false, "DCC-signing": false, "né": false,
		strings.Repeat("A", 33): false, "abcdefghijklmnopqrstuvwxyz012345": true, "abcdefghijklmnopqrstuvwxyz0123456": false} {
		if got := ValidPartyID(id); got != want {
			t.Errorf("ValidPartyID(%q) = %v, want %v", id, got, want)
		}
	}
}

func TestValidCode(t *testing.T) {
	for c, want := range map[string]bool{"4.1.1": true, "8F35": true, "N24": true, "CS01a": true, ".x": false, "-x": false,
		"a b": false, "": false, strings.Repeat("1", 33): false, "é": false} {
		if ValidCode(c) != want {
			t.Errorf("ValidCode(%q) = %v", c, !want)
		}
	}
}

func TestPartyIDErrors(t *testing.T) {
	for id, want := range map[string]string{
		"../x":        `bad party id "../x" (want letters, digits, '_' or '-', at most 32, not starting with '.' or '-')`,
		"DCC-signing": `party id "DCC-signing" is reserved: ids starting with "dcc-" name the DCC's own files in keys/`,
	} {
		if err := CheckPartyID(id); err == nil || err.Error() != want {
			t.Errorf("CheckPartyID(%q) = %v, want %s", id, err, want)
		}
	}
}
