//go:build !unix

package audit

import (
	"io"
	"os"
	"syscall"
	"unsafe"
)

// mapWords reads the file at path as 64-bit words (no mapping here).
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
	if size == 0 || size%8 != 0 {
		return nil, nil, &os.PathError{Op: "read", Path: path, Err: syscall.EINVAL}
	}
	words := make([]uint64, size/8)
	if _, err := io.ReadFull(f, unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), size)); err != nil {
		return nil, nil, err
	}
	return words, func() error { return nil }, nil
}
