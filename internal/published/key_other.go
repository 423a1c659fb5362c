//go:build !unix

package published

import (
	"fmt"
	"io/fs"
)

// fileKey names one version of a file by size and modification time where
// the system gives no inode.
func fileKey(fi fs.FileInfo) string {
	return fmt.Sprintf("-:-:%d:%d", fi.Size(), fi.ModTime().UnixNano())
}
