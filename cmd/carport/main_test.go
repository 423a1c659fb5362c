package main

// End-to-end tests of the command line as testscript scripts
// (testdata/script/*.txt). Every script starts in a folder holding the
// repository's reportdefs/, templates/ and content/ (the ECharts script is
// the one built into carport),
// and ext/: the hand-built month of testdata/month, except for files the
// script brings itself (so a script can break one extract).
//
// Every script gets a fresh demo DCC signing pair: the secret in
// $CARPORT_SIGNING_KEY (as CI provides it), the public key written by
// keygen as KEYS/dcc-signing.pub, and also at $WORK/dcc-signing.pub.
//
// Commands beside carport:
//   keygen KEYS IDS PARTY...   write KEYS/<party>.txt and IDS/<party>.key (and KEYS/dcc-signing.pub)
//   exitcode N ARGS...         run carport ARGS in a subprocess and fail unless it exits N
//   ls DIR                     list DIR's entries, one a line, to stdout

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/dcc/carport/internal/bundle"
	"github.com/dcc/carport/internal/cli"
)

func TestMain(m *testing.M) {
	// a build run in this process (cli.Run) starts this binary as its
	// workers; builds run as the carport command start it under that name
	if len(os.Args) > 1 && os.Args[1] == cli.WorkerCommand {
		os.Exit(cli.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	testscript.Main(m, map[string]func(){
		"carport": func() { os.Exit(cli.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

var update = os.Getenv("CARPORT_UPDATE_SCRIPTS") == "1"

func TestScripts(t *testing.T) {
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "script"),
		// the scripts' folders live in the test's own temporary folder:
		// testscript removes its default root only when every script ran,
		// so each `go test -run TestScripts/name` left an empty
		// go-test-script* in the temp folder
		WorkdirRoot:   t.TempDir(),
		UpdateScripts: update,
		Setup: func(env *testscript.Env) error {
			pub, sec, err := bundle.GenerateSigningKey()
			if err != nil {
				return err
			}
			env.Setenv("CARPORT_SIGNING_KEY", string(sec))
			if err := os.WriteFile(filepath.Join(env.WorkDir, "dcc-signing.pub"), pub, 0o644); err != nil {
				return err
			}
			for _, d := range []string{"reportdefs", "templates", "content"} {
				if err := copyMissing(filepath.Join(repo, d), filepath.Join(env.WorkDir, d)); err != nil {
					return err
				}
			}
			return copyMissing(filepath.Join("testdata", "month"), filepath.Join(env.WorkDir, "ext"))
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"keygen":   keygen,
			"exitcode": exitcode,
			"ls":       ls,
		},
	})
}

// copyMissing copies the tree src into dst, leaving alone every file dst
// has already (a script's own version wins).
func copyMissing(src, dst string) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		to := filepath.Join(dst, e.Name())
		if e.IsDir() {
			if err := copyMissing(filepath.Join(src, e.Name()), to); err != nil {
				return err
			}
			continue
		}
		if _, err := os.Stat(to); err == nil {
			continue
		}
		// a script removes a fixture file by bringing "<name>.absent"
		if _, err := os.Stat(to + ".absent"); err == nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			return err
		}
		if err := os.WriteFile(to, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func keygen(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 {
		ts.Fatalf("usage: keygen KEYS IDS PARTY...")
	}
	keys, ids := ts.MkAbs(args[0]), ts.MkAbs(args[1])
	ts.Check(os.MkdirAll(keys, 0o755))
	ts.Check(os.MkdirAll(ids, 0o700))
	pub, err := os.ReadFile(filepath.Join(ts.Getenv("WORK"), "dcc-signing.pub"))
	ts.Check(err)
	ts.Check(os.WriteFile(filepath.Join(keys, "dcc-signing.pub"), pub, 0o644))
	for _, p := range args[2:] {
		rcpt, secret, err := bundle.NewIdentity()
		ts.Check(err)
		ts.Check(os.WriteFile(filepath.Join(keys, p+".txt"), []byte("# test recipient for "+p+"\n"+rcpt+"\n"), 0o644))
		ts.Check(os.WriteFile(filepath.Join(ids, p+".key"), []byte(secret+"\n"), 0o600))
	}
}

func exitcode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N ARGS...")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	var stdout, stderr strings.Builder
	bin := ""
	for _, dir := range filepath.SplitList(ts.Getenv("PATH")) {
		if _, err := os.Stat(filepath.Join(dir, "carport")); err == nil {
			bin = filepath.Join(dir, "carport")
			break
		}
	}
	if bin == "" {
		ts.Fatalf("carport is not on the script's PATH")
	}
	cmd := exec.Command(bin, args[1:]...)
	cmd.Dir = ts.Getenv("WORK")
	cmd.Env = append(os.Environ(), "PATH="+ts.Getenv("PATH"), "HOME="+ts.Getenv("HOME"), "TMPDIR="+ts.Getenv("TMPDIR"),
		"CARPORT_SIGNING_KEY="+ts.Getenv("CARPORT_SIGNING_KEY"))
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	got := 0
	if ee, ok := err.(*exec.ExitError); ok {
		got = ee.ExitCode()
	} else if err != nil {
		ts.Fatalf("running carport: %v", err)
	}
	fmt.Fprint(ts.Stdout(), stdout.String())
	fmt.Fprint(ts.Stderr(), stderr.String())
	if got != want {
		ts.Fatalf("carport exited %d, want %d\nstderr:\n%s", got, want, stderr.String())
	}
}

func ls(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: ls DIR")
	}
	entries, err := os.ReadDir(ts.MkAbs(args[0]))
	ts.Check(err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintln(ts.Stdout(), n)
	}
}
