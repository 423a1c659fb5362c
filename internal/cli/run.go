package cli

// Run's dispatch: one subcommand per name, each in a file of its own.

import (
	"fmt"
	"io"
)

const usageText = `carport: report-as-code sites for the DCC's Customer Analytics Reporting

usage:
  carport synth --out DIR --period YYYY-MM [--scale tiny|small|medium|large] [--seed N]
  carport build --extracts DIR --period YYYY-MM --keys DIR --out DIR [--party ID ...] [--signing-key FILE] [--workers N] [--history DIR]
  carport reseal --period YYYY-MM --party ID ... --extracts DIR --keys DIR --out DIR [--signing-key FILE]
  carport open BUNDLE -i IDENTITY [--to DIR] [--pub FILE]
  carport keys check --extracts DIR --keys DIR
  carport keygen-signing --pub FILE --secret FILE
  carport clean [--out DIR] [--stage DIR]
  carport lint [--reportdefs DIR] [--content DIR] [--base REF] [--extracts DIR [--period YYYY-MM]]
  carport list [--search TEXT] [--role R] [--status S] [--category C] [--format table|csv|json]
  carport plan --base REF [--reportdefs DIR] [--extracts DIR [--period YYYY-MM --party ID]]
  carport serve --root OUT --db FILE [--addr 127.0.0.1:8080] [--tls-cert F --tls-key F] [--public-url URL] [--pub FILE]
  carport users list|show|add|approve|link|disable|enable|set-party|make-admin|delete|token ... --db FILE
  carport release --db FILE --root OUT --period YYYY-MM [--party ID ...]
  carport revoke --db FILE --period YYYY-MM [--party ID ...]
  carport usage --db FILE [--from YYYY-MM] [--to YYYY-MM] [--undownloaded] [--format table|csv|json]
  carport version [--opener]

Run 'carport COMMAND -h' for the flags of a command.

Report definitions, templates and pages come from --reportdefs, --templates
and --content, else from ./reportdefs, ./templates and ./content when the
current folder has them, else from the copies built into carport.

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
		fmt.Fprint(stderr, usageText)
		return ExitBadData
	}
	env := newEnv(stdin, stdout, stderr)
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
		fmt.Fprint(stdout, usageText)
	default:
		env.say("error: unknown command %q", args[0])
		env.say("hint: run 'carport help' for the list of commands")
		return ExitBadData
	}
	return env.report(err)
}
