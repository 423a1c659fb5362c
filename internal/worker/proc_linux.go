package worker

import "syscall"

// sysProcAttr makes the kernel kill a worker when the thread that started
// it ends (see pool.go): a parent killed by SIGKILL or the OOM killer
// takes its workers with it.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
