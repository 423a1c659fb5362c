// Package bundle seals a party's rendered site into a deterministic zip,
// signed by the DCC (minisign) and encrypted with age to that party's
// public recipients, and opens such a bundle again, checking both
// signatures and every file against the manifest inside.
//
// It is the only package that imports age and minisign.
package bundle
