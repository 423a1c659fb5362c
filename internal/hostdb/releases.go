package hostdb

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/dcc/carport/internal/published"
)

// Release is one party's bundle of one period made visible to that party
// by a DCC administrator (DCC-2).
type Release struct {
	Period, Party string
	At            time.Time
}

// Release releases period to parties and returns the parties newly
// released (those released already are left as they were).
func (db *DB) Release(ctx context.Context, a Actor, period string, parties []string) ([]string, error) {
	if !published.ValidPeriod(period) {
		return nil, &InputError{fmt.Errorf("period %q is not YYYY-MM", period)}
	}
	var added []string
	err := db.tx(ctx, func(tx *sql.Tx) error {
		for _, p := range parties {
			if err := CheckParty(p); err != nil {
				return &InputError{err}
			}
			res, err := tx.ExecContext(ctx, "INSERT INTO releases (period, party, released_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", period, p, db.now())
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				added = append(added, p)
				if err := db.logTx(ctx, tx, a, "release", 0, p, period, ""); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return added, err
}

// Revoke withdraws period from parties (every party of the period when
// parties is empty) and returns the parties it was withdrawn from (DCC-3).
func (db *DB) Revoke(ctx context.Context, a Actor, period string, parties []string) ([]string, error) {
	if !published.ValidPeriod(period) {
		return nil, &InputError{fmt.Errorf("period %q is not YYYY-MM", period)}
	}
	var removed []string
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if len(parties) == 0 {
			rows, err := tx.QueryContext(ctx, "SELECT party FROM releases WHERE period = ? ORDER BY party", period)
			if err != nil {
				return err
			}
			for rows.Next() {
				var p string
				if err := rows.Scan(&p); err != nil {
					rows.Close()
					return err
				}
				parties = append(parties, p)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		for _, p := range parties {
			res, err := tx.ExecContext(ctx, "DELETE FROM releases WHERE period = ? AND party = ?", period, p)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				removed = append(removed, p)
				if err := db.logTx(ctx, tx, a, "revoke", 0, p, period, ""); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return removed, err
}

// Releases lists the current releases, newest period first, then by party.
// An empty party lists every party's.
func (db *DB) Releases(ctx context.Context, party string) ([]Release, error) {
	q := "SELECT period, party, released_at FROM releases"
	var args []any
	if party != "" {
		q += " WHERE party = ?"
		args = append(args, party)
	}
	rows, err := db.r.QueryContext(ctx, q+" ORDER BY period DESC, party", args...)
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

// IsReleased reports whether period is released to party.
func (db *DB) IsReleased(ctx context.Context, period, party string) (bool, error) {
	var n int
	err := db.r.QueryRowContext(ctx, "SELECT count(*) FROM releases WHERE period = ? AND party = ?", period, party).Scan(&n)
	return n > 0, err
}
