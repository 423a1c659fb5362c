package site

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Options says where Render finds its templates, content and scripts and
// where it writes. All paths are on the local disk.
type Options struct {
	TemplatesDir  string // repo templates/: Hugo layouts in layouts/, CSS and site JS in static/
	ContentDir    string // repo content/: authored Markdown pages (about, privacy, help)
	EChartsJS     string // path to echarts.min.js
	WorkDir       string // private scratch dir (caller creates 0700 and removes it)
	OutDir        string // publish dir for the rendered site (created; must not exist or be empty)
	FeedbackEmail string // DCC mailbox for "report a problem / ask for help" mailto links
}

// Stats describes one rendered site.
type Stats struct {
	Pages   int           // HTML pages
	Files   int           // all files, pages included
	Bytes   int64         // total size of all files
	Elapsed time.Duration // wall time of Render
}

// renderMu serialises Render: Hugo's config loading sets a process-wide
// logger, so two builds must never overlap.
var renderMu sync.Mutex

// Render builds one party's static site from in into o.OutDir with Hugo run
// in-process. The site appears in o.OutDir only when the whole build
// succeeded: it is built in a sibling temporary folder and renamed.
//
// Render is not safe for concurrent use; calls from several goroutines are
// serialised by a package mutex.
func Render(in Input, o Options) (Stats, error) {
	renderMu.Lock()
	defer renderMu.Unlock()
	start := time.Now()

	if err := validateOptions(&o); err != nil {
		return Stats{}, err
	}
	if o.FeedbackEmail == "" {
		o.FeedbackEmail = in.ContactEmail
	}
	if err := validateEmail(o.FeedbackEmail); err != nil {
		return Stats{}, err
	}
	plan, err := compile(in)
	if err != nil {
		return Stats{}, err
	}
	if plan.docs, err = documentsFor(o.ContentDir, in.Roles); err != nil {
		return Stats{}, err
	}

	stage, err := os.MkdirTemp(filepath.Dir(o.OutDir), ".carport-site-*")
	if err != nil {
		return Stats{}, fmt.Errorf("creating staging folder: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			_ = os.RemoveAll(stage)
		}
	}()

	project, err := os.MkdirTemp(o.WorkDir, "hugo-*")
	if err != nil {
		return Stats{}, fmt.Errorf("creating hugo project in work dir: %w", err)
	}
	defer func() { _ = os.RemoveAll(project) }()

	if err := writeProject(project, stage, in, o, plan); err != nil {
		return Stats{}, err
	}
	if err := build(project); err != nil {
		return Stats{}, err
	}
	if err := writeData(stage, o, plan); err != nil {
		return Stats{}, err
	}
	st, err := measure(stage)
	if err != nil {
		return Stats{}, err
	}
	if err := publish(stage, o.OutDir); err != nil {
		return Stats{}, err
	}
	ok = true
	st.Elapsed = time.Since(start)
	return st, nil
}

// validateOptions checks that every input path exists and that OutDir is
// free, and makes the paths absolute.
func validateOptions(o *Options) error {
	for _, p := range []struct {
		name string
		val  *string
		dir  bool
	}{
		{"templates dir", &o.TemplatesDir, true},
		{"content dir", &o.ContentDir, true},
		{"echarts script", &o.EChartsJS, false},
		{"work dir", &o.WorkDir, true},
	} {
		if *p.val == "" {
			return fmt.Errorf("%s not set", p.name)
		}
		abs, err := filepath.Abs(*p.val)
		if err != nil {
			return fmt.Errorf("%s %s: %w", p.name, *p.val, err)
		}
		fi, err := os.Stat(abs)
		if err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
		if fi.IsDir() != p.dir {
			return fmt.Errorf("%s %s: wrong kind of file", p.name, abs)
		}
		*p.val = abs
	}
	if _, err := os.Stat(filepath.Join(o.TemplatesDir, "layouts")); err != nil {
		return fmt.Errorf("templates dir %s has no layouts folder: %w", o.TemplatesDir, err)
	}
	if o.OutDir == "" {
		return errors.New("out dir not set")
	}
	abs, err := filepath.Abs(o.OutDir)
	if err != nil {
		return fmt.Errorf("out dir %s: %w", o.OutDir, err)
	}
	o.OutDir = abs
	ents, err := os.ReadDir(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			return fmt.Errorf("creating parent of out dir: %w", err)
		}
	case err != nil:
		return fmt.Errorf("out dir: %w", err)
	case len(ents) > 0:
		return fmt.Errorf("out dir %s is not empty", abs)
	}
	return nil
}

// validateEmail accepts a plain address (or nothing): it ends up in a
// mailto: link, so characters that would change the link are refused.
func validateEmail(s string) error {
	if s == "" {
		return nil
	}
	at := strings.IndexByte(s, '@')
	if at <= 0 || at != strings.LastIndexByte(s, '@') || at == len(s)-1 || strings.ContainsAny(s, " \t\r\n?&#<>\"'/\\:;,%") {
		return fmt.Errorf("feedback email %q is not a plain address like help@example.org", s)
	}
	return nil
}

// publish moves the finished staging folder into place.
func publish(stage, out string) error {
	if err := os.Remove(out); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("replacing out dir: %w", err)
	}
	if err := os.Rename(stage, out); err != nil {
		return fmt.Errorf("publishing site: %w", err)
	}
	return nil
}

// measure counts the files of the rendered site.
func measure(root string) (Stats, error) {
	var st Stats
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		st.Files++
		st.Bytes += fi.Size()
		if strings.HasSuffix(p, ".html") {
			st.Pages++
		}
		return nil
	})
	if err != nil {
		return Stats{}, fmt.Errorf("measuring output: %w", err)
	}
	return st, nil
}
