package hostdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/mail"
)

// Kind is what a user is: a party's user, who sees that party's released
// bundles, or a DCC administrator, who runs the host.
type Kind string

// Kinds.
const (
	KindParty Kind = "party"
	KindAdmin Kind = "admin"
)

// Status is where a user is in their life: pending (registered, waiting for
// a DCC administrator), active, disabled (refused at the next request) or
// deleted (personal data removed; the row stays, unnamed, for the counts).
type Status string

// Statuses.
const (
	StatusPending  Status = "pending"
	StatusActive   Status = "active"
	StatusDisabled Status = "disabled"
	StatusDeleted  Status = "deleted"
)

// ParseStatus checks a status given on the command line.
func ParseStatus(s string) (Status, error) {
	switch x := Status(s); x {
	case StatusPending, StatusActive, StatusDisabled, StatusDeleted:
		return x, nil
	}
	return "", fmt.Errorf("status %q: want pending, active, disabled or deleted", s)
}

// User is one account.
type User struct {
	ID          int64
	Name, Email string // both empty once deleted
	Party       string // empty for administrators
	Kind        Kind
	Status      Status
	HasPassword bool
	Created     time.Time
	Approved    time.Time // zero: never
	LastSignIn  time.Time // zero: never
	Deleted     time.Time // zero: not deleted
}

// Label names the user in logs and audit views without personal data.
func (u User) Label() string { return fmt.Sprintf("user #%d", u.ID) }

// IsAdmin reports whether u is an active DCC administrator.
func (u User) IsAdmin() bool { return u.Kind == KindAdmin && u.Status == StatusActive }

// Actor is who did something, for the audit log: a signed-in user (UserID)
// through the web pages or an API token, or an operator at the command line.
type Actor struct {
	UserID int64
	Via    string // "web", "api" or "cli"
	Addr   string // client address, web only
}

// CLI is the actor of the admin commands.
var CLI = Actor{Via: "cli"}

// Errors.
var (
	ErrNotFound       = errors.New("no such user")
	ErrEmailTaken     = errors.New("that email address already has an account")
	ErrBadCredentials = errors.New("email or password is wrong")
	ErrNotActive      = errors.New("the account is not active")
	ErrBadLink        = errors.New("the link is not valid: it was used already, it expired or a newer one was sent")
	ErrBadToken       = errors.New("unknown, expired or revoked token")
)

// StateError is an action that does not fit the user's current state.
type StateError struct{ Msg string }

func (e *StateError) Error() string { return e.Msg }

// InputError is a value given to the database that breaks its rules (a
// malformed email address, party id, name, period).
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// NewUser is what AddUser needs.
type NewUser struct {
	Name, Email, Party string
	Kind               Kind
	Status             Status // pending (self-registration) or active (added by the DCC)
}

// CheckName returns the cleaned name or an error saying what is wrong.
func CheckName(s string) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "", errors.New("no name given")
	}
	if utf8.RuneCountInString(s) > 100 || !utf8.ValidString(s) {
		return "", errors.New("a name has at most 100 characters")
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "", errors.New("a name holds no control characters")
		}
	}
	return s, nil
}

// CheckParty returns an error unless id is a party id a user may belong to.
func CheckParty(id string) error {
	if !contract.ValidPartyID(id) {
		return fmt.Errorf("party %q is not a party id (letters, digits, _ and -, at most 32)", id)
	}
	return nil
}

func (nu *NewUser) check() error {
	var err error
	if nu.Name, err = CheckName(nu.Name); err != nil {
		return err
	}
	if nu.Email, err = mail.Address(nu.Email); err != nil {
		return err
	}
	switch nu.Kind {
	case KindParty:
		if err := CheckParty(nu.Party); err != nil {
			return err
		}
	case KindAdmin:
		nu.Party = ""
	default:
		return fmt.Errorf("kind %q: want party or admin", nu.Kind)
	}
	if nu.Status != StatusPending && nu.Status != StatusActive {
		return fmt.Errorf("a new user is pending or active, not %s", nu.Status)
	}
	return nil
}

// AddUser creates a user. A pending user registered themselves (action
// "register"); an active one was added, and so approved, by the DCC.
func (db *DB) AddUser(ctx context.Context, a Actor, nu NewUser) (User, error) {
	if err := nu.check(); err != nil {
		return User{}, &InputError{err}
	}
	var id int64
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE email = ?", nu.Email).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrEmailTaken
		}
		now := db.now()
		var approved any
		action := "register"
		if nu.Status == StatusActive {
			approved, action = now, "add_user"
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO users (name, email, party, kind, status, created_at, approved_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, nu.Name, nu.Email, nu.Party, nu.Kind, nu.Status, now, approved)
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		return db.logTx(ctx, tx, a, action, id, nu.Party, "", string(nu.Kind))
	})
	if err != nil {
		return User{}, err
	}
	return db.User(ctx, id)
}

const userCols = `id, coalesce(name, ''), coalesce(email, ''), party, kind, status, password IS NOT NULL,
	created_at, coalesce(approved_at, 0), coalesce(last_signin_at, 0), coalesce(deleted_at, 0)`

type scanner interface{ Scan(...any) error }

func scanUser(s scanner) (User, error) {
	var u User
	var created, approved, last, deleted int64
	if err := s.Scan(&u.ID, &u.Name, &u.Email, &u.Party, &u.Kind, &u.Status, &u.HasPassword,
		&created, &approved, &last, &deleted); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return u, ErrNotFound
		}
		return u, err
	}
	u.Created, u.Approved, u.LastSignIn, u.Deleted = unix(created), unix(approved), unix(last), unix(deleted)
	return u, nil
}

func unix(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}

// User returns the user with this id.
func (db *DB) User(ctx context.Context, id int64) (User, error) {
	return scanUser(db.r.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE id = ?", id))
}

// UserByEmail returns the user with this email address (any case).
func (db *DB) UserByEmail(ctx context.Context, email string) (User, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return User{}, ErrNotFound
	}
	return scanUser(db.r.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE email = ?", email))
}

// Filter selects users.
type Filter struct {
	Status  Status // "" any but deleted (unless Deleted)
	Party   string
	Kind    Kind
	Deleted bool // include deleted users
}

// Users lists users by id.
func (db *DB) Users(ctx context.Context, f Filter) ([]User, error) {
	q := "SELECT " + userCols + " FROM users WHERE 1 = 1"
	var args []any
	switch {
	case f.Status != "":
		q += " AND status = ?"
		args = append(args, f.Status)
	case !f.Deleted:
		q += " AND status != 'deleted'"
	}
	if f.Party != "" {
		q += " AND party = ?"
		args = append(args, f.Party)
	}
	if f.Kind != "" {
		q += " AND kind = ?"
		args = append(args, f.Kind)
	}
	rows, err := db.r.QueryContext(ctx, q+" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var us []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		us = append(us, u)
	}
	return us, rows.Err()
}

// change runs one admin action on user id inside a transaction: check may
// refuse it by the user's current state; apply makes the change.
func (db *DB) change(ctx context.Context, a Actor, id int64, action string,
	check func(User) error, apply func(*sql.Tx, User) (party, detail string, err error)) (User, error) {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		u, err := scanUser(tx.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE id = ?", id))
		if err != nil {
			return err
		}
		if u.Status == StatusDeleted {
			return &StateError{u.Label() + " was deleted"}
		}
		if err := check(u); err != nil {
			return err
		}
		party, detail, err := apply(tx, u)
		if err != nil {
			return err
		}
		return db.logTx(ctx, tx, a, action, id, party, "", detail)
	})
	if err != nil {
		return User{}, err
	}
	return db.User(ctx, id)
}

// Approve makes a pending user active (DCC-15).
func (db *DB) Approve(ctx context.Context, a Actor, id int64) (User, error) {
	return db.change(ctx, a, id, "approve", func(u User) error {
		if u.Status != StatusPending {
			return &StateError{fmt.Sprintf("%s is %s, not pending", u.Label(), u.Status)}
		}
		return nil
	}, func(tx *sql.Tx, u User) (string, string, error) {
		_, err := tx.ExecContext(ctx, "UPDATE users SET status = 'active', approved_at = ? WHERE id = ?", db.now(), u.ID)
		return u.Party, "", err
	})
}

// Disable refuses the user from their very next request: their sessions end
// and their API tokens stop working while they are disabled (DCC-13).
func (db *DB) Disable(ctx context.Context, a Actor, id int64) (User, error) {
	return db.change(ctx, a, id, "disable", func(u User) error {
		if u.Status == StatusDisabled {
			return &StateError{u.Label() + " is disabled already"}
		}
		return nil
	}, func(tx *sql.Tx, u User) (string, string, error) {
		if _, err := tx.ExecContext(ctx, "UPDATE users SET status = 'disabled' WHERE id = ?", u.ID); err != nil {
			return "", "", err
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ?", u.ID)
		return u.Party, "", err
	})
}

// Enable makes a disabled user active again.
func (db *DB) Enable(ctx context.Context, a Actor, id int64) (User, error) {
	return db.change(ctx, a, id, "enable", func(u User) error {
		if u.Status != StatusDisabled {
			return &StateError{fmt.Sprintf("%s is %s, not disabled", u.Label(), u.Status)}
		}
		return nil
	}, func(tx *sql.Tx, u User) (string, string, error) {
		_, err := tx.ExecContext(ctx, "UPDATE users SET status = 'active', approved_at = coalesce(approved_at, ?) WHERE id = ?", db.now(), u.ID)
		return u.Party, "", err
	})
}

// SetParty moves a user to another party: from the next request they see
// that party's bundles and no longer their old party's (DCC-16, DCC-17).
func (db *DB) SetParty(ctx context.Context, a Actor, id int64, party string) (User, error) {
	if err := CheckParty(party); err != nil {
		return User{}, &InputError{err}
	}
	return db.change(ctx, a, id, "set_party", func(u User) error {
		if u.Party == party {
			return &StateError{fmt.Sprintf("%s is in party %s already", u.Label(), party)}
		}
		return nil
	}, func(tx *sql.Tx, u User) (string, string, error) {
		_, err := tx.ExecContext(ctx, "UPDATE users SET party = ? WHERE id = ?", party, u.ID)
		detail := "no party before"
		if u.Party != "" {
			detail = "from " + u.Party
		}
		return party, detail, err
	})
}

// SetKind makes a user a DCC administrator or a party user (DCC-14). A
// party user needs a party.
func (db *DB) SetKind(ctx context.Context, a Actor, id int64, kind Kind) (User, error) {
	if kind != KindAdmin && kind != KindParty {
		return User{}, &InputError{fmt.Errorf("kind %q: want party or admin", kind)}
	}
	return db.change(ctx, a, id, "set_kind", func(u User) error {
		if u.Kind == kind {
			return &StateError{fmt.Sprintf("%s is a %s user already", u.Label(), kind)}
		}
		if kind == KindParty && u.Party == "" {
			return &StateError{u.Label() + " has no party: set one first with set-party"}
		}
		return nil
	}, func(tx *sql.Tx, u User) (string, string, error) {
		if _, err := tx.ExecContext(ctx, "UPDATE users SET kind = ? WHERE id = ?", kind, u.ID); err != nil {
			return "", "", err
		}
		// a change of powers starts from a fresh sign-in
		_, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ?", u.ID)
		return u.Party, string(kind), err
	})
}

// DeleteUser removes a user's personal data (DCC-18, DCC-19): name, email
// and password hash are erased and overwritten in the file, their sessions,
// tokens and links go, and the client addresses of their audit entries are
// blanked. The row stays as "user #id" with its party and dates, so counts
// and the audit log keep their meaning under a pseudonym. It returns the
// user as they were, so the caller can purge their mail.
func (db *DB) DeleteUser(ctx context.Context, a Actor, id int64) (User, error) {
	var before User
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var err error
		before, err = scanUser(tx.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE id = ?", id))
		if err != nil {
			return err
		}
		if before.Status == StatusDeleted {
			return &StateError{before.Label() + " was deleted already"}
		}
		stmts := []string{
			"UPDATE users SET name = NULL, email = NULL, password = NULL, status = 'deleted', deleted_at = ? WHERE id = ?",
			"DELETE FROM sessions WHERE user_id = ?",
			"DELETE FROM tokens WHERE user_id = ?",
			"DELETE FROM links WHERE user_id = ?",
			"UPDATE audit SET addr = '' WHERE user_id = ?1 OR actor_id = ?1",
		}
		for i, s := range stmts {
			args := []any{id}
			if i == 0 {
				args = []any{db.now(), id}
			}
			if _, err := tx.ExecContext(ctx, s, args...); err != nil {
				return err
			}
		}
		return db.logTx(ctx, tx, Actor{UserID: a.UserID, Via: a.Via}, "delete_user", id, before.Party, "", "")
	})
	if err != nil {
		return User{}, err
	}
	return before, db.purgeWAL(ctx)
}

// purgeWAL checkpoints the WAL into the database file and truncates it, so
// pages written before a deletion survive in neither file. A reader of an
// older snapshot (the server, mid-request) can hold the checkpoint back for
// a moment: it is retried.
func (db *DB) purgeWAL(ctx context.Context) error {
	for i := 0; ; i++ {
		var busy, logPages, done int
		if err := db.w.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logPages, &done); err != nil {
			return err
		}
		if busy == 0 {
			return nil
		}
		if i == 50 {
			return errors.New("the database is busy: its write-ahead log could not be truncated; run the command again")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Authenticate checks an email and password and records the sign-in or the
// failure. Every path costs one argon2id run, so an unknown address takes
// as long as a wrong password. A right password for an account that is not
// active gives ErrNotActive; every other failure ErrBadCredentials.
func (db *DB) Authenticate(ctx context.Context, a Actor, email, password string) (User, error) {
	u, err := db.UserByEmail(ctx, email)
	known := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return User{}, err
	}
	var hash string
	if known {
		if err := db.r.QueryRowContext(ctx, "SELECT coalesce(password, '') FROM users WHERE id = ?", u.ID).Scan(&hash); err != nil {
			return User{}, err
		}
	}
	ok := false
	err = db.withHashSlot(ctx, func() error {
		h := hash
		if h == "" {
			h = db.dummy
		}
		match, err := verifyPassword(password, h)
		ok = match && hash != ""
		return err
	})
	if err != nil {
		return User{}, err
	}
	switch {
	case !known:
		return User{}, errors.Join(ErrBadCredentials, db.Log(ctx, a, "signin_failed", 0, "", "", "unknown account"))
	case !ok:
		return User{}, errors.Join(ErrBadCredentials, db.Log(ctx, a, "signin_failed", u.ID, u.Party, "", "wrong password"))
	case u.Status != StatusActive:
		return User{}, errors.Join(ErrNotActive, db.Log(ctx, a, "signin_failed", u.ID, u.Party, "", "account "+string(u.Status)))
	}
	a.UserID = u.ID
	err = db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE users SET last_signin_at = ? WHERE id = ?", db.now(), u.ID); err != nil {
			return err
		}
		return db.logTx(ctx, tx, a, "signin", u.ID, u.Party, "", "")
	})
	if err != nil {
		return User{}, err
	}
	return db.User(ctx, u.ID)
}
