package hostdb

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func openTest(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "host.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestPasswordHashRoundTrip(t *testing.T) {
	h, err := hashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q does not carry the OWASP argon2id parameters", h)
	}
	for pw, want := range map[string]bool{"correct horse battery staple": true, "correct horse battery stapl": false, "": false} {
		got, err := verifyPassword(pw, h)
		if err != nil || got != want {
			t.Errorf("verify(%q) = %v, %v; want %v", pw, got, err, want)
		}
	}
	h2, _ := hashPassword("correct horse battery staple")
	if h2 == h {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=x$AAAA$AAAA", "$argon2id$v=19$m=9999999,t=1,p=1$AAAA$AAAA"} {
		if _, err := verifyPassword("x", bad); err == nil {
			t.Errorf("verify against %q: no error", bad)
		}
	}
}

func TestPasswordRules(t *testing.T) {
	for pw, ok := range map[string]bool{
		"short":                  false,
		"twelve chars":           true,
		"a@example.com":          false, // the email itself, 13 characters
		strings.Repeat("x", 257): false,
		strings.Repeat("é", 12):  true,
	} {
		if got := CheckPasswordRules(pw, "a@example.com") == ""; got != ok {
			t.Errorf("rules(%q) ok = %v, want %v", pw, got, ok)
		}
	}
}

func TestUserLifecycle(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	web := Actor{Via: "web", Addr: "192.0.2.1"}
	u, err := db.AddUser(ctx, web, NewUser{Name: " Ada  Lovelace ", Email: "ada@example.com", Party: "NORE", Kind: KindParty, Status: StatusPending})
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "Ada Lovelace" || u.Status != StatusPending || u.HasPassword || !u.Approved.IsZero() {
		t.Fatalf("new user: %+v", u)
	}
	if _, err := db.AddUser(ctx, web, NewUser{Name: "Other", Email: "ADA@example.com", Party: "NORE", Kind: KindParty, Status: StatusPending}); !errors.Is(err, ErrEmailTaken) {
		t.Fatalf("second registration of the same address (other case): %v, want ErrEmailTaken", err)
	}
	if _, err := db.NewLink(ctx, CLI, u.ID, PurposeSetPassword, time.Hour); err == nil {
		t.Fatal("a pending user got a password link")
	}
	if u, err = db.Approve(ctx, CLI, u.ID); err != nil || u.Status != StatusActive || u.Approved.IsZero() {
		t.Fatalf("approve: %+v %v", u, err)
	}
	var se *StateError
	if _, err := db.Approve(ctx, CLI, u.ID); !errors.As(err, &se) {
		t.Fatalf("approving twice: %v, want a StateError", err)
	}
	link, err := db.NewLink(ctx, CLI, u.ID, PurposeSetPassword, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.UseLink(ctx, web, link, "short"); err == nil {
		t.Fatal("a short password was accepted")
	}
	// change the last character, to one it is not
	last := "A"
	if strings.HasSuffix(link, last) {
		last = "B"
	}
	if _, err := db.UseLink(ctx, web, link[:len(link)-1]+last, "a long enough password"); !errors.Is(err, ErrBadLink) {
		t.Fatalf("tampered link: %v", err)
	}
	if _, err := db.UseLink(ctx, web, link, "a long enough password"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UseLink(ctx, web, link, "another long password"); !errors.Is(err, ErrBadLink) {
		t.Fatalf("link used twice: %v", err)
	}
	if _, err := db.Authenticate(ctx, web, "ada@example.com", "wrong password!"); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := db.Authenticate(ctx, web, "nobody@example.com", "a long enough password"); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("unknown account: %v", err)
	}
	got, err := db.Authenticate(ctx, web, "Ada@Example.com", "a long enough password")
	if err != nil || got.ID != u.ID || got.LastSignIn.IsZero() {
		t.Fatalf("right password: %+v %v", got, err)
	}
	cookie, err := db.NewSession(ctx, u.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := db.SessionUser(ctx, cookie); err != nil || s.ID != u.ID {
		t.Fatalf("session: %+v %v", s, err)
	}
	tok, _, err := db.NewToken(ctx, CLI, u.ID, "ci", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := db.TokenUser(ctx, tok); err != nil || s.ID != u.ID {
		t.Fatalf("token: %+v %v", s, err)
	}
	if _, err := db.Disable(ctx, CLI, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SessionUser(ctx, cookie); !errors.Is(err, ErrNotFound) {
		t.Fatalf("session of a disabled user: %v", err)
	}
	if _, err := db.TokenUser(ctx, tok); !errors.Is(err, ErrBadToken) {
		t.Fatalf("token of a disabled user: %v", err)
	}
	if _, err := db.Authenticate(ctx, web, "ada@example.com", "a long enough password"); !errors.Is(err, ErrNotActive) {
		t.Fatalf("disabled user signing in: %v", err)
	}
	if _, err := db.Enable(ctx, CLI, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.TokenUser(ctx, tok); err != nil {
		t.Fatalf("token after enable: %v", err)
	}
	// the clock moves past the session's end
	db.Now = func() time.Time { return time.Now().UTC().Add(2 * time.Hour) }
	cookie2, _ := db.NewSession(ctx, u.ID, time.Hour)
	db.Now = func() time.Time { return time.Now().UTC().Add(4 * time.Hour) }
	if _, err := db.SessionUser(ctx, cookie2); !errors.Is(err, ErrNotFound) {
		t.Fatalf("expired session: %v", err)
	}
}

func TestReleasesAndUsage(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	added, err := db.Release(ctx, CLI, "2026-10", []string{"NORE", "SOUT"})
	if err != nil || strings.Join(added, ",") != "NORE,SOUT" {
		t.Fatalf("release: %v %v", added, err)
	}
	if added, _ := db.Release(ctx, CLI, "2026-10", []string{"NORE"}); len(added) != 0 {
		t.Fatalf("released twice: %v", added)
	}
	if _, err := db.Release(ctx, CLI, "2026-10", []string{"../x"}); err == nil {
		t.Fatal("a bad party id was released")
	}
	u, _ := db.AddUser(ctx, CLI, NewUser{Name: "N", Email: "n@example.com", Party: "NORE", Kind: KindParty, Status: StatusActive})
	web := Actor{UserID: u.ID, Via: "web"}
	db.Log(ctx, web, "signin", u.ID, "NORE", "", "")
	db.Log(ctx, web, "download", u.ID, "NORE", "2026-10", "")
	db.Log(ctx, web, "download", u.ID, "NORE", "2026-10", "")
	rows, err := db.Usage(ctx, "", "")
	if err != nil || len(rows) != 1 || rows[0].Party != "NORE" || rows[0].SignIns != 1 || rows[0].Downloads != 2 || rows[0].ActiveUsers != 1 {
		t.Fatalf("usage: %+v %v", rows, err)
	}
	und, err := db.Undownloaded(ctx)
	if err != nil || len(und) != 1 || und[0].Party != "SOUT" {
		t.Fatalf("undownloaded: %+v %v", und, err)
	}
	removed, err := db.Revoke(ctx, CLI, "2026-10", nil)
	if err != nil || strings.Join(removed, ",") != "NORE,SOUT" {
		t.Fatalf("revoke all: %v %v", removed, err)
	}
	if ok, _ := db.IsReleased(ctx, "2026-10", "NORE"); ok {
		t.Fatal("still released after revoke")
	}
}

// TestDeleteErasesFromFile checks the GDPR deletion at the file level: the
// name and email are in the database (or its WAL) before, and in no file
// of the database after.
func TestDeleteErasesFromFile(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	const name, email = "Zebedee Quuxley-Frobisher", "zebedee.quuxley@example.org"
	u, err := db.AddUser(ctx, CLI, NewUser{Name: name, Email: email, Party: "NORE", Kind: KindParty, Status: StatusActive})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ { // some activity, so pages move around
		db.AddUser(ctx, CLI, NewUser{Name: "Filler", Email: "filler" + string(rune('a'+i)) + "@example.org", Party: "SOUT", Kind: KindParty, Status: StatusActive})
		db.Log(ctx, Actor{UserID: u.ID, Via: "web", Addr: "198.51.100.7"}, "signin", u.ID, "NORE", "", "")
	}
	found := func() []string {
		var hits []string
		for _, suffix := range []string{"", "-wal", "-shm"} {
			b, err := os.ReadFile(db.Path() + suffix)
			if err != nil {
				continue
			}
			for _, s := range []string{name, email, "198.51.100.7"} {
				if bytes.Contains(b, []byte(s)) {
					hits = append(hits, filepath.Base(db.Path()+suffix)+": "+s)
				}
			}
		}
		return hits
	}
	if len(found()) < 3 {
		t.Fatalf("before deletion the name, email and address should be stored: found only %v", found())
	}
	before, err := db.DeleteUser(ctx, CLI, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if before.Email != email {
		t.Errorf("DeleteUser returned %+v, want the user as they were", before)
	}
	if hits := found(); len(hits) > 0 {
		t.Errorf("after deletion still in the database files: %v", hits)
	}
	after, err := db.User(ctx, u.ID)
	if err != nil || after.Status != StatusDeleted || after.Name != "" || after.Email != "" || after.Party != "NORE" {
		t.Errorf("deleted user row: %+v %v", after, err)
	}
	rows, _ := db.Usage(ctx, "", "")
	if len(rows) != 1 || rows[0].SignIns != 20 {
		t.Errorf("usage after deletion lost its counts: %+v", rows)
	}
	if _, err := db.UserByEmail(ctx, email); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted user found by email: %v", err)
	}
}

// TestUnknownEmailCostsTheSame: signing in with an address that has no
// account runs one argon2id with the same parameters as a wrong password
// does, so it costs the same. (Counted, not timed: timings on a shared
// machine drift.)
func TestUnknownEmailCostsTheSame(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	u, _ := db.AddUser(ctx, CLI, NewUser{Name: "Ada", Email: "ada@example.com", Party: "NORE", Kind: KindParty, Status: StatusActive})
	link, _ := db.NewLink(ctx, CLI, u.ID, PurposeSetPassword, time.Hour)
	if _, err := db.UseLink(ctx, CLI, link, "a long enough password"); err != nil {
		t.Fatal(err)
	}
	var stored string
	if err := db.r.QueryRow("SELECT password FROM users WHERE id = ?", u.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	params := func(h string) string { return h[:strings.LastIndexByte(h[:strings.LastIndexByte(h, '$')], '$')] }
	if params(db.dummy) != params(stored) {
		t.Errorf("the dummy hash's parameters %q differ from a real one's %q", params(db.dummy), params(stored))
	}
	// every address, known or not, costs one argon2id of those parameters
	// (counted, not timed: a clock proves nothing on a busy machine)
	for _, email := range []string{"ada@example.com", "nobody@example.com", "nobody@example.com"} {
		before, derived := db.hashRuns.Load(), verifications.Load()
		if _, err := db.Authenticate(ctx, CLI, email, "not the password"); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("%s: %v", email, err)
		}
		if n := db.hashRuns.Load() - before; n != 1 {
			t.Errorf("%s: %d argon2id runs, want 1", email, n)
		}
		if n := verifications.Load() - derived; n != 1 {
			t.Errorf("%s: %d argon2id derivations, want 1: no real argon2id ran", email, n)
		}
	}
}
