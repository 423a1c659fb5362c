package host

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dcc/carport/internal/hostdb"
)

// comparable404 is a 404's status, headers (but Date) and body.
func comparable404(r resp) string {
	var keys []string
	for k := range r.header {
		if k != "Date" {
			keys = append(keys, k+": "+strings.Join(r.header[k], ","))
		}
	}
	slices.Sort(keys)
	return strings.Join(keys, "\n") + "\n\n" + string(r.body)
}

// TestEvery404IsTheSame: another party's bundle, an unreleased period, a
// missing file, DCC-only files, escapes and unknown paths, signed in or
// not, all get the same status, headers and body.
func TestEvery404IsTheSame(t *testing.T) {
	h := newTestHost(t)
	h.user("Nora North", "nora@example.com", partyA)
	h.release(released)
	a := h.signedIn("nora@example.com")
	anon := h.client("")
	if r := h.do(a, "GET", "/files/"+released+"/"+partyA+".zip.age", nil); r.status != 200 || !bytes.Equal(r.body, h.files[released+"/"+partyA+".zip.age"]) {
		t.Fatalf("own released bundle: %d, %d bytes", r.status, len(r.body))
	}
	var want string
	for _, c := range []struct {
		who  *http.Client
		path string
	}{
		{a, "/files/" + released + "/" + partyB + ".zip.age"},         // another party's
		{a, "/files/" + released + "/" + partyB + ".zip.age.minisig"}, // another party's signature
		{a, "/files/" + unrel + "/" + partyA + ".zip.age"},            // unreleased
		{a, "/files/2026-11/" + partyA + ".zip.age"},                  // missing period
		{a, "/files/" + released + "/GHOST.zip.age"},                  // missing party
		{a, "/files/" + released + "/manifest.json"},                  // DCC only
		{a, "/" + released + ".run.json"},                             // DCC only
		{a, "/files/" + released + ".run.json/x"},                     // DCC only
		{a, "/admin"},                   // admin area
		{a, "/admin/users/1"},           // admin area
		{a, "/files/" + released + "/"}, // listing
		{a, "/files/"},                  // listing
		{a, "/nothing-here"},
		{anon, "/files/" + released + "/" + partyA + ".zip.age"}, // signed out
		{anon, "/api/v1/bundles"},
		{anon, "/nothing-here"},
	} {
		r := h.do(c.who, "GET", c.path, nil)
		if r.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", c.path, r.status)
			continue
		}
		got := comparable404(r)
		if want == "" {
			want = got
		} else if got != want {
			t.Errorf("GET %s: the 404 differs:\n%s\nwant:\n%s", c.path, got, want)
		}
	}
	for _, p := range []string{"/files/" + released + "/../" + released + "/" + partyA + ".zip.age", "/files/%2e%2e/secret.txt", "/files//etc/passwd"} {
		if got := comparable404(h.rawGet(a, p)); got != want {
			t.Errorf("GET %s: the 404 differs:\n%s", p, got)
		}
	}
}

// TestPathsRefused: dot segments, encoded dots and slashes, absolute paths
// and symlinks leaving OUT never reach a file, even for a released period.
func TestPathsRefused(t *testing.T) {
	h := newTestHost(t)
	h.user("Nora North", "nora@example.com", partyA)
	h.user("Eve Escape", "eve@example.com", "ESCP")
	h.release(released)
	// 2026-08 is a symlink out of OUT; release it behind the reader's back
	if _, err := h.db.Release(context.Background(), hostdb.CLI, "2026-08", []string{partyA}); err != nil {
		t.Fatal(err)
	}
	if ok, _ := h.db.IsReleased(context.Background(), released, "ESCP"); ok {
		t.Fatal("a bundle symlinked out of OUT was released")
	}
	if _, err := h.db.Release(context.Background(), hostdb.CLI, released, []string{"ESCP"}); err != nil {
		t.Fatal(err)
	}
	a, e := h.signedIn("nora@example.com"), h.signedIn("eve@example.com")
	for _, c := range []struct {
		who  *http.Client
		path string
	}{
		{a, "/files/" + released + "/../" + released + "/" + partyA + ".zip.age"},
		{a, "/files/" + released + "/%2e%2e/" + released + "/" + partyA + ".zip.age"},
		{a, "/files/%2e%2e/secret.txt"},
		{a, "/files/" + released + "%2f" + partyA + ".zip.age"},
		{a, "/files/" + released + "%2F" + partyA + ".zip.age"},
		{a, "/files//" + released + "/" + partyA + ".zip.age"},
		{a, "/files/" + released + "//" + partyA + ".zip.age"},
		{a, "/files/" + released + "/./" + partyA + ".zip.age"},
		{a, "//etc/passwd"},
		{a, "/files//etc/passwd"},
		{a, "/files/" + released + "/" + partyA + ".zip.age/"},
		{a, "/files/" + released + "/" + partyA + "%2ezip%2eage"},
		{a, "/files/" + released + "\\" + partyA + ".zip.age"},
		{a, "/files/2026-08/" + partyA + ".zip.age"}, // released period symlinked out of OUT
		{e, "/files/" + released + "/ESCP.zip.age"},  // released bundle symlinked out of OUT
	} {
		r := h.rawGet(c.who, c.path)
		if r.status != http.StatusNotFound || bytes.Contains(r.body, []byte(secret)) {
			t.Errorf("GET %s: %d %q, want the 404", c.path, r.status, r.body)
		}
	}
	// the same client does get its bundle by its plain path
	if r := h.rawGet(a, "/files/"+released+"/"+partyA+".zip.age"); r.status != 200 {
		t.Errorf("plain path: %d", r.status)
	}
}

func TestHeadersCookiesAndRanges(t *testing.T) {
	h := newTestHost(t)
	h.user("Nora North", "nora@example.com", partyA)
	h.release(released)
	c := h.client("")
	r := h.signIn(c, "nora@example.com", password)
	if r.status != http.StatusSeeOther {
		t.Fatalf("sign in: %d", r.status)
	}
	cookie := strings.Join(r.header.Values("Set-Cookie"), "\n")
	for _, want := range []string{"carport_session=s", "HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("session cookie %q lacks %s", cookie, want)
		}
	}
	page := h.do(c, "GET", "/", nil)
	dl := h.do(c, "GET", "/files/"+released+"/"+partyA+".zip.age", nil)
	for name, x := range map[string]resp{"page": page, "download": dl} {
		for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
			"Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"} {
			if got := x.header.Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", name, k, got, v)
			}
		}
	}
	if csp := page.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("page CSP %q", csp)
	}
	if csp := dl.header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'none'") || !strings.Contains(csp, "sandbox") {
		t.Errorf("download CSP %q", csp)
	}
	if cd := dl.header.Get("Content-Disposition"); cd != "attachment; filename="+partyA+"-"+released+".zip.age" {
		t.Errorf("Content-Disposition %q", cd)
	}
	// the page shows size and sha256 of the bundle, and the commands to open it
	sum := sha256.Sum256(h.files[released+"/"+partyA+".zip.age"])
	for _, want := range []string{hex.EncodeToString(sum[:]), "300,000 bytes", "carport open " + partyA + "-" + released + ".zip.age -i " + partyA + ".key",
		"age -d -i " + partyA + ".key -o " + partyA + "-" + released + ".zip " + partyA + "-" + released + ".zip.age", ".zip.age.minisig"} {
		if !strings.Contains(string(page.body), want) {
			t.Errorf("the bundle page lacks %q", want)
		}
	}
	for _, not := range []string{partyB, unrel, "<script"} {
		if strings.Contains(string(page.body), not) {
			t.Errorf("the bundle page of %s mentions %q", partyA, not)
		}
	}
	// Range and If-None-Match
	body := h.files[released+"/"+partyA+".zip.age"]
	rg := h.do(c, "GET", "/files/"+released+"/"+partyA+".zip.age", nil, "Range", "bytes=1000-1999")
	if rg.status != http.StatusPartialContent || !bytes.Equal(rg.body, body[1000:2000]) {
		t.Errorf("range: %d, %d bytes", rg.status, len(rg.body))
	}
	etag := dl.header.Get("ETag")
	if nm := h.do(c, "GET", "/files/"+released+"/"+partyA+".zip.age", nil, "If-None-Match", etag); etag == "" || nm.status != http.StatusNotModified {
		t.Errorf("If-None-Match %q: %d", etag, nm.status)
	}
	// a downloaded range counted once, the first request of a download only
	events, _ := h.db.Events(context.Background(), hostdb.EventFilter{Action: "download"})
	if len(events) != 2 { // the full GET and the If-None-Match one; not the range
		t.Errorf("%d download events, want 2", len(events))
	}
	// sign out ends the session on the server, not only in the browser
	old := c.Jar.Cookies(mustURL(t, h.base))
	h.do(c, "POST", "/signout", url.Values{})
	replay := h.client("")
	replay.Jar.SetCookies(mustURL(t, h.base), old)
	if r := h.do(replay, "GET", "/files/"+released+"/"+partyA+".zip.age", nil); r.status != http.StatusNotFound {
		t.Errorf("a signed-out session still downloads: %d", r.status)
	}
}

func TestAPITokens(t *testing.T) {
	h := newTestHost(t)
	u := h.user("Nora North", "nora@example.com", partyA)
	h.release(released)
	ctx := context.Background()
	tok, info, err := h.db.NewToken(ctx, hostdb.CLI, u.ID, "ci", time.Hour)
	must(t, err)
	c := h.client("")
	r := h.do(c, "GET", "/api/v1/bundles", nil, "Authorization", "Bearer "+tok)
	var list struct {
		Bundles []struct{ Period, Party, URL, SHA256 string }
	}
	if r.status != 200 || json.Unmarshal(r.body, &list) != nil || len(list.Bundles) != 1 || list.Bundles[0].Party != partyA {
		t.Fatalf("bundle list by token: %d %s", r.status, r.body)
	}
	sum := sha256.Sum256(h.files[released+"/"+partyA+".zip.age"])
	if list.Bundles[0].SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("listed sha256 %s", list.Bundles[0].SHA256)
	}
	if r := h.do(c, "GET", "/files/"+released+"/"+partyA+".zip.age", nil, "Authorization", "Bearer "+tok); r.status != 200 {
		t.Errorf("download by token: %d", r.status)
	}
	if r := h.do(c, "GET", "/files/"+released+"/"+partyB+".zip.age", nil, "Authorization", "Bearer "+tok); r.status != 404 {
		t.Errorf("another party's bundle by token: %d", r.status)
	}
	if r := h.do(c, "GET", "/", nil, "Authorization", "Bearer "+tok); r.status != http.StatusUnauthorized {
		t.Errorf("a token on a page: %d, want 401", r.status)
	}
	bad := tok[:len(tok)-2] + "xx"
	if r := h.do(c, "GET", "/api/v1/bundles", nil, "Authorization", "Bearer "+bad); r.status != http.StatusUnauthorized {
		t.Errorf("a wrong token: %d, want 401", r.status)
	}
	must(t, h.db.RevokeToken(ctx, hostdb.CLI, u.ID, info.ID))
	if r := h.do(c, "GET", "/api/v1/bundles", nil, "Authorization", "Bearer "+tok); r.status != http.StatusUnauthorized {
		t.Errorf("a revoked token: %d, want 401", r.status)
	}
}

// TestShutdownFinishesDownloads: a download running when the server is
// told to stop completes, whole; new connections are refused.
func TestShutdownFinishesDownloads(t *testing.T) {
	h := newTestHost(t)
	h.user("Nora North", "nora@example.com", partyA)
	big := h.put("2026-07/"+partyA+".zip.age", 24<<20)
	h.release("2026-07")
	c := h.signedIn("nora@example.com")
	req, _ := http.NewRequest("GET", h.base+"files/2026-07/"+partyA+".zip.age", nil)
	r, err := c.Do(req)
	must(t, err)
	defer r.Body.Close()
	first := make([]byte, 1<<20)
	if _, err := io.ReadFull(r.Body, first); err != nil {
		t.Fatal(err)
	}
	h.cancel() // what SIGTERM does in carport serve
	time.Sleep(300 * time.Millisecond)
	if _, err := http.Get(h.base + "signin"); err == nil {
		t.Error("a new request was accepted after shutdown began")
	}
	hash := sha256.New()
	hash.Write(first)
	// read the rest slowly enough that the shutdown must wait for it
	buf := make([]byte, 256<<10)
	for {
		n, err := r.Body.Read(buf)
		hash.Write(buf[:n])
		if err == io.EOF {
			break
		}
		must(t, err)
		time.Sleep(5 * time.Millisecond)
	}
	want := sha256.Sum256(big)
	if !bytes.Equal(hash.Sum(nil), want[:]) {
		t.Error("the download running at shutdown arrived incomplete or wrong")
	}
	select {
	case err := <-h.done:
		if err != nil {
			t.Errorf("Serve after shutdown: %v", err)
		}
		h.done <- nil // for the cleanup
	case <-time.After(10 * time.Second):
		t.Error("the server did not stop after the download finished")
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	h := newTestHost(t)
	h.user("Ada Admin", "ada@example.com", "")
	h.user("Sam South", "sam@example.com", partyB)
	c := h.signedIn("ada@example.com")
	for _, hdr := range [][]string{
		{"Sec-Fetch-Site", "cross-site"},
		{"Origin", "http://attacker.example"},
	} {
		r := h.do(c, "POST", "/admin/release", url.Values{"period": {released}}, hdr...)
		if r.status != http.StatusForbidden {
			t.Errorf("cross-origin POST with %s: %d, want 403", hdr[0], r.status)
		}
	}
	if rels, _ := h.db.Releases(context.Background(), ""); len(rels) != 0 {
		t.Fatalf("a cross-origin POST released %v", rels)
	}
	// the same POST from the host's own page works
	if r := h.do(c, "POST", "/admin/release", url.Values{"period": {released}}, "Sec-Fetch-Site", "same-origin"); r.status != http.StatusSeeOther {
		t.Errorf("same-origin release: %d %s", r.status, r.body)
	}
	if ok, _ := h.db.IsReleased(context.Background(), released, partyB); !ok {
		t.Error("the same-origin release did not release")
	}
	h.mailTo("sam@example.com", "is ready")
}

func TestAdminPages(t *testing.T) {
	h := newTestHost(t)
	h.user("Ada Admin", "ada@example.com", "")
	h.user("Nora North", "nora@example.com", partyA)
	c := h.signedIn("ada@example.com")
	if r := h.do(c, "GET", "/", nil); r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin" {
		t.Errorf("an admin's home: %d %s", r.status, r.header.Get("Location"))
	}
	p := h.do(c, "GET", "/admin", nil)
	for _, want := range []string{released, unrel, partyA, partyB, "not released", "/admin/runs/" + released + ".run.json"} {
		if !strings.Contains(string(p.body), want) {
			t.Errorf("the periods page lacks %q", want)
		}
	}
	if strings.Contains(string(p.body), "ESCP") || strings.Contains(string(p.body), "2026-08") {
		t.Error("the periods page lists files outside OUT")
	}
	if r := h.do(c, "GET", "/admin/runs/"+released+".run.json", nil); r.status != 200 || !bytes.Equal(r.body, h.files[released+".run.json"]) {
		t.Errorf("run report for the admin: %d", r.status)
	}
	// release one party from the page; its user is told
	r := h.do(c, "POST", "/admin/release", url.Values{"period": {released}, "party": {partyA}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("release: %d %s", r.status, r.body)
	}
	h.mailTo("nora@example.com", "is ready")
	if ok, _ := h.db.IsReleased(context.Background(), released, partyB); ok {
		t.Error("releasing one party released another")
	}
	if r := h.do(c, "POST", "/admin/release", url.Values{"period": {released}, "party": {"GHOST"}}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("releasing a party without a bundle: %d", r.status)
	}
	// users: list, disable, set party, delete
	users := h.do(c, "GET", "/admin/users", nil)
	if !strings.Contains(string(users.body), "nora@example.com") || !strings.Contains(string(users.body), "Nora North") {
		t.Error("the users page lacks a user's contact details")
	}
	nora, _ := h.db.UserByEmail(context.Background(), "nora@example.com")
	id := "/admin/users/" + strconv.FormatInt(nora.ID, 10)
	for _, step := range []struct {
		action string
		form   url.Values
		check  func(hostdb.User) bool
	}{
		{"disable", url.Values{}, func(u hostdb.User) bool { return u.Status == hostdb.StatusDisabled }},
		{"enable", url.Values{}, func(u hostdb.User) bool { return u.Status == hostdb.StatusActive }},
		{"set-party", url.Values{"party": {partyB}}, func(u hostdb.User) bool { return u.Party == partyB }},
		{"delete", url.Values{"confirm": {"yes"}}, func(u hostdb.User) bool { return u.Status == hostdb.StatusDeleted && u.Email == "" }},
	} {
		if r := h.do(c, "POST", id+"/"+step.action, step.form); r.status != http.StatusSeeOther {
			t.Fatalf("%s: %d %s", step.action, r.status, r.body)
		}
		u, _ := h.db.User(context.Background(), nora.ID)
		if !step.check(u) {
			t.Errorf("after %s: %+v", step.action, u)
		}
	}
	if entries, _ := os.ReadDir(h.outbox.Dir); len(entries) == 0 {
		t.Error("the outbox is empty: the admin's own mails went too?")
	} else {
		for _, e := range entries {
			b, _ := os.ReadFile(filepath.Join(h.outbox.Dir, e.Name()))
			if bytes.Contains(b, []byte("nora@example.com")) {
				t.Errorf("mail to the deleted user left in the outbox: %s", e.Name())
			}
		}
	}
	audit := h.do(c, "GET", "/admin/audit", nil)
	for _, want := range []string{"release", "disable", "delete_user", "set_party"} {
		if !strings.Contains(string(audit.body), want) {
			t.Errorf("the audit page lacks %q", want)
		}
	}
	if usage := h.do(c, "GET", "/admin/usage", nil); usage.status != 200 || !strings.Contains(string(usage.body), "Latest release not yet downloaded") {
		t.Errorf("usage page: %d", usage.status)
	}
}
