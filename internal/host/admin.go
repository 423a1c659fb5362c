package host

// The DCC's administration of the host: the actions that both the admin
// pages and the `carport users|release|revoke` commands run, so each does
// the same thing, with the same notices, whichever way it is asked for.

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/dcc/carport/internal/hostdb"
	"github.com/dcc/carport/internal/mail"
	"github.com/dcc/carport/internal/published"
)

// Admin carries out administrative actions and sends their notices.
type Admin struct {
	DB        *hostdb.DB
	Out       *published.Out // needed by Release only
	Mail      mail.Sender
	PublicURL *url.URL
}

// link is the address of a one-time password link.
func (a *Admin) link(secret string) string {
	return a.PublicURL.JoinPath("password", secret).String()
}

// ReleaseResult says what a release did.
type ReleaseResult struct {
	Released []string // parties newly released
	Already  []string // parties released before
	Notified int      // mails sent
	MailErrs []error  // notices that could not be sent (the release stands)
}

// Release makes period visible to parties (every party with a bundle in
// the period when parties is empty) and emails each active user of each
// newly released party. A party without a bundle in the period is an
// InputError, and nothing is released then.
func (a *Admin) Release(ctx context.Context, actor hostdb.Actor, period string, parties []string) (ReleaseResult, error) {
	var res ReleaseResult
	if !published.ValidPeriod(period) {
		return res, &hostdb.InputError{Err: fmt.Errorf("period %q is not YYYY-MM", period)}
	}
	if a.Out == nil {
		return res, errors.New("release needs the published folder (--root)")
	}
	bundles, err := a.Out.Bundles(period)
	if errors.Is(err, published.ErrNotFound) {
		return res, &hostdb.InputError{Err: fmt.Errorf("period %s has not been built into %s", period, a.Out.Dir())}
	}
	if err != nil {
		return res, err
	}
	have := map[string]bool{}
	for _, b := range bundles {
		have[b.Party] = true
	}
	if len(parties) == 0 {
		if len(bundles) == 0 {
			return res, &hostdb.InputError{Err: fmt.Errorf("period %s in %s holds no bundle", period, a.Out.Dir())}
		}
		for _, b := range bundles {
			parties = append(parties, b.Party)
		}
	}
	var missing []string
	for _, p := range parties {
		if !have[p] {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		return res, &hostdb.InputError{Err: fmt.Errorf("period %s has no bundle for %s: nothing was released", period, strings.Join(missing, ", "))}
	}
	added, err := a.DB.Release(ctx, actor, period, parties)
	if err != nil {
		return res, err
	}
	res.Released = added
	for _, p := range parties {
		if !slices.Contains(added, p) {
			res.Already = append(res.Already, p)
		}
	}
	for _, p := range added {
		users, err := a.DB.Users(ctx, hostdb.Filter{Status: hostdb.StatusActive, Party: p, Kind: hostdb.KindParty})
		if err != nil {
			return res, err
		}
		for _, u := range users {
			if err := a.Mail.Send(ctx, a.releasedMail(u, period)); err != nil {
				res.MailErrs = append(res.MailErrs, fmt.Errorf("notice to %s: %s", u.Label(), redact(err.Error())))
				continue
			}
			res.Notified++
		}
	}
	return res, nil
}

// Revoke withdraws period from parties (every party of the period when
// parties is empty) and returns the parties it was withdrawn from.
func (a *Admin) Revoke(ctx context.Context, actor hostdb.Actor, period string, parties []string) ([]string, error) {
	return a.DB.Revoke(ctx, actor, period, parties)
}

// Approve approves a pending registration and emails the user a link to
// set their password.
func (a *Admin) Approve(ctx context.Context, actor hostdb.Actor, id int64) (hostdb.User, string, error) {
	u, err := a.DB.Approve(ctx, actor, id)
	if err != nil {
		return u, "", err
	}
	link, err := a.SendPasswordLink(ctx, actor, id, hostdb.PurposeSetPassword)
	return u, link, err
}

// Invite adds an active user (approved as they are added) and emails them
// a link to set their password.
func (a *Admin) Invite(ctx context.Context, actor hostdb.Actor, nu hostdb.NewUser) (hostdb.User, string, error) {
	nu.Status = hostdb.StatusActive
	u, err := a.DB.AddUser(ctx, actor, nu)
	if err != nil {
		return u, "", err
	}
	link, err := a.SendPasswordLink(ctx, actor, u.ID, hostdb.PurposeSetPassword)
	return u, link, err
}

// SendPasswordLink issues a one-time link to set (after approval) or reset
// (forgotten) the password of an active user, emails it and returns it.
// When the mail cannot be sent the link is returned with the error, so an
// operator can pass it on another way.
func (a *Admin) SendPasswordLink(ctx context.Context, actor hostdb.Actor, id int64, purpose hostdb.Purpose) (string, error) {
	u, err := a.DB.User(ctx, id)
	if err != nil {
		return "", err
	}
	ttl := SetPasswordTTL
	if purpose == hostdb.PurposeReset {
		ttl = ResetTTL
	}
	secret, err := a.DB.NewLink(ctx, actor, id, purpose, ttl)
	if err != nil {
		return "", err
	}
	link := a.link(secret)
	if err := a.Mail.Send(ctx, a.linkMail(u, purpose, link)); err != nil {
		return link, fmt.Errorf("the link for %s could not be mailed: %s", u.Label(), redact(err.Error()))
	}
	return link, nil
}

// Delete erases a user's personal data (see hostdb.DB.DeleteUser) and,
// when mail goes to an outbox folder, removes the messages sent to them.
// It returns the user as they were and how many messages it removed.
func (a *Admin) Delete(ctx context.Context, actor hostdb.Actor, id int64) (hostdb.User, int, error) {
	before, err := a.DB.DeleteUser(ctx, actor, id)
	if err != nil {
		return before, 0, err
	}
	n := 0
	if ob, ok := a.Mail.(*mail.Outbox); ok && before.Email != "" {
		if n, err = ob.Purge(before.Email); err != nil {
			return before, n, fmt.Errorf("%s was deleted, but the outbox could not be purged: %w", before.Label(), err)
		}
	}
	return before, n, nil
}

// The notices.

func (a *Admin) signature() string {
	return "\n-- \nCustomer Analytics Reporting, the DCC\n" + a.PublicURL.String() + "\n"
}

func (a *Admin) releasedMail(u hostdb.User, period string) mail.Message {
	return mail.Message{To: u.Email, ToName: u.Name,
		Subject: fmt.Sprintf("Your Customer Analytics Reporting for %s is ready", monthName(period)),
		Body: fmt.Sprintf(`Hello %s,

The Customer Analytics Reporting bundle of party %s for %s (period %s) has been released to you.

Sign in to download it:
%s

It is encrypted to your party's key; the page says how to open it.
%s`, u.Name, u.Party, monthName(period), period, a.PublicURL.String(), a.signature())}
}

func (a *Admin) linkMail(u hostdb.User, purpose hostdb.Purpose, link string) mail.Message {
	if purpose == hostdb.PurposeReset {
		return mail.Message{To: u.Email, ToName: u.Name, Subject: "Choose a new password for Customer Analytics Reporting",
			Body: fmt.Sprintf(`Hello %s,

Someone, probably you, asked to reset the password of your Customer Analytics Reporting account. To choose a new one, open this link within one hour:

%s

The link works once. If you did not ask, ignore this message: your password stays as it is.
%s`, u.Name, link, a.signature())}
	}
	return mail.Message{To: u.Email, ToName: u.Name, Subject: "Set your password for Customer Analytics Reporting",
		Body: fmt.Sprintf(`Hello %s,

Your access to Customer Analytics Reporting has been approved. To set your password, open this link within %d hours:

%s

The link works once. Then sign in at %s
%s`, u.Name, int(SetPasswordTTL.Hours()), link, a.PublicURL.JoinPath("signin").String(), a.signature())}
}

func (a *Admin) registeredMail(u hostdb.User) mail.Message {
	return mail.Message{To: u.Email, ToName: u.Name, Subject: "We received your registration for Customer Analytics Reporting",
		Body: fmt.Sprintf(`Hello %s,

Thank you for registering for Customer Analytics Reporting as a user of party %s.

A DCC administrator will check your registration. Once it is approved you will get another email with a link to set your password.

If you did not register, ignore this message: nothing happens without an approval.
%s`, u.Name, u.Party, a.signature())}
}

func (a *Admin) alreadyRegisteredMail(email string) mail.Message {
	return mail.Message{To: email, Subject: "You are already registered for Customer Analytics Reporting",
		Body: fmt.Sprintf(`Hello,

Someone, probably you, tried to register this email address for Customer Analytics Reporting. It already has an account, so no second one was made.

Sign in at %s
Forgotten your password? Ask for a new one at %s

If your registration is still waiting for approval, there is nothing more to do: you will get an email once it is approved.
%s`, a.PublicURL.JoinPath("signin").String(), a.PublicURL.JoinPath("forgot").String(), a.signature())}
}

// pendingMail tells an administrator a registration waits; it names the
// account by number only, so no registrant's personal data sits in another
// person's mail.
func (a *Admin) pendingMail(admin, u hostdb.User) mail.Message {
	return mail.Message{To: admin.Email, ToName: admin.Name, Subject: "A registration is waiting for approval",
		Body: fmt.Sprintf(`Hello %s,

A new registration (%s, party %s) is waiting for approval:
%s
%s`, admin.Name, u.Label(), u.Party, a.PublicURL.JoinPath("admin", "users", fmt.Sprint(u.ID)).String(), a.signature())}
}

var emailRE = regexp.MustCompile(`[^\s<>"',;:()]+@[^\s<>"',;:()]+`)

// redact replaces anything that looks like an email address, so a mail
// server's error never puts one in a log.
func redact(s string) string { return emailRE.ReplaceAllString(s, "[address]") }
