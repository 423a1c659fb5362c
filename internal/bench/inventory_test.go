package bench

import (
	"bytes"
	"encoding/csv"
	"testing"
)

// appendCSVField must write every cell exactly as encoding/csv does.
func TestAppendCSVFieldMatchesEncodingCSV(t *testing.T) {
	cells := []string{"", "plain", "a,b", `say "hi"`, `"`, "line\nbreak", "cr\rhere", "crlf\r\n", " lead",
		"\tlead", "trail ", `\.`, `\.x`, "\u00a0nbsp", "ünï", "x\"y,z"}
	for _, c := range cells {
		var want bytes.Buffer
		w := csv.NewWriter(&want)
		w.Write([]string{c, "end"})
		w.Flush()
		got := append(appendCSVField(nil, []byte(c)), ",end\n"...)
		if string(got) != want.String() {
			t.Errorf("%q: wrote %q, encoding/csv writes %q", c, got, want.String())
		}
	}
}
