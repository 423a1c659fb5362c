package host

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/dcc/carport/internal/chromium"
)

// TestBrowser signs in with the form in headless Chromium, reads the
// bundle list and downloads the bundle by its link, as a party user would:
// no JavaScript on the pages, nothing fetched from anywhere but the host.
func TestBrowser(t *testing.T) {
	chromium.Path(t) // skips the test, before any work, without a browser
	h := newTestHost(t)
	h.user("Nora North", "nora@example.com", partyA)
	h.release(released)
	downloads := t.TempDir()

	ctx := chromium.New(t, 60*time.Second)

	var mu sync.Mutex
	var problems, requests []string
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+ev.ExceptionDetails.Text)
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				problems = append(problems, "console error")
			}
		case *network.EventRequestWillBeSent:
			requests = append(requests, ev.Request.URL)
		}
	}); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads,
	}); err != nil {
		t.Fatal(err)
	}
	eval := func(expr string, v any) {
		t.Helper()
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](expr))
		if err != nil {
			t.Fatalf("evaluating %s: %v", expr, err)
		}
		if err := json.Unmarshal(raw, v); err != nil {
			t.Fatalf("decoding %s: %v", raw, err)
		}
	}

	// a signed-out visitor lands on the sign-in form
	if err := chromedp.Do(ctx, chromedp.Navigate(h.base)); err != nil {
		t.Fatal(err)
	}
	var loc string
	eval(`location.pathname`, &loc)
	if loc != "/signin" {
		t.Fatalf("signed out, / went to %s, want /signin", loc)
	}
	// every form field has a label
	var unlabelled []string
	eval(`Array.from(document.querySelectorAll("input:not([type=hidden]):not([hidden])")).filter(i => !i.labels || i.labels.length === 0).map(i => i.name)`, &unlabelled)
	if len(unlabelled) > 0 {
		t.Errorf("inputs without a label: %v", unlabelled)
	}
	// a wrong password: the error is announced
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(`#email`, "nora@example.com"),
		chromedp.SendKeys(`#password`, "not the password"),
		chromedp.Click(`button[type=submit].primary`),
		chromedp.WaitVisible(`.error[role=alert]`),
	); err != nil {
		t.Fatalf("wrong password: %v", err)
	}
	// the right one (the form comes back with the address kept, the
	// password empty)
	var kept string
	eval(`document.querySelector("#email").value + "|" + document.querySelector("#password").value`, &kept)
	if kept != "nora@example.com|" {
		t.Errorf("the form after a failure holds %q", kept)
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(`#password`, password),
		chromedp.Click(`button[type=submit].primary`),
		chromedp.WaitVisible(`section.bundle`),
	); err != nil {
		t.Fatalf("signing in: %v", err)
	}
	var page struct {
		H1, Sum, Link, Lang string
		Sections, Scripts   int
	}
	eval(`({H1: document.querySelector("h1").textContent, Sum: document.querySelector("code.sum").textContent,
		Link: document.querySelector("a.button.primary").getAttribute("href"), Lang: document.documentElement.lang,
		Sections: document.querySelectorAll("section.bundle").length, Scripts: document.scripts.length})`, &page)
	if !strings.Contains(page.H1, partyA) || page.Sections != 1 || page.Link != "/files/"+released+"/"+partyA+".zip.age" || page.Lang != "en-GB" || page.Scripts != 0 {
		t.Errorf("bundle list: %+v", page)
	}
	// the stylesheet applies: the header has the brand colour of the party site
	var bg string
	eval(`getComputedStyle(document.querySelector(".site-head")).backgroundColor`, &bg)
	if bg != "rgb(29, 59, 110)" {
		t.Errorf("header background %q, want the site's brand rgb(29, 59, 110)", bg)
	}
	// download by clicking the link
	if err := chromedp.Do(ctx, chromedp.Click(`a.button.primary`)); err != nil {
		t.Fatal(err)
	}
	want := h.files[released+"/"+partyA+".zip.age"]
	file := filepath.Join(downloads, partyA+"-"+released+".zip.age")
	var got []byte
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if b, err := os.ReadFile(file); err == nil && len(b) == len(want) {
			got = b
			break
		}
	}
	if !bytes.Equal(got, want) {
		entries, _ := os.ReadDir(downloads)
		t.Fatalf("downloaded file %s: %d bytes, want %d (downloads: %v)", file, len(got), len(want), entries)
	}
	if !strings.Contains(page.Sum, sumOf(want)) {
		t.Errorf("the page's sha256 %q is not the file's %s", page.Sum, sumOf(want))
	}
	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Error(p)
	}
	for _, u := range requests {
		if !strings.HasPrefix(u, h.base) {
			t.Errorf("request outside the host: %s", u)
		}
	}
}
