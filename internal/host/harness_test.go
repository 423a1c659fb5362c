package host

// The test harness runs the real http.Server of this package (Serve) on a
// loopback port, over a real SQLite file, a real OUT folder and a real
// outbox, exactly as `carport serve` does.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dcc/carport/internal/hostdb"
	"github.com/dcc/carport/internal/mail"
	"github.com/dcc/carport/internal/published"
)

const (
	partyA   = "NORE"
	partyB   = "SOUT"
	released = "2026-10"
	unrel    = "2026-09"
	secret   = "SECRET-OUTSIDE-THE-ROOT"
	password = "correct horse battery staple"
	// testSigningKey is a minisign public key (id 310F31531F9C2D4E) for
	// the opener pages.
	testSigningKey = "RWROLZwfUzEPMXA+6VcU8ifzO7Ru+R44cuLjMlnalliprE1Oph4YCxiU"
)

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

type testHost struct {
	t        testing.TB
	dir, out string
	base     string
	db       *hostdb.DB
	srv      *Server
	admin    *Admin
	outbox   *mail.Outbox
	log      *syncBuf
	files    map[string][]byte // by path under OUT
	cancel   context.CancelFunc
	done     chan error

	fuzzCookie *http.Cookie
}

// newTestHost publishes bundles for parties A and B in the released period,
// A's in an unreleased one, secrets outside OUT with symlinks pointing at
// them, and serves it all.
func newTestHost(t testing.TB) *testHost {
	t.Helper()
	return newTestHostWith(t, nil)
}

// newTestHostWith is newTestHost with tweak applied to the server's
// options.
func newTestHostWith(t testing.TB, tweak func(*Options)) *testHost {
	t.Helper()
	dir := t.TempDir()
	h := &testHost{t: t, dir: dir, out: filepath.Join(dir, "out"), log: &syncBuf{}, files: map[string][]byte{}}
	h.put(released+"/"+partyA+".zip.age", 300_000)
	h.put(released+"/"+partyA+".zip.age.minisig", 300)
	h.put(released+"/"+partyB+".zip.age", 200_000)
	h.put(unrel+"/"+partyA+".zip.age", 100_000)
	h.put(released+"/manifest.json", 100)
	h.put(released+".run.json", 100)
	must(t, os.WriteFile(filepath.Join(dir, "secret.txt"), []byte(secret), 0o644))
	must(t, os.MkdirAll(filepath.Join(dir, "elsewhere"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "elsewhere", partyA+".zip.age"), []byte(secret), 0o644))
	must(t, os.Symlink(filepath.Join(dir, "elsewhere"), filepath.Join(h.out, "2026-08")))
	must(t, os.Symlink(filepath.Join("..", "..", "secret.txt"), filepath.Join(h.out, released, "ESCP.zip.age")))

	ctx := context.Background()
	var err error
	h.db, err = hostdb.Open(ctx, filepath.Join(dir, "host.db"))
	must(t, err)
	t.Cleanup(func() { h.db.Close() })
	o, err := published.Open(h.out, h.db)
	must(t, err)
	t.Cleanup(func() { o.Close() })
	h.outbox = &mail.Outbox{Dir: filepath.Join(dir, "outbox"), From: "carport@example.org"}
	h.start(o, tweak)
	return h
}

func (h *testHost) start(o *published.Out, tweak func(*Options)) {
	t := h.t
	pub, _ := url.Parse("http://127.0.0.1/") // replaced once the port is known
	opts := Options{Out: o, DB: h.db, Mail: h.outbox, PublicURL: pub, Version: "test",
		Log: slog.New(slog.NewTextHandler(h.log, nil)), SigningKey: testSigningKey}
	if tweak != nil {
		tweak(&opts)
	}
	srv, err := New(opts)
	must(t, err)
	h.srv, h.admin = srv, srv.admin
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	h.cancel, h.done = cancel, make(chan error, 1)
	go func() {
		h.done <- srv.Serve(ctx, ListenOptions{Addr: "127.0.0.1:0", ShutdownTimeout: 30 * time.Second, Ready: func(u string) { ready <- u }})
	}()
	select {
	case h.base = <-ready:
	case err := <-h.done:
		t.Fatalf("serve: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not start")
	}
	*pub = *mustURL(t, h.base)
	t.Cleanup(func() {
		cancel()
		select {
		case <-h.done:
		case <-time.After(30 * time.Second):
			t.Error("the server did not stop")
		}
	})
}

func mustURL(t testing.TB, s string) *url.URL {
	u, err := url.Parse(s)
	must(t, err)
	return u
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// put writes a random file of n bytes under OUT.
func (h *testHost) put(rel string, n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	p := filepath.Join(h.out, filepath.FromSlash(rel))
	must(h.t, os.MkdirAll(filepath.Dir(p), 0o755))
	must(h.t, os.WriteFile(p, b, 0o644))
	h.files[rel] = b
	return b
}

// user adds an active user with a password set through their link.
func (h *testHost) user(name, email, party string) hostdb.User {
	h.t.Helper()
	ctx := context.Background()
	nu := hostdb.NewUser{Name: name, Email: email, Party: party, Kind: hostdb.KindParty}
	if party == "" {
		nu.Kind = hostdb.KindAdmin
	}
	u, link, err := h.admin.Invite(ctx, hostdb.CLI, nu)
	must(h.t, err)
	secret := link[strings.LastIndexByte(link, '/')+1:]
	_, err = h.db.UseLink(ctx, hostdb.Actor{Via: "web"}, secret, password)
	must(h.t, err)
	return u
}

func (h *testHost) release(period string, parties ...string) {
	h.t.Helper()
	if _, err := h.admin.Release(context.Background(), hostdb.CLI, period, parties); err != nil {
		h.t.Fatal(err)
	}
}

// client is a browser-like client (cookies, no redirects followed) whose
// connections come from the loopback address local (e.g. 127.0.0.2).
func (h *testHost) client(local string) *http.Client {
	jar, _ := cookiejar.New(nil)
	d := &net.Dialer{Timeout: 5 * time.Second}
	if local != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(local)}
	}
	return &http.Client{Jar: jar, Timeout: 60 * time.Second,
		Transport:     &http.Transport{DialContext: d.DialContext, DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (h *testHost) do(c *http.Client, method, path string, form url.Values, hdr ...string) resp {
	h.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, h.base+strings.TrimPrefix(path, "/"), body)
	must(h.t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	r, err := c.Do(req)
	must(h.t, err)
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	must(h.t, err)
	return resp{r.StatusCode, r.Header, b}
}

// rawGet sends path exactly as given (no cleaning, no escaping by the
// client) over a fresh connection.
func (h *testHost) rawGet(c *http.Client, path string) resp {
	h.t.Helper()
	u := mustURL(h.t, h.base)
	req := &http.Request{Method: "GET", URL: &url.URL{Scheme: "http", Host: u.Host, Opaque: path}, Header: http.Header{}, Host: u.Host}
	if c.Jar != nil {
		for _, ck := range c.Jar.Cookies(u) {
			req.AddCookie(ck)
		}
	}
	r, err := c.Transport.RoundTrip(req)
	must(h.t, err)
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return resp{r.StatusCode, r.Header, b}
}

func (h *testHost) signIn(c *http.Client, email, pw string) resp {
	h.t.Helper()
	return h.do(c, "POST", "/signin", url.Values{"email": {email}, "password": {pw}})
}

// signedIn returns a client signed in as email.
func (h *testHost) signedIn(email string) *http.Client {
	h.t.Helper()
	c := h.client("")
	if r := h.signIn(c, email, password); r.status != http.StatusSeeOther {
		h.t.Fatalf("signing in %s: %d %s", email, r.status, r.body)
	}
	return c
}

// mailTo waits for a message to addr whose subject contains subject and
// returns it; it fails the test after 10 s.
func (h *testHost) mailTo(addr, subject string) mail.Message {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		entries, _ := os.ReadDir(h.outbox.Dir)
		for i := len(entries) - 1; i >= 0; i-- {
			m, err := mail.ReadFile(filepath.Join(h.outbox.Dir, entries[i].Name()))
			if err == nil && strings.EqualFold(m.To, addr) && strings.Contains(m.Subject, subject) {
				return m
			}
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("no mail to %s about %q in the outbox", addr, subject)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// fuzzSetup prepares h for a fuzz run: a party user of NORE signed in, the
// period released, and 2026-08 (a symlink out of OUT) released behind the
// reader's back.
func fuzzSetup(h *testHost) {
	ctx := context.Background()
	u := h.user("Nora North", "nora@example.com", partyA)
	h.release(released)
	_, err := h.db.Release(ctx, hostdb.CLI, "2026-08", []string{partyA})
	must(h.t, err)
	cookie, err := h.db.NewSession(ctx, u.ID, time.Hour)
	must(h.t, err)
	h.fuzzCookie = &http.Cookie{Name: "carport_session", Value: cookie}
}

func sumOf(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
