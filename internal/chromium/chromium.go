// Package chromium starts the headless Chromium that carport's browser
// tests drive (through chromedp), and decides whether a machine without
// one skips those tests or fails them.
package chromium

// `go test ./...` must pass on a machine with Go alone, so a missing
// browser skips the browser tests with the reason; CI sets
// CARPORT_REQUIRE_BROWSER=1 (.ci/run), which turns that skip into a
// failure, so that CI never skips them. The browser's own temporary files
// (Chromium writes .org.chromium.Chromium.* into $TMPDIR and leaves them)
// go to the test's temporary folder, removed with it.

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// RequireEnv names the variable that makes a missing browser a failure.
const RequireEnv = "CARPORT_REQUIRE_BROWSER"

// PathEnv names the variable that points at another Chromium (or, set to
// a path that does not exist, simulates a machine without one).
const PathEnv = "CARPORT_CHROMIUM"

// Path returns the Chromium to run: $CARPORT_CHROMIUM when set, else
// chromium on $PATH, else /usr/bin/chromium. When there is none, t is
// skipped with the reason, or fails when CARPORT_REQUIRE_BROWSER=1.
func Path(t testing.TB) string {
	t.Helper()
	p := os.Getenv(PathEnv)
	if p == "" {
		if found, err := exec.LookPath("chromium"); err == nil {
			p = found
		} else {
			p = "/usr/bin/chromium"
		}
	}
	if st, err := os.Stat(p); err != nil || st.IsDir() {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("headless Chromium is needed at %s (Debian package chromium) and %s=1: %v", p, RequireEnv, err)
		}
		t.Skipf("no headless Chromium at %s (Debian package chromium; %s names another): the browser tests need one (%s=1 makes this a failure)",
			p, PathEnv, RequireEnv)
	}
	return p
}

// New starts a headless Chromium for t (or skips t, see Path) and returns
// a chromedp context on a new tab. The browser, its profile and its
// temporary files are gone when t ends; the whole session, start
// included, is cancelled after limit.
func New(t testing.TB, limit time.Duration, opts ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	path := Path(t)
	all := append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Env("TMPDIR=" + t.TempDir()),
	}, opts...)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), all...)
	t.Cleanup(cancelA)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	deadline := time.AfterFunc(limit, cancel)
	t.Cleanup(func() { deadline.Stop() })
	return ctx
}
