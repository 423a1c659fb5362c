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

// RecipientKinds counts the recipients of a recipients file by kind:
// classic X25519 (age1…) and post-quantum hybrid (age1pq1…). Errors are
// ReadRecipients'.
func RecipientKinds(path string) (x25519, hybrid int, err error) {
	recs, err := ReadRecipients(path)
	if err != nil {
		return 0, 0, err
	}
	for _, r := range recs {
		switch r.(type) {
		case *age.HybridRecipient:
			hybrid++
		default:
			x25519++
		}
	}
	return x25519, hybrid, nil
}
