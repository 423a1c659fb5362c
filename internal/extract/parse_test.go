package extract

import (
	"strings"
	"testing"
	"time"

	"github.com/dcc/carport/internal/contract"
)

func TestParseTimestamp(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"2026-10-04T13:02:11Z", true},
		{"2026-10-04T14:02:11.250+01:00", true},
		{"2026-10-04T14:02:11.2+01:00", true},
		{"2026-10-04T14:02:11.123456789-05:30", true},
		{"2026-10-04t13:02:11z", true}, // RFC 3339 5.6 allows lower case t and z
		{"2026-10-04t14:02:11.250+01:00", true},
		{"2024-02-29T00:00:00Z", true},
		{"1969-12-31T23:59:59.999Z", true},
		{"2026-10-04T13:02:11", false},        // no offset
		{"2026-10-04 13:02:11Z", false},       // space
		{"2026-10-0", false},                  // short
		{"2026-02-29T00:00:00Z", false},       // not a leap year
		{"2026-13-01T00:00:00Z", false},       // month
		{"2026-10-04T24:00:00Z", false},       // hour
		{"2026-10-04T13:60:00Z", false},       // minute
		{"2026-10-04T13:02:60Z", false},       // leap second
		{"2026-10-04T13:02:11.Z", false},      // empty fraction
		{"2026-10-04T13:02:11+0100", false},   // offset without colon
		{"2026-10-04T13:02:11+01:00x", false}, // trailing
		{"2026-10-04T13:02:11Zx", false},
	}
	for _, tt := range tests {
		got, ok := parseTimestamp([]byte(tt.in))
		if ok != tt.ok {
			t.Errorf("parseTimestamp(%q) ok = %v, want %v", tt.in, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		ref, err := time.Parse(time.RFC3339Nano, strings.ToUpper(tt.in)) // time.Parse wants T and Z
		if err != nil {
			t.Fatalf("time.Parse(%q): %v", tt.in, err)
		}
		if want := ref.UnixMilli(); got != want {
			t.Errorf("parseTimestamp(%q) = %d, want %d", tt.in, got, want)
		}
	}
}

// TestParseTimestampSweep compares with time.Parse over many instants,
// offsets and fractions.
func TestParseTimestampSweep(t *testing.T) {
	zones := []*time.Location{time.UTC, contract.London, time.FixedZone("", -(5*3600 + 30*60)), time.FixedZone("", 14*3600)}
	for ms := int64(-2e12); ms < 5e12; ms += 7_777_777_777 + 123 {
		for _, z := range zones {
			for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05.000Z07:00", time.RFC3339Nano} {
				s := time.UnixMilli(ms).In(z).Format(layout)
				ref, _ := time.Parse(time.RFC3339Nano, s)
				got, ok := parseTimestamp([]byte(s))
				if !ok || got != ref.UnixMilli() {
					t.Fatalf("parseTimestamp(%q) = %d, %v; want %d", s, got, ok, ref.UnixMilli())
				}
			}
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want int32
		ok   bool
	}{
		{"1970-01-01", 0, true},
		{"1970-01-02", 1, true},
		{"1969-12-31", -1, true},
		{"2026-10-25", int32(time.Date(2026, 10, 25, 0, 0, 0, 0, time.UTC).Unix() / 86400), true},
		{"2000-02-29", int32(time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC).Unix() / 86400), true},
		{"2100-02-29", 0, false},
		{"2026-1-01", 0, false},
		{"2026-10-01T", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseDate([]byte(tt.in))
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("parseDate(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseInt(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"42", 42, true}, {"-7", -7, true},
		{"", 0, false}, {"-", 0, false}, {"1.5", 0, false}, {"+1", 0, false}, {" 1", 0, false},
		{"1234567890123456789", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseInt([]byte(tt.in))
		if ok != tt.ok || got != tt.want {
			t.Errorf("parseInt(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSymbols(t *testing.T) {
	s := NewSymbols()
	if s.Intern(nil) != Null || s.Name(Null) != "" {
		t.Fatal("empty string is not Null")
	}
	a := s.Intern([]byte("8F35"))
	if b := s.Intern([]byte("8F35")); a != b || a == Null {
		t.Fatalf("Intern not stable: %d, %d", a, b)
	}
	if s.Name(a) != "8F35" {
		t.Fatalf("Name(%d) = %q", a, s.Name(a))
	}
	if x, ok := s.Lookup("8F35"); !ok || x != a {
		t.Fatalf("Lookup = %d, %v", x, ok)
	}
	if _, ok := s.Lookup("N12"); ok {
		t.Fatal("Lookup found a string never interned")
	}
	c := newSymCache(s)
	buf := []byte("AD1")
	x := c.intern(buf)
	if allocs := testing.AllocsPerRun(100, func() { c.intern(buf) }); allocs != 0 {
		t.Errorf("cached intern allocates %.0f times", allocs)
	}
	if s.Name(x) != "AD1" || c.intern([]byte("8F35")) != a {
		t.Fatal("cache disagrees with the table")
	}
}
