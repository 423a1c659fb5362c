package site

import (
	"bytes"
	"encoding/gob"
	"reflect"
	"testing"
)

// TestRowsTravelWhole sends views through gob, as the build sends them to
// its workers, and checks every cell arrives as it left.
func TestRowsTravelWhole(t *testing.T) {
	cases := map[string]Rows{
		"none":                nil,
		"one cell":            {{"x"}},
		"empty cells":         {{"", ""}, {""}},
		"a row without cells": {{"a", "b"}, {}, {"c"}},
		"text":                {{"2026-10-01", "12", "0.917", ""}, {"Kestrel \"Home\" Energy", "é€", "=1+1", "a,b\nc"}},
	}
	for name, rows := range cases {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			in := View{ID: "svp", Header: []string{"a", "b"}, Rows: rows}
			if err := gob.NewEncoder(&b).Encode(in); err != nil {
				t.Fatal(err)
			}
			var out View
			if err := gob.NewDecoder(&b).Decode(&out); err != nil {
				t.Fatal(err)
			}
			want := rows
			if len(want) == 0 {
				want = nil
			}
			if !reflect.DeepEqual(out.Rows, want) {
				t.Fatalf("got %q, want %q", out.Rows, want)
			}
			if out.ID != "svp" || len(out.Header) != 2 {
				t.Fatalf("the view around the rows changed: %+v", out)
			}
		})
	}
}

// TestRowsAppendDoesNotOverwrite checks that a decoded row can grow
// without writing into the next row (they share one slice of cells).
func TestRowsAppendDoesNotOverwrite(t *testing.T) {
	b, _ := Rows{{"a"}, {"b"}}.MarshalBinary()
	var r Rows
	if err := r.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	r[0] = append(r[0], "extra")
	if r[1][0] != "b" {
		t.Fatalf("appending to row 0 changed row 1: %q", r)
	}
}

// TestRowsRefuseBrokenBlocks decodes cut and altered blocks: each is an
// error, never a panic or rows made up.
func TestRowsRefuseBrokenBlocks(t *testing.T) {
	good, _ := Rows{{"ab", "c"}, {"def"}}.MarshalBinary()
	for i := 0; i < len(good); i++ {
		var r Rows
		if err := r.UnmarshalBinary(good[:i]); err == nil {
			t.Errorf("a block cut at %d of %d bytes decoded as %q", i, len(good), r)
		}
	}
	long := append(append([]byte{}, good...), 'x')
	var r Rows
	if err := r.UnmarshalBinary(long); err == nil {
		t.Errorf("a block with a byte too many decoded as %q", r)
	}
	huge := []byte{0xff, 0xff, 0xff, 0xff, 0x0f}
	if err := r.UnmarshalBinary(huge); err == nil {
		t.Error("a block claiming 4 billion rows decoded")
	}
}

// FuzzRowsUnmarshal feeds arbitrary blocks to the decoder: no panic, and
// what decodes encodes to a block that decodes to the same rows.
func FuzzRowsUnmarshal(f *testing.F) {
	good, _ := Rows{{"ab", "c"}, {"def"}, {}}.MarshalBinary()
	f.Add(good)
	f.Add([]byte{0})
	f.Fuzz(func(t *testing.T, b []byte) {
		var r Rows
		if err := r.UnmarshalBinary(b); err != nil {
			return
		}
		again, _ := r.MarshalBinary()
		var r2 Rows
		if err := r2.UnmarshalBinary(again); err != nil || !reflect.DeepEqual(r, r2) {
			t.Fatalf("decoded %q from %x; encoded again it decodes as %q (%v)", r, b, r2, err)
		}
	})
}
