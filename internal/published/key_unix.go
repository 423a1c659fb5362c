//go:build unix

package published

import (
	"fmt"
	"io/fs"
	"syscall"
)

// fileKey names one version of a file: device, inode, size and
// modification time in nanoseconds.
func fileKey(fi fs.FileInfo) string {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return fmt.Sprintf("%d:%d:%d:%d", uint64(st.Dev), uint64(st.Ino), fi.Size(), fi.ModTime().UnixNano())
	}
	return fmt.Sprintf("-:-:%d:%d", fi.Size(), fi.ModTime().UnixNano())
}
