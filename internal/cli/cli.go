// Package cli is the carport command line: it parses arguments, runs one
// subcommand and maps what went wrong to an exit code and one voice on
// stderr.
package cli

// The voice: every line carport writes on stderr starts "carport: ", and
// the CLI alone writes that prefix (packages write plain lines to the
// writer they are given, see env.progress):
//
//	carport: error: WHAT            what failed, where (file:line, party)
//	carport: hint: FIX              the fix, when it is obvious
//	carport: note: WHAT             worth knowing, not a failure
//	carport: warning: WHAT          may need action
//	carport: TEXT                   progress of the running command
//
// Errors are wrapped once, at the boundary that knows their subject (a
// party, a file, a flag); inner layers return plain causes.

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/dcc/carport/internal/extract"
	"github.com/dcc/carport/internal/reportdef"
)

// Version is the generator version written into every manifest.
var Version = "0.1.0"

// Exit codes.
const (
	ExitOK      = 0 // success
	ExitFailed  = 1 // the run failed (I/O, rendering, sealing)
	ExitBadData = 2 // bad usage, invalid definitions or invalid extracts
)

type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// progress is stderr with "carport: " before every line: the writer
	// packages report progress to.
	progress io.Writer
	removed  int // stale paths removed (clean's count)
}

func newEnv(stdin io.Reader, stdout, stderr io.Writer) *env {
	return &env{stdin: stdin, stdout: stdout, stderr: stderr, progress: &prefixWriter{w: stderr, prefix: "carport: "}}
}

// say writes one line of the voice: "carport: " and the text.
func (e *env) say(format string, args ...any) {
	fmt.Fprintf(e.stderr, "carport: "+format+"\n", args...)
}

// prefixWriter writes prefix before every line written through it.
type prefixWriter struct {
	w       io.Writer
	prefix  string
	midLine bool
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	var out []byte
	for _, c := range b {
		if !p.midLine {
			out = append(out, p.prefix...)
		}
		out = append(out, c)
		p.midLine = c != '\n'
	}
	if _, err := p.w.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}

// usageError is bad usage: exit 2 with a hint.
type usageError struct{ msg, hint string }

func (e *usageError) Error() string { return e.msg }

func usagef(hint, format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...), hint: hint}
}

// badInput marks an error as bad input (exit 2) with an optional hint.
type badInput struct {
	err  error
	hint string
}

func (e *badInput) Error() string { return e.err.Error() }
func (e *badInput) Unwrap() error { return e.err }

func (e *env) report(err error) int {
	if err == nil {
		return ExitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	code := ExitFailed
	hint := ""
	var ue *usageError
	var bi *badInput
	var de *extract.DataError
	var tm *extract.TooManyBadRowsError
	var ps reportdef.Problems
	switch {
	case errors.As(err, &ue):
		code, hint = ExitBadData, ue.hint
	case errors.As(err, &bi): // before Problems: a badInput may wrap them with its own hint
		code, hint = ExitBadData, bi.hint
		errors.As(err, &ps)
	case errors.As(err, &ps):
		code = ExitBadData
		hint = "fix the report definitions above; 'carport lint' checks them without a build"
	case errors.As(err, &de):
		code, hint = ExitBadData, de.Hint
	case errors.As(err, &tm):
		code = ExitBadData
		hint = "fix the warehouse extract, or raise max_bad_fraction in reportdefs/policy.toml if the rows are expected"
	}
	if len(ps) == 0 || err.Error() != ps.Error() {
		e.errorLines(err.Error())
	} else {
		// a definition's problems one by one, each with its own hint
		for _, p := range ps {
			e.errorLines(p.Error())
			if p.Hint != "" {
				e.say("hint: %s", p.Hint)
			}
		}
	}
	if hint != "" {
		e.say("hint: %s", hint)
	}
	return code
}

// errorLines writes an error's text, one "carport: error:" line per line.
func (e *env) errorLines(text string) {
	for _, line := range strings.Split(text, "\n") {
		e.say("error: %s", line)
	}
}

// flags makes a flag set that reports problems as usage errors.
func (e *env) flags(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: carport %s %s\n\nflags:\n", name, synopsis)
		out := fs.Output()
		fs.SetOutput(e.stderr) // parse silences the flag package's own messages
		fs.PrintDefaults()
		fs.SetOutput(out)
	}
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard) // we print our own voice
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usagef("run 'carport "+fs.Name()+" -h' for its flags", "%s: %v", fs.Name(), err)
	}
	if fs.NArg() > 0 {
		return usagef("run 'carport "+fs.Name()+" -h' for its flags", "%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

// multi is a repeatable string flag.
type multi []string

func (m *multi) String() string { return strings.Join(*m, ",") }
func (m *multi) Set(s string) error {
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			*m = append(*m, x)
		}
	}
	return nil
}

func required(fs *flag.FlagSet, names ...string) error {
	for _, n := range names {
		if fs.Lookup(n).Value.String() == "" {
			return usagef("run 'carport "+fs.Name()+" -h' for its flags", "%s: --%s is required", fs.Name(), n)
		}
	}
	return nil
}
