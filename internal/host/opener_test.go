package host

import (
	"bytes"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/dcc/carport/internal/opener"
)

// TestOpenerPage: the opener page is for a party user's own released
// bundle only (everything else is the one 404), carries its strict CSP,
// names the bundle, its signature and the DCC key, and loads exactly the
// opener's scripts, each pinned by Subresource Integrity.
func TestOpenerPage(t *testing.T) {
	h := newTestHost(t)
	h.user("Nora North", "nora@example.com", partyA)
	h.user("Ada Admin", "ada@dcc.example", "")
	h.release(released)
	a := h.signedIn("nora@example.com")
	r := h.do(a, "GET", "/open/"+released+"/"+partyA, nil)
	if r.status != 200 {
		t.Fatalf("own released bundle's opener: %d %s", r.status, r.body)
	}
	if got := r.header.Get("Content-Security-Policy"); got != openerPolicy.csp || !strings.Contains(got, "connect-src 'self'") ||
		strings.Contains(got, "unsafe") || !strings.Contains(got, "require-trusted-types-for 'script'") {
		t.Errorf("opener CSP %q", got)
	}
	if r.header.Get("Cache-Control") != "no-store" || r.header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("opener headers %v", r.header)
	}
	body := html.UnescapeString(string(r.body))
	for _, want := range []string{
		`data-period="` + released + `"`, `data-party="` + partyA + `"`,
		`data-bundle="/files/` + released + `/` + partyA + `.zip.age"`,
		`data-signature="/files/` + released + `/` + partyA + `.zip.age.minisig"`,
		`data-key="` + testSigningKey + `"`, "310F31531F9C2D4E", `type="file" id="identity"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("opener page lacks %s", want)
		}
	}
	scripts := regexp.MustCompile(`<script src="([^"]+)" integrity="([^"]+)"`).FindAllStringSubmatch(body, -1)
	var got []string
	for _, m := range scripts {
		got = append(got, m[1]+" "+m[2])
	}
	vendor, _ := opener.Lookup(opener.VendorScript)
	page, _ := opener.Lookup(opener.PageScript)
	want := []string{"/opener/vendor.js " + vendor.Integrity, "/opener/opener.js " + page.Integrity}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || strings.Count(body, "<script") != 2 {
		t.Errorf("opener scripts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	css, _ := opener.Lookup(opener.Stylesheet)
	if !strings.Contains(body, `href="/opener/opener.css" integrity="`+css.Integrity+`"`) {
		t.Error("the opener stylesheet is not pinned by integrity")
	}
	// the bundle list has the button
	if l := h.do(a, "GET", "/", nil); !strings.Contains(string(l.body), `href="/open/`+released+`/`+partyA+`">View in browser</a>`) {
		t.Error("the bundle list has no View in browser button")
	}

	// everything else is the one 404
	missing := comparable404(h.do(a, "GET", "/files/2026-11/"+partyA+".zip.age", nil))
	admin := h.signedIn("ada@dcc.example")
	for _, c := range []struct {
		who  *http.Client
		path string
	}{
		{a, "/open/" + released + "/" + partyB}, // another party's
		{a, "/open/" + unrel + "/" + partyA},    // unreleased
		{a, "/open/2026-11/" + partyA},          // missing
		{a, "/open/26-10/" + partyA},            // not a period
		{admin, "/open/" + released + "/" + partyA},
		{a, "/view/" + released + "/" + partyA + "/0123456789abcdef0123456789abcdef/index.html"},
		{a, "/view/"},
		{a, "/opener/nothing.js"},
		{a, "/opener/"},
	} {
		if got := comparable404(h.do(c.who, "GET", c.path, nil)); got != missing {
			t.Errorf("%s: not the one 404:\n%s", c.path, got)
		}
	}
	// signed out: to the sign-in form
	if r := h.do(h.client(""), "GET", "/open/"+released+"/"+partyA, nil); r.status != http.StatusSeeOther || r.header.Get("Location") != "/signin" {
		t.Errorf("signed out: %d %s", r.status, r.header.Get("Location"))
	}
}

// TestOpenerAssets: the opener's files are served as built into the
// binary, with their types, a validator, a CSP that gives the service
// worker no network at all, and the header that lets the worker control
// the view scope.
func TestOpenerAssets(t *testing.T) {
	h := newTestHost(t)
	c := h.client("")
	for _, f := range opener.Files() {
		r := h.do(c, "GET", "/opener/"+f.Name, nil)
		if r.status != 200 || !bytes.Equal(r.body, f.Body) || r.header.Get("Content-Type") != f.ContentType {
			t.Errorf("%s: %d %q, %d bytes", f.Name, r.status, r.header.Get("Content-Type"), len(r.body))
			continue
		}
		if r.header.Get("Content-Security-Policy") != "default-src 'none'; frame-ancestors 'none'" || r.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: headers %v", f.Name, r.header)
		}
		allowed := r.header.Get("Service-Worker-Allowed")
		if (f.Name == opener.ServiceWorker) != (allowed == "/view/") {
			t.Errorf("%s: Service-Worker-Allowed %q", f.Name, allowed)
		}
		if nm := h.do(c, "GET", "/opener/"+f.Name, nil, "If-None-Match", r.header.Get("ETag")); nm.status != http.StatusNotModified {
			t.Errorf("%s: If-None-Match gave %d", f.Name, nm.status)
		}
	}
}

// TestNoOpenerWithoutKey: a host given no signing key offers no opener.
func TestNoOpenerWithoutKey(t *testing.T) {
	if _, err := minisignKeyID("not a key"); err == nil {
		t.Error("a malformed key was accepted")
	}
	if id, err := minisignKeyID(testSigningKey); err != nil || id != "310F31531F9C2D4E" {
		t.Errorf("key id %q, %v", id, err)
	}
	h := newTestHostWith(t, func(o *Options) { o.SigningKey = "" })
	h.user("Nora North", "nora@example.com", partyA)
	h.release(released)
	a := h.signedIn("nora@example.com")
	if r := h.do(a, "GET", "/open/"+released+"/"+partyA, nil); r.status != 404 {
		t.Errorf("opener without a key: %d", r.status)
	}
	if l := h.do(a, "GET", "/", nil); strings.Contains(string(l.body), "View in browser") {
		t.Error("a View in browser button without an opener")
	}
}
