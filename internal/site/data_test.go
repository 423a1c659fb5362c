package site

import "testing"

// Every CSV a party receives neutralises cells that a spreadsheet would run
// as formulas; numbers, negative ones included, stay numbers.
func TestEncodeCSVNeutralisesFormulas(t *testing.T) {
	b, err := encodeCSV([]string{"device_model", "delta", "share"},
		[][]string{{`=HYPERLINK("http://x")`, "-12", "0.5"}, {"@SUM(A1)", "-1+2", "+1"}, {"E470", "-0.25", "\t1"}})
	if err != nil {
		t.Fatal(err)
	}
	want := "device_model,delta,share\n" +
		`"'=HYPERLINK(""http://x"")",-12,0.5` + "\n" +
		"'@SUM(A1),'-1+2,'+1\n" +
		"E470,-0.25,'\t1\n"
	if string(b) != want {
		t.Errorf("got\n%q\nwant\n%q", b, want)
	}
}
