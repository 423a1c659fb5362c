package host

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dcc/carport/internal/hostdb"
	"github.com/dcc/carport/internal/published"
)

type adminBundle struct {
	Party, Size, Built, Released string
	Sum, SumShort                string // SumShort "": not yet computed
	Signed                       bool
}

type adminPeriod struct {
	Period, Month    string
	Bundles          []adminBundle
	ReleasedCount    int
	Orphans          []string
	RunHTML, RunJSON bool
}

// adminPeriods lists every built period and bundle with its release state
// (DCC-1). A sum not yet known is computed in the background, not while
// the page waits.
func (s *Server) adminPeriods(w http.ResponseWriter, r *http.Request, rq *request) {
	ctx := r.Context()
	periods, err := s.o.Out.Periods()
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	rels, err := s.o.DB.Releases(ctx, "")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	released := map[string]map[string]time.Time{}
	for _, rel := range rels {
		if released[rel.Period] == nil {
			released[rel.Period] = map[string]time.Time{}
		}
		released[rel.Period][rel.Party] = rel.At
	}
	dt := funcs["datetime"].(func(time.Time) string)
	var views []adminPeriod
	var toHash []published.Bundle
	for _, p := range periods {
		bs, err := s.o.Out.Bundles(p)
		if err != nil {
			continue
		}
		v := adminPeriod{Period: p, Month: monthName(p)}
		seen := map[string]bool{}
		for _, b := range bs {
			seen[b.Party] = true
			ab := adminBundle{Party: b.Party, Size: shortSize(b.Size), Built: dt(b.ModTime), Signed: b.Signature >= 0}
			if sum, ok := s.o.Out.CachedSum(ctx, b); ok {
				ab.Sum, ab.SumShort = sum, sum[:16]+"…"
			} else {
				toHash = append(toHash, b)
			}
			if at, ok := released[p][b.Party]; ok {
				ab.Released = dt(at)
				v.ReleasedCount++
			}
			v.Bundles = append(v.Bundles, ab)
		}
		for party := range released[p] {
			if !seen[party] {
				v.Orphans = append(v.Orphans, party)
			}
		}
		for _, ext := range []string{".run.html", ".run.json"} {
			if f, _, err := s.o.Out.OpenRunReport(p, ext); err == nil {
				f.Close()
				if ext == ".run.html" {
					v.RunHTML = true
				} else {
					v.RunJSON = true
				}
			}
		}
		views = append(views, v)
	}
	if len(toHash) > 0 {
		s.bg.Add(1)
		go func() {
			defer s.bg.Done()
			for _, b := range toHash {
				if _, err := s.o.Out.Sum(contextWithoutCancel(r), b); err != nil {
					s.log.Error("sha256 of a bundle", "bundle", b.Name(), "err", err)
				}
			}
		}()
	}
	notice := ""
	switch q := r.URL.Query(); q.Get("done") {
	case "release":
		notice = fmt.Sprintf("Released %s to %s.", q.Get("period"), orNone(q.Get("parties")))
	case "revoke":
		notice = fmt.Sprintf("Revoked %s for %s.", q.Get("period"), orNone(q.Get("parties")))
	}
	s.render(w, r, rq, http.StatusOK, "admin_periods", page{Title: "Published periods", Nav: "periods", Notice: notice,
		Data: struct {
			Root    string
			Periods []adminPeriod
		}{s.o.Out.Dir(), views}})
}

func orNone(s string) string {
	if s == "" {
		return "no party (nothing changed)"
	}
	return s
}

func (s *Server) adminRelease(w http.ResponseWriter, r *http.Request, rq *request) {
	s.adminReleaseOrRevoke(w, r, rq, true)
}

func (s *Server) adminRevoke(w http.ResponseWriter, r *http.Request, rq *request) {
	s.adminReleaseOrRevoke(w, r, rq, false)
}

func (s *Server) adminReleaseOrRevoke(w http.ResponseWriter, r *http.Request, rq *request, release bool) {
	if !form(w, r) {
		s.message(w, r, rq, http.StatusBadRequest, "Release", [2]string{"/admin", "Back"}, "The form could not be read.")
		return
	}
	period := r.PostFormValue("period")
	var parties []string
	if p := r.PostFormValue("party"); p != "" {
		parties = []string{p}
	}
	var changed []string
	var err error
	done := "revoke"
	if release {
		done = "release"
		var res ReleaseResult
		res, err = s.admin.Release(r.Context(), rq.actor, period, parties)
		changed = res.Released
		for _, e := range res.MailErrs {
			s.log.Error("release notice", "err", e)
		}
	} else {
		changed, err = s.admin.Revoke(r.Context(), rq.actor, period, parties)
	}
	if err != nil {
		s.message(w, r, rq, http.StatusUnprocessableEntity, "Nothing changed", [2]string{"/admin", "Back to the periods"}, err.Error())
		return
	}
	q := url.Values{"done": {done}, "period": {period}, "parties": {strings.Join(changed, ", ")}}
	http.Redirect(w, r, "/admin?"+q.Encode(), http.StatusSeeOther)
}

// adminRunReport hands a DCC administrator the run report of a period
// (never a party: the route is for administrators only).
func (s *Server) adminRunReport(w http.ResponseWriter, r *http.Request, rq *request) {
	file := r.PathValue("file")
	period, ext, ok := strings.Cut(file, ".")
	if !ok {
		notFound(w)
		return
	}
	f, fi, err := s.o.Out.OpenRunReport(period, "."+ext)
	if err != nil {
		notFound(w)
		return
	}
	defer f.Close()
	ctype := "application/json"
	if ext == "run.html" {
		ctype = "text/html; charset=utf-8"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+period+"."+ext+`"`)
	http.ServeContent(w, r, "", fi.ModTime(), f)
}

type statusLink struct{ Value, Label string }

func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request, rq *request) {
	status := r.URL.Query().Get("status")
	f := hostdb.Filter{}
	if status != "" {
		st, err := hostdb.ParseStatus(status)
		if err != nil {
			notFound(w)
			return
		}
		f.Status = st
	}
	users, err := s.o.DB.Users(r.Context(), f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, rq, http.StatusOK, "admin_users", page{Title: "Users", Nav: "users", Data: struct {
		Status   string
		Statuses []statusLink
		Users    []hostdb.User
	}{status, []statusLink{{"", "All but deleted"}, {"pending", "Pending"}, {"active", "Active"}, {"disabled", "Disabled"}, {"deleted", "Deleted"}}, users}})
}

func (s *Server) subject(w http.ResponseWriter, r *http.Request) (hostdb.User, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		notFound(w)
		return hostdb.User{}, false
	}
	u, err := s.o.DB.User(r.Context(), id)
	if err != nil {
		if !errors.Is(err, hostdb.ErrNotFound) {
			s.serverError(w, r, err)
			return u, false
		}
		notFound(w)
		return u, false
	}
	return u, true
}

var userNotices = map[string]string{
	"approve":      "Approved. A link to set the password was emailed.",
	"disable":      "Disabled: refused from the next request.",
	"enable":       "Enabled.",
	"link":         "A link to set the password was emailed.",
	"make-admin":   "Now a DCC administrator.",
	"make-party":   "Now a party user.",
	"set-party":    "Party changed.",
	"revoke-token": "Token revoked.",
	"delete":       "Deleted: the name, email address and password hash are erased.",
}

func (s *Server) adminUser(w http.ResponseWriter, r *http.Request, rq *request) {
	u, ok := s.subject(w, r)
	if !ok {
		return
	}
	toks, err := s.o.DB.Tokens(r.Context(), u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	events, err := s.o.DB.Events(r.Context(), hostdb.EventFilter{UserID: u.ID, Limit: 50})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	title := u.Name
	if title == "" {
		title = u.Label()
	}
	s.render(w, r, rq, http.StatusOK, "admin_user", page{Title: title, Nav: "users", Notice: userNotices[r.URL.Query().Get("done")],
		Data: struct {
			Subject hostdb.User
			Tokens  []hostdb.Token
			Events  []hostdb.Event
		}{u, toks, events}})
}

func (s *Server) adminUserAction(w http.ResponseWriter, r *http.Request, rq *request) {
	u, ok := s.subject(w, r)
	if !ok {
		return
	}
	if !form(w, r) {
		s.message(w, r, rq, http.StatusBadRequest, "Nothing changed", [2]string{}, "The form could not be read.")
		return
	}
	ctx, a := r.Context(), rq.actor
	action := r.PathValue("action")
	var err error
	switch action {
	case "approve":
		_, _, err = s.admin.Approve(ctx, a, u.ID)
	case "disable":
		_, err = s.o.DB.Disable(ctx, a, u.ID)
	case "enable":
		_, err = s.o.DB.Enable(ctx, a, u.ID)
	case "link":
		_, err = s.admin.SendPasswordLink(ctx, a, u.ID, hostdb.PurposeSetPassword)
	case "make-admin":
		_, err = s.o.DB.SetKind(ctx, a, u.ID, hostdb.KindAdmin)
	case "make-party":
		_, err = s.o.DB.SetKind(ctx, a, u.ID, hostdb.KindParty)
	case "set-party":
		_, err = s.o.DB.SetParty(ctx, a, u.ID, strings.TrimSpace(r.PostFormValue("party")))
	case "revoke-token":
		var id int64
		if id, err = strconv.ParseInt(r.PostFormValue("token"), 10, 64); err == nil {
			err = s.o.DB.RevokeToken(ctx, a, u.ID, id)
		}
	case "delete":
		if r.PostFormValue("confirm") != "yes" {
			err = errors.New("tick the box to confirm the deletion")
			break
		}
		_, _, err = s.admin.Delete(ctx, a, u.ID)
	default:
		notFound(w)
		return
	}
	if err != nil {
		s.message(w, r, rq, http.StatusUnprocessableEntity, "Nothing changed", [2]string{fmt.Sprintf("/admin/users/%d", u.ID), "Back to the user"}, redactIf(err))
		return
	}
	if u.ID == rq.user.ID && (action == "disable" || action == "make-party" || action == "delete") {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/users/%d?done=%s", u.ID, action), http.StatusSeeOther)
}

// redactIf gives an error's text for a page shown to an administrator.
func redactIf(err error) string { return err.Error() }

func (s *Server) adminUsage(w http.ResponseWriter, r *http.Request, rq *request) {
	q := r.URL.Query()
	from, to := q.Get("from"), q.Get("to")
	errMsg := ""
	for _, p := range []*string{&from, &to} {
		if *p != "" && !published.ValidPeriod(*p) {
			errMsg = "Give months as YYYY-MM."
			*p = ""
		}
	}
	rows, err := s.o.DB.Usage(r.Context(), from, to)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	und, err := s.o.DB.Undownloaded(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, rq, http.StatusOK, "admin_usage", page{Title: "Usage", Nav: "usage", Error: errMsg, Data: struct {
		From, To     string
		Rows         []hostdb.UsageRow
		Undownloaded []hostdb.Release
	}{from, to, rows, und}})
}

// auditActions are the actions the audit log records, for its filter.
var auditActions = []string{"signin", "signin_failed", "signout", "download", "download_signature", "release", "revoke",
	"register", "register_duplicate", "add_user", "approve", "disable", "enable", "set_party", "set_kind",
	"delete_user", "link_issued", "password_set", "token_create", "token_revoke"}

func (s *Server) adminAudit(w http.ResponseWriter, r *http.Request, rq *request) {
	action := r.URL.Query().Get("action")
	known := action == ""
	for _, a := range auditActions {
		known = known || a == action
	}
	if !known {
		action = ""
	}
	const limit = 500
	events, err := s.o.DB.Events(r.Context(), hostdb.EventFilter{Action: action, Limit: limit})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, rq, http.StatusOK, "admin_audit", page{Title: "Audit log", Nav: "audit", Data: struct {
		Limit   int
		Action  string
		Actions []string
		Events  []hostdb.Event
	}{limit, action, auditActions, events}})
}
