//go:build !(linux || darwin || freebsd)

package extract

import "os"

// mapFile maps nothing here: files are read.
func mapFile(*os.File) []byte { return nil }

func unmapFile([]byte) error { return nil }

func releasePages([]byte) {}
