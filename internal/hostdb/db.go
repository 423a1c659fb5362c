// Package hostdb is the file host's embedded database: users, sessions,
// API tokens, one-time links, releases, bundle sums and the audit log, in
// one SQLite file (pure-Go driver, WAL, one writer).
package hostdb

// One file, no server: the DCC runs the host and its admin commands on the
// same machine, so SQLite in WAL mode lets the server read while a
// `carport users …` command writes. Inside a process every write goes
// through one connection (one writer); busy_timeout makes writers in two
// processes wait for each other instead of failing. secure_delete is on
// for every connection, so a deleted user's name and email are overwritten
// in the file rather than left in free space, and DeleteUser truncates the
// WAL so no old copy of a page survives there either.
//
// The schema is migrated at open: migrations[i] takes user_version i to
// i+1 and is never edited once released.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

var migrations = []string{
	// 1: the first schema
	`CREATE TABLE users (
		id             INTEGER PRIMARY KEY,
		name           TEXT,
		email          TEXT COLLATE NOCASE UNIQUE,
		party          TEXT NOT NULL DEFAULT '',
		kind           TEXT NOT NULL CHECK (kind IN ('party', 'admin')),
		status         TEXT NOT NULL CHECK (status IN ('pending', 'active', 'disabled', 'deleted')),
		password       TEXT,
		created_at     INTEGER NOT NULL,
		approved_at    INTEGER,
		last_signin_at INTEGER,
		deleted_at     INTEGER
	) STRICT;
	CREATE INDEX users_party ON users (party, status);
	CREATE TABLE sessions (
		id         INTEGER PRIMARY KEY,
		user_id    INTEGER NOT NULL REFERENCES users (id),
		hash       BLOB NOT NULL,
		created_at INTEGER NOT NULL,
		expires_at INTEGER NOT NULL
	) STRICT;
	CREATE INDEX sessions_user ON sessions (user_id);
	CREATE TABLE tokens (
		id           INTEGER PRIMARY KEY,
		user_id      INTEGER NOT NULL REFERENCES users (id),
		name         TEXT NOT NULL,
		hash         BLOB NOT NULL,
		created_at   INTEGER NOT NULL,
		expires_at   INTEGER NOT NULL,
		last_used_at INTEGER
	) STRICT;
	CREATE INDEX tokens_user ON tokens (user_id);
	CREATE TABLE links (
		id         INTEGER PRIMARY KEY,
		user_id    INTEGER NOT NULL REFERENCES users (id),
		purpose    TEXT NOT NULL,
		hash       BLOB NOT NULL,
		created_at INTEGER NOT NULL,
		expires_at INTEGER NOT NULL
	) STRICT;
	CREATE INDEX links_user ON links (user_id);
	CREATE TABLE releases (
		period      TEXT NOT NULL,
		party       TEXT NOT NULL,
		released_at INTEGER NOT NULL,
		PRIMARY KEY (period, party)
	) STRICT;
	CREATE TABLE audit (
		id       INTEGER PRIMARY KEY,
		at       INTEGER NOT NULL,
		month    TEXT NOT NULL,
		action   TEXT NOT NULL,
		actor_id INTEGER,
		via      TEXT NOT NULL,
		user_id  INTEGER,
		party    TEXT NOT NULL DEFAULT '',
		period   TEXT NOT NULL DEFAULT '',
		addr     TEXT NOT NULL DEFAULT '',
		detail   TEXT NOT NULL DEFAULT ''
	) STRICT;
	CREATE INDEX audit_month ON audit (month, party, action);
	CREATE INDEX audit_user ON audit (user_id);
	CREATE INDEX audit_actor ON audit (actor_id);
	CREATE TABLE settings (
		key   TEXT PRIMARY KEY,
		value TEXT NOT NULL
	) STRICT;
	CREATE TABLE sums (
		key    TEXT PRIMARY KEY,
		sha256 TEXT NOT NULL,
		at     INTEGER NOT NULL
	) STRICT;`,
}

// DB is an open host database.
type DB struct {
	path string
	w    *sql.DB // the one writer
	r    *sql.DB // readers
	// Now is the clock (tests move it); it returns UTC.
	Now func() time.Time

	// hashSlots runs one argon2id at a time: each takes 19 MiB, and one at
	// a time (some 20 sign-ins a second here) keeps the server small.
	hashSlots chan struct{}
	hashRuns  atomic.Int64 // argon2id runs so far
	dummy     string       // a password hash for accounts that do not exist
}

func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "secure_delete(1)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "cache_size(-1024)") // 1 MiB per connection: the database is small
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Open opens (creating when missing) the database at path, migrates its
// schema and turns on WAL. The file is private to its owner (0600).
func Open(ctx context.Context, path string) (*DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, err
	}
	// create the file ourselves so it is never world-readable, not even
	// for a moment
	if f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600); err != nil {
		return nil, err
	} else if err := f.Close(); err != nil {
		return nil, err
	}
	w, err := sql.Open("sqlite", dsn(abs, false))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	db := &DB{path: abs, w: w, Now: func() time.Time { return time.Now().UTC() },
		hashSlots: make(chan struct{}, 1)}
	if err := db.migrate(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r, err := sql.Open("sqlite", dsn(abs, true))
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)*2))
	db.r = r
	if db.dummy, err = hashPassword("not a password: the cost of an account that does not exist"); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Path is the database file.
func (db *DB) Path() string { return db.path }

// Close closes the database.
func (db *DB) Close() error {
	var errs []error
	if db.r != nil {
		errs = append(errs, db.r.Close())
	}
	errs = append(errs, db.w.Close())
	return errors.Join(errs...)
}

func (db *DB) migrate(ctx context.Context) error {
	var mode string
	if err := db.w.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode); err != nil {
		return fmt.Errorf("turning on WAL: %w", err)
	}
	if mode != "wal" {
		return fmt.Errorf("journal mode is %q, want wal", mode)
	}
	var v int
	if err := db.w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return err
	}
	if v > len(migrations) {
		return fmt.Errorf("database schema version %d is newer than this carport knows (%d)", v, len(migrations))
	}
	for ; v < len(migrations); v++ {
		tx, err := db.w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %d: %w", v+1, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// tx runs fn in a write transaction.
func (db *DB) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func (db *DB) now() int64 { return db.Now().Unix() }

// Setting returns a stored setting ("" when unset).
func (db *DB) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := db.r.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetSetting stores a setting.
func (db *DB) SetSetting(ctx context.Context, key, value string) error {
	_, err := db.w.ExecContext(ctx, "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value)
	return err
}

// LoadSum returns a stored bundle sha256 by file key.
func (db *DB) LoadSum(ctx context.Context, key string) (string, bool, error) {
	var s string
	err := db.r.QueryRowContext(ctx, "SELECT sha256 FROM sums WHERE key = ?", key).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return s, err == nil, err
}

// StoreSum stores a bundle sha256 by file key.
func (db *DB) StoreSum(ctx context.Context, key, sum string) error {
	_, err := db.w.ExecContext(ctx, "INSERT INTO sums (key, sha256, at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET sha256 = excluded.sha256", key, sum, db.now())
	return err
}
