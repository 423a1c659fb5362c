package host

import (
	"testing"
	"time"
)

func TestThrottleBackoff(t *testing.T) {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	th := newThrottle(func() time.Time { return now })
	const att, vic = "203.0.113.9", "198.51.100.4"
	for i := 0; i < freeFailures; i++ {
		if w := th.wait(att, "v@example.com"); w != 0 {
			t.Fatalf("failure %d: wait %v before the free failures are used", i, w)
		}
		th.fail(att, "v@example.com")
	}
	if w := th.wait(att, "v@example.com"); w != time.Second {
		t.Errorf("after %d failures: wait %v, want 1s", freeFailures, w)
	}
	if w := th.wait(att, "other@example.com"); w != time.Second {
		t.Errorf("the address's backoff covers other accounts too: wait %v, want 1s", w)
	}
	// the owner on another address is never refused
	if w := th.wait(vic, "v@example.com"); w != 0 {
		t.Errorf("the account's owner on another address must wait %v", w)
	}
	// doubling up to the cap, for the attacker's address
	for i := 0; i < 30; i++ {
		now = now.Add(th.wait(att, "v@example.com"))
		th.fail(att, "v@example.com")
	}
	if w := th.wait(att, "v@example.com"); w != maxWait {
		t.Errorf("after many failures: wait %v, want the cap %v", w, maxWait)
	}
	// the account is slowed, capped, never refused
	if d := th.delay("V@Example.com"); d != accountMaxDelay {
		t.Errorf("account delay %v, want %v", d, accountMaxDelay)
	}
	if w := th.wait(vic, "v@example.com"); w != 0 {
		t.Errorf("the owner on another address is refused for %v", w)
	}
	// the owner's success clears the account, not the attacker's address
	th.succeed(vic, "v@example.com")
	if d := th.delay("v@example.com"); d != 0 {
		t.Errorf("account delay after the owner's success: %v", d)
	}
	if w := th.wait(att, "x@example.com"); w == 0 {
		t.Error("a success elsewhere cleared the attacker's address")
	}
	// an hour without failures forgets them
	now = now.Add(forgetAfter + maxWait)
	if w := th.wait(att, "v@example.com"); w != 0 {
		t.Errorf("after an hour of quiet: wait %v", w)
	}
}

func TestMailLimits(t *testing.T) {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	th := newThrottle(func() time.Time { return now })
	for i := 0; i < mailsPerTarget; i++ {
		if !th.mailAllowed("203.0.113.9", "v@example.com") {
			t.Fatalf("mail %d refused", i)
		}
	}
	if th.mailAllowed("203.0.113.10", "V@example.com") {
		t.Error("a fourth mail to one address within the hour was allowed")
	}
	now = now.Add(forgetAfter)
	if !th.mailAllowed("203.0.113.9", "v@example.com") {
		t.Error("the limit did not reset after an hour")
	}
}

func TestCanonicalPath(t *testing.T) {
	for p, ok := range map[string]bool{
		"/": true, "/files/2026-10/NORE.zip.age": true, "/admin/users/7": true,
		"": false, "files": false, "//x": false, "/a//b": false, "/a/./b": false, "/a/../b": false, "/a/": true, "/a//": false, "/a/../": false,
		"/a%2fb": false, "/a\\b": false, "/a b": false, "/\x00": false, "/é": false,
	} {
		if canonicalPath(p) != ok {
			t.Errorf("canonicalPath(%q) = %v, want %v", p, !ok, ok)
		}
	}
}
