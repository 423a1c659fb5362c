package hostdb

// The audit log records every sign-in, failed sign-in, download, release
// and admin action. It holds user ids, never names or email addresses, and
// never a password, token, link or cookie: what identifies a person is in
// the users table only, so erasing it there (DeleteUser) leaves the log
// pseudonymous with its counts intact.

import (
	"context"
	"database/sql"
	"time"

	"github.com/dcc/carport/internal/contract"
)

// Event is one audit log entry.
type Event struct {
	ID      int64
	At      time.Time
	Month   string // YYYY-MM of At in Europe/London
	Action  string
	ActorID int64 // 0: the command line or an anonymous visitor
	Via     string
	UserID  int64 // the user acted on; 0: none
	Party   string
	Period  string
	Addr    string
	Detail  string
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Log records an event.
func (db *DB) Log(ctx context.Context, a Actor, action string, userID int64, party, period, detail string) error {
	return db.logTx(ctx, db.w, a, action, userID, party, period, detail)
}

func (db *DB) logTx(ctx context.Context, x execer, a Actor, action string, userID int64, party, period, detail string) error {
	now := db.Now()
	var actor, user any
	if a.UserID != 0 {
		actor = a.UserID
	}
	if userID != 0 {
		user = userID
	}
	_, err := x.ExecContext(ctx, `INSERT INTO audit (at, month, action, actor_id, via, user_id, party, period, addr, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		now.Unix(), now.In(contract.London).Format("2006-01"), action, actor, a.Via, user, party, period, a.Addr, detail)
	return err
}

// EventFilter selects audit events.
type EventFilter struct {
	UserID int64  // events about or by this user; 0: all
	Action string // "": all
	Limit  int    // 0: 500
}

// Events lists audit events, newest first.
func (db *DB) Events(ctx context.Context, f EventFilter) ([]Event, error) {
	q := `SELECT id, at, month, action, coalesce(actor_id, 0), via, coalesce(user_id, 0), party, period, addr, detail FROM audit WHERE 1 = 1`
	var args []any
	if f.UserID != 0 {
		q += " AND (user_id = ? OR actor_id = ?)"
		args = append(args, f.UserID, f.UserID)
	}
	if f.Action != "" {
		q += " AND action = ?"
		args = append(args, f.Action)
	}
	if f.Limit <= 0 {
		f.Limit = 500
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, f.Limit)
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var es []Event
	for rows.Next() {
		var e Event
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Month, &e.Action, &e.ActorID, &e.Via, &e.UserID, &e.Party, &e.Period, &e.Addr, &e.Detail); err != nil {
			return nil, err
		}
		e.At = unix(at)
		es = append(es, e)
	}
	return es, rows.Err()
}

// UsageRow is one party's activity in one month (DCC-10).
type UsageRow struct {
	Month, Party string
	SignIns      int
	Downloads    int // bundle downloads started (a resumed range is not counted again)
	ActiveUsers  int // users who signed in or downloaded
}

// Usage counts sign-ins, downloads and active users per month and party,
// months from and to included ("" for no bound). DCC administrators are
// not counted.
func (db *DB) Usage(ctx context.Context, from, to string) ([]UsageRow, error) {
	if to == "" {
		to = "9999-12"
	}
	rows, err := db.r.QueryContext(ctx, `SELECT month, party,
			sum(action = 'signin'), sum(action = 'download'),
			count(DISTINCT user_id)
		FROM audit
		WHERE party != '' AND action IN ('signin', 'download') AND month >= ? AND month <= ?
		GROUP BY month, party ORDER BY month, party`, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var us []UsageRow
	for rows.Next() {
		var u UsageRow
		if err := rows.Scan(&u.Month, &u.Party, &u.SignIns, &u.Downloads, &u.ActiveUsers); err != nil {
			return nil, err
		}
		us = append(us, u)
	}
	return us, rows.Err()
}

// Undownloaded lists the parties whose latest released period nobody of
// the party has downloaded yet, by party (DCC-10).
func (db *DB) Undownloaded(ctx context.Context) ([]Release, error) {
	rows, err := db.r.QueryContext(ctx, `WITH latest AS (SELECT party, max(period) AS period FROM releases GROUP BY party)
		SELECT r.period, r.party, r.released_at FROM latest l JOIN releases r ON r.party = l.party AND r.period = l.period
		WHERE NOT EXISTS (SELECT 1 FROM audit a WHERE a.action = 'download' AND a.party = l.party AND a.period = l.period)
		ORDER BY r.party`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var rs []Release
	for rows.Next() {
		var r Release
		var at int64
		if err := rows.Scan(&r.Period, &r.Party, &at); err != nil {
			return nil, err
		}
		r.At = unix(at)
		rs = append(rs, r)
	}
	return rs, rows.Err()
}
