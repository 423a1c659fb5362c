// Package chromium starts the headless Chromium that carport's browser
// tests drive (through chromedp), and decides whether a machine without
// one skips those tests or fails them.
package chromium

// `go test ./...` must pass on a machine with Go alone, so a missing
// browser skips the browser tests with the reason; CI sets
// CARPORT_REQUIRE_BROWSER=1 (.ci/run), which turns that skip into a
// failure, so that CI never skips them. The browser's own temporary files
// (Chromium writes .org.chromium.Chromium.* into $TMPDIR and leaves them)
// go to a folder of the test's, removed with it.

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
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
	// Chromium's own temporary folder holds its sockets, whose paths may
	// not pass 107 bytes: t.TempDir() under a long test name and $TMPDIR
	// can, and then Chromium dies at start. A short name beside it, gone
	// after the browser (cleanups run last first).
	tmp, err := os.MkdirTemp("", "chr")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
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
		chromedp.Env("TMPDIR=" + tmp),
	}, opts...)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), all...)
	t.Cleanup(cancelA)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	deadline := time.AfterFunc(limit, cancel)
	t.Cleanup(func() { deadline.Stop() })
	return ctx
}

// Page is a browser tab that notes what went wrong in it (console errors,
// exceptions, error log entries) and every request it made.
type Page struct {
	Ctx       context.Context
	Downloads string // where the tab saves downloads
	mu        sync.Mutex
	problems  []string
	requests  []string
}

// Open starts a browser for t (see New) and a tab on it that listens, with
// the network domain on, the window's focus emulated (so that :focus and
// :focus-visible apply as for a reader: a headless page never has the
// window's focus) and downloads saved into Page.Downloads.
func Open(t testing.TB, limit time.Duration, opts ...chromedp.ExecAllocatorOption) *Page {
	t.Helper()
	p := &Page{Ctx: New(t, limit, opts...), Downloads: t.TempDir()}
	if err := chromedp.Listen(p.Ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				p.note("console error: " + strings.Join(parts, " "))
			}
		case *runtime.EventExceptionThrown:
			msg := ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil {
				msg += " " + ev.ExceptionDetails.Exception.Description
			}
			p.note("exception: " + msg)
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				p.note("log error: " + ev.Entry.Text + " " + ev.Entry.URL)
			}
		case *network.EventRequestWillBeSent:
			p.mu.Lock()
			p.requests = append(p.requests, ev.Request.URL)
			p.mu.Unlock()
		}
	}); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	if _, err := chromedp.Call(p.Ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("network.enable: %v", err)
	}
	if _, err := chromedp.Call(p.Ctx, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true}); err != nil {
		t.Fatalf("focus emulation: %v", err)
	}
	if _, err := chromedp.CallBrowser(p.Ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: p.Downloads,
	}); err != nil {
		t.Fatalf("setting download folder: %v", err)
	}
	return p
}

func (p *Page) note(s string) { p.mu.Lock(); p.problems = append(p.problems, s); p.mu.Unlock() }

// Check fails t on every problem the tab noted and every request outside
// the folders roots (but for the download button's in-memory blobs,
// Chromium's own icon of a date field, and the URL prefixes in also), and
// when fewer than minFiles requests went to the folders: then the
// listener is not working.
func (p *Page) Check(t testing.TB, minFiles int, roots []string, also ...string) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range p.problems {
		t.Errorf("browser: %s", m)
	}
	allowed := append([]string{"blob:file://", "blob:null/", "data:image/svg+xml"}, also...)
	files := 0
	for _, u := range p.requests {
		switch {
		case slices.ContainsFunc(roots, func(r string) bool { return strings.HasPrefix(u, "file://"+filepath.ToSlash(r)+"/") }):
			files++
		case slices.ContainsFunc(allowed, func(a string) bool { return strings.HasPrefix(u, a) }):
		default:
			t.Errorf("request outside the site: %s", u)
		}
	}
	if files < minFiles {
		t.Errorf("saw only %d file: requests; is the network listener working?", files)
	}
}
