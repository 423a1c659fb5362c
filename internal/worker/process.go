package worker

import (
	"errors"
	"os"
	"os/signal"
	"runtime"
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

// Memory limits. Left to GOGC alone, a build's processes each grew their
// heap to a multiple of its largest moment: the build while a large
// party's job was in flight, a worker while it held a large party's site.
// A soft limit (runtime/debug.SetMemoryLimit) caps that growth where it
// costs little: the medium month's process tree peaked at 966 to 994 MiB
// instead of 1484 to 1706 MiB, for about 2 s more of its 58 to 60 s.
// GOMEMLIMIT, when set, decides instead.
const (
	// minBuildMemory is the least the build's own limit is while the
	// workers run.
	minBuildMemory = 512 << 20
	// minWorkerMemory is the least a worker's limit is; a task whose
	// encoded input is larger than a quarter of it raises it (taskMemory).
	minWorkerMemory = 200 << 20
)

// LimitBuildMemory sets the build's soft memory limit for the parties
// stage: thrice the heap live now (the scan's aggregates, which the
// parties' views read; the instances' pooled figures the views keep
// for the build add to them), and no less than minBuildMemory. Call it after a
// collection, when the heap holds what is live.
func LimitBuildMemory() {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	debug.SetMemoryLimit(max(minBuildMemory, 3*int64(ms.HeapAlloc)))
}

// taskMemory sets a worker's soft memory limit for a task whose input
// took size bytes on the wire: four times that (its decoded tables, the
// site rendered from them and the GC's room), and no less than
// minWorkerMemory.
func taskMemory(size int) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(max(minWorkerMemory, 4*int64(size)))
}
