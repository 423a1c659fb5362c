package worker

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/dcc/carport/internal/audit"
)

// Serve is a worker process's life: it reads the hello from in, opens the
// audit index, then builds the tasks that arrive, one at a time, until in
// ends, answering on out. version is this binary's carport version; a
// parent of another version is refused, as the sites would differ. A
// party that fails is reported to the parent (which ends the run) and
// Serve goes on; an error returned means the conversation itself broke.
func Serve(ctx context.Context, in io.Reader, out io.Writer, version string) error {
	c := newConn(in, out)
	m, err := c.recv()
	if err != nil {
		return fmt.Errorf("reading the hello: %w", err)
	}
	if m.Kind != kindHello || m.Config == nil {
		return fmt.Errorf("protocol: %s where hello was expected", m.Kind)
	}
	if m.Version != version {
		err := fmt.Errorf("the worker is carport %s, the build carport %s", version, m.Version)
		c.send(&message{Kind: kindFail, Err: err.Error()})
		return err
	}
	cfg := *m.Config
	so, err := cfg.siteOptions()
	if err != nil {
		c.send(&message{Kind: kindFail, Err: err.Error()})
		return err
	}
	ix, err := audit.Open(cfg.AuditDir)
	if err != nil {
		c.send(&message{Kind: kindFail, Err: err.Error()})
		return err
	}
	defer ix.Close()
	sh := Shared{Site: so, SitesDir: cfg.SitesDir, Index: ix}
	if err := c.send(&message{Kind: kindReady}); err != nil {
		return err
	}
	for {
		m, err := c.recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if m.Kind != kindTask || m.Task == nil {
			return fmt.Errorf("protocol: %s where a task was expected", m.Kind)
		}
		taskMemory(m.size)
		var broken error // the conversation failed, not the party
		sign := func(manifestJSON []byte) ([]byte, error) {
			if err := c.send(&message{Kind: kindSign, Data: manifestJSON}); err != nil {
				broken = err
				return nil, err
			}
			r, err := c.recv()
			if err == nil && r.Kind != kindSigned {
				err = fmt.Errorf("protocol: %s where signed was expected", r.Kind)
			}
			if err != nil {
				broken = err
				return nil, err
			}
			return r.Data, nil
		}
		dw := &dataWriter{c: c, kind: kindData}
		res, err := Build(ctx, sh, *m.Task, sign, func() (io.Writer, error) { return dw, nil })
		if err == nil {
			err = dw.flush()
		}
		if broken != nil {
			return broken
		}
		if err != nil {
			if err := c.send(&message{Kind: kindFail, Err: err.Error()}); err != nil {
				return err
			}
			continue
		}
		if err := c.send(&message{Kind: kindDone, Result: &res}); err != nil {
			return err
		}
	}
}
