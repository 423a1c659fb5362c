// Package host is the authenticated file host behind `carport serve`: it
// serves each signed-in party user the released bundles of their own party,
// and gives DCC administrators pages to release periods and manage users.
package host

// One mux, one route table. Each route says who may reach it (anyone, a
// signed-in user, a party user, a DCC administrator), whether an API token
// may stand in for the session cookie, which header policy (CSP, caching)
// its responses carry, and whether its path may be logged. Everything not
// in the table, and everything a visitor may not see, answers the same 404:
// same status, headers and body, decided before any file is touched, so
// neither content nor timing tells another party's bundle or an unreleased
// period from a missing one.
//
// Cross-site request forgery: every unsafe request passes Go's
// CrossOriginProtection (Sec-Fetch-Site / Origin), and the session cookie
// is SameSite=Strict.

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/dcc/carport/internal/hostdb"
	"github.com/dcc/carport/internal/mail"
	"github.com/dcc/carport/internal/published"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets/host.css
var hostCSS []byte

// Session lifetime and link lifetimes.
const (
	SessionTTL     = 12 * time.Hour
	SetPasswordTTL = 72 * time.Hour
	ResetTTL       = time.Hour
)

// Options configure a Server.
type Options struct {
	Out       *published.Out
	DB        *hostdb.DB
	Mail      mail.Sender
	PublicURL *url.URL // where users reach the host; links in mails start here
	// SecureCookies marks the session cookie Secure (and names it with the
	// __Host- prefix): on under TLS or behind a TLS proxy.
	SecureCookies bool
	// TrustForwarded takes the client address from the last
	// X-Forwarded-For entry (set by the TLS proxy in front) instead of the
	// connection.
	TrustForwarded bool
	Log            *slog.Logger // nil: discard
	Version        string
	// SigningKey is the DCC's public minisign key (the bare base64 line)
	// that the in-browser opener checks bundles against; it is served
	// with the opener page. Empty: no opener (no /open pages, no "View in
	// browser" buttons).
	SigningKey string
	Now        func() time.Time // nil: time.Now
}

// Server is the file host's HTTP handler.
type Server struct {
	o        Options
	admin    *Admin
	mux      *http.ServeMux
	pages    map[string]*template.Template
	throttle *throttle
	cookie   string
	keyID    string // of Options.SigningKey
	log      *slog.Logger
	bg       sync.WaitGroup // mails sent after the response
}

// access says who may reach a route.
type access uint8

const (
	anyone    access = iota // signed in or not
	signedIn                // any active user
	partyUser               // an active party user (downloads)
	dccAdmin                // an active DCC administrator
)

// A route is one line of the route table.
type route struct {
	pattern string // http.ServeMux pattern
	access  access
	policy  *policy // response headers
	flags   routeFlag
	handle  func(w http.ResponseWriter, r *http.Request, rq *request)
}

type routeFlag uint8

const (
	// bearerOK: an API token (Authorization: Bearer) may stand in for the
	// session cookie.
	bearerOK routeFlag = 1 << iota
	// secretInPath: the path holds a secret (a one-time link): the log
	// gets the pattern, never the path.
	secretInPath
)

// request is what the middleware learned about a request.
type request struct {
	user   *hostdb.User // nil: signed out
	cookie string       // the session cookie, when signed in by cookie
	actor  hostdb.Actor
	addr   string
	rw     *responseWriter
}

func (s *Server) routes() []route {
	return []route{
		{"GET /{$}", signedIn, pagePolicy, 0, s.home},
		{"GET /signin", anyone, pagePolicy, 0, s.signinForm},
		{"POST /signin", anyone, pagePolicy, 0, s.signin},
		{"POST /signout", anyone, pagePolicy, 0, s.signout},
		{"GET /register", anyone, pagePolicy, 0, s.registerForm},
		{"POST /register", anyone, pagePolicy, 0, s.register},
		{"GET /forgot", anyone, pagePolicy, 0, s.forgotForm},
		{"POST /forgot", anyone, pagePolicy, 0, s.forgot},
		{"GET /password/{link}", anyone, pagePolicy, secretInPath, s.passwordForm},
		{"POST /password/{link}", anyone, pagePolicy, secretInPath, s.setPassword},
		{"GET /privacy", anyone, pagePolicy, 0, s.privacy},
		{"GET /account", signedIn, pagePolicy, 0, s.account},
		{"GET /assets/host.css", anyone, assetPolicy, 0, s.css},
		{"GET /favicon.ico", anyone, assetPolicy, 0, noIcon},

		{"GET /files/{period}/{file}", partyUser, downloadPolicy, bearerOK, s.download},
		{"GET /api/v1/bundles", partyUser, apiPolicy, bearerOK, s.apiBundles},

		// The in-browser opener (opener.go). Its views, /view/<period>/
		// <party>/<id>/…, are answered by a service worker inside the
		// user's browser and never routed here: should one reach the host
		// (the view closed, the worker gone) it gets the catch-all 404.
		{"GET /open/{period}/{party}", partyUser, openerPolicy, 0, s.openPage},
		{"GET /opener/{file}", anyone, openerAssetPolicy, 0, s.openerAsset},

		{"GET /admin", dccAdmin, pagePolicy, 0, s.adminPeriods},
		{"POST /admin/release", dccAdmin, pagePolicy, 0, s.adminRelease},
		{"POST /admin/revoke", dccAdmin, pagePolicy, 0, s.adminRevoke},
		{"GET /admin/runs/{file}", dccAdmin, downloadPolicy, 0, s.adminRunReport},
		{"GET /admin/users", dccAdmin, pagePolicy, 0, s.adminUsers},
		{"GET /admin/users/{id}", dccAdmin, pagePolicy, 0, s.adminUser},
		{"POST /admin/users/{id}/{action}", dccAdmin, pagePolicy, 0, s.adminUserAction},
		{"GET /admin/usage", dccAdmin, pagePolicy, 0, s.adminUsage},
		{"GET /admin/audit", dccAdmin, pagePolicy, 0, s.adminAudit},
	}
}

// New makes a Server.
func New(o Options) (*Server, error) {
	if o.Out == nil || o.DB == nil || o.Mail == nil || o.PublicURL == nil {
		return nil, errors.New("host: Out, DB, Mail and PublicURL are required")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Server{o: o, log: o.Log, throttle: newThrottle(o.Now), cookie: "carport_session",
		admin: &Admin{DB: o.DB, Out: o.Out, Mail: o.Mail, PublicURL: o.PublicURL}}
	if o.SecureCookies {
		s.cookie = "__Host-carport_session"
	}
	var err error
	if o.SigningKey != "" {
		if s.keyID, err = minisignKeyID(o.SigningKey); err != nil {
			return nil, err
		}
	}
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	s.mux = http.NewServeMux()
	for _, rt := range s.routes() {
		s.mux.Handle(rt.pattern, s.wrap(rt))
	}
	s.mux.Handle("/", s.wrap(route{pattern: "/", access: anyone, policy: notFoundPolicy,
		handle: func(w http.ResponseWriter, r *http.Request, _ *request) { notFound(w) }}))
	return s, nil
}

// Wait waits for the mails still being sent after their response.
func (s *Server) Wait() { s.bg.Wait() }

// ServeHTTP answers a request. Paths that are not in canonical form (dot
// segments, doubled or encoded slashes, any percent-escape, a backslash)
// get the 404 before routing: the mux would otherwise redirect them.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.EscapedPath()
	if r.URL.RawPath != "" || !canonicalPath(p) {
		rw := &responseWriter{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		notFoundPolicy.apply(rw, r)
		notFound(rw)
		s.logRequest(r, rw, "-", logPathOf(p), nil, start)
		return
	}
	crossOrigin.Handler(s.mux).ServeHTTP(w, r)
}

var crossOrigin = func() *http.CrossOriginProtection {
	c := http.NewCrossOriginProtection()
	c.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, "Cross-origin request refused.\n")
	}))
	return c
}()

// canonicalPath reports whether p is a clean absolute path of plain
// characters: no dot segments, no empty segments, no escapes.
func canonicalPath(p string) bool {
	if p == "" || p[0] != '/' || len(p) > 512 {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c < 0x21 || c > 0x7e || c == '%' || c == '\\' {
			return false
		}
	}
	// one trailing slash is allowed (a folder-like route, e.g. a service
	// worker's scope); no other segment may be empty, "." or ".."
	segs := strings.Split(strings.TrimSuffix(p[1:], "/"), "/")
	if p == "/" {
		return true
	}
	for _, seg := range segs {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// notFound is the one answer for everything a visitor may not see: the
// same status, headers and body whichever route refused.
func notFound(w http.ResponseWriter) {
	h := w.Header()
	for _, k := range []string{"Content-Disposition", "ETag", "Last-Modified", "Accept-Ranges", "WWW-Authenticate", "Retry-After"} {
		h.Del(k)
	}
	h.Set("Content-Security-Policy", notFoundPolicy.csp)
	h.Set("Cache-Control", notFoundPolicy.cache)
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Length", "11")
	w.WriteHeader(http.StatusNotFound)
	io.WriteString(w, "Not found.\n")
}

// wrap turns a route into a handler: headers, identity, access, logging.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rw := &responseWriter{ResponseWriter: w, status: http.StatusOK}
		rt.policy.apply(rw, r)
		rq := &request{addr: s.clientAddr(r), rw: rw}
		rq.actor = hostdb.Actor{Via: "web", Addr: rq.addr}
		path := logPathOf(r.URL.EscapedPath())
		if rt.flags&secretInPath != 0 {
			path = rt.pattern
		}
		defer func() { s.logRequest(r, rw, rt.pattern, path, rq.user, start) }()

		if !s.identify(rw, r, rq, rt.flags&bearerOK != 0) {
			return
		}
		switch rt.access {
		case signedIn, partyUser, dccAdmin:
			if rq.user == nil {
				if rt.policy.page && r.Method == http.MethodGet {
					http.Redirect(rw, r, "/signin", http.StatusSeeOther)
					return
				}
				notFound(rw)
				return
			}
			if (rt.access == partyUser && rq.user.Kind != hostdb.KindParty) || (rt.access == dccAdmin && !rq.user.IsAdmin()) {
				notFound(rw)
				return
			}
		}
		rt.handle(rw, r, rq)
	})
}

// identify finds who is asking: an API token when the route takes one and
// the request carries it, else the session cookie. A bad token is refused
// with 401; a bad cookie is simply signed out.
func (s *Server) identify(w http.ResponseWriter, r *http.Request, rq *request, bearer bool) bool {
	ctx := r.Context()
	if auth := r.Header.Get("Authorization"); auth != "" {
		tok, ok := strings.CutPrefix(auth, "Bearer ")
		if !bearer || !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="carport"`)
			http.Error(w, "This address takes no Authorization header.", http.StatusUnauthorized)
			return false
		}
		u, err := s.o.DB.TokenUser(ctx, strings.TrimSpace(tok))
		if err != nil {
			if !errors.Is(err, hostdb.ErrBadToken) {
				s.serverError(w, r, err)
				return false
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="carport", error="invalid_token"`)
			http.Error(w, "Unknown, expired or revoked token.", http.StatusUnauthorized)
			return false
		}
		rq.user = &u
		rq.actor = hostdb.Actor{UserID: u.ID, Via: "api", Addr: rq.addr}
		return true
	}
	c, err := r.Cookie(s.cookie)
	if err != nil || c.Value == "" {
		return true
	}
	u, err := s.o.DB.SessionUser(ctx, c.Value)
	if err != nil {
		if !errors.Is(err, hostdb.ErrNotFound) {
			s.serverError(w, r, err)
			return false
		}
		s.clearCookie(w)
		return true
	}
	rq.user, rq.cookie = &u, c.Value
	rq.actor = hostdb.Actor{UserID: u.ID, Via: "web", Addr: rq.addr}
	return true
}

func (s *Server) setCookie(w http.ResponseWriter, value string) {
	http.SetCookie(w, &http.Cookie{Name: s.cookie, Value: value, Path: "/", MaxAge: int(SessionTTL / time.Second),
		HttpOnly: true, Secure: s.o.SecureCookies, SameSite: http.SameSiteStrictMode})
}

func (s *Server) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: s.cookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.o.SecureCookies, SameSite: http.SameSiteStrictMode})
}

// clientAddr is the address failed sign-ins are counted against: the
// connection's, or with TrustForwarded the last X-Forwarded-For entry (the
// one the proxy in front added). IPv6 addresses count by /64.
func (s *Server) clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if s.o.TrustForwarded {
		if xs := r.Header.Values("X-Forwarded-For"); len(xs) > 0 {
			parts := strings.Split(xs[len(xs)-1], ",")
			if h := strings.TrimSpace(parts[len(parts)-1]); net.ParseIP(h) != nil {
				host = h
			}
		}
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	if ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return ip.String()
}

// logPathOf shortens a path for the log; it never holds a query string.
func logPathOf(p string) string {
	if len(p) > 200 {
		return p[:200] + "…"
	}
	return p
}

func (s *Server) logRequest(r *http.Request, rw *responseWriter, pattern, path string, u *hostdb.User, start time.Time) {
	user := "-"
	if u != nil {
		user = fmt.Sprint(u.ID)
	}
	s.log.Info("request", "method", r.Method, "path", path, "route", pattern, "status", rw.status,
		"bytes", rw.bytes, "user", user, "addr", s.clientAddr(r), "ms", time.Since(start).Milliseconds())
}

func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("request failed", "method", r.Method, "route", r.Pattern, "err", err)
	if rw, ok := w.(*responseWriter); ok && rw.wroteHeader {
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	io.WriteString(w, "Something went wrong on our side; it has been logged. Please try again later.\n")
}

// sendLater sends m after the response, so an answer takes as long whether
// or not a mail goes out.
func (s *Server) sendLater(m mail.Message) {
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.o.Mail.Send(ctx, m); err != nil {
			s.log.Error("mail not sent", "err", redact(err.Error()))
		}
	}()
}

// contextWithoutCancel keeps a request's values but not its end, for work
// that goes on after the response.
func contextWithoutCancel(r *http.Request) context.Context { return context.WithoutCancel(r.Context()) }
