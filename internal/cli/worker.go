package cli

// The build's worker processes (internal/worker): this very binary started
// again under the hidden command WorkerCommand, fed one party at a time.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/dcc/carport/internal/worker"
)

// WorkerCommand is the hidden command that runs carport as a build's
// worker process. A test binary that runs builds must hand it to Run: its
// workers are the test binary started again.
const WorkerCommand = "__worker"

// workerCommand is a new worker process: this binary, under the name it
// was started by (which test harnesses dispatch on), in worker mode.
func workerCommand() *exec.Cmd {
	exe, err := os.Executable()
	if err != nil {
		exe = os.Args[0]
	}
	cmd := exec.Command(exe, WorkerCommand)
	cmd.Args[0] = os.Args[0]
	return cmd
}

// workerConfig is what every worker of this build reads: the site
// sources this build resolved (absolute paths; "" for a copy built into
// carport), the feedback address and the stage folders.
func (f *buildFlags) workerConfig(in buildInputs, sitesDir, auditDir string) (worker.Config, error) {
	abs := func(builtIn bool, path string) (string, error) {
		if builtIn || path == "" {
			return "", nil
		}
		return filepath.Abs(path)
	}
	var c worker.Config
	var err error
	if c.Templates, err = abs(in.sources.templates.BuiltIn, in.sources.templates.Name); err != nil {
		return c, err
	}
	if c.Content, err = abs(in.sources.content.BuiltIn, in.sources.content.Name); err != nil {
		return c, err
	}
	if c.ECharts, err = abs(false, f.ech); err != nil {
		return c, err
	}
	c.FeedbackEmail, c.SitesDir, c.AuditDir = in.suite.Policy.FeedbackEmail, sitesDir, auditDir
	return c, nil
}

// worker is the hidden command: a build's worker process.
func (e *env) worker(args []string) error {
	if len(args) > 0 {
		return usagef("carport build starts its workers itself", "%s takes no arguments", WorkerCommand)
	}
	out, err := worker.Enter()
	if err != nil {
		return usagef("carport build starts its workers itself", "%s: %v", WorkerCommand, err)
	}
	if err := worker.Serve(context.Background(), os.Stdin, out, Version); err != nil {
		return fmt.Errorf("worker process: %w", err)
	}
	return nil
}
