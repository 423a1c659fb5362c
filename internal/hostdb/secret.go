package hostdb

// Sessions, API tokens and one-time links are bearer secrets of the form
// <prefix><row id>.<32 random bytes, base64url>. Only a sha256 of the
// random part is stored; a presented secret is looked up by its row id and
// its hash compared in constant time, so the database never holds anything
// that would let its reader sign in, and a wrong secret takes the same path
// as a right one.

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strconv"
	"strings"
)

// Secret prefixes.
const (
	sessionPrefix = "s"
	tokenPrefix   = "cpt_"
	linkPrefix    = "l"
)

func newSecret() (secret string, hash []byte, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	s := base64.RawURLEncoding.EncodeToString(b)
	h := sha256.Sum256([]byte(s))
	return s, h[:], nil
}

func formatSecret(prefix string, id int64, secret string) string {
	return prefix + strconv.FormatInt(id, 10) + "." + secret
}

// parseSecret splits a presented secret into its row id and random part.
func parseSecret(prefix, s string) (int64, string, bool) {
	rest, ok := strings.CutPrefix(s, prefix)
	if !ok || len(s) > 128 {
		return 0, "", false
	}
	idText, secret, ok := strings.Cut(rest, ".")
	if !ok || len(secret) != 43 {
		return 0, "", false
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 {
		return 0, "", false
	}
	return id, secret, true
}

func secretMatches(secret string, stored []byte) bool {
	h := sha256.Sum256([]byte(secret))
	return subtle.ConstantTimeCompare(h[:], stored) == 1
}
