package cli

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/host"
	"github.com/dcc/carport/internal/hostdb"
	"github.com/dcc/carport/internal/published"
)

func (e *env) release(args []string) error {
	return e.releaseOrRevoke("release", args)
}

func (e *env) revoke(args []string) error {
	return e.releaseOrRevoke("revoke", args)
}

// releaseOrRevoke makes a built period visible to parties, or withdraws it
// (DCC-2, DCC-3).
func (e *env) releaseOrRevoke(name string, args []string) error {
	synopsis := "--db FILE --period YYYY-MM [--party ID ...]"
	if name == "release" {
		synopsis = "--db FILE --root OUT --period YYYY-MM [--party ID ...]"
	}
	fs := e.flags(name, synopsis)
	h := addHostFlags(fs, name == "release", name == "release")
	var root *string
	if name == "release" {
		root = fs.String("root", "", "the published folder: OUT of carport build")
	}
	period := fs.String("period", "", "the period, YYYY-MM")
	var parties multi
	help := "only these parties (repeatable or comma-separated; default: every party with a bundle in the period)"
	if name == "revoke" {
		help = "only these parties (repeatable or comma-separated; default: every party the period is released to)"
	}
	fs.Var(&parties, "party", help)
	if err := parse(fs, args); err != nil {
		return err
	}
	req := []string{"period"}
	if name == "release" {
		req = append(req, "root")
	}
	if err := required(fs, req...); err != nil {
		return err
	}
	if !published.ValidPeriod(*period) {
		return usagef("give the period as YYYY-MM, e.g. --period 2026-10", "%s: period %q is not YYYY-MM", name, *period)
	}
	for _, p := range parties {
		if !contract.ValidPartyID(p) {
			return usagef("", "%s: --party %q is not a party id", name, p)
		}
	}
	ctx := context.Background()
	db, err := h.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	a := &host.Admin{DB: db}
	if name == "revoke" {
		removed, err := a.Revoke(ctx, hostdb.CLI, *period, parties)
		if err != nil {
			return err
		}
		if len(removed) == 0 {
			e.say("revoke: %s was not released to any of those parties: nothing changed", *period)
			return nil
		}
		e.say("revoke: %s withdrawn from %d parties: %s", *period, len(removed), strings.Join(removed, ", "))
		return nil
	}
	if a.PublicURL, err = h.public(ctx, db); err != nil {
		return err
	}
	if a.Mail, err = h.sender(a.PublicURL); err != nil {
		return err
	}
	if a.Out, err = published.Open(*root, db); err != nil {
		return &badInput{fmt.Errorf("release: --root %s: %w", *root, err), "give the OUT folder of carport build"}
	}
	defer a.Out.Close()
	res, err := a.Release(ctx, hostdb.CLI, *period, parties)
	if err != nil {
		var ie *hostdb.InputError
		if errors.As(err, &ie) {
			return &badInput{fmt.Errorf("release: %w", err), "'carport build' publishes OUT/PERIOD/<party>.zip.age; the admin page lists what is there"}
		}
		return fmt.Errorf("release: %w", err)
	}
	if len(res.Already) > 0 {
		e.say("release: %s was released already to %s", *period, strings.Join(res.Already, ", "))
	}
	// the sha256 of each released bundle now, so no party's first page
	// view waits for it (the server reads it from the database)
	for _, p := range res.Released {
		b, err := a.Out.Bundle(*period, p)
		if err != nil {
			return fmt.Errorf("release: %s %s: %w", *period, p, err)
		}
		s, err := a.Out.Sum(ctx, b)
		if err != nil {
			return fmt.Errorf("release: %w", err)
		}
		fmt.Fprintf(e.stdout, "%s  %s\n", s, b.Name())
	}
	if len(res.Released) > 0 {
		e.say("release: %s released to %d parties%s; %d users notified", *period, len(res.Released),
			listSuffix(res.Released), res.Notified)
	} else {
		e.say("release: nothing new to release")
	}
	if len(res.MailErrs) > 0 {
		return fmt.Errorf("release: the release stands, but %d notices were not sent: %w", len(res.MailErrs), errors.Join(res.MailErrs...))
	}
	return nil
}

func listSuffix(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return ": " + strings.Join(xs, ", ")
}

// usage reports sign-ins, downloads and active users per party and month,
// and the parties that have not downloaded their latest release (DCC-10).
func (e *env) usage(args []string) error {
	fs := e.flags("usage", "--db FILE [--from YYYY-MM] [--to YYYY-MM] [--undownloaded] [--format table|csv|json]")
	h := addHostFlags(fs, false, false)
	from := fs.String("from", "", "first month, YYYY-MM (default: the first)")
	to := fs.String("to", "", "last month, YYYY-MM (default: the last)")
	und := fs.Bool("undownloaded", false, "list only the parties that never downloaded their latest released bundle")
	format := fs.String("format", "table", "table, csv or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := checkFormat("usage", *format, true); err != nil {
		return err
	}
	for _, p := range []struct{ flag, v string }{{"from", *from}, {"to", *to}} {
		if p.v != "" && !published.ValidPeriod(p.v) {
			return usagef("give months as YYYY-MM", "usage: --%s %q is not YYYY-MM", p.flag, p.v)
		}
	}
	ctx := context.Background()
	db, err := h.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.Usage(ctx, *from, *to)
	if err != nil {
		return err
	}
	pending, err := db.Undownloaded(ctx)
	if err != nil {
		return err
	}
	type usageJSON struct {
		Month       string `json:"month"`
		Party       string `json:"party"`
		SignIns     int    `json:"signins"`
		Downloads   int    `json:"downloads"`
		ActiveUsers int    `json:"active_users"`
	}
	type pendingJSON struct {
		Party    string `json:"party"`
		Period   string `json:"latest_released_period"`
		Released string `json:"released"`
	}
	us := []usageJSON{}
	for _, r := range rows {
		us = append(us, usageJSON{r.Month, r.Party, r.SignIns, r.Downloads, r.ActiveUsers})
	}
	ps := []pendingJSON{}
	for _, p := range pending {
		ps = append(ps, pendingJSON{p.Party, p.Period, p.At.UTC().Format(time.RFC3339)})
	}
	switch *format {
	case "json":
		if *und {
			return writeJSON(e.stdout, ps)
		}
		return writeJSON(e.stdout, struct {
			Usage        []usageJSON   `json:"usage"`
			Undownloaded []pendingJSON `json:"undownloaded"`
		}{us, ps})
	case "csv":
		cw := csv.NewWriter(e.stdout)
		if *und {
			cw.Write([]string{"party", "latest_released_period", "released"})
			for _, p := range ps {
				cw.Write([]string{p.Party, p.Period, p.Released})
			}
		} else {
			cw.Write([]string{"month", "party", "signins", "downloads", "active_users"})
			for _, u := range us {
				cw.Write([]string{u.Month, u.Party, strconv.Itoa(u.SignIns), strconv.Itoa(u.Downloads), strconv.Itoa(u.ActiveUsers)})
			}
		}
		cw.Flush()
		return cw.Error()
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	if !*und {
		fmt.Fprintln(tw, "MONTH\tPARTY\tSIGN-INS\tDOWNLOADS\tACTIVE USERS")
		for _, u := range us {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\n", u.Month, u.Party, u.SignIns, u.Downloads, u.ActiveUsers)
		}
		fmt.Fprintln(tw)
	}
	fmt.Fprintf(tw, "LATEST RELEASE NOT DOWNLOADED (%d parties)\n", len(ps))
	if len(ps) > 0 {
		fmt.Fprintln(tw, "PARTY\tPERIOD\tRELEASED")
		for _, p := range ps {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", p.Party, p.Period, p.Released)
		}
	}
	return tw.Flush()
}
