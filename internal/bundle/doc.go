// Package bundle seals a party's rendered site into a deterministic zip
// encrypted with age to that party's public recipients, and opens such a
// bundle again, checking every file against the manifest inside.
//
// It is the only package that imports age.
package bundle
