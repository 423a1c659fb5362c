package csvcell

import (
	"fmt"
	"testing"
)

func TestNeutralise(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{`=HYPERLINK("http://x")`, `'=HYPERLINK("http://x")`},
		{"+44 20 7946 0000", "'+44 20 7946 0000"},
		{"+1", "'+1"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tlead", "'\tlead"},
		{"\rlead", "'\rlead"},
		{"-", "'-"},
		{"-x", "'-x"},
		{"-1+1", "'-1+1"},
		{"-1.", "'-1."},
		{"-.5", "'-.5"},
		{"-1e3", "'-1e3"},
		{"-12", "-12"},
		{"-0.25", "-0.25"},
		{"0.428571", "0.428571"},
		{"12", "12"},
		{"'=x", "'=x"},
		{" =x", " =x"},
		{"a=b", "a=b"},
		{"S1-7.4", "S1-7.4"},
	}
	for _, tt := range tests {
		if got := Neutralise(tt.in); got != tt.want {
			t.Errorf("Neutralise(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := string(Append([]byte("x,"), []byte(tt.in))); got != "x,"+tt.want {
			t.Errorf("Append(%q) = %q, want %q", tt.in, got, "x,"+tt.want)
		}
		if Risky(tt.in) != (tt.in != tt.want) || Risky([]byte(tt.in)) != Risky(tt.in) {
			t.Errorf("Risky(%q) = %v", tt.in, Risky(tt.in))
		}
		if again := Neutralise(tt.want); again != tt.want {
			t.Errorf("Neutralise is not idempotent on %q: %q", tt.want, again)
		}
	}
}

func ExampleNeutralise() {
	for _, c := range []string{"=1+2", "-3", "-3+4", "E470"} {
		fmt.Println(Neutralise(c))
	}
	// Output:
	// '=1+2
	// -3
	// '-3+4
	// E470
}
