// Package worker renders, audits and seals parties' sites in worker
// processes: the carport binary started again in a hidden mode, each
// worker building one party at a time, as many workers as the build asks
// for. Processes, not goroutines, because Hugo's configuration loading
// sets a process-wide logger, so two sites cannot be built at once in one
// process.
//
// The parent (the build) computes each party's site input from the
// engine's results and sends it with the task: workers never scan the
// extracts. A worker writes plaintext only into the private stage folder
// it is given, reads the leak audit's index the parent saved there, and
// streams the bundle's ciphertext back; the parent keeps the DCC's
// signing key (it signs each manifest.json on the worker's request and
// the finished bundle), writes the bundle into OUT and publishes. See
// protocol.go for the messages and pool.go for how workers live and die.
package worker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/dcc/carport"
	"github.com/dcc/carport/internal/audit"
	"github.com/dcc/carport/internal/bundle"
	"github.com/dcc/carport/internal/site"
)

// Config is what every party of a run shares; the parent sends it once to
// each worker.
type Config struct {
	// Templates and Content are the folders of site templates and
	// authored pages, ECharts the echarts.min.js file; "" is the copy
	// built into carport. The parent resolves them (absolute paths), so a
	// worker reads exactly what the parent chose.
	Templates, Content, ECharts string
	// FeedbackEmail is the DCC mailbox of the sites' feedback links.
	FeedbackEmail string
	// SitesDir is the private stage folder where sites are rendered:
	// SitesDir/sites/<party> and SitesDir/work/<party>, removed as soon as
	// the party is sealed.
	SitesDir string
	// AuditDir is the leak audit's index saved on the private stage
	// (audit.Open).
	AuditDir string
}

// Shared is what every party's Build reads in one worker process.
type Shared struct {
	// Site are the sites' sources and feedback address; Build sets the
	// work and out folders per party.
	Site site.Options
	// SitesDir is Config.SitesDir.
	SitesDir string
	// Index is the leak audit's index.
	Index *audit.Index
}

// siteOptions opens the config's site sources.
func (c Config) siteOptions() (site.Options, error) {
	open := func(kind, dir string) (carport.Source, error) {
		if dir == "" {
			return carport.BuiltIn(kind)
		}
		return carport.Open(kind, dir)
	}
	tpl, err := open(carport.Templates, c.Templates)
	if err != nil {
		return site.Options{}, fmt.Errorf("templates: %w", err)
	}
	content, err := open(carport.Content, c.Content)
	if err != nil {
		return site.Options{}, fmt.Errorf("content: %w", err)
	}
	ech, name, err := carport.ECharts(c.ECharts)
	if err != nil {
		return site.Options{}, fmt.Errorf("echarts: %w", err)
	}
	return site.Options{Templates: tpl.FS, Content: content.FS, ContentName: content.Name, ECharts: ech, EChartsFile: name,
		FeedbackEmail: c.FeedbackEmail}, nil
}

// Task is one party to build.
type Task struct {
	Party string
	// Input is the party's site, as the engine computed it.
	Input site.Input
	// Manifest names the bundle's period, party, generator and reports;
	// sealing fills in its files.
	Manifest bundle.Manifest
	// AlertDevices are the device ids of alerts sent to the party, which
	// its site may show (audit.Index.Check).
	AlertDevices []string
	// Recipients is the party's recipients file, keys/<party>.txt (the
	// parent has read and checked it).
	Recipients string
}

// Result is one party built.
type Result struct {
	Party  string
	Site   site.Stats
	Audit  audit.Stats // without Sums
	Sealed bundle.Encrypted
	// Render, Check and Seal are the three steps' wall times.
	Render, Check, Seal time.Duration
}

// Build renders the party's site into the stage, audits it for leaks and
// encrypts it: manifest.json is signed by sign, and the ciphertext
// written to the writer open returns (opened only once the audit passed).
// The party's plaintext is removed when Build returns, whatever happened.
// It is the whole of a party's work in a worker process, and the same
// function whichever worker runs it. Errors name the party.
func Build(ctx context.Context, sh Shared, t Task, sign func(manifestJSON []byte) ([]byte, error), open func() (io.Writer, error)) (Result, error) {
	res := Result{Party: t.Party}
	if err := checkParty(t); err != nil {
		return res, err
	}
	siteDir := filepath.Join(sh.SitesDir, "sites", t.Party)
	work := filepath.Join(sh.SitesDir, "work", t.Party)
	defer os.RemoveAll(siteDir)
	defer os.RemoveAll(work)
	t0 := time.Now()
	if err := os.MkdirAll(work, 0o700); err != nil {
		return res, err
	}
	o := sh.Site
	o.WorkDir, o.OutDir = work, siteDir
	st, err := site.Render(t.Input, o)
	t.Input = site.Input{} // the site is on disk now: its input is garbage for the audit and seal
	res.Site = st
	if err != nil {
		return res, fmt.Errorf("party %s: rendering: %w", t.Party, err)
	}
	t1 := time.Now()
	res.Render = t1.Sub(t0)
	if err := ctx.Err(); err != nil {
		return res, err
	}
	ast, err := sh.Index.Check(t.Party, siteDir, t.AlertDevices)
	sums := ast.Sums
	ast.Sums = nil
	res.Audit = ast
	if err != nil {
		if audit.IsLeak(err) { // it says what failed
			return res, fmt.Errorf("party %s: %w", t.Party, err)
		}
		return res, fmt.Errorf("party %s: leak audit: %w", t.Party, err)
	}
	t2 := time.Now()
	res.Check = t2.Sub(t1)
	recipients, err := bundle.ReadRecipients(t.Recipients)
	if err != nil {
		return res, fmt.Errorf("party %s: %w", t.Party, err)
	}
	// the bundle is made of the very bytes the audit read: kept in memory
	// (most files), or read again and checked against the audit's sums
	files := make([]bundle.FileEntry, len(sums))
	data := make(map[string][]byte, len(sums))
	for i, s := range sums {
		files[i] = bundle.FileEntry{Path: s.Path, Size: s.Size, SHA256: s.SHA256}
		if s.Data != nil {
			data[s.Path] = s.Data
		}
	}
	enc, err := bundle.Encrypt(bundle.EncryptOptions{SiteDir: siteDir, Recipients: recipients, Manifest: t.Manifest, Files: files,
		Data: data, SignManifest: sign, Context: ctx}, open)
	if err != nil {
		return res, fmt.Errorf("party %s: sealing: %w", t.Party, err)
	}
	res.Sealed = enc
	res.Seal = time.Since(t2)
	return res, nil
}

// checkParty refuses a task whose party could not be a folder name or
// disagrees with its own input and manifest.
func checkParty(t Task) error {
	if t.Party == "" || t.Party != filepath.Base(t.Party) || t.Party == "." || t.Party == ".." || t.Party[0] == '.' {
		return fmt.Errorf("task for party %q: not a party id", t.Party)
	}
	if t.Input.PartyID != t.Party || t.Manifest.Party != t.Party {
		return errors.New("task for party " + t.Party + ": its site input or manifest is for another party")
	}
	return nil
}
