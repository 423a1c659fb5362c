// Package carport holds repository data built into the carport binary.
package carport

import _ "embed"

// SigningKey is keys/dcc-signing.pub: the DCC's public minisign key that
// `carport open` checks bundles against unless given another.
//
//go:embed keys/dcc-signing.pub
var SigningKey []byte
