package main

// Tests of the in-browser opener (issue 14) in headless Chromium against a
// real `carport serve` on loopback: real sites built by `carport build`
// from testdata/month, sealed and signed for real, plus bundles broken in
// each way carport open refuses (made here with the demo signing key, so
// only the one flaw differs). The server's own request log is the witness
// of what crossed the wire.

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"aead.dev/minisign"
	"filippo.io/age"
	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/dcc/carport/internal/bundle"
	"github.com/dcc/carport/internal/cli"
)

const (
	chromium  = "/usr/bin/chromium"
	openParty = "SUPA"
	pqParty   = "SUPB" // sealed to a post-quantum hybrid recipient
	goodP     = "2026-10"
)

// The sentences the opener page says (internal/opener/assets/opener.js).
const (
	sayWrongIdentity = "This identity file does not open this bundle: it was sealed to other keys. Choose the identity file of party SUPA."
	sayTampered      = "This bundle was changed after the DCC signed it, so it is refused and nothing is shown."
	sayUnsigned      = "This bundle is not signed by the DCC, so it is refused and nothing is shown."
	sayOtherKey      = "This bundle is signed by another key than the DCC\u2019s, so it is refused and nothing is shown."
	sayUnsafe        = "This bundle holds a file the opener does not accept, so it is refused and nothing is shown."
	sayTooLarge      = "This bundle is too large to open in a browser tab: download it and open it with carport open."
	sayFetchFailed   = "The bundle could not be downloaded from the host (your session may have ended): reload the page to try again."
	sayNoIdentity    = "That file is not an age identity file: choose the file that holds your party\u2019s secret key (a line starting AGE-SECRET-KEY-)."
)

// openerFixture is a published OUT with real bundles and broken ones, the
// keys to them, and carport serve on it.
type openerFixture struct {
	*served
	keys, ids string
	pubFile   string
	signer    minisign.PrivateKey
	site      map[string][]byte // SUPA's site files as built (manifest excluded)
	periods   []string          // every period published for SUPA
}

func repoPath(t *testing.T, rel string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", rel))
	check(t, err)
	return p
}

// newOpenerFixture builds SUPA's and SUPB's sites for goodP with carport
// build, publishes the broken bundles beside them and starts carport serve
// with the fixture's public key for the opener.
func newOpenerFixture(t *testing.T) *openerFixture {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("headless Chromium is needed at %s (Debian package chromium): %v", chromium, err)
	}
	ech := repoPath(t, "node_modules/echarts/dist/echarts.min.js")
	if _, err := os.Stat(ech); err != nil {
		t.Fatalf("echarts is not installed: run 'make deps' (npm ci) first: %v", err)
	}
	dir := t.TempDir()
	f := &openerFixture{served: &served{t: t, dir: dir, out: filepath.Join(dir, "out"), db: filepath.Join(dir, "host.db"),
		logf: filepath.Join(dir, "serve.log"), outbox: filepath.Join(dir, "outbox"), files: map[string][]byte{}},
		keys: filepath.Join(dir, "keys"), ids: filepath.Join(dir, "ids"), site: map[string][]byte{}}
	check(t, os.MkdirAll(f.keys, 0o755))
	check(t, os.MkdirAll(f.ids, 0o700))
	pub, sec, err := bundle.GenerateSigningKey()
	check(t, err)
	f.pubFile = filepath.Join(f.keys, "dcc-signing.pub")
	check(t, os.WriteFile(f.pubFile, pub, 0o644))
	secFile := filepath.Join(dir, "dcc-signing.key")
	check(t, os.WriteFile(secFile, sec, 0o600))
	check(t, f.signer.UnmarshalText(bytes.TrimSpace(sec)))
	for _, p := range []string{"SUPA", "SUPB", "SUPC", "SUPD", "SUPE", "SUPF", "DNOA"} {
		rcpt, secret, err := bundle.NewIdentity()
		check(t, err)
		if p == pqParty {
			id, err := age.GenerateHybridIdentity()
			check(t, err)
			rcpt, secret = id.Recipient().String(), id.String()
		}
		check(t, os.WriteFile(filepath.Join(f.keys, p+".txt"), []byte(rcpt+"\n"), 0o644))
		check(t, os.WriteFile(filepath.Join(f.ids, p+".key"), []byte("# test identity of "+p+"\n"+secret+"\n"), 0o600))
	}
	var stdout, stderr bytes.Buffer
	args := []string{"build", "--extracts", filepath.Join("testdata", "month"), "--period", goodP, "--keys", f.keys,
		"--out", f.out, "--signing-key", secFile, "--party", openParty, "--party", pqParty,
		"--reportdefs", repoPath(t, "reportdefs"), "--templates", repoPath(t, "templates"),
		"--content", repoPath(t, "content"), "--echarts", ech}
	if code := cli.Run(args, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("carport build: exit %d\n%s", code, stderr.String())
	}
	// SUPA's site as built, to seal again in broken ways
	opened := filepath.Join(dir, "opened")
	key, err := bundle.ParsePublicKey(pub)
	check(t, err)
	o, err := bundle.Open(bundle.OpenOptions{Bundle: f.bundlePath(goodP), PublicKey: key,
		Identity: f.idFile(openParty), To: opened})
	check(t, err)
	for _, fe := range o.Manifest.Files {
		b, err := os.ReadFile(filepath.Join(opened, filepath.FromSlash(fe.Path)))
		check(t, err)
		f.site[fe.Path] = b
	}
	f.periods = []string{goodP}
	return f
}

func (f *openerFixture) bundlePath(period string) string {
	return filepath.Join(f.out, period, openParty+".zip.age")
}

func (f *openerFixture) idFile(party string) string { return filepath.Join(f.ids, party+".key") }

// serve starts carport serve, adds SUPA's and SUPB's users and releases
// every period.
func (f *openerFixture) serve() {
	f.extra = []string{"--pub", f.pubFile}
	f.start()
	f.user("Alma Alpha", "alma@alpha.example", openParty)
	f.user("Bea Bravo", "bea@bravo.example", pqParty)
	for _, p := range f.periods {
		f.mustCarport("release", "--root", f.out, "--period", p, "--outbox", f.outbox)
	}
}

// sealSite seals SUPA's site (with extra files) for period with the
// fixture's signer, as carport build would, into OUT/dest/SUPA.zip.age.
func (f *openerFixture) sealSite(dest, period string, extra map[string][]byte, signer *bundle.Signer) bundle.Sealed {
	t := f.t
	t.Helper()
	site := filepath.Join(f.dir, "site-"+dest)
	for p, b := range f.site {
		f.writeFile(filepath.Join(site, filepath.FromSlash(p)), b)
	}
	for p, b := range extra {
		f.writeFile(filepath.Join(site, filepath.FromSlash(p)), b)
	}
	if signer == nil {
		pubText, err := os.ReadFile(f.pubFile)
		check(t, err)
		pub, err := bundle.ParsePublicKey(pubText)
		check(t, err)
		secText, err := os.ReadFile(filepath.Join(f.dir, "dcc-signing.key"))
		check(t, err)
		signer, err = bundle.ParseSigner(secText, pub)
		check(t, err)
	}
	rcpts, err := bundle.ReadRecipients(filepath.Join(f.keys, openParty+".txt"))
	check(t, err)
	s, err := bundle.Seal(bundle.SealOptions{SiteDir: site, Recipients: rcpts,
		OutPath: f.bundlePath(dest), Signer: signer,
		Manifest: bundle.Manifest{Period: period, Party: openParty, GeneratorVersion: "test"}})
	check(t, err)
	check(t, os.RemoveAll(site))
	f.periods = append(f.periods, dest)
	return s
}

func (f *openerFixture) writeFile(p string, b []byte) {
	check(f.t, os.MkdirAll(filepath.Dir(p), 0o755))
	check(f.t, os.WriteFile(p, b, 0o644))
}

// signBundle (re)signs OUT/period/SUPA.zip.age with the fixture's key and
// the trusted comment given.
func (f *openerFixture) signBundle(period, comment string) {
	ct, err := os.ReadFile(f.bundlePath(period))
	check(f.t, err)
	r := minisign.NewReader(bytes.NewReader(ct))
	io.Copy(io.Discard, r)
	sig := r.SignWithComments(f.signer, comment, "test signature")
	check(f.t, os.WriteFile(f.bundlePath(period)+".minisig", sig, 0o644))
}

// zipEntry is one entry of a hand-made zip.
type zipEntry struct {
	name string
	body []byte
}

// craft publishes, for period, a bundle whose zip is made by hand: the
// manifest (listing the files given, or listed when not nil) and its
// signature first, then entries in the order given; everything signed by
// the DCC key as carport build signs, so only the flaw of the case differs.
func (f *openerFixture) craft(period string, entries []zipEntry, listed []bundle.FileEntry) {
	t := f.t
	t.Helper()
	if listed == nil {
		seen := map[string]bool{}
		for _, e := range entries {
			if seen[e.name] {
				continue
			}
			seen[e.name] = true
			h := sha256.Sum256(e.body)
			listed = append(listed, bundle.FileEntry{Path: e.name, Size: int64(len(e.body)), SHA256: hex.EncodeToString(h[:])})
		}
		sort.Slice(listed, func(i, j int) bool { return listed[i].Path < listed[j].Path })
	}
	m, err := json.MarshalIndent(bundle.Manifest{Format: 1, Period: period, Party: openParty, GeneratorVersion: "test",
		Reports: []bundle.ReportRef{}, Files: listed}, "", "  ")
	check(t, err)
	m = append(m, '\n')
	mr := minisign.NewReader(bytes.NewReader(m))
	io.Copy(io.Discard, mr)
	msig := mr.SignWithComments(f.signer, "carport-manifest period:"+period+" party:"+openParty, "test")

	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	for _, e := range append([]zipEntry{{bundle.ManifestName, m}, {bundle.SignatureName, msig}}, entries...) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Deflate})
		check(t, err)
		_, err = w.Write(e.body)
		check(t, err)
	}
	check(t, zw.Close())

	rtext, err := os.ReadFile(filepath.Join(f.keys, openParty+".txt"))
	check(t, err)
	rcpts, err := age.ParseRecipients(bytes.NewReader(rtext))
	check(t, err)
	var ct bytes.Buffer
	aw, err := age.Encrypt(&ct, rcpts...)
	check(t, err)
	_, err = aw.Write(zb.Bytes())
	check(t, err)
	check(t, aw.Close())
	f.writeFile(f.bundlePath(period), ct.Bytes())
	zs := sha256.Sum256(zb.Bytes())
	f.signBundle(period, "carport-bundle period:"+period+" party:"+openParty+" zip_sha256:"+hex.EncodeToString(zs[:]))
	f.periods = append(f.periods, period)
}

// browserSession is one headless Chromium with what it reported.
type browserSession struct {
	t         *testing.T
	ctx       context.Context
	downloads string
	mu        sync.Mutex
	problems  []string
}

func newBrowser(t *testing.T, timeout time.Duration) *browserSession {
	t.Helper()
	actx, cancelA := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	ctx, cancel := chromedp.NewContext(actx)
	deadline := time.AfterFunc(timeout, cancel)
	t.Cleanup(func() { deadline.Stop(); cancel(); cancelA() })
	b := &browserSession{t: t, ctx: ctx, downloads: t.TempDir()}
	if err := chromedp.Listen(ctx, func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			b.problems = append(b.problems, "exception: "+msg)
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				var args []string
				for _, a := range ev.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				b.problems = append(b.problems, "console error: "+strings.Join(args, " "))
			}
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				b.problems = append(b.problems, "browser error: "+ev.Entry.Text+" "+ev.Entry.URL)
			}
		}
	}); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	if _, err := chromedp.Call(ctx, log.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: b.downloads}); err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *browserSession) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates expr (awaiting a promise) into v.
func (b *browserSession) eval(expr string, v any) {
	b.t.Helper()
	raw, err := chromedp.Run(b.ctx, chromedp.Evaluate[json.RawMessage](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("evaluating %s: %v", expr, err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		b.t.Fatalf("decoding %s: %v", raw, err)
	}
}

// do runs a statement in the page.
func (b *browserSession) do(what, stmt string) {
	b.t.Helper()
	var ok bool
	b.eval("(() => { "+stmt+"; return true })()", &ok)
}

// waitFor polls expr until it is true.
func (b *browserSession) waitFor(what, expr string, within time.Duration) {
	b.t.Helper()
	var ok bool
	for end := time.Now().Add(within); ; time.Sleep(50 * time.Millisecond) {
		b.eval(expr, &ok)
		if ok {
			return
		}
		if time.Now().After(end) {
			var state string
			b.eval(`(document.getElementById("status")||{}).textContent + " | " + (document.getElementById("refusal-sentence")||{}).textContent + " | " + (document.getElementById("refusal-detail")||{}).textContent`, &state)
			b.t.Fatalf("%s: not within %s (page: %s; browser: %q)", what, within, state, b.takeProblems())
		}
	}
}

// takeProblems returns and forgets what the browser reported.
func (b *browserSession) takeProblems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.problems
	b.problems = nil
	return p
}

func (b *browserSession) signIn(base, email string) {
	b.t.Helper()
	b.run("signing in", chromedp.Navigate(base+"signin"),
		chromedp.SendKeys(`#email`, email),
		chromedp.SendKeys(`#password`, goodPass),
		chromedp.Click(`button[type=submit].primary`),
		chromedp.WaitVisible(`section.bundle`))
}

// open loads the opener of period and chooses the identity file.
func (b *browserSession) open(base, period, party, identity string) {
	b.t.Helper()
	b.run("opening "+period, chromedp.Navigate(base+"open/"+period+"/"+party),
		chromedp.WaitReady(`#opener[data-ready]`),
		chromedp.SetUploadFiles(`#identity`, []string{identity}))
}

// refused waits for the refusal and checks that nothing was shown.
func (b *browserSession) refused(what, want string) {
	b.t.Helper()
	b.waitFor(what+": refusal", `!document.getElementById("refusal").hidden`, 30*time.Second)
	var got struct {
		Sentence, Detail string
		Viewer, Frames   int
		Workers          int
	}
	b.eval(`(async () => ({Sentence: document.getElementById("refusal-sentence").textContent,
		Detail: document.getElementById("refusal-detail").textContent,
		Viewer: document.getElementById("viewer").hidden ? 0 : 1,
		Frames: document.querySelectorAll("iframe").length,
		Workers: (await navigator.serviceWorker.getRegistrations()).length}))()`, &got)
	if got.Sentence != want {
		b.t.Errorf("%s: the page says %q (detail %q), want %q", what, got.Sentence, got.Detail, want)
	}
	if got.Viewer != 0 || got.Frames != 0 || got.Workers != 0 {
		b.t.Errorf("%s: refused, yet something is shown: viewer %d, iframes %d, service workers %d", what, got.Viewer, got.Frames, got.Workers)
	}
	b.t.Logf("%s: refused: %s (%s)", what, got.Sentence, got.Detail)
}

var requestLine = regexp.MustCompile(`msg=request method=(\S+) path=(\S+) .*status=(\d+)`)

type loggedRequest struct {
	method, path string
	status       int
}

// requests reads what carport serve logged so far.
func (f *openerFixture) requests() []loggedRequest {
	b, err := os.ReadFile(f.logf)
	check(f.t, err)
	var out []loggedRequest
	for _, line := range strings.Split(string(b), "\n") {
		if m := requestLine.FindStringSubmatch(line); m != nil {
			st, _ := strconv.Atoi(m[3])
			out = append(out, loggedRequest{m[1], m[2], st})
		}
	}
	return out
}

// TestOpenerInBrowser: a party user signs in, chooses "View in browser",
// gives the identity file, and the site's home and a report page render
// with their charts and no console error, served from the tab's memory:
// the server saw only the opener's own files, the encrypted bundle and its
// signature. A CSV of the site downloads as from disk; the decrypted zip
// can be saved; after Close the view's addresses no longer resolve. A
// bundle sealed to a post-quantum hybrid recipient opens too.
func TestOpenerInBrowser(t *testing.T) {
	f := newOpenerFixture(t)
	f.serve()
	b := newBrowser(t, 3*time.Minute)
	base := f.base

	b.signIn(base, "alma@alpha.example")
	var button string
	b.eval(`(document.querySelector('a.button[href^="/open/"]')||{}).textContent + " " + (document.querySelector('a.button[href^="/open/"]')||{getAttribute(){return ""}}).getAttribute("href")`, &button)
	if button != "View in browser /open/"+goodP+"/"+openParty {
		t.Fatalf("the bundle list has no View in browser button for %s: %q", goodP, button)
	}
	mark := len(f.requests())
	b.run("the View in browser button", chromedp.Click(`a.button[href="/open/`+goodP+`/`+openParty+`"]`), chromedp.WaitReady(`#opener[data-ready]`))
	// the opener's scripts are pinned by Subresource Integrity
	var sri []string
	b.eval(`Array.from(document.scripts).map(s => s.getAttribute("src") + " " + s.integrity)`, &sri)
	if len(sri) != 2 || !strings.HasPrefix(sri[0], "/opener/vendor.js sha384-") || !strings.HasPrefix(sri[1], "/opener/opener.js sha384-") {
		t.Errorf("opener scripts %q, want vendor.js and opener.js with sha384 integrity", sri)
	}

	start := time.Now()
	b.run("choosing the identity file", chromedp.SetUploadFiles(`#identity`, []string{f.idFile(openParty)}))
	b.waitFor("the site shown", `!document.getElementById("viewer").hidden && !!document.getElementById("site")`, 60*time.Second)
	// the identity file is not kept by the page
	var kept int
	b.eval(`document.getElementById("identity").files.length`, &kept)
	if kept != 0 {
		t.Errorf("the file input still holds %d file(s) after opening", kept)
	}
	b.waitFor("the home page in the frame", `(() => { const d = document.getElementById("site").contentDocument;
		return !!d && d.readyState === "complete" && !!d.querySelector("h1") && d.location.pathname.endsWith("/index.html") })()`, 30*time.Second)
	var openedMs int
	b.eval(`Number(document.getElementById("opener").dataset.openedMs)`, &openedMs)
	t.Logf("%s/%s (%d bytes) opened in %d ms (page), %s (test)", goodP, openParty, fileSize(t, f.bundlePath(goodP)), openedMs, time.Since(start).Round(time.Millisecond))

	var home struct {
		Title, H1, Scope, Links string
		Reports                 int
	}
	b.eval(`(() => { const d = document.getElementById("site").contentDocument;
		const a = d.querySelector('a[href$="srv-4.1.1.html"]');
		return {Title: d.title, H1: d.querySelector("h1").textContent, Scope: d.location.pathname,
			Links: a ? a.getAttribute("href") : "", Reports: d.querySelectorAll('a[href$=".html"]').length} })()`, &home)
	if !strings.Contains(home.Title, "Alpha Energy") || home.Links == "" || !regexp.MustCompile(`^/view/`+goodP+`/`+openParty+`/[0-9a-f]{32}/index\.html$`).MatchString(home.Scope) {
		t.Fatalf("home page in the frame: %+v", home)
	}
	// a report page, by its link, with its charts drawn
	b.do("following a report link", `document.getElementById("site").contentDocument.querySelector('a[href$="srv-4.1.1.html"]').click()`)
	b.waitFor("the report page's charts", `(() => { const d = document.getElementById("site").contentDocument;
		return !!d && d.location.pathname.endsWith("srv-4.1.1.html") && d.readyState === "complete" &&
			d.querySelectorAll(".chart").length > 0 && d.querySelectorAll(".chart canvas, .chart svg").length >= d.querySelectorAll(".chart").length })()`, 30*time.Second)
	var report struct {
		H1           string
		Charts, Rows int
		Drawn        bool
	}
	b.eval(`(() => { const d = document.getElementById("site").contentDocument;
		const c = d.querySelector(".chart canvas");
		let drawn = false;
		if (c) { const px = c.getContext("2d").getImageData(0, 0, c.width, c.height).data; for (let i = 3; i < px.length; i += 4) { if (px[i] !== 0) { drawn = true; break; } } }
		return {H1: d.querySelector("h1").textContent, Charts: d.querySelectorAll(".chart").length,
			Rows: d.querySelectorAll("table.data tbody tr").length, Drawn: drawn || !!d.querySelector(".chart svg path")} })()`, &report)
	if report.Charts == 0 || report.Rows == 0 || !report.Drawn {
		t.Errorf("report page: %+v", report)
	}
	t.Logf("report page %q: %d charts, %d table rows", report.H1, report.Charts, report.Rows)

	// a CSV behind a chart downloads exactly as in the bundle, from memory
	b.do("downloading a CSV from the site", `document.getElementById("site").contentDocument.querySelector('a.button[download][href$="league.csv"]').click()`)
	csv := waitDownload(t, b.downloads, "league.csv", f.site["data/IS/srv-4.1.1/league.csv"])
	if csv == nil {
		t.Errorf("the site's league.csv did not download")
	}

	// the optional copy on disk is the signed zip
	b.do("saving the decrypted zip", `document.querySelector(".viewer-save").open = true; document.getElementById("save").click()`)
	zipWant := signedZipSHA(t, f.bundlePath(goodP)+".minisig")
	if got := waitDownload(t, b.downloads, openParty+"-"+goodP+".zip", nil); got == nil || sum(got) != zipWant {
		t.Errorf("the saved zip is not the one the DCC signed (want sha256 %s)", zipWant)
	}

	for _, p := range b.takeProblems() {
		t.Errorf("browser: %s", p)
	}
	// what crossed the wire: the opener's files, the bundle, its signature
	// (and the browser's own tab icon, which the host answers empty)
	allowed := map[string]bool{"/open/" + goodP + "/" + openParty: true, "/assets/host.css": true, "/favicon.ico": true, "/opener/opener.css": true,
		"/opener/vendor.js": true, "/opener/opener.js": true, "/opener/sw.js": true,
		"/files/" + goodP + "/" + openParty + ".zip.age": true, "/files/" + goodP + "/" + openParty + ".zip.age.minisig": true}
	seen := map[string]int{}
	for _, r := range f.requests()[mark:] {
		seen[r.path]++
		if !allowed[r.path] {
			t.Errorf("the server saw %s %s (%d) while the site was open", r.method, r.path, r.status)
		}
	}
	if seen["/files/"+goodP+"/"+openParty+".zip.age"] != 1 || seen["/files/"+goodP+"/"+openParty+".zip.age.minisig"] != 1 || seen["/opener/sw.js"] == 0 {
		t.Errorf("requests while opening: %v, want the bundle and its signature once each and the service worker", seen)
	}
	t.Logf("requests the server saw from the opener: %v", seen)

	// Close: the plaintext goes, the worker goes, the addresses stop resolving
	var viewURL string
	b.eval(`document.getElementById("site").contentWindow.location.href`, &viewURL)
	b.run("Close", chromedp.Click(`#close`))
	b.waitFor("closed", `document.getElementById("opener").dataset.closed === "yes" && !document.getElementById("site")`, 10*time.Second)
	var workers int
	b.eval(`navigator.serviceWorker.getRegistrations().then(rs => rs.length)`, &workers)
	if workers != 0 {
		t.Errorf("after Close, %d service worker registrations remain", workers)
	}
	mark = len(f.requests())
	var after struct {
		Status int
		Body   string
	}
	b.run("loading the view after Close", chromedp.Navigate(viewURL))
	b.eval(`({Status: performance.getEntriesByType("navigation")[0].responseStatus, Body: document.body.innerText})`, &after)
	if after.Status != 404 || strings.Contains(after.Body, "Alpha") {
		t.Errorf("after Close %s answered %d %q, want the host's 404", viewURL, after.Status, after.Body)
	}
	var reached bool
	for _, r := range f.requests()[mark:] {
		if strings.HasPrefix(r.path, "/view/") && r.status == 404 {
			reached = true
		}
	}
	if !reached {
		t.Errorf("after Close the view's address did not reach the host's 404")
	}
	b.takeProblems() // the 404 itself is logged as a failed load

	// a bundle sealed to a post-quantum hybrid recipient (SUPB's key)
	b2 := newBrowser(t, 2*time.Minute)
	b2.signIn(base, "bea@bravo.example")
	b2.open(base, goodP, pqParty, f.idFile(pqParty))
	b2.waitFor("SUPB's site shown", `!document.getElementById("viewer").hidden && !!document.getElementById("site")`, 60*time.Second)
	b2.waitFor("SUPB's home page", `(() => { const d = document.getElementById("site").contentDocument; return !!d && d.readyState === "complete" && d.title.includes("Bravo Power") })()`, 30*time.Second)
	for _, p := range b2.takeProblems() {
		t.Errorf("browser (SUPB): %s", p)
	}
	// signing out drops the view too
	var pqView string
	b2.eval(`document.getElementById("site").contentWindow.location.href`, &pqView)
	b2.run("signing out", chromedp.Click(`form[action="/signout"] button`), chromedp.WaitVisible(`#email`))
	b2.run("loading the view after signing out", chromedp.Navigate(pqView))
	b2.eval(`({Status: performance.getEntriesByType("navigation")[0].responseStatus, Body: document.body.innerText})`, &after)
	if after.Status != 404 || strings.Contains(after.Body, "Bravo") {
		t.Errorf("after signing out %s answered %d %q, want a 404", pqView, after.Status, after.Body)
	}
	b2.takeProblems()

	// a session that ended is not mistaken for an unsigned bundle
	b3 := newBrowser(t, time.Minute)
	b3.signIn(base, "bea@bravo.example")
	b3.run("the opener", chromedp.Navigate(base+"open/"+goodP+"/"+pqParty), chromedp.WaitReady(`#opener[data-ready]`))
	f.mustCarport("users", "disable", "bea@bravo.example") // refused from the next request on
	b3.run("choosing the identity file", chromedp.SetUploadFiles(`#identity`, []string{f.idFile(pqParty)}))
	b3.refused("a session that ended", sayFetchFailed)
	b3.takeProblems()
}

// TestOpenerRefusals: each bundle carport open refuses is refused in the
// browser too, with its sentence and nothing shown: a wrong identity, a
// tampered, unsigned or foreign-signed bundle, a bundle whose manifest is
// for another period than its signature, and zips that are unsafe (a path
// out of the site, duplicate or case-clashing names, a file not in the
// manifest, a file that is not the one the manifest lists, a zip bomb).
func TestOpenerRefusals(t *testing.T) {
	f := newOpenerFixture(t)
	// tampered: one byte of the ciphertext changed after signing
	f.sealSite("2026-09", "2026-09", nil, nil)
	ct, err := os.ReadFile(f.bundlePath("2026-09"))
	check(t, err)
	ct[len(ct)-100] ^= 1
	check(t, os.WriteFile(f.bundlePath("2026-09"), ct, 0o644))
	// unsigned: no signature beside it
	f.sealSite("2026-08", "2026-08", nil, nil)
	check(t, os.Remove(f.bundlePath("2026-08")+".minisig"))
	// the manifest says 2026-06, the outer signature 2026-07
	s := f.sealSite("2026-07", "2026-06", nil, nil)
	f.signBundle("2026-07", "carport-bundle period:2026-07 party:"+openParty+" zip_sha256:"+s.ZipSHA256)
	// signed by another key
	pub2, sec2, err := bundle.GenerateSigningKey()
	check(t, err)
	k2, err := bundle.ParsePublicKey(pub2)
	check(t, err)
	other, err := bundle.ParseSigner(sec2, k2)
	check(t, err)
	f.sealSite("2026-06", "2026-06", nil, other)

	index := f.site["index.html"]
	f.craft("2026-05", []zipEntry{{"index.html", index}, {"../evil.html", []byte("<p>out of the site</p>")}}, nil)
	f.craft("2026-04", []zipEntry{{"index.html", index}, {"index.html", []byte("<p>the second index</p>")}}, nil)
	f.craft("2026-03", []zipEntry{{"Index.html", index}, {"index.html", index}}, nil)
	f.craft("2026-02", []zipEntry{{"index.html", index}, {"extra.html", []byte("<p>not listed</p>")}},
		[]bundle.FileEntry{{Path: "index.html", Size: int64(len(index)), SHA256: sum(index)}})
	f.craft("2026-01", []zipEntry{{"index.html", []byte("<p>not the listed one</p>")}},
		[]bundle.FileEntry{{Path: "index.html", Size: int64(len("<p>not the listed one</p>")), SHA256: sum(index)}})
	f.craft("2025-12", []zipEntry{{"index.html", index}, {"zeros.bin", make([]byte, 64<<20)}}, nil)
	// a sound hand-made bundle (the whole site) opens: the cases above
	// differ from it only by their flaw
	var whole []zipEntry
	for p, body := range f.site {
		whole = append(whole, zipEntry{p, body})
	}
	sort.Slice(whole, func(i, j int) bool { return whole[i].name < whole[j].name })
	f.craft("2025-11", whole, nil)
	f.serve()

	b := newBrowser(t, 4*time.Minute)
	b.signIn(f.base, "alma@alpha.example")
	notID := filepath.Join(f.dir, "notes.txt")
	check(t, os.WriteFile(notID, []byte("just some notes\n"), 0o644))
	b.open(f.base, goodP, openParty, notID)
	b.refused("not an identity file", sayNoIdentity)
	b.open(f.base, goodP, openParty, f.idFile(pqParty))
	b.refused("another party's identity", sayWrongIdentity)

	for _, c := range []struct{ period, what, want string }{
		{"2026-09", "a tampered bundle", sayTampered},
		{"2026-08", "an unsigned bundle", sayUnsigned},
		{"2026-07", "a manifest for another period", "This bundle is signed for party SUPA, period 2026-07, but its manifest says party SUPA, period 2026-06, so it is refused and nothing is shown."},
		{"2026-06", "a bundle signed by another key", sayOtherKey},
		{"2026-05", "a path out of the site", sayUnsafe},
		{"2026-04", "a duplicate name", sayUnsafe},
		{"2026-03", "names equal but for case", sayUnsafe},
		{"2026-02", "a file not in the manifest", sayUnsafe},
		{"2026-01", "a file that is not the listed one", sayTampered},
		{"2025-12", "a zip bomb", sayTooLarge},
	} {
		b.open(f.base, c.period, openParty, f.idFile(openParty))
		b.refused(c.what, c.want)
		for _, p := range b.takeProblems() {
			// the browser logs the host's 404 for the missing signature
			if c.period == "2026-08" && strings.Contains(p, "404") && strings.HasSuffix(p, "/files/2026-08/SUPA.zip.age.minisig") {
				continue
			}
			t.Errorf("browser (%s): %s", c.what, p)
		}
	}
	b.open(f.base, "2025-11", openParty, f.idFile(openParty))
	b.waitFor("a sound hand-made bundle", `(() => { const f = document.getElementById("site"); const d = f && f.contentDocument;
		return !document.getElementById("viewer").hidden && !!d && d.readyState === "complete" && !!d.querySelector("h1") })()`, 30*time.Second)
	for _, p := range b.takeProblems() {
		t.Errorf("browser: %s", p)
	}
	// nothing in any refusal reached the host from a view
	for _, r := range f.requests() {
		if strings.HasPrefix(r.path, "/view/") {
			t.Errorf("the server saw %s %s", r.method, r.path)
		}
	}
}

// TestOpenerLargeBundle opens a bundle of about OPENER_BENCH_MB (default
// 50) megabytes of ciphertext, most of it one incompressible file like an
// estate's devices.csv.gz, and reports the time from choosing the identity
// file to the site shown. With CARPORT_OPENER_BUDGET=1 (make bench-opener,
// on a quiet machine) it fails above 5 s; otherwise only above 60 s, as
// other work on a shared machine slows it.
func TestOpenerLargeBundle(t *testing.T) {
	mbs := 50
	if v := os.Getenv("OPENER_BENCH_MB"); v != "" {
		n, err := strconv.Atoi(v)
		check(t, err)
		mbs = n
	}
	f := newOpenerFixture(t)
	big := make([]byte, mbs*1000*1000)
	rand.Read(big)
	f.sealSite("2026-04", "2026-04", map[string][]byte{"data/IS/inventory/devices.csv.gz": big}, nil)
	f.serve()
	size := fileSize(t, f.bundlePath("2026-04"))

	b := newBrowser(t, 3*time.Minute)
	b.signIn(f.base, "alma@alpha.example")
	b.run("the opener", chromedp.Navigate(f.base+"open/2026-04/"+openParty), chromedp.WaitReady(`#opener[data-ready]`))
	start := time.Now()
	b.run("choosing the identity file", chromedp.SetUploadFiles(`#identity`, []string{f.idFile(openParty)}))
	b.waitFor("the large site shown", `(() => { const f = document.getElementById("site"); const d = f && f.contentDocument;
		return !!d && d.readyState === "complete" && !!d.querySelector("h1") })()`, 2*time.Minute)
	wall := time.Since(start)
	var openedMs int
	var stages string
	b.eval(`Number(document.getElementById("opener").dataset.openedMs)`, &openedMs)
	b.eval(`document.getElementById("opener").dataset.timings`, &stages)
	t.Logf("a %.1f MB bundle opened in %d ms (page: identity chosen to site verified and framed; stages in ms %s), %s (test: to the home page rendered)",
		float64(size)/1e6, openedMs, stages, wall.Round(time.Millisecond))
	fmt.Printf("opener: %.1f MB bundle opened in %.2f s (home page rendered %.2f s; stages in ms %s)\n", float64(size)/1e6, float64(openedMs)/1000, wall.Seconds(), stages)
	budget := 60 * time.Second
	if os.Getenv("CARPORT_OPENER_BUDGET") == "1" {
		budget = 5 * time.Second
	}
	if wall > budget {
		t.Errorf("opening a %.1f MB bundle took %s, more than %s", float64(size)/1e6, wall.Round(time.Millisecond), budget)
	}
	for _, p := range b.takeProblems() {
		t.Errorf("browser: %s", p)
	}
}

func fileSize(t *testing.T, p string) int64 {
	fi, err := os.Stat(p)
	check(t, err)
	return fi.Size()
}

// TestOpenerDemoBundle times the opening of the largest bundle of a demo
// month (make demo; make bench-opener runs this with
// CARPORT_OPENER_DEMO=demo), served by carport serve from the demo's OUT.
func TestOpenerDemoBundle(t *testing.T) {
	demo := os.Getenv("CARPORT_OPENER_DEMO")
	if demo == "" {
		t.Skip("a measurement: set CARPORT_OPENER_DEMO to a make demo folder (make bench-opener does) to time its largest bundle")
	}
	if !filepath.IsAbs(demo) {
		demo = repoPath(t, demo)
	}
	period := os.Getenv("CARPORT_OPENER_PERIOD")
	if period == "" {
		period = goodP
	}
	out := filepath.Join(demo, "out")
	bundles, err := filepath.Glob(filepath.Join(out, period, "*.zip.age"))
	check(t, err)
	if len(bundles) == 0 {
		t.Fatalf("no bundle in %s", filepath.Join(out, period))
	}
	sort.Slice(bundles, func(i, j int) bool { return fileSize(t, bundles[i]) > fileSize(t, bundles[j]) })
	party := strings.TrimSuffix(filepath.Base(bundles[0]), ".zip.age")
	dir := t.TempDir()
	s := &served{t: t, dir: dir, out: out, db: filepath.Join(dir, "host.db"), logf: filepath.Join(dir, "serve.log"),
		outbox: filepath.Join(dir, "outbox"), files: map[string][]byte{},
		extra: []string{"--pub", filepath.Join(demo, "extracts", "keys", "dcc-signing.pub")}}
	s.start()
	s.user("Demo user", "demo@party.example", party)
	s.mustCarport("release", "--root", out, "--period", period, "--party", party, "--outbox", s.outbox)

	b := newBrowser(t, 3*time.Minute)
	b.signIn(s.base, "demo@party.example")
	b.run("the opener", chromedp.Navigate(s.base+"open/"+period+"/"+party), chromedp.WaitReady(`#opener[data-ready]`))
	start := time.Now()
	b.run("choosing the identity file", chromedp.SetUploadFiles(`#identity`, []string{filepath.Join(demo, "extracts", "identities", party+".key")}))
	b.waitFor("the demo site shown", `(() => { const f = document.getElementById("site"); const d = f && f.contentDocument;
		return !!d && d.readyState === "complete" && !!d.querySelector("h1") })()`, 2*time.Minute)
	wall := time.Since(start)
	var openedMs int
	var stages, summary string
	b.eval(`Number(document.getElementById("opener").dataset.openedMs)`, &openedMs)
	b.eval(`document.getElementById("opener").dataset.timings`, &stages)
	b.eval(`document.getElementById("summary").textContent`, &summary)
	fmt.Printf("opener: the demo's largest bundle, %s %s (%.1f MB; %s) opened in %.2f s (home page rendered %.2f s; stages in ms %s)\n",
		party, period, float64(fileSize(t, bundles[0]))/1e6, summary, float64(openedMs)/1000, wall.Seconds(), stages)
	for _, p := range b.takeProblems() {
		t.Errorf("browser: %s", p)
	}
}

// signedZipSHA reads zip_sha256 from a bundle signature's trusted comment.
func signedZipSHA(t *testing.T, sigFile string) string {
	b, err := os.ReadFile(sigFile)
	check(t, err)
	m := regexp.MustCompile(`zip_sha256:([0-9a-f]{64})`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("%s: no zip_sha256 in the trusted comment", sigFile)
	}
	return string(m[1])
}

// waitDownload waits for a file named name in dir (with want's length when
// want is given) and returns it.
func waitDownload(t *testing.T, dir, name string, want []byte) []byte {
	t.Helper()
	p := filepath.Join(dir, name)
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if want != nil && !bytes.Equal(b, want) {
			continue
		}
		if _, err := os.Stat(p + ".crdownload"); err == nil {
			continue
		}
		return b
	}
	entries, _ := os.ReadDir(dir)
	t.Logf("downloads: %v", entries)
	return nil
}
