package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/dcc/carport/internal/host"
	"github.com/dcc/carport/internal/hostdb"
	"github.com/dcc/carport/internal/mail"
	"github.com/dcc/carport/internal/published"
)

// hostFlags are the flags every command on the host's database shares.
type hostFlags struct {
	db                   string
	outbox, smtp, smtpU  string
	from, publicURL      string
	fs                   *flag.FlagSet
	withMail, withPublic bool
}

// addHostFlags adds --db and, as asked, the mail and --public-url flags.
func addHostFlags(fs *flag.FlagSet, withMail, withPublic bool) *hostFlags {
	h := &hostFlags{fs: fs, withMail: withMail, withPublic: withPublic}
	fs.StringVar(&h.db, "db", os.Getenv("CARPORT_DB"), "the host's database file (SQLite; default $CARPORT_DB)")
	if withMail {
		fs.StringVar(&h.outbox, "outbox", "", "folder where mails are written as .eml files when no --smtp is given (default: outbox/ beside the database)")
		fs.StringVar(&h.smtp, "smtp", os.Getenv("CARPORT_SMTP"), "SMTP server host:port to send mail through (STARTTLS required off loopback; default $CARPORT_SMTP); its password comes from $CARPORT_SMTP_PASSWORD")
		fs.StringVar(&h.smtpU, "smtp-user", os.Getenv("CARPORT_SMTP_USER"), "SMTP user name (default $CARPORT_SMTP_USER)")
		fs.StringVar(&h.from, "mail-from", "", "sender address of the host's mails (default: carport@ the public URL's host)")
	}
	if withPublic {
		fs.StringVar(&h.publicURL, "public-url", "", "address users reach the host at, for links in mails (default: the one carport serve last recorded)")
	}
	return h
}

func (h *hostFlags) open(ctx context.Context) (*hostdb.DB, error) {
	if h.db == "" {
		return nil, usagef("give the database file with --db FILE or $CARPORT_DB", "%s: --db is required", h.fs.Name())
	}
	db, err := hostdb.Open(ctx, h.db)
	if err != nil {
		return nil, fmt.Errorf("%s: database %s: %w", h.fs.Name(), h.db, err)
	}
	return db, nil
}

// public resolves the public URL: the flag, else what serve recorded.
func (h *hostFlags) public(ctx context.Context, db *hostdb.DB) (*url.URL, error) {
	stored, err := db.Setting(ctx, "public_url")
	if err != nil {
		return nil, err
	}
	raw := h.publicURL
	if raw == "" {
		raw = stored
	}
	if raw == "" {
		return nil, usagef("give --public-url https://… (the address users reach the host at), or run carport serve once with it",
			"%s: the host's public URL is not known", h.fs.Name())
	}
	u, err := parsePublicURL(h.fs.Name(), raw)
	if err == nil && stored == "" {
		// remembered until carport serve records the one it runs at
		err = db.SetSetting(ctx, "public_url", u.String())
	}
	return u, err
}

func parsePublicURL(cmd, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, usagef("give it as https://host[:port]/", "%s: --public-url %q is not an http(s) base URL", cmd, raw)
	}
	// the host's pages link to /files/…, /signin …: it owns its origin
	if u.Path != "" && u.Path != "/" {
		return nil, usagef("serve the host at the root of its own host name (a proxy may map it there)",
			"%s: --public-url %q has a path; the host must be at the root", cmd, raw)
	}
	u.Path = "/"
	return u, nil
}

// sender builds the mail sender: SMTP when --smtp is given, else the outbox.
func (h *hostFlags) sender(pub *url.URL) (mail.Sender, error) {
	from := h.from
	if from == "" {
		host := "localhost"
		if pub != nil {
			host = pub.Hostname()
		}
		from = "carport@" + host
	}
	if _, err := mail.Address(from); err != nil {
		return nil, usagef("give --mail-from with one address", "%s: --mail-from: %v", h.fs.Name(), err)
	}
	if h.smtp != "" {
		if _, _, err := net.SplitHostPort(h.smtp); err != nil {
			return nil, usagef("give --smtp as host:port", "%s: --smtp %q: %v", h.fs.Name(), h.smtp, err)
		}
		return &mail.SMTP{Addr: h.smtp, From: from, User: h.smtpU, Password: os.Getenv("CARPORT_SMTP_PASSWORD")}, nil
	}
	dir := h.outbox
	if dir == "" {
		dir = filepath.Join(filepath.Dir(h.db), "outbox")
	}
	return &mail.Outbox{Dir: dir, From: from}, nil
}

func (e *env) serve(args []string) error {
	fs := e.flags("serve", "--root OUT --db FILE [--addr 127.0.0.1:8080] [--tls-cert F --tls-key F] [--public-url URL] [--insecure-http] [--pub FILE]")
	h := addHostFlags(fs, true, true)
	root := fs.String("root", "", "the published folder: OUT of carport build (OUT/PERIOD/<party>.zip.age)")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	cert := fs.String("tls-cert", "", "TLS certificate chain (PEM)")
	key := fs.String("tls-key", "", "TLS private key (PEM)")
	insecure := fs.Bool("insecure-http", false, "allow plain HTTP on a non-loopback address (only behind a TLS proxy)")
	trustXFF := fs.Bool("trust-forwarded", false, "take the client address from the proxy's X-Forwarded-For (only behind a proxy that sets it)")
	grace := fs.Duration("shutdown-timeout", 5*time.Minute, "on SIGTERM or SIGINT, how long running downloads get to finish")
	pubFile := fs.String("pub", "", "the DCC public signing key (minisign) that the in-browser opener checks bundles against (default: the key built into carport)")
	if err := parse(fs, args); err != nil {
		return err
	}
	signingKey, err := openKey(*pubFile)
	if err != nil {
		return err
	}
	if err := required(fs, "root"); err != nil {
		return err
	}
	tlsOn := *cert != "" || *key != ""
	if tlsOn && (*cert == "" || *key == "") {
		return usagef("give both --tls-cert and --tls-key", "serve: TLS needs a certificate and its key")
	}
	if err := host.CheckListen(*addr, tlsOn, *insecure); err != nil {
		return usagef("listen on 127.0.0.1, give --tls-cert and --tls-key, or (behind a TLS proxy) --insecure-http", "serve: %v", err)
	}
	if st, err := os.Stat(*root); err != nil || !st.IsDir() {
		return &badInput{fmt.Errorf("serve: --root %s: not a folder", *root), "give the OUT folder of carport build"}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	db, err := h.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	out, err := published.Open(*root, db)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer out.Close()

	scheme := "http"
	if tlsOn {
		scheme = "https"
	}
	rawPub := h.publicURL
	if rawPub == "" {
		rawPub = scheme + "://" + *addr + "/"
	}
	pub, err := parsePublicURL("serve", rawPub)
	if err != nil {
		return err
	}
	if err := db.SetSetting(ctx, "public_url", pub.String()); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	sender, err := h.sender(pub)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	srv, err := host.New(host.Options{Out: out, DB: db, Mail: sender, PublicURL: pub,
		SecureCookies: tlsOn || pub.Scheme == "https", TrustForwarded: *trustXFF, Log: log, Version: Version,
		SigningKey: signingKey.String()})
	if err != nil {
		return err
	}
	where := "mail via SMTP " + h.smtp
	if ob, ok := sender.(*mail.Outbox); ok {
		where = "mail into " + ob.Dir
	}
	err = srv.Serve(ctx, host.ListenOptions{Addr: *addr, TLSCert: *cert, TLSKey: *key, InsecureHTTP: *insecure, ShutdownTimeout: *grace,
		Ready: func(u string) {
			e.say("serving %s at %s (public URL %s, %s)", *root, u, pub, where)
		}})
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
