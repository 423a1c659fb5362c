// Package cli is the carport command line: it parses arguments, runs one
// subcommand and maps what went wrong to an exit code and one error voice
// on stderr ("carport: error: …", "carport: hint: …").
package cli

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

const usage = `carport: report-as-code sites for the DCC's Customer Analytics Reporting

usage:
  carport synth --out DIR --period YYYY-MM [--scale tiny|small|medium|large] [--seed N]
  carport build --extracts DIR --period YYYY-MM --keys DIR --out DIR [--party ID ...] [--signing-key FILE] [--workers N]
  carport reseal --period YYYY-MM --party ID ... --extracts DIR --keys DIR --out DIR [--signing-key FILE]
  carport open BUNDLE -i IDENTITY [--to DIR] [--pub FILE]
  carport keys check --extracts DIR --keys DIR
  carport keygen-signing --pub FILE --secret FILE
  carport clean [--out DIR] [--stage DIR]
  carport lint [--reportdefs DIR] [--base REF]
  carport list [--search TEXT] [--role R] [--status S] [--category C] [--format table|csv|json]
  carport plan --base REF [--reportdefs DIR] [--extracts DIR [--period YYYY-MM --party ID]]
  carport serve --root OUT --db FILE [--addr 127.0.0.1:8080] [--tls-cert F --tls-key F] [--public-url URL] [--pub FILE]
  carport users list|show|add|approve|link|disable|enable|set-party|make-admin|delete|token ... --db FILE
  carport release --db FILE --root OUT --period YYYY-MM [--party ID ...]
  carport revoke --db FILE --period YYYY-MM [--party ID ...]
  carport usage --db FILE [--from YYYY-MM] [--to YYYY-MM] [--undownloaded] [--format table|csv|json]
  carport version [--opener]

Run 'carport COMMAND -h' for the flags of a command.

exit codes:
  0  success
  1  the run failed (I/O, rendering, leak audit, sealing, a refused bundle,
     another build holding OUT, an interrupt)
  2  bad usage, invalid report definitions or invalid extracts
`

// Run runs carport with args (without the program name) and returns the
// exit code.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return ExitBadData
	}
	env := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	var err error
	switch args[0] {
	case "synth":
		err = env.synth(args[1:])
	case "build":
		err = env.build(args[1:])
	case "open":
		err = env.open(args[1:])
	case "reseal":
		err = env.reseal(args[1:])
	case "keys":
		err = env.keys(args[1:])
	case "keygen-signing":
		err = env.keygenSigning(args[1:])
	case "clean":
		err = env.clean(args[1:])
	case "lint":
		err = env.lint(args[1:])
	case "list":
		err = env.list(args[1:])
	case "plan":
		err = env.plan(args[1:])
	case "serve":
		err = env.serve(args[1:])
	case "users":
		err = env.users(args[1:])
	case "release":
		err = env.release(args[1:])
	case "revoke":
		err = env.revoke(args[1:])
	case "usage":
		err = env.usage(args[1:])
	case "version", "--version":
		err = env.version(args[1:])
	case WorkerCommand: // hidden: a build's worker process
		err = env.worker(args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "carport: error: unknown command %q\n", args[0])
		fmt.Fprintf(stderr, "carport: hint: run 'carport help' for the list of commands\n")
		return ExitBadData
	}
	return env.report(err)
}

type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	removed        int // stale paths removed (clean's count)
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
	case errors.As(err, &ps):
		code = ExitBadData
		hint = "fix the report definitions above; 'carport lint' checks them without a build"
	case errors.As(err, &de):
		code, hint = ExitBadData, de.Hint
	case errors.As(err, &tm):
		code = ExitBadData
		hint = "fix the warehouse extract, or raise max_bad_fraction in reportdefs/policy.toml if the rows are expected"
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		fmt.Fprintf(e.stderr, "carport: error: %s\n", line)
	}
	if hint != "" {
		fmt.Fprintf(e.stderr, "carport: hint: %s\n", hint)
	}
	return code
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
