package cli

import (
	"fmt"

	"github.com/dcc/carport/internal/opener"
)

// version prints carport's version and, with --opener, the sha256 of each
// file of the in-browser opener built into this binary, in sha256sum's
// format, so anyone can compare what a host serves at /opener/ with the
// release (and with the README).
func (e *env) version(args []string) error {
	fs := e.flags("version", "[--opener]")
	withOpener := fs.Bool("opener", false, "also print the sha256 of each file of the in-browser opener (served at /opener/ by carport serve)")
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "carport", Version)
	if *withOpener {
		for _, f := range opener.Files() {
			fmt.Fprintf(e.stdout, "%s  %s\n", f.SHA256, f.Name)
		}
	}
	return nil
}
