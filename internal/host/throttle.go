package host

// Failed sign-ins slow down guessing without letting anyone lock someone
// else out:
//
//   - per client address, and per (account, address) pair: after
//     freeFailures failures, the next attempt from there must wait
//     1 s, 2 s, 4 s … (at most maxWait) after the last failure, and is
//     refused with 429 until then, without checking the password. An
//     attacker's own address is what gets blocked.
//   - per account, over all addresses: after accountFree failures every
//     attempt on that account is held back by a delay that doubles up to
//     accountMaxDelay, but never refused. A botnet guessing one account
//     is slowed; the account's owner still signs in, a moment later.
//
// Failures are forgotten after forgetAfter without one. A success clears
// its (account, address) pair and the account, never the address: signing
// in to one's own account does not buy more guesses at others. The tables
// are in memory and bounded: a restart forgets them.
//
// Mail-sending forms (register, forgotten password) are limited the same
// way per address and per target address, so they cannot be used to flood
// someone's inbox.

import (
	"strings"
	"sync"
	"time"
)

const (
	freeFailures    = 5
	maxWait         = 15 * time.Minute
	accountFree     = 10
	accountMaxDelay = 2 * time.Second
	forgetAfter     = time.Hour
	maxEntries      = 100_000

	mailsPerAddr   = 10 // per client address per hour
	mailsPerTarget = 3  // per target email address per hour
)

type failures struct {
	n    int
	last time.Time
}

type throttle struct {
	mu      sync.Mutex
	now     func() time.Time
	addr    map[string]*failures
	pair    map[string]*failures
	account map[string]*failures
	mails   map[string]*failures // "a:" + client address, "t:" + target
}

func newThrottle(now func() time.Time) *throttle {
	return &throttle{now: now, addr: map[string]*failures{}, pair: map[string]*failures{},
		account: map[string]*failures{}, mails: map[string]*failures{}}
}

func accountKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

func backoff(n, free int, base, limit time.Duration) time.Duration {
	if n < free {
		return 0
	}
	d := base
	for i := free; i < n && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// get returns the live entry for k, dropping one that has been quiet for
// forgetAfter.
func (t *throttle) get(m map[string]*failures, k string, now time.Time) *failures {
	f := m[k]
	if f != nil && now.Sub(f.last) >= forgetAfter {
		delete(m, k)
		return nil
	}
	return f
}

// wait is how long a sign-in from addr on email must still wait; 0 means
// it may go ahead.
func (t *throttle) wait(addr, email string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	var w time.Duration
	for _, x := range []struct {
		m map[string]*failures
		k string
	}{{t.addr, addr}, {t.pair, accountKey(email) + "\x00" + addr}} {
		if f := t.get(x.m, x.k, now); f != nil {
			if until := f.last.Add(backoff(f.n, freeFailures, time.Second, maxWait)); until.After(now) {
				w = max(w, until.Sub(now))
			}
		}
	}
	return w
}

// delay is how long a sign-in on email is held back before its password is
// checked.
func (t *throttle) delay(email string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if f := t.get(t.account, accountKey(email), t.now()); f != nil {
		return backoff(f.n, accountFree, 250*time.Millisecond, accountMaxDelay)
	}
	return 0
}

// fail records a failed sign-in.
func (t *throttle) fail(addr, email string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	for _, x := range []struct {
		m map[string]*failures
		k string
	}{{t.addr, addr}, {t.pair, accountKey(email) + "\x00" + addr}, {t.account, accountKey(email)}} {
		f := t.get(x.m, x.k, now)
		if f == nil {
			t.bound(x.m, now)
			f = &failures{}
			x.m[x.k] = f
		}
		f.n++
		f.last = now
	}
}

// succeed records a successful sign-in.
func (t *throttle) succeed(addr, email string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.pair, accountKey(email)+"\x00"+addr)
	delete(t.account, accountKey(email))
}

// mailAllowed counts one mail-sending request from addr to target and
// reports whether it is within the hourly limits.
func (t *throttle) mailAllowed(addr, target string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	ok := true
	for _, x := range []struct {
		k     string
		limit int
	}{{"a:" + addr, mailsPerAddr}, {"t:" + accountKey(target), mailsPerTarget}} {
		f := t.get(t.mails, x.k, now)
		if f == nil {
			t.bound(t.mails, now)
			f = &failures{last: now}
			t.mails[x.k] = f
		}
		f.n++
		if f.n > x.limit {
			ok = false
		}
	}
	return ok
}

// bound keeps a table under maxEntries: old entries go first, then (under
// a flood of fresh ones) everything.
func (t *throttle) bound(m map[string]*failures, now time.Time) {
	if len(m) < maxEntries {
		return
	}
	for k, f := range m {
		if now.Sub(f.last) >= forgetAfter {
			delete(m, k)
		}
	}
	if len(m) >= maxEntries {
		clear(m)
	}
}
