package contract

// Where a party's bundle is published (outputs.md, Bundle layout): for
// period P and party X, OUT/P/X.zip.age, its DCC signature beside it as
// OUT/P/X.zip.age.minisig. Every package that writes, lists, serves or
// opens a bundle builds the names here.

import "path"

// Bundle and signature file suffixes inside OUT/<period>/.
const (
	BundleExt    = ".zip.age"
	SignatureExt = BundleExt + ".minisig"
)

// BundleFile is party's bundle file name inside its period's folder.
func BundleFile(party string) string { return party + BundleExt }

// SignatureFile is party's bundle signature file name inside its period's
// folder.
func SignatureFile(party string) string { return party + SignatureExt }

// BundlePath is party's bundle in period, as a slash-separated path
// relative to OUT ("2026-10/SUPA.zip.age"): a URL path or, through
// filepath.FromSlash, a file path.
func BundlePath(period, party string) string { return path.Join(period, BundleFile(party)) }

// SignaturePath is BundlePath's signature.
func SignaturePath(period, party string) string { return path.Join(period, SignatureFile(party)) }
