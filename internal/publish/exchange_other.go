//go:build !linux

package publish

import "os"

// exchange swaps a and b with two renames, through a third name: not
// atomic (b is briefly missing), used only once per period, to replace a
// real folder an older carport published.
func exchange(a, b string) error {
	aside := b + ".old-exchange"
	if err := os.Rename(b, aside); err != nil {
		return err
	}
	if err := os.Rename(a, b); err != nil {
		os.Rename(aside, b)
		return err
	}
	return os.Rename(aside, a)
}
