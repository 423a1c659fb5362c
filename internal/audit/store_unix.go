//go:build unix

package audit

import (
	"os"
	"syscall"
	"unsafe"
)

// mapWords maps the file at path read-only and shared, as 64-bit words.
func mapWords(path string) ([]uint64, func() error, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	size := fi.Size()
	if size == 0 || size%8 != 0 || int64(int(size)) != size {
		return nil, nil, &os.PathError{Op: "map", Path: path, Err: syscall.EINVAL}
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, &os.PathError{Op: "map", Path: path, Err: err}
	}
	// a mapping starts on a page: the words are aligned
	words := unsafe.Slice((*uint64)(unsafe.Pointer(&b[0])), len(b)/8)
	return words, func() error { return syscall.Munmap(b) }, nil
}
