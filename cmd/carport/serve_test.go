package main

// Tests of the file host against a real `carport serve` process on a
// loopback port (this test binary, installed on $PATH as carport by
// testscript.Main), over a real SQLite file, a real OUT folder and the
// outbox. The admin commands run in this process on the same database
// file, as an operator's would next to the running server.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dcc/carport/internal/cli"
	"github.com/dcc/carport/internal/hostdb"
	"github.com/dcc/carport/internal/mail"
)

const (
	pA, pB   = "NORE", "SOUT"
	relP     = "2026-10"
	unrelP   = "2026-09"
	goodPass = "correct horse battery staple"
	outside  = "SECRET-OUTSIDE-THE-ROOT"
)

type served struct {
	t                  *testing.T
	dir, out, db, logf string
	outbox             string
	base               string
	cmd                *exec.Cmd
	exited             chan error
	files              map[string][]byte
	extra              []string // more arguments of carport serve
}

// startServe publishes bundles of parties A and B for the released
// period, A's for an unreleased one, a secret outside OUT with symlinks
// pointing at it, and starts carport serve on them.
func startServe(t *testing.T) *served {
	t.Helper()
	dir := t.TempDir()
	s := &served{t: t, dir: dir, out: filepath.Join(dir, "out"), db: filepath.Join(dir, "host.db"),
		logf: filepath.Join(dir, "serve.log"), outbox: filepath.Join(dir, "outbox"), files: map[string][]byte{}}
	s.put(relP+"/"+pA+".zip.age", 256<<10)
	s.put(relP+"/"+pB+".zip.age", 128<<10)
	s.put(unrelP+"/"+pA+".zip.age", 64<<10)
	s.put(relP+"/manifest.json", 64)
	s.put(relP+".run.json", 64)
	check(t, os.WriteFile(filepath.Join(dir, "secret.txt"), []byte(outside), 0o644))
	check(t, os.MkdirAll(filepath.Join(dir, "elsewhere"), 0o755))
	check(t, os.WriteFile(filepath.Join(dir, "elsewhere", pA+".zip.age"), []byte(outside), 0o644))
	check(t, os.Symlink(filepath.Join(dir, "elsewhere"), filepath.Join(s.out, "2026-08")))
	s.start()
	return s
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (s *served) put(rel string, n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	p := filepath.Join(s.out, filepath.FromSlash(rel))
	check(s.t, os.MkdirAll(filepath.Dir(p), 0o755))
	check(s.t, os.WriteFile(p, b, 0o644))
	s.files[rel] = b
	return b
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(t, err)
	defer ln.Close()
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
}

func (s *served) start() {
	t := s.t
	bin, err := exec.LookPath("carport")
	if err != nil {
		t.Fatalf("carport is not on PATH (testscript.Main installs it): %v", err)
	}
	addr := "127.0.0.1:" + freePort(t)
	logf, err := os.Create(s.logf)
	check(t, err)
	s.cmd = exec.Command(bin, append([]string{"serve", "--root", s.out, "--db", s.db, "--addr", addr, "--outbox", s.outbox}, s.extra...)...)
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	check(t, s.cmd.Start())
	s.exited = make(chan error, 1)
	go func() { s.exited <- s.cmd.Wait(); logf.Close() }()
	s.base = "http://" + addr + "/"
	t.Cleanup(func() { s.stop() })
	for end := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		select {
		case err := <-s.exited:
			s.exited <- err
			log, _ := os.ReadFile(s.logf)
			t.Fatalf("carport serve exited: %v\n%s", err, log)
		default:
		}
		if r, err := http.Get(s.base + "signin"); err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(end) {
			t.Fatal("carport serve did not answer within 30 s")
		}
	}
}

// stop sends SIGTERM and waits for the process.
func (s *served) stop() error {
	if s.cmd.ProcessState != nil {
		return nil
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.exited:
		s.exited <- err
		return err
	case <-time.After(60 * time.Second):
		s.cmd.Process.Kill()
		s.t.Error("carport serve did not stop on SIGTERM")
		return nil
	}
}

// carport runs a carport command in this process on the served database.
func (s *served) carport(args ...string) (string, string, int) {
	var out, errb bytes.Buffer
	code := cli.Run(append(args, "--db", s.db), nil, &out, &errb)
	return out.String(), errb.String(), code
}

func (s *served) mustCarport(args ...string) string {
	s.t.Helper()
	out, errs, code := s.carport(args...)
	if code != 0 {
		s.t.Fatalf("carport %s: exit %d\n%s", strings.Join(args, " "), code, errs)
	}
	return out
}

// user adds an active user through the CLI and sets their password through
// the mailed link, over HTTP.
func (s *served) user(name, email, party string) {
	s.t.Helper()
	args := []string{"users", "add", "--name", name, "--email", email, "--outbox", s.outbox, "--print-link"}
	if party == "" {
		args = append(args, "--admin")
	} else {
		args = append(args, "--party", party)
	}
	link := strings.TrimSpace(s.mustCarport(args...))
	s.setPassword(s.client(""), link, goodPass)
}

func (s *served) setPassword(c *http.Client, link, pw string) {
	s.t.Helper()
	if r := s.get(c, link); r.status != 200 || !strings.Contains(string(r.body), "New password") {
		s.t.Fatalf("set-password page %s: %d", link, r.status)
	}
	r := s.post(c, link, url.Values{"password": {pw}, "confirm": {pw}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/signin?done=password" {
		s.t.Fatalf("setting the password: %d %s", r.status, r.body)
	}
}

func (s *served) client(local string) *http.Client {
	jar, _ := cookiejar.New(nil)
	d := &net.Dialer{Timeout: 5 * time.Second}
	if local != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(local)}
	}
	return &http.Client{Jar: jar, Timeout: 60 * time.Second, Transport: &http.Transport{DialContext: d.DialContext},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func (s *served) do(c *http.Client, method, target string, form url.Values, hdr ...string) reply {
	s.t.Helper()
	if !strings.HasPrefix(target, "http") {
		target = s.base + strings.TrimPrefix(target, "/")
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	check(s.t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	r, err := c.Do(req)
	check(s.t, err)
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	check(s.t, err)
	return reply{r.StatusCode, r.Header, b}
}

func (s *served) get(c *http.Client, target string, hdr ...string) reply {
	s.t.Helper()
	return s.do(c, "GET", target, nil, hdr...)
}

func (s *served) post(c *http.Client, target string, form url.Values, hdr ...string) reply {
	s.t.Helper()
	return s.do(c, "POST", target, form, hdr...)
}

// raw sends a request line exactly as given.
func (s *served) raw(c *http.Client, path string) reply {
	s.t.Helper()
	u, _ := url.Parse(s.base)
	req := &http.Request{Method: "GET", URL: &url.URL{Scheme: "http", Host: u.Host, Opaque: path}, Header: http.Header{}, Host: u.Host}
	for _, ck := range c.Jar.Cookies(u) {
		req.AddCookie(ck)
	}
	r, err := c.Transport.RoundTrip(req)
	check(s.t, err)
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return reply{r.StatusCode, r.Header, b}
}

func (s *served) signIn(c *http.Client, email, pw string) reply {
	s.t.Helper()
	return s.post(c, "/signin", url.Values{"email": {email}, "password": {pw}})
}

func (s *served) signedIn(email string) *http.Client {
	s.t.Helper()
	c := s.client("")
	if r := s.signIn(c, email, goodPass); r.status != http.StatusSeeOther {
		s.t.Fatalf("signing in %s: %d\n%s", email, r.status, r.body)
	}
	return c
}

var mailLink = regexp.MustCompile(`http://\S+/password/\S+`)

// mail waits for the newest message to addr whose subject holds subject.
func (s *served) mail(addr, subject string) mail.Message {
	s.t.Helper()
	for end := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		entries, _ := os.ReadDir(s.outbox)
		for i := len(entries) - 1; i >= 0; i-- {
			m, err := mail.ReadFile(filepath.Join(s.outbox, entries[i].Name()))
			if err == nil && strings.EqualFold(m.To, addr) && strings.Contains(m.Subject, subject) {
				return m
			}
		}
		if time.Now().After(end) {
			s.t.Fatalf("no mail to %s about %q in the outbox", addr, subject)
		}
	}
}

func (s *served) mailsTo(addr string) int {
	n := 0
	entries, _ := os.ReadDir(s.outbox)
	for _, e := range entries {
		if m, err := mail.ReadFile(filepath.Join(s.outbox, e.Name())); err == nil && strings.EqualFold(m.To, addr) {
			n++
		}
	}
	return n
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func notFoundShape(r reply) string {
	var ks []string
	for k, v := range r.header {
		if k != "Date" {
			ks = append(ks, k+"="+strings.Join(v, ","))
		}
	}
	slices.Sort(ks)
	return fmt.Sprint(r.status, ks, string(r.body))
}

// TestServeIsolatesParties: party A's user gets A's released bundle and
// cannot fetch or learn of B's bundle or A's unreleased period: every such
// request gets the 404 of a path that never existed.
func TestServeIsolatesParties(t *testing.T) {
	s := startServe(t)
	s.user("Nora North", "nora@example.com", pA)
	s.user("Sam South", "sam@example.com", pB)
	s.mustCarport("release", "--root", s.out, "--period", relP, "--outbox", s.outbox)
	a := s.signedIn("nora@example.com")
	own := s.get(a, "/files/"+relP+"/"+pA+".zip.age")
	if own.status != 200 || !bytes.Equal(own.body, s.files[relP+"/"+pA+".zip.age"]) {
		t.Fatalf("own bundle: %d, %d bytes", own.status, len(own.body))
	}
	never := notFoundShape(s.get(a, "/no/such/path"))
	for _, p := range []string{
		"/files/" + relP + "/" + pB + ".zip.age",   // B's, released to B
		"/files/" + unrelP + "/" + pA + ".zip.age", // A's, not released
		"/files/" + relP + "/GHOST.zip.age",        // nobody's
		"/files/" + relP + "/manifest.json",        // DCC only
		"/" + relP + ".run.json",                   // DCC only
		"/admin",
	} {
		if got := notFoundShape(s.get(a, p)); got != never {
			t.Errorf("GET %s:\n%s\nwant the 404 of a path that never existed:\n%s", p, got, never)
		}
	}
	page := string(s.get(a, "/").body)
	for _, leak := range []string{pB, unrelP, "Sam South"} {
		if strings.Contains(page, leak) {
			t.Errorf("A's bundle page mentions %q", leak)
		}
	}
	if !strings.Contains(page, sum(s.files[relP+"/"+pA+".zip.age"])) {
		t.Error("A's bundle page does not show the bundle's sha256")
	}
	// B sees B's, not A's
	b := s.signedIn("sam@example.com")
	if r := s.get(b, "/files/"+relP+"/"+pA+".zip.age"); r.status != 404 {
		t.Errorf("B fetched A's bundle: %d", r.status)
	}
	if r := s.get(b, "/files/"+relP+"/"+pB+".zip.age"); r.status != 200 {
		t.Errorf("B's own bundle: %d", r.status)
	}
	// revoked: gone at once
	s.mustCarport("revoke", "--period", relP, "--party", pA)
	if got := notFoundShape(s.get(a, "/files/"+relP+"/"+pA+".zip.age")); got != never {
		t.Errorf("a revoked bundle is still served: %s", got)
	}
}

// TestServeRefusesEscapes: "..", "%2e%2e", "%2f", absolute and symlinked
// paths reach nothing, even where the period is released.
func TestServeRefusesEscapes(t *testing.T) {
	s := startServe(t)
	s.user("Nora North", "nora@example.com", pA)
	s.mustCarport("release", "--root", s.out, "--period", relP, "--outbox", s.outbox)
	// A's bundle becomes a symlink out of OUT after its release
	check(t, os.Remove(filepath.Join(s.out, relP, pA+".zip.age")))
	check(t, os.Symlink(filepath.Join("..", "..", "secret.txt"), filepath.Join(s.out, relP, pA+".zip.age")))
	// and 2026-08 (a symlink out of OUT) is released behind the reader's back
	db, err := hostdb.Open(context.Background(), s.db)
	check(t, err)
	_, err = db.Release(context.Background(), hostdb.CLI, "2026-08", []string{pA})
	db.Close()
	check(t, err)
	a := s.signedIn("nora@example.com")
	never := notFoundShape(s.get(a, "/no/such/path"))
	for _, p := range []string{
		"/files/" + relP + "/" + pA + ".zip.age", // symlinked out of OUT
		"/files/2026-08/" + pA + ".zip.age",      // period symlinked out of OUT
		"/files/" + relP + "/../../secret.txt",
		"/files/%2e%2e/%2e%2e/secret.txt",
		"/files/" + relP + "/%2e%2e%2f%2e%2e%2fsecret.txt",
		"/files/" + relP + "%2f" + pA + ".zip.age",
		"/files//" + s.dir + "/secret.txt",
		s.dir + "/secret.txt",
		"//etc/passwd",
		"/files/" + relP + "/..%5c..%5csecret.txt",
	} {
		r := s.raw(a, p)
		if bytes.Contains(r.body, []byte(outside)) {
			t.Errorf("GET %s served the file outside OUT", p)
		}
		if got := notFoundShape(r); got != never {
			t.Errorf("GET %s: %s, want the 404", p, got)
		}
	}
}

// TestServeDisabledUserRefusedAtNextRequest: disabling a signed-in user
// from the command line refuses their very next request, by cookie and by
// API token.
func TestServeDisabledUserRefusedAtNextRequest(t *testing.T) {
	s := startServe(t)
	s.user("Nora North", "nora@example.com", pA)
	s.mustCarport("release", "--root", s.out, "--period", relP, "--outbox", s.outbox)
	a := s.signedIn("nora@example.com")
	token := strings.TrimSpace(s.mustCarport("users", "token", "nora@example.com", "--name", "ci"))
	path := "/files/" + relP + "/" + pA + ".zip.age"
	if r := s.get(a, path); r.status != 200 {
		t.Fatalf("before: %d", r.status)
	}
	if r := s.get(s.client(""), path, "Authorization", "Bearer "+token); r.status != 200 {
		t.Fatalf("token before: %d", r.status)
	}
	s.mustCarport("users", "disable", "nora@example.com")
	if r := s.get(a, path); r.status != 404 {
		t.Errorf("the next download after disable: %d, want 404", r.status)
	}
	if r := s.get(a, "/"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/signin" {
		t.Errorf("the next page after disable: %d %s", r.status, r.header.Get("Location"))
	}
	if r := s.get(s.client(""), path, "Authorization", "Bearer "+token); r.status != http.StatusUnauthorized {
		t.Errorf("the token after disable: %d, want 401", r.status)
	}
	if r := s.signIn(s.client(""), "nora@example.com", goodPass); r.status != http.StatusForbidden {
		t.Errorf("signing in while disabled: %d, want 403", r.status)
	}
	s.mustCarport("users", "enable", "nora@example.com")
	if r := s.get(s.signedIn("nora@example.com"), path); r.status != 200 {
		t.Errorf("after enable: %d", r.status)
	}
}

// TestServeDeleteErasesPersonalData: a user who registered, signed in and
// downloaded is deleted; their name and email then appear in no file of
// the database (main file, WAL, shared memory), nor in the server's log, nor
// in the outbox — while the usage counts keep their sign-in and download.
func TestServeDeleteErasesPersonalData(t *testing.T) {
	s := startServe(t)
	s.user("Ada Admin", "ada@example.com", "")
	const name, email = "Zebedee Quuxley-Frobisher", "zebedee.quuxley@frobisher.example"
	c := s.client("")
	if r := s.post(c, "/register", url.Values{"name": {name}, "email": {email}, "party": {pA}}); r.status != 200 {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	s.mail(email, "We received your registration")
	approve := s.mustCarport("users", "approve", email, "--outbox", s.outbox, "--print-link")
	s.setPassword(c, strings.TrimSpace(approve), goodPass)
	s.mustCarport("release", "--root", s.out, "--period", relP, "--outbox", s.outbox)
	z := s.signedIn(email)
	if r := s.get(z, "/files/"+relP+"/"+pA+".zip.age"); r.status != 200 {
		t.Fatalf("download: %d", r.status)
	}
	s.signIn(s.client(""), email, "a wrong password, once")
	s.post(s.client(""), "/forgot", url.Values{"email": {email}})
	s.mail(email, "Choose a new password")

	files := func() map[string][]byte {
		m := map[string][]byte{}
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if b, err := os.ReadFile(s.db + suffix); err == nil {
				m[filepath.Base(s.db+suffix)] = b
			}
		}
		log, _ := os.ReadFile(s.logf)
		m["server log"] = log
		entries, _ := os.ReadDir(s.outbox)
		for _, e := range entries {
			b, _ := os.ReadFile(filepath.Join(s.outbox, e.Name()))
			m["outbox/"+e.Name()] = b
		}
		return m
	}
	find := func() []string {
		var hits []string
		for f, b := range files() {
			for _, x := range []string{name, email, "Zebedee", "quuxley"} {
				if bytes.Contains(bytes.ToLower(b), bytes.ToLower([]byte(x))) {
					hits = append(hits, f+": "+x)
				}
			}
		}
		slices.Sort(hits)
		return hits
	}
	before := strings.Join(find(), "\n")
	if !strings.Contains(before, "host.db") || !strings.Contains(before, "outbox/") {
		t.Fatalf("before deletion the name and email should be in the database and outbox:\n%s", before)
	}
	if strings.Contains(before, "server log") {
		t.Errorf("the server log holds personal data even before deletion:\n%s", before)
	}
	_, errs, code := s.carport("users", "delete", email, "--yes", "--outbox", s.outbox)
	if code != 0 {
		t.Fatalf("delete: %d %s", code, errs)
	}
	// the server keeps running and writing; its next writes must not
	// bring anything back
	s.signIn(s.client(""), "ada@example.com", goodPass)
	if hits := find(); len(hits) > 0 {
		t.Errorf("after deletion the name or email is still in:\n%s", strings.Join(hits, "\n"))
	}
	if r := s.signIn(s.client(""), email, goodPass); r.status != http.StatusUnauthorized {
		t.Errorf("a deleted user signs in: %d", r.status)
	}
	if r := s.get(z, "/files/"+relP+"/"+pA+".zip.age"); r.status != 404 {
		t.Errorf("a deleted user's session still downloads: %d", r.status)
	}
	var usage struct {
		Usage []struct {
			Party     string `json:"party"`
			SignIns   int    `json:"signins"`
			Downloads int    `json:"downloads"`
		} `json:"usage"`
	}
	out := s.mustCarport("usage", "--format", "json")
	check(t, json.Unmarshal([]byte(out), &usage))
	if len(usage.Usage) != 1 || usage.Usage[0].Party != pA || usage.Usage[0].SignIns != 1 || usage.Usage[0].Downloads != 1 {
		t.Errorf("usage after deletion lost the deleted user's counts: %s", out)
	}
	list := s.mustCarport("users", "list", "--all", "--format", "csv")
	if !strings.Contains(list, ",deleted,") || strings.Contains(strings.ToLower(list), "zebedee") {
		t.Errorf("users list --all after deletion:\n%s", list)
	}
}

// TestServeThrottlesGuessing: 50 rapid wrong passwords from one address are
// throttled (refused without a password check once the backoff starts, and
// then even the right password from that address waits), while the account's
// owner on another address signs in at once.
func TestServeThrottlesGuessing(t *testing.T) {
	s := startServe(t)
	s.user("Nora North", "nora@example.com", pA)
	attacker := s.client("127.0.0.1")
	counts := map[int]int{}
	start := time.Now()
	for i := 0; i < 50; i++ {
		r := s.signIn(attacker, "nora@example.com", fmt.Sprintf("guess number %d", i))
		counts[r.status]++
		if r.status == http.StatusTooManyRequests && r.header.Get("Retry-After") == "" {
			t.Error("a 429 without Retry-After")
		}
	}
	if counts[http.StatusSeeOther] != 0 || counts[http.StatusUnauthorized] > 6 || counts[http.StatusTooManyRequests] < 44 {
		t.Errorf("50 wrong passwords got %v: want at most a handful checked, the rest throttled", counts)
	}
	t.Logf("50 wrong passwords in %v: %v", time.Since(start).Round(time.Millisecond), counts)
	if r := s.signIn(attacker, "nora@example.com", goodPass); r.status != http.StatusTooManyRequests {
		t.Errorf("the right password from the throttled address: %d, want 429 (no oracle)", r.status)
	}
	owner := s.client("127.0.0.2")
	t0 := time.Now()
	r := s.signIn(owner, "nora@example.com", goodPass)
	if r.status != http.StatusSeeOther {
		t.Fatalf("the owner on another address: %d\n%s", r.status, r.body)
	}
	if d := time.Since(t0); d > 5*time.Second {
		t.Errorf("the owner waited %v", d)
	}
	if r := s.get(owner, "/"); r.status != 200 {
		t.Errorf("the owner's page: %d", r.status)
	}
}

// TestServeSelfServiceEndToEnd: registration → confirmation mail →
// duplicate refused → approval → set password → sign in → release notice →
// download → forgotten password → reset → sign in with the new one.
func TestServeSelfServiceEndToEnd(t *testing.T) {
	s := startServe(t)
	s.user("Ada Admin", "ada@example.com", "")
	const email = "rita@example.com"
	c := s.client("")
	reg := s.post(c, "/register", url.Values{"name": {"Rita Register"}, "email": {email}, "party": {pA}})
	if reg.status != 200 || !strings.Contains(string(reg.body), "Check your email") {
		t.Fatalf("register: %d %s", reg.status, reg.body)
	}
	conf := s.mail(email, "We received your registration")
	if !strings.Contains(conf.Body, "party "+pA) || mailLink.MatchString(conf.Body) {
		t.Errorf("confirmation mail:\n%s", conf.Body)
	}
	pending := s.mail("ada@example.com", "waiting for approval")
	if strings.Contains(pending.Body, email) || strings.Contains(pending.Body, "Rita") {
		t.Errorf("the admin's notice names the registrant:\n%s", pending.Body)
	}
	// a second registration of the address (any case): same page, a mail
	// saying so, no second account
	dup := s.post(s.client(""), "/register", url.Values{"name": {"Someone Else"}, "email": {"RITA@example.com"}, "party": {pB}})
	if dup.status != 200 || !strings.Contains(string(dup.body), "Check your email") {
		t.Errorf("duplicate registration: %d", dup.status)
	}
	s.mail("RITA@example.com", "already registered")
	list := s.mustCarport("users", "list", "--format", "json")
	if n := strings.Count(strings.ToLower(list), `"email": "rita@example.com"`); n != 1 {
		t.Errorf("%d accounts for the address:\n%s", n, list)
	}
	if !strings.Contains(list, `"status": "pending"`) {
		t.Errorf("the registration is not pending:\n%s", list)
	}
	// pending: cannot sign in
	if r := s.signIn(c, email, goodPass); r.status != http.StatusUnauthorized {
		t.Errorf("a pending user signs in: %d", r.status)
	}
	// approval mails a one-time set-password link
	s.mustCarport("users", "approve", email, "--outbox", s.outbox)
	link := mailLink.FindString(s.mail(email, "Set your password").Body)
	if link == "" {
		t.Fatal("no link in the approval mail")
	}
	if r := s.post(c, link, url.Values{"password": {"short"}, "confirm": {"short"}}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("a short password: %d", r.status)
	}
	s.setPassword(c, link, goodPass)
	if r := s.get(c, link); r.status != 404 || !strings.Contains(string(r.body), "does not work any more") {
		t.Errorf("the link used a second time: %d", r.status)
	}
	if r := s.signIn(c, email, goodPass); r.status != http.StatusSeeOther {
		t.Fatalf("sign in: %d", r.status)
	}
	if r := s.get(c, "/"); !strings.Contains(string(r.body), "No report has been released") {
		t.Errorf("before the release: %s", r.body)
	}
	// release: a notice with the link
	s.mustCarport("release", "--root", s.out, "--period", relP, "--outbox", s.outbox)
	notice := s.mail(email, "is ready")
	if !strings.Contains(notice.Body, s.base) || !strings.Contains(notice.Body, relP) {
		t.Errorf("release notice:\n%s", notice.Body)
	}
	dl := s.get(c, "/files/"+relP+"/"+pA+".zip.age")
	if dl.status != 200 || sum(dl.body) != sum(s.files[relP+"/"+pA+".zip.age"]) {
		t.Fatalf("download: %d", dl.status)
	}
	// forgotten password: the same answer for a known and an unknown address
	known := s.post(s.client(""), "/forgot", url.Values{"email": {email}})
	unknown := s.post(s.client(""), "/forgot", url.Values{"email": {"nobody@example.com"}})
	if known.status != 200 || unknown.status != 200 ||
		strings.ReplaceAll(string(known.body), email, "X") != strings.ReplaceAll(string(unknown.body), "nobody@example.com", "X") {
		t.Errorf("forgot answers differ for a known and an unknown address")
	}
	reset := mailLink.FindString(s.mail(email, "Choose a new password").Body)
	if reset == "" || reset == link {
		t.Fatalf("reset link %q", reset)
	}
	if s.mailsTo("nobody@example.com") != 0 {
		t.Error("a mail went to an unknown address")
	}
	s.setPassword(s.client(""), reset, "a brand new passphrase")
	if r := s.get(c, "/"); r.status != http.StatusSeeOther {
		t.Errorf("the session from before the reset still works: %d", r.status)
	}
	if r := s.signIn(s.client(""), email, goodPass); r.status != http.StatusUnauthorized {
		t.Errorf("the old password after reset: %d", r.status)
	}
	if r := s.signIn(s.client(""), email, "a brand new passphrase"); r.status != http.StatusSeeOther {
		t.Errorf("the new password: %d", r.status)
	}
}

// TestServeRefusesCrossOriginPost: a state-changing request from another
// site is refused, with the victim's cookie and all.
func TestServeRefusesCrossOriginPost(t *testing.T) {
	s := startServe(t)
	s.user("Ada Admin", "ada@example.com", "")
	admin := s.signedIn("ada@example.com")
	for _, hdr := range [][]string{{"Origin", "https://attacker.example"}, {"Sec-Fetch-Site", "cross-site"}} {
		if r := s.post(admin, "/admin/release", url.Values{"period": {relP}}, hdr...); r.status != http.StatusForbidden {
			t.Errorf("cross-origin release (%s): %d, want 403", hdr[0], r.status)
		}
		if r := s.post(s.client(""), "/signin", url.Values{"email": {"ada@example.com"}, "password": {goodPass}}, hdr...); r.status != http.StatusForbidden {
			t.Errorf("cross-origin sign-in (%s): %d, want 403", hdr[0], r.status)
		}
	}
	if out := s.mustCarport("usage", "--undownloaded", "--format", "csv"); strings.Contains(out, relP) {
		t.Errorf("a cross-origin POST released the period:\n%s", out)
	}
}

// TestServeStopsGracefully: SIGTERM during a download lets it finish whole,
// and the process exits 0.
func TestServeStopsGracefully(t *testing.T) {
	s := startServe(t)
	big := s.put("2026-07/"+pA+".zip.age", 16<<20)
	s.user("Nora North", "nora@example.com", pA)
	s.mustCarport("release", "--root", s.out, "--period", "2026-07", "--outbox", s.outbox)
	c := s.signedIn("nora@example.com")
	r, err := c.Get(s.base + "files/2026-07/" + pA + ".zip.age")
	check(t, err)
	defer r.Body.Close()
	h := sha256.New()
	if _, err := io.CopyN(h, r.Body, 1<<20); err != nil {
		t.Fatal(err)
	}
	check(t, s.cmd.Process.Signal(syscall.SIGTERM))
	buf := make([]byte, 256<<10)
	for {
		n, err := r.Body.Read(buf)
		h.Write(buf[:n])
		if err == io.EOF {
			break
		}
		check(t, err)
		time.Sleep(2 * time.Millisecond)
	}
	if hex.EncodeToString(h.Sum(nil)) != sum(big) {
		t.Error("the download running at SIGTERM arrived incomplete or wrong")
	}
	select {
	case err := <-s.exited:
		s.exited <- err
		if err != nil {
			t.Errorf("carport serve after SIGTERM: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Error("carport serve did not exit after the download")
	}
	if log, _ := os.ReadFile(s.logf); !strings.Contains(string(log), "shutting down") || !strings.Contains(string(log), "msg=stopped") {
		t.Errorf("log:\n%s", log)
	}
}

// TestServeAuditHoldsNoSecrets: the audit log records sign-ins, failures,
// downloads, releases and admin actions, and never a password, token, link
// or cookie.
func TestServeAuditHoldsNoSecrets(t *testing.T) {
	s := startServe(t)
	s.user("Nora North", "nora@example.com", pA)
	s.mustCarport("release", "--root", s.out, "--period", relP, "--outbox", s.outbox)
	token := strings.TrimSpace(s.mustCarport("users", "token", "nora@example.com"))
	link := strings.TrimSpace(s.mustCarport("users", "link", "nora@example.com", "--outbox", s.outbox, "--print-link"))
	c := s.client("")
	s.signIn(c, "nora@example.com", "the wrong one, typed")
	r := s.signIn(c, "nora@example.com", goodPass)
	var cookie string
	for _, ck := range r.header.Values("Set-Cookie") {
		cookie += ck
	}
	s.get(c, "/files/"+relP+"/"+pA+".zip.age")
	s.get(s.client(""), "/api/v1/bundles", "Authorization", "Bearer "+token)
	s.mustCarport("users", "disable", "nora@example.com")
	s.mustCarport("revoke", "--period", relP)

	db, err := hostdb.Open(context.Background(), s.db)
	check(t, err)
	defer db.Close()
	events, err := db.Events(context.Background(), hostdb.EventFilter{Limit: 1000})
	check(t, err)
	seen := map[string]bool{}
	var all strings.Builder
	for _, e := range events {
		seen[e.Action] = true
		fmt.Fprintf(&all, "%+v\n", e)
	}
	for _, want := range []string{"add_user", "link_issued", "password_set", "release", "signin_failed", "signin", "download", "token_create", "disable", "revoke"} {
		if !seen[want] {
			t.Errorf("no %q event in the audit log", want)
		}
	}
	secretParts := []string{goodPass, "the wrong one, typed", token, token[strings.Index(token, ".")+1:],
		link[strings.LastIndex(link, ".")+1:], cookie[strings.Index(cookie, ".")+1 : strings.Index(cookie, ".")+44]}
	for _, x := range secretParts {
		if strings.Contains(all.String(), x) {
			t.Errorf("the audit log holds a secret %q", x)
		}
		if log, _ := os.ReadFile(s.logf); bytes.Contains(log, []byte(x)) {
			t.Errorf("the server log holds a secret %q", x)
		}
	}
}
