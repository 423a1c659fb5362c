package synth

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCachedGeneratesOnce generates a month into the cache, then finds it
// there: the second call writes nothing and says nothing.
func TestCachedGeneratesOnce(t *testing.T) {
	cache := t.TempDir()
	sc, err := ParseScale("tiny")
	if err != nil {
		t.Fatal(err)
	}
	var first bytes.Buffer
	dir, err := Cached(cache, sc, "2026-10", &first)
	if err != nil {
		t.Fatal(err)
	}
	if dir != filepath.Join(cache, "tiny-2026-10") || !strings.Contains(first.String(), "generating the tiny month") {
		t.Fatalf("first call: %s, said %q", dir, first.String())
	}
	st, err := os.Stat(filepath.Join(dir, "service_requests.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var second bytes.Buffer
	again, err := Cached(cache, sc, "2026-10", &second)
	if err != nil || again != dir || second.Len() != 0 {
		t.Fatalf("second call: %s, %v, said %q", again, err, second.String())
	}
	st2, err := os.Stat(filepath.Join(dir, "service_requests.csv"))
	if err != nil || !st2.ModTime().Equal(st.ModTime()) {
		t.Fatalf("the month was written again: %v", err)
	}
}
