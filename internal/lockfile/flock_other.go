//go:build !unix

package lockfile

import (
	"errors"
	"os"
)

var errUnsupported = errors.New("file locks are not supported on this system")

func tryLock(*os.File) error { return errUnsupported }

func unlock(*os.File) error { return nil }
