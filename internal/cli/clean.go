package cli

import (
	"errors"
	"fmt"
	"os"

	"github.com/dcc/carport/internal/publish"
)

// clean removes what crashed runs left: stage folders whose owner is dead
// (proved by their lock, see internal/stage) in the temp folder, /dev/shm
// and --stage, and with --out the unfinished versions in OUT.
func (e *env) clean(args []string) error {
	fs := e.flags("clean", "[--out DIR] [--stage DIR]")
	out := fs.String("out", "", "also clean this output folder (needs its lock: not while a build runs)")
	stageDir := fs.String("stage", "", "also look in this staging folder")
	if err := parse(fs, args); err != nil {
		return err
	}
	roots := []string{os.TempDir(), plaintextRoot("")}
	if *stageDir != "" {
		roots = append(roots, *stageDir)
	}
	e.sweepStages(roots...)
	if *out != "" {
		o, err := publish.Lock(*out)
		var be *publish.BusyError
		if errors.As(err, &be) {
			return fmt.Errorf("clean: %w: nothing removed there", err)
		}
		if err != nil {
			return err
		}
		removed, err := o.Sweep()
		o.Unlock()
		e.removedNote(removed, "left by a build that did not finish")
		if err != nil {
			return err
		}
	}
	if e.removed == 0 {
		e.say("clean: nothing to remove")
	}
	return nil
}
