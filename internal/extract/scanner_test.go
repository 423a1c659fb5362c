package extract

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
)

// rec is one record as the scanner saw it.
type rec struct {
	Line   int64
	Fields []string
	Bad    string
}

// scanAll splits data into blocks of blockSize and scans every record, as
// the readers do (without the header and BOM handling of scanFile).
func scanAll(t testing.TB, data []byte, blockSize int) []rec {
	t.Helper()
	return drain(t, newSplitter(bytes.NewReader(data), blockSize, 3))
}

// drain scans every record of every block sp gives, handing each block
// back when done with it. As scanFile does, the first record is the header:
// its field count is what records spanning lines must have.
func drain(t testing.TB, sp *splitter) []rec {
	t.Helper()
	var out []rec
	var sc recordScanner
	header := true
	for {
		b, err := sp.next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("splitter: %v", err)
		}
		sc.reset(b.data, b.line)
		for {
			f, line, bad, ok := sc.next()
			if !ok {
				break
			}
			r := rec{Line: line, Bad: bad}
			for _, x := range f {
				r.Fields = append(r.Fields, string(x))
			}
			out = append(out, r)
			if header {
				header, sc.ncols = false, max(len(f), 1)
			}
		}
		sp.done(b)
	}
}

func TestScanner(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []rec
	}{
		{"plain", "a,b,c\n1,2,3\n", []rec{{1, []string{"a", "b", "c"}, ""}, {2, []string{"1", "2", "3"}, ""}}},
		{"no final newline", "a,b\n1,2", []rec{{1, []string{"a", "b"}, ""}, {2, []string{"1", "2"}, ""}}},
		{"crlf", "a,b\r\n1,2\r\n", []rec{{1, []string{"a", "b"}, ""}, {2, []string{"1", "2"}, ""}}},
		{"cr at eof dropped", "a,b\r", []rec{{1, []string{"a", "b"}, ""}}},
		{"lone cr kept", "a\rb,c\n", []rec{{1, []string{"a\rb", "c"}, ""}}},
		{"empty fields", ",a,,\n", []rec{{1, []string{"", "a", "", ""}, ""}}},
		{"blank lines skipped", "a\n\n\r\nb\n", []rec{{1, []string{"a"}, ""}, {4, []string{"b"}, ""}}},
		{"quoted comma", `"a,b",c` + "\n", []rec{{1, []string{"a,b", "c"}, ""}}},
		{"escaped quote", `"say ""hi""",x` + "\n", []rec{{1, []string{`say "hi"`, "x"}, ""}}},
		{"empty quoted", `"",x` + "\n", []rec{{1, []string{"", "x"}, ""}}},
		{"quoted newline and line numbers", "\"a\nb\nc\",d\ne,f\n",
			[]rec{{1, []string{"a\nb\nc", "d"}, ""}, {4, []string{"e", "f"}, ""}}},
		{"quoted crlf becomes lf", "\"a\r\nb\",c\r\nd,e\r\n",
			[]rec{{1, []string{"a\nb", "c"}, ""}, {3, []string{"d", "e"}, ""}}},
		{"quoted last field crlf", "a,\"b\"\r\nc,d\n", []rec{{1, []string{"a", "b"}, ""}, {2, []string{"c", "d"}, ""}}},
		{"quoted at eof", `a,"b"`, []rec{{1, []string{"a", "b"}, ""}}},
		{"bare quote is bad, next row fine", "a\"b,c\"\nd,e\n",
			[]rec{{1, nil, "quote in unquoted field"}, {2, []string{"d", "e"}, ""}}},
		{"stray quote does not swallow the next row", "a\"b,c\nd,e\n",
			[]rec{{1, nil, "quote in unquoted field"}, {2, []string{"d", "e"}, ""}}},
		{"quote after text after closing quote is literal", "\"a\"b\"\nd\n",
			[]rec{{1, nil, "unexpected character after closing quote"}, {2, []string{"d"}, ""}}},
		{"text after closing quote", "\"a\"b,c\nd\n",
			[]rec{{1, nil, "unexpected character after closing quote"}, {2, []string{"d"}, ""}}},
		{"unterminated quote costs its own line only", "x,y\n\"a,b\nc,d\n",
			[]rec{{1, []string{"x", "y"}, ""}, {2, nil, "unterminated quoted field"}, {3, []string{"c", "d"}, ""}}},
		{"quoted line break with the wrong field count costs its first line", "a,b\n\"x\ny\",z,1\n2,3\n",
			[]rec{{1, []string{"a", "b"}, ""}, {2, nil, "quoted line break joins lines into a record of 3 fields (want 2)"},
				{3, nil, "quote in unquoted field"}, {4, []string{"2", "3"}, ""}}},
		{"quoted line break with the right field count is a record", "a,b\n\"x\ny,z\",1\n2,3\n",
			[]rec{{1, []string{"a", "b"}, ""}, {2, []string{"x\ny,z", "1"}, ""}, {4, []string{"2", "3"}, ""}}},
		{"stray quotes far apart cost their own lines", "a,b\n1,\"2\n3,4\n5,6\",x\n7,8\n",
			[]rec{{1, []string{"a", "b"}, ""}, {2, nil, "quoted line break joins lines into a record of 3 fields (want 2)"},
				{3, []string{"3", "4"}, ""}, {4, nil, "quote in unquoted field"}, {5, []string{"7", "8"}, ""}}},
		{"text after a multi-line quoted field", "a,b\n\"x\ny\"z,1\n2,3\n",
			[]rec{{1, []string{"a", "b"}, ""}, {2, nil, "unexpected character after closing quote"},
				{3, nil, "quote in unquoted field"}, {4, []string{"2", "3"}, ""}}},
	}
	for _, tt := range tests {
		for _, bs := range []int{1, 3, 7, 1 << 20} {
			got := scanAll(t, []byte(tt.in), bs)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s (block %d):\n got %+v\nwant %+v", tt.name, bs, got, tt.want)
			}
		}
	}
}

// TestScannerBlockBoundaries checks exact line numbers when quoted
// newlines straddle many block boundaries.
func TestScannerBlockBoundaries(t *testing.T) {
	var b strings.Builder
	var want []rec
	line := int64(1)
	for i := range 500 {
		switch i % 4 {
		case 0:
			b.WriteString("plain,row\n")
			want = append(want, rec{line, []string{"plain", "row"}, ""})
			line++
		case 1:
			b.WriteString("\"multi\nline\n\"\"q\"\"\",x\r\n")
			want = append(want, rec{line, []string{"multi\nline\n\"q\"", "x"}, ""})
			line += 3
		case 2:
			b.WriteString("\n")
			line++
		case 3:
			b.WriteString("\"a,b\",\"\"\n")
			want = append(want, rec{line, []string{"a,b", ""}, ""})
			line++
		}
	}
	for _, bs := range []int{1, 2, 5, 16, 17, 64, 1000} {
		got := scanAll(t, []byte(b.String()), bs)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("block size %d: records differ (got %d, want %d)", bs, len(got), len(want))
		}
	}
}

func TestLastBoundary(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"abc", 0},
		{"a\nb", 2},
		{"a\n\"b\nc", 2},
		{"\"a\nb\"\nc", 6},
		{"\"a\nb", 0},
		{"x\"a\nb", 4},
		{"a\n\"b\"", 2},
		{"a\n\"b\"\"\n", 2},
		{"a\n\"b\"\"\"\n", 8},
		{"\"a" + strings.Repeat("\n", maxQuotedLines) + "b", 0},                    // may still close
		{"\"a" + strings.Repeat("\n", maxQuotedLines+1) + "b", 3 + maxQuotedLines}, // open too long: its first line is a record
		{"\"a\nb\",c\nd\n", 10}, // joins lines into 2 fields, want 1: lines
		{"\"a\nb\"\nd\n", 8},    // joins lines into 1 field: a record
		{"x\"y\nz", 4},
	}
	for _, tt := range tests {
		if got := lastBoundary([]byte(tt.in), 0, 0, 1); got != tt.want {
			t.Errorf("lastBoundary(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

// TestStrayQuoteLosesNoRow is issue 7's case: a stray '"' near the end of
// a file once turned the last 100 valid rows into one bad row. Now only
// its own line is bad, and rows read account for every line.
func TestStrayQuoteLosesNoRow(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,v\n")
	for i := range 1000 {
		if i == 899 {
			b.WriteString("\"R899,1\n") // unterminated
			continue
		}
		fmt.Fprintf(&b, "R%d,1\n", i)
	}
	for _, bs := range []int{16, 1000, 1 << 20} {
		got := scanAll(t, []byte(b.String()), bs)
		if len(got) != 1001 {
			t.Fatalf("block %d: %d records, want 1001 (header and 1000 rows)", bs, len(got))
		}
		for i, r := range got[1:] {
			if wantBad := i == 899; (r.Bad != "") != wantBad || r.Line != int64(i+2) {
				t.Errorf("block %d: record %d = %+v", bs, i, r)
			}
		}
	}
}

// FuzzScanner checks that the scanner never panics, that block size does
// not change what it reads, that a bad record is one line (the next record
// starts on the next line that is not blank), and that it agrees with
// encoding/csv (records and line numbers) on every input encoding/csv
// accepts whose records spanning lines have the header's field count and
// whose quoted fields hold at most maxQuotedLines line ends.
func FuzzScanner(f *testing.F) {
	for _, s := range []string{
		"a,b\n1,2\n", "\"a\"\"b\",c\r\n", "\"x\ny\",z\n\nq\n", "a\rb\n", "\"\"\n", ",\n", "a\"b\n",
		"\"a\"\r", "x,\"y\r\nz\"\r\n", "a,b\n\"1\n2\",3,4\n5,6\n", "h\n\"" + strings.Repeat("x\n", 70),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, atEOF := range []bool{false, true} {
			for _, ncols := range []int{0, 1, 2, 3} {
				r, ok := parseRecord(data, 0, atEOF, ncols, nil)
				end, seen, ok2 := recordEnd(data, 0, atEOF, ncols)
				if ok != ok2 || ok && (r.end != end || r.seen != seen) {
					t.Fatalf("recordEnd(%q, %v, %d) = %d, %d, %v; parseRecord says %d, %d, %v", data, atEOF, ncols, end, seen, ok2, r.end, r.seen, ok)
				}
			}
		}
		got := scanAll(t, data, 4096)
		for _, bs := range []int{1, 3, 17} {
			if small := scanAll(t, data, bs); !reflect.DeepEqual(got, small) {
				t.Fatalf("block size %d changes the result:\n%+v\n%+v", bs, got, small)
			}
		}
		lines := bytes.Split(data, []byte{'\n'})
		for i, r := range got {
			if r.Bad == "" || i+1 == len(got) {
				continue
			}
			for l := r.Line + 1; l < got[i+1].Line; l++ {
				if x := lines[l-1]; len(x) > 0 && string(x) != "\r" {
					t.Fatalf("bad record on line %d (%s) swallowed line %d %q", r.Line, r.Bad, l, x)
				}
			}
		}
		r := csv.NewReader(bytes.NewReader(data))
		r.FieldsPerRecord = -1
		var want []rec
		for {
			fields, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return // encoding/csv rejects it: only the checks above apply
			}
			line, _ := r.FieldPos(0)
			nl := 0
			for _, x := range fields {
				c := strings.Count(x, "\n")
				if c > maxQuotedLines {
					return
				}
				nl += c
			}
			if nl > 0 && len(want) > 0 && len(fields) != len(want[0].Fields) {
				return
			}
			want = append(want, rec{int64(line), fields, ""})
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("input %q:\n got %+v\nwant %+v", data, got, want)
		}
	})
}
