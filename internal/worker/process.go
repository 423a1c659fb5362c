package worker

import (
	"errors"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"syscall"
)

// Enter prepares this process to be a worker: it checks that it was
// started by a live carport build (EnvParent names its parent, which is
// still its parent), leaves interrupts to the parent, and returns the
// protocol's output: the real stdout, while os.Stdout is pointed at
// stderr so that nothing else writes into the protocol.
func Enter() (*os.File, error) {
	want, err := strconv.Atoi(os.Getenv(EnvParent))
	if err != nil || want <= 1 {
		return nil, errors.New("the worker mode is started by carport build, not by hand")
	}
	if os.Getppid() != want {
		return nil, errors.New("the build that started this worker is gone")
	}
	// Ctrl-C reaches the whole process group: the parent decides, and
	// kills its workers before it wipes the plaintext
	signal.Ignore(os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	// a worker's heap is one party's site at a time, garbage once it is
	// sealed: collecting at thrice the live heap rather than twice cut a
	// seventh of the CPU time of a build of the small month (GOGC, when
	// set, decides)
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	out := os.Stdout
	os.Stdout = os.Stderr
	return out, nil
}
