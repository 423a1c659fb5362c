package cli

// The run's plaintext: where it is staged, how an interrupt wipes it, and
// how the stage folders of dead runs are swept (internal/stage).

import (
	"context"
	"os"
	"sync"

	"github.com/dcc/carport/internal/stage"
)

// stagePrefixes are the stage folders of carport runs, swept when stale.
var stagePrefixes = []string{"carport-stage-", "carport-sites-", "carport-plan-"}

// plaintext is the run's stage folders, wiped from the signal handler
// once the processes writing into them (the workers) are killed.
type plaintext struct {
	mu    sync.Mutex
	dirs  []*stage.Dir
	kills []func()
}

func (p *plaintext) add(ds ...*stage.Dir) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dirs = append(p.dirs, ds...)
}

// addKill adds a function that stops writers into the stages and returns
// once they are gone.
func (p *plaintext) addKill(kill func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.kills = append(p.kills, kill)
}

func (p *plaintext) wipe() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, kill := range p.kills {
		kill()
	}
	for _, d := range p.dirs {
		d.Wipe()
	}
}

// interrupted turns the error of a step that an interrupt cut short into
// the interrupt's own message; other errors pass unchanged.
func interrupted(ctx context.Context, sig func() string, err error) error {
	if ctx.Err() == nil {
		return err
	}
	return &interruptError{sig()}
}

type interruptError struct{ signal string }

func (e *interruptError) Error() string {
	return "interrupted by " + e.signal + ": nothing was published and the plaintext staging was removed"
}

func (e *env) sweepStages(roots ...string) {
	seen := map[string]bool{}
	for _, r := range roots {
		if seen[r] {
			continue
		}
		seen[r] = true
		removed, err := stage.Sweep(r, stagePrefixes...)
		e.removedNote(removed, "plaintext staging of a run that is no longer alive")
		if err != nil {
			e.say("warning: %v", err)
		}
	}
}

func (e *env) removedNote(paths []string, why string) {
	e.removed += len(paths)
	for _, p := range paths {
		e.say("removed %s (%s)", p, why)
	}
}

// plaintextRoot is where rendered sites are staged: the folder given, or
// a memory-backed folder when the machine has one (/dev/shm on Linux), so
// plaintext never reaches a disk and a site's thousands of small files
// cost no disk I/O (4x faster rendering on the demo month), or else the
// system temp folder.
func plaintextRoot(given string) string {
	if given != "" {
		return given
	}
	if dir, err := os.MkdirTemp("/dev/shm", "carport-probe-"); err == nil {
		os.Remove(dir)
		return "/dev/shm"
	}
	return os.TempDir()
}
