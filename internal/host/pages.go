package host

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/hostdb"
	"github.com/dcc/carport/internal/mail"
	"github.com/dcc/carport/internal/published"
)

// page is what every template gets.
type page struct {
	Title         string
	Nav           string
	User          *hostdb.User
	Notice, Error string
	Version       string
	Data          any
}

var funcs = template.FuncMap{
	"plural": func(n int, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %s", n, many)
	},
	"date": func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return t.In(contract.London).Format("2 Jan 2006")
	},
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return t.In(contract.London).Format("2 Jan 2006 15:04 MST")
	},
}

func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" || base == "events" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/events.html", n)
		if err != nil {
			return nil, fmt.Errorf("host: template %s: %w", n, err)
		}
		pages[base] = t
	}
	return pages, nil
}

// render executes a page into memory first, so a template error is a clean
// 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, rq *request, status int, name string, p page) {
	t := s.pages[name]
	if t == nil {
		s.serverError(w, r, fmt.Errorf("no template %q", name))
		return
	}
	if p.User == nil && rq != nil {
		p.User = rq.user
	}
	p.Version = s.o.Version
	var b bytes.Buffer
	if err := t.Execute(&b, p); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

type message struct {
	Paragraphs []string
	Next       *struct{ Href, Text string }
}

func (s *Server) message(w http.ResponseWriter, r *http.Request, rq *request, status int, title string, next [2]string, paras ...string) {
	m := message{Paragraphs: paras}
	if next[0] != "" {
		m.Next = &struct{ Href, Text string }{next[0], next[1]}
	}
	s.render(w, r, rq, status, "message", page{Title: title, Data: m})
}

func (s *Server) css(w http.ResponseWriter, r *http.Request, _ *request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	http.ServeContent(w, r, "host.css", time.Time{}, bytes.NewReader(hostCSS))
}

// noIcon answers the browser's request for a tab icon: there is none, and
// an empty answer keeps the browser's console free of a failed load.
func noIcon(w http.ResponseWriter, _ *http.Request, _ *request) { w.WriteHeader(http.StatusNoContent) }

func (s *Server) privacy(w http.ResponseWriter, r *http.Request, rq *request) {
	s.render(w, r, rq, http.StatusOK, "privacy", page{Title: "Privacy", Nav: "privacy"})
}

// form reads a small urlencoded form.
func form(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	return r.ParseForm() == nil
}

func (s *Server) signinForm(w http.ResponseWriter, r *http.Request, rq *request) {
	if rq.user != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	notice := ""
	switch r.URL.Query().Get("done") {
	case "password":
		notice = "Your password is set. Sign in with it."
	case "signout":
		notice = "You are signed out."
	}
	s.render(w, r, rq, http.StatusOK, "signin", page{Title: "Sign in", Nav: "signin", Notice: notice, Data: struct{ Email string }{}})
}

func (s *Server) signin(w http.ResponseWriter, r *http.Request, rq *request) {
	if !form(w, r) {
		s.message(w, r, rq, http.StatusBadRequest, "Sign in", [2]string{"/signin", "Try again"}, "The form could not be read.")
		return
	}
	email, password := strings.TrimSpace(r.PostFormValue("email")), r.PostFormValue("password")
	again := func(status int, msg string) {
		s.render(w, r, rq, status, "signin", page{Title: "Sign in", Nav: "signin", Error: msg, Data: struct{ Email string }{email}})
	}
	if email == "" || password == "" || len(password) > 4*hostdb.MaxPassword {
		again(http.StatusUnauthorized, "Give your email address and password.")
		return
	}
	if wait := s.throttle.wait(rq.addr, email); wait > 0 {
		secs := int(wait.Round(time.Second) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
		again(http.StatusTooManyRequests, fmt.Sprintf("Too many failed sign-ins from your network. Wait %s, then try again.", plural(max(secs, 1), "second")))
		return
	}
	if d := s.throttle.delay(email); d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
	}
	u, err := s.o.DB.Authenticate(r.Context(), rq.actor, email, password)
	switch {
	case errors.Is(err, hostdb.ErrBadCredentials):
		s.throttle.fail(rq.addr, email)
		again(http.StatusUnauthorized, "The email address or password is wrong.")
		return
	case errors.Is(err, hostdb.ErrNotActive):
		again(http.StatusForbidden, "Your account is not active. Write to the DCC if you need access.")
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	s.throttle.succeed(rq.addr, email)
	if rq.cookie != "" { // a new session, never a reused one
		s.o.DB.EndSession(r.Context(), rq.cookie)
	}
	cookie, err := s.o.DB.NewSession(r.Context(), u.ID, SessionTTL)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	rq.user = &u
	s.setCookie(w, cookie)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

func (s *Server) signout(w http.ResponseWriter, r *http.Request, rq *request) {
	if rq.cookie != "" {
		if err := s.o.DB.EndSession(r.Context(), rq.cookie); err != nil {
			s.serverError(w, r, err)
			return
		}
		s.o.DB.Log(r.Context(), rq.actor, "signout", rq.user.ID, rq.user.Party, "", "")
	}
	s.clearCookie(w)
	http.Redirect(w, r, "/signin?done=signout", http.StatusSeeOther)
}

type registerData struct {
	Name, Email, Party string
	Problems           map[string]string
}

func (s *Server) registerForm(w http.ResponseWriter, r *http.Request, rq *request) {
	if rq.user != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.render(w, r, rq, http.StatusOK, "register", page{Title: "Register", Nav: "register", Data: registerData{}})
}

// register creates a pending user and mails a confirmation. An address
// that already has an account gets a mail saying so (and how to sign in or
// reset), and no second account; the page answers the same either way, so
// it does not tell a stranger which addresses are registered.
func (s *Server) register(w http.ResponseWriter, r *http.Request, rq *request) {
	if !form(w, r) {
		s.message(w, r, rq, http.StatusBadRequest, "Register", [2]string{"/register", "Try again"}, "The form could not be read.")
		return
	}
	d := registerData{Name: r.PostFormValue("name"), Email: strings.TrimSpace(r.PostFormValue("email")),
		Party: strings.TrimSpace(r.PostFormValue("party")), Problems: map[string]string{}}
	var err error
	if d.Name, err = hostdb.CheckName(d.Name); err != nil {
		d.Problems["name"] = "Give your name (at most 100 characters)."
	}
	if _, err := mail.Address(d.Email); err != nil {
		d.Problems["email"] = "Give one email address, like name@example.com."
	}
	if err := hostdb.CheckParty(d.Party); err != nil {
		d.Problems["party"] = "A party id has letters, digits, _ and - only, at most 32."
	}
	if len(d.Problems) > 0 {
		s.render(w, r, rq, http.StatusUnprocessableEntity, "register", page{Title: "Register", Nav: "register",
			Error: "Please correct the fields marked below.", Data: d})
		return
	}
	if !s.throttle.mailAllowed(rq.addr, d.Email) {
		s.message(w, r, rq, http.StatusTooManyRequests, "Register", [2]string{}, "Too many registrations from your network or for that address. Try again in an hour.")
		return
	}
	u, err := s.o.DB.AddUser(r.Context(), rq.actor, hostdb.NewUser{Name: d.Name, Email: d.Email, Party: d.Party,
		Kind: hostdb.KindParty, Status: hostdb.StatusPending})
	switch {
	case errors.Is(err, hostdb.ErrEmailTaken):
		s.o.DB.Log(r.Context(), rq.actor, "register_duplicate", 0, "", "", "")
		s.sendLater(s.admin.alreadyRegisteredMail(d.Email))
	case err != nil:
		s.serverError(w, r, err)
		return
	default:
		s.sendLater(s.admin.registeredMail(u))
		if admins, err := s.o.DB.Users(r.Context(), hostdb.Filter{Status: hostdb.StatusActive, Kind: hostdb.KindAdmin}); err == nil {
			for _, a := range admins {
				s.sendLater(s.admin.pendingMail(a, u))
			}
		}
	}
	s.message(w, r, rq, http.StatusOK, "Check your email", [2]string{"/signin", "Back to sign in"},
		"Thank you. We have sent a message to "+d.Email+" about your registration.",
		"A DCC administrator checks each registration against the party named. Once yours is approved you get a second email with a link to set your password.",
		"If nothing arrives within a few minutes, look in your spam folder.")
}

func (s *Server) forgotForm(w http.ResponseWriter, r *http.Request, rq *request) {
	s.render(w, r, rq, http.StatusOK, "forgot", page{Title: "Forgotten password", Data: struct{ Email string }{}})
}

// forgot mails a reset link to an active account. The page answers the
// same whether or not the address has one, and the mail goes out after the
// response, so neither words nor timing tell.
func (s *Server) forgot(w http.ResponseWriter, r *http.Request, rq *request) {
	if !form(w, r) {
		s.message(w, r, rq, http.StatusBadRequest, "Forgotten password", [2]string{"/forgot", "Try again"}, "The form could not be read.")
		return
	}
	email := strings.TrimSpace(r.PostFormValue("email"))
	if _, err := mail.Address(email); err != nil {
		s.render(w, r, rq, http.StatusUnprocessableEntity, "forgot", page{Title: "Forgotten password",
			Error: "Give one email address, like name@example.com.", Data: struct{ Email string }{email}})
		return
	}
	if !s.throttle.mailAllowed(rq.addr, email) {
		s.message(w, r, rq, http.StatusTooManyRequests, "Forgotten password", [2]string{}, "Too many requests from your network or for that address. Try again in an hour.")
		return
	}
	ctx := context.WithoutCancel(r.Context())
	actor := rq.actor
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		u, err := s.o.DB.UserByEmail(ctx, email)
		if err != nil || u.Status != hostdb.StatusActive {
			return
		}
		if _, err := s.admin.SendPasswordLink(ctx, actor, u.ID, hostdb.PurposeReset); err != nil {
			s.log.Error("reset link not sent", "user", u.ID, "err", redact(err.Error()))
		}
	}()
	s.message(w, r, rq, http.StatusOK, "Check your email", [2]string{"/signin", "Back to sign in"},
		"If "+email+" has an active account, we have sent it a link to choose a new password. The link works once, for one hour.")
}

type passwordData struct {
	Valid       bool
	Link, Email string
	Min         int
}

func (s *Server) passwordForm(w http.ResponseWriter, r *http.Request, rq *request) {
	link := r.PathValue("link")
	u, purpose, err := s.o.DB.LinkUser(r.Context(), link)
	if err != nil && !errors.Is(err, hostdb.ErrBadLink) {
		s.serverError(w, r, err)
		return
	}
	title := "Set your password"
	if purpose == hostdb.PurposeReset {
		title = "Choose a new password"
	}
	status := http.StatusOK
	if err != nil {
		status = http.StatusNotFound
	}
	s.render(w, r, rq, status, "password", page{Title: title, Data: passwordData{Valid: err == nil, Link: link, Email: u.Email, Min: hostdb.MinPassword}})
}

func (s *Server) setPassword(w http.ResponseWriter, r *http.Request, rq *request) {
	link := r.PathValue("link")
	if !form(w, r) {
		s.message(w, r, rq, http.StatusBadRequest, "Set your password", [2]string{}, "The form could not be read.")
		return
	}
	u, purpose, err := s.o.DB.LinkUser(r.Context(), link)
	if err != nil {
		if !errors.Is(err, hostdb.ErrBadLink) {
			s.serverError(w, r, err)
			return
		}
		s.render(w, r, rq, http.StatusNotFound, "password", page{Title: "Set your password", Data: passwordData{}})
		return
	}
	title := "Set your password"
	if purpose == hostdb.PurposeReset {
		title = "Choose a new password"
	}
	pw, confirm := r.PostFormValue("password"), r.PostFormValue("confirm")
	again := func(msg string) {
		s.render(w, r, rq, http.StatusUnprocessableEntity, "password", page{Title: title, Error: msg,
			Data: passwordData{Valid: true, Link: link, Email: u.Email, Min: hostdb.MinPassword}})
	}
	if msg := hostdb.CheckPasswordRules(pw, u.Email); msg != "" {
		again(msg)
		return
	}
	if pw != confirm {
		again("The two passwords differ.")
		return
	}
	if _, err := s.o.DB.UseLink(r.Context(), rq.actor, link, pw); err != nil {
		if errors.Is(err, hostdb.ErrBadLink) {
			s.render(w, r, rq, http.StatusNotFound, "password", page{Title: title, Data: passwordData{}})
			return
		}
		s.serverError(w, r, err)
		return
	}
	s.clearCookie(w)
	http.Redirect(w, r, "/signin?done=password", http.StatusSeeOther)
}

type accountData struct {
	PreviousSignIn time.Time
	Tokens         []hostdb.Token
}

func (s *Server) account(w http.ResponseWriter, r *http.Request, rq *request) {
	toks, err := s.o.DB.Tokens(r.Context(), rq.user.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, rq, http.StatusOK, "account", page{Title: "Your account", Nav: "account",
		Data: accountData{PreviousSignIn: rq.user.LastSignIn, Tokens: toks}})
}

// bundleView is one released bundle on a party user's page.
type bundleView struct {
	Period, Month              string
	File, Folder, Href         string
	SigFile, SigHref           string
	Open                       string // the opener page ("" without one)
	Size                       string
	Built, BuiltISO            string
	Released, ReleasedISO, Sum string
}

func monthName(period string) string {
	if p, err := contract.ParsePeriod(period); err == nil {
		return p.Start().Format("January 2006")
	}
	return period
}

// humanSize gives a size in MB (decimal) with the exact byte count.
func humanSize(n int64) string {
	switch {
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB (%s bytes)", float64(n)/1e6, thousands(n))
	case n >= 1e3:
		return fmt.Sprintf("%.1f kB (%s bytes)", float64(n)/1e3, thousands(n))
	}
	return fmt.Sprintf("%d bytes", n)
}

// shortSize gives a size in MB (decimal) alone, for tables.
func shortSize(n int64) string {
	if n >= 1e5 {
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.1f kB", float64(n)/1e3)
}

func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// downloadName is the file name a bundle is saved under: party and period,
// so months do not overwrite each other in a Downloads folder.
func downloadName(b published.Bundle) string { return b.Party + "-" + b.Period + contract.BundleExt }

// partyBundles lists the released bundles of u's party that are present in
// OUT, newest first.
func (s *Server) partyBundles(ctx context.Context, party string) ([]published.Bundle, map[string]hostdb.Release, error) {
	rels, err := s.o.DB.Releases(ctx, party)
	if err != nil {
		return nil, nil, err
	}
	var bs []published.Bundle
	byPeriod := map[string]hostdb.Release{}
	for _, rel := range rels {
		b, err := s.o.Out.Bundle(rel.Period, party)
		if err != nil {
			continue // released but not (or no longer) built
		}
		bs = append(bs, b)
		byPeriod[rel.Period] = rel
	}
	return bs, byPeriod, nil
}

func (s *Server) home(w http.ResponseWriter, r *http.Request, rq *request) {
	if rq.user.IsAdmin() {
		http.Redirect(w, r, "/admin", http.StatusSeeOther)
		return
	}
	bs, rels, err := s.partyBundles(r.Context(), rq.user.Party)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var views []bundleView
	for _, b := range bs {
		sum, err := s.o.Out.Sum(r.Context(), b)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		name := downloadName(b)
		v := bundleView{Period: b.Period, Month: monthName(b.Period), File: name,
			Folder: strings.TrimSuffix(name, contract.BundleExt),
			Href:   "/files/" + contract.BundlePath(b.Period, b.Party),
			Size:   humanSize(b.Size), Built: funcs["datetime"].(func(time.Time) string)(b.ModTime),
			BuiltISO: b.ModTime.UTC().Format(time.RFC3339), Sum: sum,
			Released:    funcs["datetime"].(func(time.Time) string)(rels[b.Period].At),
			ReleasedISO: rels[b.Period].At.Format(time.RFC3339)}
		if b.Signature >= 0 {
			v.SigFile = name + ".minisig"
			v.SigHref = "/files/" + contract.SignaturePath(b.Period, b.Party)
		}
		if s.o.SigningKey != "" {
			v.Open = "/open/" + b.Period + "/" + b.Party
		}
		views = append(views, v)
	}
	s.render(w, r, rq, http.StatusOK, "bundles", page{Title: "Your reports", Nav: "bundles", Data: struct{ Bundles []bundleView }{views}})
}
