package cli

import (
	"fmt"
	"runtime/debug"

	"github.com/dcc/carport/internal/opener"
)

// version prints carport's version, and the module version and VCS
// revision the binary was built from (debug.ReadBuildInfo: a binary built
// outside a checkout, or by go run, has no revision). With --opener it also
// prints the sha256 of each file of the in-browser opener built into this
// binary, in sha256sum's format, so anyone can compare what a host serves at
// /opener/ with the release (and with the README).
func (e *env) version(args []string) error {
	fs := e.flags("version", "[--opener]")
	withOpener := fs.Bool("opener", false, "also print the sha256 of each file of the in-browser opener (served at /opener/ by carport serve)")
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "carport", Version)
	for _, line := range buildLines() {
		fmt.Fprintln(e.stdout, line)
	}
	if *withOpener {
		for _, f := range opener.Files() {
			fmt.Fprintf(e.stdout, "%s  %s\n", f.SHA256, f.Name)
		}
	}
	return nil
}

// buildLines describe the build: module, VCS revision, Go version.
func buildLines() []string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return []string{"build information: not available"}
	}
	mod := bi.Main.Version
	if mod == "" {
		mod = "(devel)"
	}
	lines := []string{"module " + bi.Main.Path + " " + mod}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		line := "revision " + rev
		if t := settings["vcs.time"]; t != "" {
			line += " (" + t + ")"
		}
		if settings["vcs.modified"] == "true" {
			line += ", with uncommitted changes"
		}
		lines = append(lines, line)
	} else {
		lines = append(lines, "revision unknown (not built from a git checkout)")
	}
	return append(lines, "built with "+bi.GoVersion)
}
