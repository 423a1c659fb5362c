// Command carport builds each SEC Party's benchmarked Customer Analytics
// Reporting site from warehouse extracts and report definitions, and seals
// it to that party's age key. See README.md.
package main

import (
	"os"

	"github.com/dcc/carport/internal/cli"
)

func main() { os.Exit(cli.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
