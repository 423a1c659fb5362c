//go:build linux || darwin || freebsd

package extract

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"strings"
	"testing"
)

// scanMapped is scanAll over the mapped splitter.
func scanMapped(t *testing.T, data []byte, blockSize int) []rec {
	t.Helper()
	covered := make([]bool, len(data))
	sp := newMappedSplitter(data, blockSize, func(b []byte) {
		at := int(uintptr(unsafePointer(b)) - uintptr(unsafePointer(data)))
		if at < 0 || at+len(b) > len(data) {
			t.Fatalf("released [%d, %d) outside the mapping of %d bytes", at, at+len(b), len(data))
		}
		for i := range b {
			covered[at+i] = true
		}
	})
	out := drain(t, sp)
	for i, c := range covered {
		if !c {
			t.Errorf("byte %d of %d never released", i, len(data))
			break
		}
	}
	return out
}

// Blocks cut from a mapping hold the same records, with the same line
// numbers, as blocks read through the pooled buffers, at every block size.
func TestMappedSplitterMatchesReader(t *testing.T) {
	inputs := []string{
		"a,b,c\n1,2,3\n",
		"a,b\n1,2",
		"\"a\nb\nc\",d\ne,f\n",
		"a\"b,c\"\nd,e\n",
		"x,\"q\"\"q\",z\r\n" + strings.Repeat("1,\"2\n2\",3\n4,5,6\r\n", 300) + "last,\"row\"",
		strings.Repeat("request,party,\"quoted, comma\"\n", 500),
	}
	for i, in := range inputs {
		for _, size := range []int{1, 7, 64, 1000, 1 << 20} {
			want := scanAll(t, []byte(in), size)
			got := scanMapped(t, []byte(in), size)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("input %d, block %d: mapped scan differs from the reader's", i, size)
			}
		}
	}
}

// A mapped file cut short while being read is an error, not a crash.
func TestMappedFileTruncated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.csv")
	data := bytes.Repeat([]byte("a,b,c\n"), 10_000)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := mapFile(f)
	if m == nil {
		t.Fatal("mapFile did not map a regular file")
	}
	defer unmapFile(m)
	if err := os.Truncate(path, 10); err != nil {
		t.Fatal(err)
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	sp := newMappedSplitter(m, 1<<20, nil)
	if _, err := sp.safeNext(); !errors.Is(err, errFileChanged) {
		t.Fatalf("reading a truncated mapping: err %v, want %v", err, errFileChanged)
	}
}
