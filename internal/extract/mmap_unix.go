//go:build linux || darwin || freebsd

package extract

import (
	"os"
	"syscall"
)

// mapFile maps f read-only, or returns nil when it cannot (empty file,
// not a regular file, no address space): the caller then reads it.
func mapFile(f *os.File) []byte {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() <= 0 || int64(int(fi.Size())) != fi.Size() {
		return nil
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(fi.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil
	}
	_ = syscall.Madvise(data, syscall.MADV_SEQUENTIAL)
	return data
}

// unmapFile undoes mapFile.
func unmapFile(data []byte) error { return syscall.Munmap(data) }

// releasePages tells the kernel that the pages under b, a slice of a
// mapping, will not be read again: they leave the process's resident set
// (the file stays in the page cache). The range is rounded out to whole
// pages, so no page is left behind at block edges; a neighbouring block
// that still reads a shared edge page simply faults it in again.
func releasePages(b []byte) {
	if len(b) == 0 {
		return
	}
	page := uintptr(os.Getpagesize())
	start := uintptr(unsafePointer(b))
	lo := start &^ (page - 1)
	hi := (start + uintptr(len(b)) + page - 1) &^ (page - 1)
	_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, lo, hi-lo, syscall.MADV_DONTNEED)
}
