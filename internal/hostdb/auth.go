package hostdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// NewSession starts a session for user id lasting ttl and returns the
// cookie value (shown once; only its hash is stored).
func (db *DB) NewSession(ctx context.Context, userID int64, ttl time.Duration) (string, error) {
	secret, hash, err := newSecret()
	if err != nil {
		return "", err
	}
	now := db.Now()
	res, err := db.w.ExecContext(ctx, "INSERT INTO sessions (user_id, hash, created_at, expires_at) VALUES (?, ?, ?, ?)",
		userID, hash, now.Unix(), now.Add(ttl).Unix())
	if err != nil {
		return "", err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return "", err
	}
	return formatSecret(sessionPrefix, id, secret), nil
}

// SessionUser returns the active user a session cookie belongs to, or
// ErrNotFound when the cookie is unknown, expired, or its user is no longer
// active: a disabled user is refused on their very next request.
func (db *DB) SessionUser(ctx context.Context, cookie string) (User, error) {
	id, secret, ok := parseSecret(sessionPrefix, cookie)
	if !ok {
		return User{}, ErrNotFound
	}
	var hash []byte
	var userID, expires int64
	err := db.r.QueryRowContext(ctx, "SELECT user_id, hash, expires_at FROM sessions WHERE id = ?", id).Scan(&userID, &hash, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrNotFound
	}
	if err != nil {
		return User{}, err
	}
	if !secretMatches(secret, hash) || db.now() >= expires {
		return User{}, ErrNotFound
	}
	u, err := db.User(ctx, userID)
	if err != nil {
		return User{}, err
	}
	if u.Status != StatusActive {
		return User{}, ErrNotFound
	}
	return u, nil
}

// EndSession ends the session of a cookie (signing out).
func (db *DB) EndSession(ctx context.Context, cookie string) error {
	id, secret, ok := parseSecret(sessionPrefix, cookie)
	if !ok {
		return nil
	}
	var hash []byte
	err := db.r.QueryRowContext(ctx, "SELECT hash FROM sessions WHERE id = ?", id).Scan(&hash)
	if err != nil || !secretMatches(secret, hash) {
		return nil
	}
	_, err = db.w.ExecContext(ctx, "DELETE FROM sessions WHERE id = ?", id)
	return err
}

// PruneExpired removes expired sessions, links and tokens.
func (db *DB) PruneExpired(ctx context.Context) error {
	now := db.now()
	for _, t := range []string{"sessions", "links", "tokens"} {
		if _, err := db.w.ExecContext(ctx, "DELETE FROM "+t+" WHERE expires_at <= ?", now); err != nil {
			return err
		}
	}
	return nil
}

// Token is an API token's public description.
type Token struct {
	ID       int64
	UserID   int64
	Name     string
	Created  time.Time
	Expires  time.Time
	LastUsed time.Time // zero: never
}

// NewToken makes an API token for scripted downloads (Authorization:
// Bearer) and returns it; it is shown only this once.
func (db *DB) NewToken(ctx context.Context, a Actor, userID int64, name string, ttl time.Duration) (string, Token, error) {
	name, err := CheckName(name)
	if err != nil {
		return "", Token{}, &InputError{fmt.Errorf("token name: %w", err)}
	}
	if ttl <= 0 {
		return "", Token{}, errors.New("a token needs a lifetime")
	}
	secret, hash, err := newSecret()
	if err != nil {
		return "", Token{}, err
	}
	var tok Token
	err = db.tx(ctx, func(tx *sql.Tx) error {
		u, err := scanUser(tx.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE id = ?", userID))
		if err != nil {
			return err
		}
		if u.Status == StatusDeleted {
			return &StateError{u.Label() + " was deleted"}
		}
		now := db.Now()
		res, err := tx.ExecContext(ctx, "INSERT INTO tokens (user_id, name, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
			userID, name, hash, now.Unix(), now.Add(ttl).Unix())
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		tok = Token{ID: id, UserID: userID, Name: name, Created: unix(now.Unix()), Expires: unix(now.Add(ttl).Unix())}
		return db.logTx(ctx, tx, a, "token_create", userID, u.Party, "", fmt.Sprintf("token %d", id))
	})
	if err != nil {
		return "", Token{}, err
	}
	return formatSecret(tokenPrefix, tok.ID, secret), tok, nil
}

// Tokens lists a user's API tokens that have not expired.
func (db *DB) Tokens(ctx context.Context, userID int64) ([]Token, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, user_id, name, created_at, expires_at, coalesce(last_used_at, 0)
		FROM tokens WHERE user_id = ? AND expires_at > ? ORDER BY id`, userID, db.now())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ts []Token
	for rows.Next() {
		var t Token
		var c, e, l int64
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &c, &e, &l); err != nil {
			return nil, err
		}
		t.Created, t.Expires, t.LastUsed = unix(c), unix(e), unix(l)
		ts = append(ts, t)
	}
	return ts, rows.Err()
}

// RevokeToken deletes one of a user's API tokens.
func (db *DB) RevokeToken(ctx context.Context, a Actor, userID, tokenID int64) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM tokens WHERE id = ? AND user_id = ?", tokenID, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("user #%d has no token %d", userID, tokenID)
		}
		var party string
		tx.QueryRowContext(ctx, "SELECT party FROM users WHERE id = ?", userID).Scan(&party)
		return db.logTx(ctx, tx, a, "token_revoke", userID, party, "", fmt.Sprintf("token %d", tokenID))
	})
}

// TokenUser returns the active user an API token belongs to, or
// ErrBadToken.
func (db *DB) TokenUser(ctx context.Context, token string) (User, error) {
	id, secret, ok := parseSecret(tokenPrefix, token)
	if !ok {
		return User{}, ErrBadToken
	}
	var hash []byte
	var userID, expires, last int64
	err := db.r.QueryRowContext(ctx, "SELECT user_id, hash, expires_at, coalesce(last_used_at, 0) FROM tokens WHERE id = ?", id).
		Scan(&userID, &hash, &expires, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrBadToken
	}
	if err != nil {
		return User{}, err
	}
	now := db.now()
	if !secretMatches(secret, hash) || now >= expires {
		return User{}, ErrBadToken
	}
	u, err := db.User(ctx, userID)
	if err != nil {
		return User{}, err
	}
	if u.Status != StatusActive {
		return User{}, ErrBadToken
	}
	// last use to the minute is enough, and spares a write per request
	if now-last >= 60 {
		if _, err := db.w.ExecContext(ctx, "UPDATE tokens SET last_used_at = ? WHERE id = ?", now, id); err != nil {
			return User{}, err
		}
	}
	return u, nil
}

// Purpose is what a one-time link is for.
type Purpose string

// Link purposes.
const (
	PurposeSetPassword Purpose = "set-password" // after approval or when added by the DCC
	PurposeReset       Purpose = "reset"        // forgotten password
)

// NewLink issues a one-time link secret for user id, valid for ttl. An
// older link of the same purpose stops working.
func (db *DB) NewLink(ctx context.Context, a Actor, userID int64, purpose Purpose, ttl time.Duration) (string, error) {
	secret, hash, err := newSecret()
	if err != nil {
		return "", err
	}
	var id int64
	err = db.tx(ctx, func(tx *sql.Tx) error {
		u, err := scanUser(tx.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE id = ?", userID))
		if err != nil {
			return err
		}
		if u.Status != StatusActive {
			return &StateError{fmt.Sprintf("%s is %s: only an active user gets a password link", u.Label(), u.Status)}
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM links WHERE user_id = ? AND purpose = ?", userID, purpose); err != nil {
			return err
		}
		now := db.Now()
		res, err := tx.ExecContext(ctx, "INSERT INTO links (user_id, purpose, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
			userID, purpose, hash, now.Unix(), now.Add(ttl).Unix())
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		return db.logTx(ctx, tx, a, "link_issued", userID, u.Party, "", string(purpose))
	})
	if err != nil {
		return "", err
	}
	return formatSecret(linkPrefix, id, secret), nil
}

// LinkUser returns the active user and the purpose of a one-time link that
// is still valid, without using it up.
func (db *DB) LinkUser(ctx context.Context, link string) (User, Purpose, error) {
	return db.linkUser(ctx, db.r, link)
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (db *DB) linkUser(ctx context.Context, q queryer, link string) (User, Purpose, error) {
	id, secret, ok := parseSecret(linkPrefix, link)
	if !ok {
		return User{}, "", ErrBadLink
	}
	var hash []byte
	var userID, expires int64
	var purpose Purpose
	err := q.QueryRowContext(ctx, "SELECT user_id, purpose, hash, expires_at FROM links WHERE id = ?", id).Scan(&userID, &purpose, &hash, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, "", ErrBadLink
	}
	if err != nil {
		return User{}, "", err
	}
	if !secretMatches(secret, hash) || db.now() >= expires {
		return User{}, "", ErrBadLink
	}
	u, err := scanUser(q.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE id = ?", userID))
	if err != nil {
		return User{}, "", err
	}
	if u.Status != StatusActive {
		return User{}, "", ErrBadLink
	}
	return u, purpose, nil
}

// UseLink sets the password of a one-time link's user and uses the link
// up. Every session of the user ends: whoever knew the old password is
// signed out.
func (db *DB) UseLink(ctx context.Context, a Actor, link, password string) (User, error) {
	u, _, err := db.LinkUser(ctx, link)
	if err != nil {
		return User{}, err
	}
	if msg := CheckPasswordRules(password, u.Email); msg != "" {
		return User{}, errors.New(msg)
	}
	var hash string
	if err := db.withHashSlot(ctx, func() (err error) { hash, err = hashPassword(password); return err }); err != nil {
		return User{}, err
	}
	err = db.tx(ctx, func(tx *sql.Tx) error {
		u2, purpose, err := db.linkUser(ctx, tx, link) // still valid inside the write
		if err != nil {
			return err
		}
		if u2.ID != u.ID {
			return ErrBadLink
		}
		id, _, _ := parseSecret(linkPrefix, link)
		if _, err := tx.ExecContext(ctx, "DELETE FROM links WHERE id = ?", id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE users SET password = ? WHERE id = ?", hash, u.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ?", u.ID); err != nil {
			return err
		}
		a.UserID = u.ID
		return db.logTx(ctx, tx, a, "password_set", u.ID, u.Party, "", string(purpose))
	})
	if err != nil {
		return User{}, err
	}
	return db.User(ctx, u.ID)
}
