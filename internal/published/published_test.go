package published

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func write(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// testOut builds an OUT folder with every shape the reader must handle.
func testOut(t testing.TB) (out, outside string) {
	dir := t.TempDir()
	out, outside = filepath.Join(dir, "out"), filepath.Join(dir, "outside")
	write(t, filepath.Join(out, "2026-10", "NORE.zip.age"), "nore october")
	write(t, filepath.Join(out, "2026-10", "NORE.zip.age.minisig"), "signature")
	write(t, filepath.Join(out, "2026-10", "SOUT.zip.age"), "sout october")
	write(t, filepath.Join(out, "2026-10", "manifest.json"), "{}")
	write(t, filepath.Join(out, "2026-10", "dcc-archive.zip.age"), "reserved id")
	write(t, filepath.Join(out, "2026-10", ".incoming-1", "NORE.zip.age"), "staging")
	write(t, filepath.Join(out, "2026-10.run.json"), "{}")
	// a period switched in as a symlink to a versioned folder inside OUT
	write(t, filepath.Join(out, ".periods", "2026-09-abc", "NORE.zip.age"), "nore september")
	must(t, os.Symlink(filepath.Join(".periods", "2026-09-abc"), filepath.Join(out, "2026-09")))
	// escapes: a period and a bundle that point outside OUT
	write(t, filepath.Join(outside, "2026-08", "NORE.zip.age"), "SECRET outside")
	write(t, filepath.Join(outside, "secret.txt"), "SECRET outside")
	must(t, os.Symlink(filepath.Join(outside, "2026-08"), filepath.Join(out, "2026-08")))
	must(t, os.Symlink(filepath.Join("..", "..", "outside", "secret.txt"), filepath.Join(out, "2026-10", "EVIL.zip.age")))
	// not periods
	write(t, filepath.Join(out, ".hidden", "NORE.zip.age"), "hidden")
	write(t, filepath.Join(out, "2026-13", "NORE.zip.age"), "bad month")
	write(t, filepath.Join(out, "notes.txt"), "x")
	// a folder and a FIFO where a bundle should be
	must(t, os.MkdirAll(filepath.Join(out, "2026-07", "DIRP.zip.age"), 0o755))
	must(t, syscall.Mkfifo(filepath.Join(out, "2026-07", "FIFO.zip.age"), 0o644))
	return out, outside
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestPeriodsAndBundles(t *testing.T) {
	out, _ := testOut(t)
	o, err := Open(out, nil)
	must(t, err)
	defer o.Close()
	ps, err := o.Periods()
	must(t, err)
	if want := []string{"2026-10", "2026-09", "2026-07"}; !slices.Equal(ps, want) {
		t.Errorf("periods %v, want %v (2026-08 leaves OUT, .hidden and 2026-13 are not periods)", ps, want)
	}
	bs, err := o.Bundles("2026-10")
	must(t, err)
	var parties []string
	for _, b := range bs {
		parties = append(parties, b.Party)
	}
	if want := []string{"NORE", "SOUT"}; !slices.Equal(parties, want) {
		t.Errorf("2026-10 bundles %v, want %v (EVIL leaves OUT, dcc- is reserved)", parties, want)
	}
	if bs[0].Signature != int64(len("signature")) || bs[1].Signature != -1 {
		t.Errorf("signatures: %d, %d", bs[0].Signature, bs[1].Signature)
	}
	if bs, _ := o.Bundles("2026-07"); len(bs) != 0 {
		t.Errorf("a folder and a FIFO were listed as bundles: %+v", bs)
	}
	sep, err := o.Bundle("2026-09", "NORE")
	if err != nil || sep.Size != int64(len("nore september")) {
		t.Errorf("bundle through a period symlink inside OUT: %+v, %v", sep, err)
	}
}

func TestOpenRefusesEscapes(t *testing.T) {
	out, _ := testOut(t)
	o, err := Open(out, nil)
	must(t, err)
	defer o.Close()
	for _, c := range []struct{ period, party string }{
		{"2026-08", "NORE"},   // period symlink leaving OUT
		{"2026-10", "EVIL"},   // bundle symlink leaving OUT
		{"2026-10", "../x"},   // not a party id
		{"../out", "NORE"},    // not a period
		{"2026-10", "dcc-x"},  // reserved
		{".hidden", "NORE"},   // not a period
		{"2026-07", "DIRP"},   // a folder
		{"2026-07", "FIFO"},   // a FIFO: refused without blocking
		{"2026-10", "GHOST"},  // missing
		{"/etc", "passwd"},    // absolute
		{"2026-10/..", "NOR"}, // dot segments
	} {
		done := make(chan error, 1)
		go func() {
			f, _, err := o.OpenBundle(c.period, c.party, false)
			if err == nil {
				f.Close()
			}
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("OpenBundle(%q, %q) = %v, want ErrNotFound", c.period, c.party, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("OpenBundle(%q, %q) blocked", c.period, c.party)
		}
	}
	if f, _, err := o.OpenRunReport("2026-10", ".run.json"); err != nil {
		t.Errorf("run report: %v", err)
	} else {
		f.Close()
	}
	if _, _, err := o.OpenRunReport("2026-10", "/manifest.json"); !errors.Is(err, ErrNotFound) {
		t.Errorf("OpenRunReport let another file through: %v", err)
	}
}

type countingStore struct {
	mu    sync.Mutex
	m     map[string]string
	loads atomic.Int32
}

func (c *countingStore) LoadSum(_ context.Context, k string) (string, bool, error) {
	c.loads.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.m[k]
	return s, ok, nil
}

func (c *countingStore) StoreSum(_ context.Context, k, s string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[k] = s
	return nil
}

func TestSumIsCachedPerFileVersion(t *testing.T) {
	out, _ := testOut(t)
	store := &countingStore{m: map[string]string{}}
	o, err := Open(out, store)
	must(t, err)
	ctx := context.Background()
	b, err := o.Bundle("2026-10", "NORE")
	must(t, err)
	if _, ok := o.CachedSum(ctx, b); ok {
		t.Fatal("a sum is cached before it was computed")
	}
	want := sha256.Sum256([]byte("nore october"))
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if s, err := o.Sum(ctx, b); err != nil || s != hex.EncodeToString(want[:]) {
				t.Errorf("Sum = %s, %v", s, err)
			}
		}()
	}
	wg.Wait()
	if len(store.m) != 1 {
		t.Errorf("store holds %d sums, want 1", len(store.m))
	}
	o.Close()
	// a new reader (a restart) takes the sum from the store, without the file
	o2, err := Open(out, store)
	must(t, err)
	defer o2.Close()
	if s, ok := o2.CachedSum(ctx, b); !ok || s != hex.EncodeToString(want[:]) {
		t.Errorf("after a restart the sum is not found in the store: %q %v", s, ok)
	}
	// a rebuilt bundle is another version: its old sum does not apply
	write(t, filepath.Join(out, "2026-10", "NORE.zip.age"), "nore october, rebuilt")
	b2, err := o2.Bundle("2026-10", "NORE")
	must(t, err)
	if b2.Key() == b.Key() {
		t.Fatal("a rewritten file kept its key")
	}
	want2 := sha256.Sum256([]byte("nore october, rebuilt"))
	if s, err := o2.Sum(ctx, b2); err != nil || s != hex.EncodeToString(want2[:]) {
		t.Errorf("sum of the rebuilt bundle %s, %v", s, err)
	}
}
