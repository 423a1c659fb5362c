package published

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// FuzzOpenBundle opens any period and party through the reader and checks,
// by asking the kernel which file the descriptor really is
// (/proc/self/fd), that nothing outside OUT was ever opened, however the
// names and the symlinks inside OUT are made.
// Run: go test -run '^$' -fuzz FuzzOpenBundle -fuzztime 30s ./internal/published/
func FuzzOpenBundle(f *testing.F) {
	if runtime.GOOS != "linux" {
		f.Skip("needs /proc/self/fd")
	}
	for _, s := range [][2]string{
		{"2026-10", "NORE"}, {"2026-09", "NORE"}, {"2026-08", "NORE"}, {"2026-10", "EVIL"}, {"../outside/2026-08", "NORE"},
		{"2026-10/..", "x"}, {"/etc", "passwd"}, {"2026-10", "../../outside/secret.txt"}, {".periods/2026-09-abc", "NORE"},
		{"2026-07", "FIFO"}, {"2026-07", "DIRP"}, {"2026-10\x00", "NORE"},
	} {
		f.Add(s[0], s[1], false)
		f.Add(s[0], s[1], true)
	}
	out, _ := testOut(f)
	real, err := filepath.EvalSymlinks(out)
	if err != nil {
		f.Fatal(err)
	}
	o, err := Open(out, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { o.Close() })
	f.Fuzz(func(t *testing.T, period, party string, sig bool) {
		file, _, err := o.OpenBundle(period, party, sig)
		if err != nil {
			return
		}
		defer file.Close()
		target, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", file.Fd()))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(target, real+string(filepath.Separator)) {
			t.Fatalf("OpenBundle(%q, %q, %v) opened %s, outside %s", period, party, sig, target, real)
		}
		b, _ := os.ReadFile(target)
		if strings.Contains(string(b), "SECRET") {
			t.Fatalf("OpenBundle(%q, %q) reached the secret", period, party)
		}
	})
}
