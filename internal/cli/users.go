package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dcc/carport/internal/host"
	"github.com/dcc/carport/internal/hostdb"
)

const usersUsage = `usage: carport users COMMAND [flags] (every command takes --db FILE, default $CARPORT_DB)

  list [--status S] [--party ID] [--kind party|admin] [--all] [--format table|csv|json]
  show USER [--format table|json]
  add --name NAME --email EMAIL (--party ID | --admin) [--print-link]
  approve USER [--print-link]       approve a registration; mails a set-password link
  link USER [--print-link]          mail a new set-password link
  disable USER                      refused from the very next request
  enable USER
  set-party USER PARTY
  make-admin USER [--undo]          --undo makes a DCC administrator a party user again
  delete USER --yes                 erase name, email and password (GDPR); keeps counts
  token USER [--name NAME] [--days N] | --list | --revoke ID

USER is an email address or a user id (7 or #7). Commands that send mail take
--outbox DIR or --smtp HOST:PORT, --mail-from and --public-url.
`

// usersNeedMail names the subcommands that send mail (and so need the
// public URL for their links).
var usersNeedMail = map[string]bool{"add": true, "approve": true, "link": true, "delete": true}

func (e *env) users(args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(e.stderr, usersUsage)
		if len(args) == 0 {
			return usagef("run 'carport users -h' for the commands", "users: no command given")
		}
		return nil
	}
	sub, args := args[0], args[1:]
	known := map[string]bool{"list": true, "show": true, "add": true, "approve": true, "link": true, "disable": true,
		"enable": true, "set-party": true, "make-admin": true, "delete": true, "token": true}
	if !known[sub] {
		return usagef("run 'carport users -h' for the commands", "users: unknown command %q", sub)
	}
	fs := e.flags("users "+sub, "(see 'carport users -h')")
	h := addHostFlags(fs, usersNeedMail[sub], usersNeedMail[sub])
	c := &usersCmd{env: e, fs: fs, h: h, sub: sub}
	return c.run(args)
}

type usersCmd struct {
	*env
	fs  *flag.FlagSet
	h   *hostFlags
	sub string
}

// parseMixed parses flags that may come before or after the positional
// arguments, and checks their number.
func parseMixed(fs *flag.FlagSet, args []string, want int, what string) ([]string, error) {
	hint := "run 'carport " + fs.Name() + " -h' for its flags"
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usagef(hint, "%s: %v", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos, args = append(pos, args[0]), args[1:]
	}
	if len(pos) != want {
		if want == 0 {
			return nil, usagef(hint, "%s: unexpected argument %q", fs.Name(), pos[0])
		}
		return nil, usagef("usage: carport "+fs.Name()+" "+what, "%s: want %s", fs.Name(), what)
	}
	return pos, nil
}

func (c *usersCmd) run(args []string) error {
	ctx := context.Background()
	var (
		format   = "table"
		status   string
		party    string
		kind     string
		all      bool
		name     string
		email    string
		admin    bool
		print    bool
		undo     bool
		yes      bool
		tokName  string
		tokDays  int
		tokList  bool
		tokRevok int64
	)
	fs := c.fs
	var want int
	what := "USER"
	switch c.sub {
	case "list":
		fs.StringVar(&format, "format", "table", "table, csv or json")
		fs.StringVar(&status, "status", "", "only this status: pending, active, disabled or deleted")
		fs.StringVar(&party, "party", "", "only users of this party")
		fs.StringVar(&kind, "kind", "", "only party users (party) or DCC administrators (admin)")
		fs.BoolVar(&all, "all", false, "include deleted users")
	case "show":
		want = 1
		fs.StringVar(&format, "format", "table", "table or json")
	case "add":
		fs.StringVar(&name, "name", "", "the person's name")
		fs.StringVar(&email, "email", "", "their email address")
		fs.StringVar(&party, "party", "", "the SEC party they see the bundles of")
		fs.BoolVar(&admin, "admin", false, "a DCC administrator (no party)")
		fs.BoolVar(&print, "print-link", false, "also print the one-time set-password link on stdout")
	case "approve", "link":
		want = 1
		fs.BoolVar(&print, "print-link", false, "also print the one-time set-password link on stdout")
	case "disable", "enable":
		want = 1
	case "set-party":
		want, what = 2, "USER PARTY"
	case "make-admin":
		want = 1
		fs.BoolVar(&undo, "undo", false, "make a DCC administrator a party user again")
	case "delete":
		want = 1
		fs.BoolVar(&yes, "yes", false, "confirm: the name, email and password are erased for good")
	case "token":
		want = 1
		fs.StringVar(&tokName, "name", "api", "a label for the token (e.g. the script that uses it)")
		fs.IntVar(&tokDays, "days", 90, "days until the token expires")
		fs.BoolVar(&tokList, "list", false, "list the user's tokens instead")
		fs.Int64Var(&tokRevok, "revoke", 0, "revoke the token with this id instead")
	}
	pos, err := parseMixed(fs, args, want, what)
	if err != nil {
		return err
	}
	if c.sub == "list" || c.sub == "show" {
		if err := checkFormat(c.fs.Name(), format, c.sub == "list"); err != nil {
			return err
		}
	}
	db, err := c.h.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	admn := &host.Admin{DB: db}
	if usersNeedMail[c.sub] {
		// delete only purges the outbox: it needs no public URL
		if c.sub != "delete" {
			if admn.PublicURL, err = c.h.public(ctx, db); err != nil {
				return err
			}
		}
		if admn.Mail, err = c.h.sender(admn.PublicURL); err != nil {
			return err
		}
	}
	var u hostdb.User
	if want > 0 {
		if u, err = c.findUser(ctx, db, pos[0]); err != nil {
			return err
		}
	}
	a := hostdb.CLI
	done := func(format string, args ...any) {
		fmt.Fprintf(c.stderr, "carport: users %s: "+format+"\n", append([]any{c.sub}, args...)...)
	}
	switch c.sub {
	case "list":
		f := hostdb.Filter{Party: party, Deleted: all, Kind: hostdb.Kind(kind)}
		if status != "" {
			if f.Status, err = hostdb.ParseStatus(status); err != nil {
				return usagef("", "users list: --status: %v", err)
			}
		}
		if kind != "" && kind != "party" && kind != "admin" {
			return usagef("", "users list: --kind %q: want party or admin", kind)
		}
		users, err := db.Users(ctx, f)
		if err != nil {
			return err
		}
		return writeUsers(c.stdout, format, users)
	case "show":
		toks, err := db.Tokens(ctx, u.ID)
		if err != nil {
			return err
		}
		events, err := db.Events(ctx, hostdb.EventFilter{UserID: u.ID, Limit: 20})
		if err != nil {
			return err
		}
		return writeUser(c.stdout, format, u, toks, events)
	case "add":
		if name == "" || email == "" {
			return usagef("usage: carport users add --name NAME --email EMAIL (--party ID | --admin)", "users add: --name and --email are required")
		}
		if admin == (party != "") {
			return usagef("a user is either a party's user (--party ID) or a DCC administrator (--admin)", "users add: give exactly one of --party and --admin")
		}
		nu := hostdb.NewUser{Name: name, Email: email, Party: party, Kind: hostdb.KindParty}
		if admin {
			nu.Kind = hostdb.KindAdmin
		}
		u, link, err := admn.Invite(ctx, a, nu)
		if err != nil && u.ID == 0 {
			return c.userErr(err)
		}
		done("added %s (%s, %s), approved; set-password link mailed", u.Label(), u.Email, describeKind(u))
		return printLink(c.env, print, link, err)
	case "approve":
		u, link, err := admn.Approve(ctx, a, u.ID)
		if err != nil && link == "" {
			return c.userErr(err)
		}
		done("approved %s (%s, party %s); set-password link mailed", u.Label(), u.Email, u.Party)
		return printLink(c.env, print, link, err)
	case "link":
		link, err := admn.SendPasswordLink(ctx, a, u.ID, hostdb.PurposeSetPassword)
		if err != nil && link == "" {
			return c.userErr(err)
		}
		done("set-password link for %s mailed", u.Label())
		return printLink(c.env, print, link, err)
	case "disable":
		if _, err := db.Disable(ctx, a, u.ID); err != nil {
			return c.userErr(err)
		}
		done("%s disabled: refused from the next request", u.Label())
	case "enable":
		if _, err := db.Enable(ctx, a, u.ID); err != nil {
			return c.userErr(err)
		}
		done("%s enabled", u.Label())
	case "set-party":
		if _, err := db.SetParty(ctx, a, u.ID, pos[1]); err != nil {
			return c.userErr(err)
		}
		done("%s is now in party %s", u.Label(), pos[1])
	case "make-admin":
		k := hostdb.KindAdmin
		if undo {
			k = hostdb.KindParty
		}
		if _, err := db.SetKind(ctx, a, u.ID, k); err != nil {
			return c.userErr(err)
		}
		done("%s is now a %s user", u.Label(), k)
	case "delete":
		if !yes {
			return usagef("add --yes: deletion erases the name, email address and password for good", "users delete: not confirmed")
		}
		before, purged, err := admn.Delete(ctx, a, u.ID)
		if err != nil && before.ID == 0 {
			return c.userErr(err)
		}
		if err != nil {
			return err
		}
		done("%s deleted: name, email and password erased, %d outbox messages removed; the account stays as %s for the counts",
			before.Label(), purged, before.Label())
	case "token":
		switch {
		case tokList:
			toks, err := db.Tokens(ctx, u.ID)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tCREATED\tEXPIRES\tLAST USED")
			for _, t := range toks {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", t.ID, t.Name, day(t.Created), day(t.Expires), day(t.LastUsed))
			}
			return tw.Flush()
		case tokRevok != 0:
			if err := db.RevokeToken(ctx, a, u.ID, tokRevok); err != nil {
				return &badInput{fmt.Errorf("users token: %w", err), "'carport users token USER --list' lists the ids"}
			}
			done("token %d of %s revoked", tokRevok, u.Label())
		default:
			if tokDays <= 0 || tokDays > 3660 {
				return usagef("", "users token: --days %d: want 1 to 3660", tokDays)
			}
			tok, t, err := db.NewToken(ctx, a, u.ID, tokName, time.Duration(tokDays)*24*time.Hour)
			if err != nil {
				return c.userErr(err)
			}
			done("token %d for %s, expires %s; it is shown only now", t.ID, u.Label(), day(t.Expires))
			fmt.Fprintln(c.stdout, tok)
		}
	}
	return nil
}

func describeKind(u hostdb.User) string {
	if u.Kind == hostdb.KindAdmin {
		return "DCC administrator"
	}
	return "party " + u.Party
}

// printLink prints a one-time link when asked, and turns a mail failure
// into an error that still hands over the link.
func printLink(e *env, print bool, link string, mailErr error) error {
	if print || mailErr != nil {
		fmt.Fprintln(e.stdout, link)
	}
	if mailErr != nil {
		return fmt.Errorf("%w (the link is printed above: pass it on another way)", mailErr)
	}
	return nil
}

// findUser resolves USER: an email address, or an id as 7 or #7.
func (c *usersCmd) findUser(ctx context.Context, db *hostdb.DB, ref string) (hostdb.User, error) {
	var u hostdb.User
	var err error
	if id, perr := strconv.ParseInt(strings.TrimPrefix(ref, "#"), 10, 64); perr == nil {
		u, err = db.User(ctx, id)
	} else {
		u, err = db.UserByEmail(ctx, ref)
	}
	if errors.Is(err, hostdb.ErrNotFound) {
		return u, &badInput{fmt.Errorf("%s: no user %q", c.fs.Name(), ref), "'carport users list' lists them; a deleted user has only an id"}
	}
	return u, err
}

// userErr names the command in err and marks errors about the user's
// data or state as bad input.
func (c *usersCmd) userErr(err error) error {
	err = fmt.Errorf("%s: %w", c.fs.Name(), err)
	var se *hostdb.StateError
	var ie *hostdb.InputError
	if errors.As(err, &se) || errors.As(err, &ie) || errors.Is(err, hostdb.ErrEmailTaken) || errors.Is(err, hostdb.ErrNotFound) {
		return &badInput{err: err}
	}
	return err
}

func checkFormat(cmd, format string, csvOK bool) error {
	if format == "table" || format == "json" || (csvOK && format == "csv") {
		return nil
	}
	if csvOK {
		return usagef("", "%s: --format %q: want table, csv or json", cmd, format)
	}
	return usagef("", "%s: --format %q: want table or json", cmd, format)
}

func day(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format("2006-01-02")
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// safeCell keeps a spreadsheet from running a cell as a formula (OWASP
// "CSV Injection"): names and emails come from self-registration.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

type userJSON struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Email      string `json:"email"`
	Party      string `json:"party"`
	Kind       string `json:"kind"`
	Status     string `json:"status"`
	Password   bool   `json:"password_set"`
	Created    string `json:"created"`
	Approved   string `json:"approved"`
	LastSignIn string `json:"last_signin"`
	Deleted    string `json:"deleted,omitempty"`
}

func toJSON(u hostdb.User) userJSON {
	return userJSON{ID: u.ID, Name: u.Name, Email: u.Email, Party: u.Party, Kind: string(u.Kind), Status: string(u.Status),
		Password: u.HasPassword, Created: stamp(u.Created), Approved: stamp(u.Approved), LastSignIn: stamp(u.LastSignIn), Deleted: stamp(u.Deleted)}
}

// writeUsers prints users for DCC-9/11/12: who is registered, of which
// kind and party, with contact details and take-up.
func writeUsers(w io.Writer, format string, users []hostdb.User) error {
	switch format {
	case "json":
		out := make([]userJSON, 0, len(users))
		for _, u := range users {
			out = append(out, toJSON(u))
		}
		return writeJSON(w, out)
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write([]string{"id", "name", "email", "party", "kind", "status", "password_set", "created", "approved", "last_signin"})
		for _, u := range users {
			j := toJSON(u)
			cw.Write([]string{strconv.FormatInt(u.ID, 10), safeCell(j.Name), safeCell(j.Email), j.Party, j.Kind, j.Status,
				strconv.FormatBool(j.Password), j.Created, j.Approved, j.LastSignIn})
		}
		cw.Flush()
		return cw.Error()
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tEMAIL\tPARTY\tKIND\tSTATUS\tREGISTERED\tAPPROVED\tLAST SIGN-IN")
	for _, u := range users {
		name := u.Name
		if u.Status == hostdb.StatusDeleted {
			name = "(deleted)"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", u.ID, name, u.Email, dash(u.Party), u.Kind, u.Status,
			day(u.Created), day(u.Approved), day(u.LastSignIn))
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

func writeUser(w io.Writer, format string, u hostdb.User, toks []hostdb.Token, events []hostdb.Event) error {
	if format == "json" {
		type tokJSON struct {
			ID       int64  `json:"id"`
			Name     string `json:"name"`
			Created  string `json:"created"`
			Expires  string `json:"expires"`
			LastUsed string `json:"last_used"`
		}
		out := struct {
			userJSON
			Tokens []tokJSON `json:"tokens"`
		}{userJSON: toJSON(u), Tokens: []tokJSON{}}
		for _, t := range toks {
			out.Tokens = append(out.Tokens, tokJSON{t.ID, t.Name, stamp(t.Created), stamp(t.Expires), stamp(t.LastUsed)})
		}
		return writeJSON(w, out)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	j := toJSON(u)
	for _, kv := range [][2]string{{"id", strconv.FormatInt(u.ID, 10)}, {"name", j.Name}, {"email", j.Email}, {"party", dash(j.Party)},
		{"kind", j.Kind}, {"status", j.Status}, {"password set", strconv.FormatBool(j.Password)}, {"registered", dash(j.Created)},
		{"approved", dash(j.Approved)}, {"last sign-in", dash(j.LastSignIn)}} {
		fmt.Fprintf(tw, "%s:\t%s\n", kv[0], kv[1])
	}
	fmt.Fprintf(tw, "tokens:\t%d\n", len(toks))
	for _, t := range toks {
		fmt.Fprintf(tw, "\t%d %q, expires %s, last used %s\n", t.ID, t.Name, day(t.Expires), day(t.LastUsed))
	}
	fmt.Fprintf(tw, "recent activity:\t%d entries\n", len(events))
	for _, ev := range events {
		fmt.Fprintf(tw, "\t%s %s %s %s %s\n", ev.At.UTC().Format(time.RFC3339), ev.Action, ev.Via, ev.Party, ev.Period)
	}
	return tw.Flush()
}
