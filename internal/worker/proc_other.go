//go:build !linux

package worker

import "syscall"

// sysProcAttr: no parent-death signal here. A worker whose parent died
// ends at its next read or write of the pipes (end of stream, or SIGPIPE
// on stdout).
func sysProcAttr() *syscall.SysProcAttr { return nil }
