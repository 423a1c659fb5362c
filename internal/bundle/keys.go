package bundle

import (
	"fmt"

	"filippo.io/age"
)

// NewIdentity generates a fresh X25519 age identity and returns its public
// recipient ("age1…") and its secret key string.
func NewIdentity() (recipient, secret string, err error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return "", "", fmt.Errorf("generating age identity: %w", err)
	}
	return id.Recipient().String(), id.String(), nil
}
