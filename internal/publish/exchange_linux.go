//go:build linux

package publish

import "golang.org/x/sys/unix"

// exchange swaps a and b atomically (renameat2 RENAME_EXCHANGE): here, a
// new symlink and the real folder an older carport published.
func exchange(a, b string) error {
	return unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
}
