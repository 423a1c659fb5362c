package worker

// How workers live and die. The parent starts them with their pipes, the
// stage folders' lock files (so a stage with a live worker is never taken
// for stale, even after the parent's SIGKILL) and, on Linux, a parent-death
// signal (SIGKILL when the parent dies, set from a thread kept for the
// worker's life: the signal follows the starting thread, not the process).
// Workers ignore SIGINT, SIGTERM and SIGHUP: an interrupt reaches the
// parent, which kills every worker (Kill) before it wipes the plaintext,
// so no worker writes after the wipe. A worker that dies, fails a party or
// breaks the protocol fails the run: the other workers are killed at once
// and the bundle being received is removed.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dcc/carport/internal/bundle"
	"github.com/dcc/carport/internal/site"
)

// EnvParent is set in a worker's environment to its parent's pid: a worker
// started otherwise, or whose parent is already gone, refuses to run.
const EnvParent = "CARPORT_WORKER_PARENT"

// Options say how to start a pool's workers and what they share.
type Options struct {
	// Workers is how many worker processes run (at least 1).
	Workers int
	// Command returns a new, unstarted worker process: the carport
	// binary in its worker mode. Start sets its pipes, adds EnvParent to
	// its environment and the files of Keep.
	Command func() *exec.Cmd
	// Config is sent to every worker.
	Config Config
	// Version is carport's version; workers of another refuse.
	Version string
	// Signer signs every manifest.json and bundle.
	Signer *bundle.Signer
	// Keep are open files every worker inherits and holds for its life
	// (the stage folders' lock files).
	Keep []*os.File
}

// Job is a party to build and where its bundle goes.
type Job struct {
	Task Task
	// Out is the bundle's path; its signature goes beside it.
	Out string
}

// Done is a party built, its bundle and signature in place.
type Done struct {
	Result
	// Size and SHA256 describe the ciphertext as written.
	Size   int64
	SHA256 string
}

// Pool is a set of running workers.
type Pool struct {
	o      Options
	mu     sync.Mutex
	procs  []*proc
	killed bool
}

type proc struct {
	cmd    *exec.Cmd
	c      *conn
	toW    *os.File      // the worker's stdin, our end
	fromW  *os.File      // the worker's stdout, our end
	stderr *tail         // the start of what it wrote on stderr
	exited chan struct{} // closed when Wait has returned
	err    error         // Wait's
}

// Start starts o.Workers workers and waits until each has opened the
// audit index. On error every started worker is killed.
func Start(o Options) (*Pool, error) {
	if o.Workers < 1 {
		return nil, fmt.Errorf("workers: %d, want at least 1", o.Workers)
	}
	if o.Signer == nil {
		return nil, errors.New("no signing key: every bundle is signed by the DCC")
	}
	p := &Pool{o: o}
	for i := 0; i < o.Workers; i++ {
		w, err := p.start()
		if err == nil {
			err = p.hello(w)
		}
		if err != nil {
			p.Kill()
			return nil, err
		}
	}
	return p, nil
}

func (p *Pool) start() (*proc, error) {
	cmd := p.o.Command()
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, EnvParent+"="+strconv.Itoa(os.Getpid()))
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, err
	}
	w := &proc{cmd: cmd, toW: inW, fromW: outR, stderr: &tail{}, exited: make(chan struct{})}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, w.stderr
	cmd.ExtraFiles = append(cmd.ExtraFiles, p.o.Keep...)
	cmd.SysProcAttr = sysProcAttr()
	started := make(chan error, 1)
	go func() {
		// the parent-death signal follows this thread: it must live as
		// long as the worker (a goroutine never leaves a locked thread)
		runtime.LockOSThread()
		p.mu.Lock()
		if p.killed {
			p.mu.Unlock()
			started <- errors.New("stopped")
			close(w.exited)
			return
		}
		err := cmd.Start()
		if err == nil {
			p.procs = append(p.procs, w)
		}
		p.mu.Unlock()
		started <- err
		if err != nil {
			close(w.exited)
			return
		}
		w.err = cmd.Wait()
		close(w.exited)
	}()
	err = <-started
	inR.Close()
	outW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		return nil, fmt.Errorf("starting a worker process: %w", err)
	}
	w.c = newConn(outR, inW)
	return w, nil
}

func (p *Pool) hello(w *proc) error {
	if err := w.c.send(&message{Kind: kindHello, Version: p.o.Version, Config: &p.o.Config}); err != nil {
		return p.died(w, "", err)
	}
	m, err := w.c.recv()
	if err != nil {
		return p.died(w, "", err)
	}
	switch m.Kind {
	case kindReady:
		return nil
	case kindFail:
		return fmt.Errorf("a worker process could not start: %s", m.Err)
	}
	return fmt.Errorf("a worker process: protocol: %s where ready was expected", m.Kind)
}

// Run builds every job from jobs on the workers, one party per worker at
// a time, calling done (never concurrently) as each party's bundle is in
// place, in the order they finish. The first failure (a party, a worker's
// death, done's error, ctx's end) kills every worker and is returned;
// bundles not committed are removed. Run returns once jobs is closed and
// drained, or at the first failure: the sender of jobs must stop sending
// when ctx ends.
func (p *Pool) Run(ctx context.Context, jobs <-chan Job, done func(Done) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(ctx, p.Kill)
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		if first == nil {
			first = err
		}
		mu.Unlock()
		cancel()
	}
	p.mu.Lock()
	procs := p.procs
	p.mu.Unlock()
	var doneMu sync.Mutex
	for _, w := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				var job Job
				var ok bool
				select {
				case <-ctx.Done():
					return
				case job, ok = <-jobs:
				}
				if !ok {
					return
				}
				d, err := p.build(ctx, w, job)
				if err == nil {
					doneMu.Lock()
					err = done(d)
					doneMu.Unlock()
				}
				if err != nil {
					fail(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if stop() && first == nil && ctx.Err() == nil {
		return nil
	}
	p.Kill() // done already, or under way: wait until every worker is gone
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// build runs one job on w.
func (p *Pool) build(ctx context.Context, w *proc, job Job) (d Done, err error) {
	t := &job.Task
	var bf *bundle.BundleFile
	defer func() {
		if err != nil {
			bf.Abort()
		}
	}()
	if err := w.c.send(&message{Kind: kindTask, Task: t}); err != nil {
		return d, p.died(w, t.Party, err)
	}
	// the worker has the site's input: not held here while it builds
	t.Input = site.Input{}
	for {
		m, err := w.c.recv()
		if err != nil {
			return d, p.died(w, t.Party, err)
		}
		switch m.Kind {
		case kindSign:
			if err := sameBundle(m.Data, t); err != nil {
				return d, fmt.Errorf("party %s: the worker asked to sign %w", t.Party, err)
			}
			sig := p.o.Signer.SignManifest(m.Data, t.Manifest.Period, t.Party)
			if err := w.c.send(&message{Kind: kindSigned, Data: sig}); err != nil {
				return d, p.died(w, t.Party, err)
			}
		case kindData:
			if bf == nil {
				if bf, err = bundle.CreateBundleFile(job.Out); err != nil {
					return d, fmt.Errorf("party %s: %w", t.Party, err)
				}
			}
			if _, err := bf.Write(m.Data); err != nil {
				return d, fmt.Errorf("party %s: writing %s: %w", t.Party, job.Out, err)
			}
		case kindFail:
			return d, errors.New(m.Err)
		case kindDone:
			if m.Result == nil || m.Result.Party != t.Party || bf == nil {
				return d, fmt.Errorf("party %s: the worker reported another party or no bundle", t.Party)
			}
			if err := ctx.Err(); err != nil {
				return d, err
			}
			t0 := time.Now()
			size, sum, err := bf.Commit(p.o.Signer, t.Manifest.Period, t.Party, m.Result.Sealed.ZipSHA256)
			if err != nil {
				return d, fmt.Errorf("party %s: %w", t.Party, err)
			}
			d.Result, d.Size, d.SHA256 = *m.Result, size, sum
			d.Seal += time.Since(t0)
			return d, nil
		default:
			return d, fmt.Errorf("party %s: worker protocol: unexpected %s", t.Party, m.Kind)
		}
	}
}

// sameBundle checks that a manifest.json a worker asks to sign is the
// task's party's, for the task's period.
func sameBundle(manifestJSON []byte, t *Task) error {
	var m bundle.Manifest
	if err := json.Unmarshal(manifestJSON, &m); err != nil {
		return fmt.Errorf("a manifest.json that does not decode: %v", err)
	}
	if m.Party != t.Party || m.Period != t.Manifest.Period {
		return fmt.Errorf("a manifest.json of party %q, period %q", m.Party, m.Period)
	}
	return nil
}

// died turns the end of w's stream into the error of the party it was
// building: its exit status and the last lines it wrote on stderr.
func (p *Pool) died(w *proc, party string, cause error) error {
	select {
	case <-w.exited:
	case <-time.After(5 * time.Second):
		// its stdout is broken but it lives on: it is no use
		w.cmd.Process.Kill()
		<-w.exited
	}
	p.mu.Lock()
	killed := p.killed
	p.mu.Unlock()
	who := "a worker process"
	if party != "" {
		who = "party " + party + ": the worker process building it"
	}
	status := "stream broken: " + cause.Error()
	if w.err != nil {
		status = w.err.Error()
	}
	if killed {
		return fmt.Errorf("%s (pid %d) was stopped", who, w.cmd.Process.Pid)
	}
	msg := fmt.Sprintf("%s (pid %d) ended unexpectedly (%s)", who, w.cmd.Process.Pid, status)
	if s := strings.TrimSpace(w.stderr.String()); s != "" {
		msg += "; it said: " + s
	}
	return errors.New(msg)
}

// Close ends the workers once their work is done (their stdin closes and
// they exit) and waits for them; a worker that does not exit cleanly is
// an error.
func (p *Pool) Close() error {
	p.mu.Lock()
	procs := p.procs
	p.mu.Unlock()
	var errs []error
	for _, w := range procs {
		w.toW.Close()
	}
	for _, w := range procs {
		select {
		case <-w.exited:
		case <-time.After(time.Minute):
			w.cmd.Process.Kill()
			<-w.exited
		}
		w.fromW.Close()
		if w.err != nil {
			errs = append(errs, fmt.Errorf("a worker process (pid %d) ended with %v", w.cmd.Process.Pid, w.err))
		}
	}
	return errors.Join(errs...)
}

// Kill kills every worker (SIGKILL) and returns once all are gone, so
// that none writes after it returns. Safe to call more than once, from
// any goroutine, and while Start runs.
func (p *Pool) Kill() {
	p.mu.Lock()
	p.killed = true
	procs := p.procs
	p.mu.Unlock()
	for _, w := range procs {
		w.cmd.Process.Kill()
	}
	for _, w := range procs {
		<-w.exited
		w.toW.Close()
		w.fromW.Close()
	}
}

// Pids are the workers' process ids (for tests and messages).
func (p *Pool) Pids() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []int
	for _, w := range p.procs {
		out = append(out, w.cmd.Process.Pid)
	}
	return out
}

// tail keeps the first bytes a worker wrote on stderr: its error line,
// or the top of a panic (what broke, and where).
type tail struct {
	mu  sync.Mutex
	buf []byte
}

const tailSize = 2 << 10

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n := tailSize - len(t.buf); n > 0 {
		t.buf = append(t.buf, p[:min(n, len(p))]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

var _ io.Writer = (*tail)(nil)
