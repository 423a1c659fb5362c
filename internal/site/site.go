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
// where it writes. Templates, content and the ECharts script are read
// through file systems (the copies built into carport, or folders that
// override them); the work and out folders are on the local disk.
type Options struct {
	Templates fs.FS // templates/: Hugo layouts in layouts/, CSS and site JS in static/
	Content   fs.FS // content/: authored Markdown pages (about, privacy, help), documents in documents/
	// ContentName names Content in messages ("content").
	ContentName string
	ECharts     fs.FS  // holds the pinned ECharts script as EChartsFile
	EChartsFile string // its name in ECharts; default "echarts.min.js"
	WorkDir     string // private scratch dir (caller creates 0700 and removes it)
	OutDir      string // publish dir for the rendered site (created; must not exist or be empty)
	// FeedbackEmail is the DCC mailbox for "report a problem / ask for
	// help" mailto links.
	FeedbackEmail string
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
	if plan.docs, err = documentsFor(o.Content, o.ContentName, in.Roles); err != nil {
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

// validateOptions checks that every input is there and that OutDir is
// free, and makes the paths absolute.
func validateOptions(o *Options) error {
	switch {
	case o.Templates == nil:
		return errors.New("templates not set")
	case o.Content == nil:
		return errors.New("content not set")
	case o.ECharts == nil:
		return errors.New("echarts script not set")
	case o.WorkDir == "":
		return errors.New("work dir not set")
	}
	if o.ContentName == "" {
		o.ContentName = "content"
	}
	if o.EChartsFile == "" {
		o.EChartsFile = "echarts.min.js"
	}
	if st, err := fs.Stat(o.Templates, "layouts"); err != nil || !st.IsDir() {
		return errors.New("the templates have no layouts folder")
	}
	abs, err := filepath.Abs(o.WorkDir)
	if err != nil {
		return fmt.Errorf("work dir %s: %w", o.WorkDir, err)
	}
	if st, err := os.Stat(abs); err != nil || !st.IsDir() {
		return fmt.Errorf("work dir %s: not a folder", abs)
	}
	o.WorkDir = abs
	if o.OutDir == "" {
		return errors.New("out dir not set")
	}
	abs, err = filepath.Abs(o.OutDir)
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
