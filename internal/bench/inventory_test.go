package bench

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/csvcell"
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

// appendCell must write every cell as encoding/csv writes the cell
// neutralised against spreadsheet formulas.
func TestAppendCellNeutralises(t *testing.T) {
	cells := []string{"", "plain", `=HYPERLINK("http://x")`, "=a,b", "+1", "-1", "-1.5", "-x", "@x", "\tx", "\rx", "\r\nx",
		" lead", "a,b", `"q"`, `\.`, "-", "'=x"}
	for _, c := range cells {
		var want bytes.Buffer
		w := csv.NewWriter(&want)
		w.Write([]string{csvcell.Neutralise(c), "end"})
		w.Flush()
		got := append(appendCell(nil, []byte(c)), ",end\n"...)
		if string(got) != want.String() {
			t.Errorf("%q: wrote %q, want %q", c, got, want.String())
		}
	}
}

func TestEstateNeutralisesFormulas(t *testing.T) {
	f := month(t)
	f.device("00-00-00-00-00-00-00-09", "ESME", `"=HYPERLINK(""http://x"")"`, "-1+1", "SUPA", "", "", "2026-11-01", "") // quoted CSV
	e := f.run()
	a, err := e.Party("SUPA")
	if err != nil {
		t.Fatal(err)
	}
	inv := findReport(t, a, contract.IS, "inventory")
	text := gunzip(t, findView(t, inv, "devices").File)
	want := `00-00-00-00-00-00-00-09,S09,ESME,MakerA,"'=HYPERLINK(""http://x"")",'-1+1,SMETS2,CSP-N,North,SUPA,,,,1234567890123,AB1 2CD,,,,Commissioned,0,false,2026-11-01,,,,true,false`
	if !strings.Contains(text, "\n"+want+"\n") {
		t.Errorf("estate lacks the neutralised row %s:\n%s", want, text)
	}
	if strings.Contains(text, `,"=HYPERLINK`) {
		t.Errorf("estate holds a live formula:\n%s", text)
	}
}
