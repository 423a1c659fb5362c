package extract

import (
	"bytes"
	"encoding/csv"
	"errors"
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
// back when done with it.
func drain(t testing.TB, sp *splitter) []rec {
	t.Helper()
	var out []rec
	var sc recordScanner
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
		{"unterminated quote eats the rest", "x\n\"a,b\nc,d\n",
			[]rec{{1, []string{"x"}, ""}, {2, nil, "unterminated quoted field"}}},
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
	}
	for _, tt := range tests {
		if got := lastBoundary([]byte(tt.in)); got != tt.want {
			t.Errorf("lastBoundary(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

// FuzzScanner checks that the scanner never panics, that block size does
// not change what it reads, and that it agrees with encoding/csv (records
// and line numbers) on every input encoding/csv accepts.
func FuzzScanner(f *testing.F) {
	for _, s := range []string{
		"a,b\n1,2\n", "\"a\"\"b\",c\r\n", "\"x\ny\",z\n\nq\n", "a\rb\n", "\"\"\n", ",\n", "a\"b\n",
		"\"a\"\r", "x,\"y\r\nz\"\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got := scanAll(t, data, 4096)
		small := scanAll(t, data, 3)
		if !reflect.DeepEqual(got, small) {
			t.Fatalf("block size changes the result:\n%+v\n%+v", got, small)
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
				return // encoding/csv rejects it: only "no panic" applies
			}
			line, _ := r.FieldPos(0)
			want = append(want, rec{int64(line), fields, ""})
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("input %q:\n got %+v\nwant %+v", data, got, want)
		}
	})
}
