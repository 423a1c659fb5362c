package hostdb

// Passwords are hashed with argon2id at OWASP's minimum parameters
// (m = 19 MiB, t = 2, p = 1) and stored in the PHC string format, so the
// parameters travel with each hash and can be raised later. An unknown
// email is checked against a dummy hash of the same cost, so a wrong
// address takes as long as a wrong password. Each run takes 19 MiB: one
// runs at a time.

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonSaltLen = 16
	argonKeyLen  = 32
)

// Password length limits, in characters.
const (
	MinPassword = 12
	MaxPassword = 256
)

// CheckPasswordRules returns a sentence saying what is wrong with a new
// password, or "" when it is acceptable. Length is the rule (NIST SP
// 800-63B): no composition rules.
func CheckPasswordRules(pw, email string) string {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		return "The password is not valid text."
	case n < MinPassword:
		return fmt.Sprintf("Use at least %d characters; a few unrelated words make a good password.", MinPassword)
	case n > MaxPassword:
		return fmt.Sprintf("Use at most %d characters.", MaxPassword)
	case email != "" && strings.EqualFold(strings.TrimSpace(pw), email):
		return "Do not use your email address as your password."
	}
	return ""
}

func hashPassword(pw string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var errBadHash = errors.New("stored password hash is malformed")

// verifications counts the argon2id derivations verifyPassword has run:
// what proves, without a clock, that an unknown address costs one.
var verifications atomic.Int64

// verifyPassword reports whether pw matches the PHC-encoded hash.
func verifyPassword(pw, encoded string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false, errBadHash
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 || m > 1<<21 {
		return false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, errBadHash
	}
	verifications.Add(1)
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// withHashSlot runs fn while holding one of the argon2id slots.
func (db *DB) withHashSlot(ctx context.Context, fn func() error) error {
	select {
	case db.hashSlots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-db.hashSlots }()
	db.hashRuns.Add(1)
	err := fn()
	// the 19 MiB block of this run is garbage now: collect it and give it
	// back to the system before the next run allocates another, so the
	// server's footprint between sign-ins stays that of its live data (a
	// few milliseconds per sign-in)
	debug.FreeOSMemory()
	return err
}
