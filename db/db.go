// Package db is the bot's SQLite storage: the inbox (dedupe store and durable queue), the outbox, tokens, and
// what later features add by migration.
//
// One file per aggregate. Each exported method is one transaction, or for the pipeline's writes (callbacks,
// claims, completions, the sender's records) one savepoint of a group commit (writer.go); times are INTEGER unix
// seconds; the clock is DB.Now so tests can move it.
package db

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is an open database.
type DB struct {
	sql  *sql.DB
	path string

	auditKey []byte // HMAC key of the audit chain; nil: plain SHA-256 (see SetAuditKey in audit.go)

	// Now is the clock; default time.Now.
	Now func() time.Time

	writer *writerLock // held by the bot's one writer process; see LockWriter in backup.go

	inbox *committer
	batch *writer       // group-commits the workers' and the sender's writes; see writer.go
	wlock writeLock     // serialises this process's write transactions; see writeLock
	stop  chan struct{} // stops the checkpointer
	wg    sync.WaitGroup
}

// Open opens (creating if needed) the database at path and applies pending migrations.
//
// Every connection gets the same pragmas through the DSN (a PRAGMA run through Exec would reach only one
// pooled connection): WAL, a busy timeout, foreign keys, and synchronous=FULL, because an acknowledged
// callback must survive a power cut; group commit keeps that cheap. Transactions take the write lock at BEGIN
// (_txlock=immediate) so two writers queue on the busy timeout instead of failing on lock upgrade.
func Open(path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("db: empty path")
	}
	if err := ensurePrivate(path); err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_busy_timeout", "10000")
	q.Set("_foreign_keys", "on")
	q.Set("_synchronous", "FULL")
	q.Set("_txlock", "immediate")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	sdb, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("db: open %s: %w", path, err)
	}
	// SQLite has one writer; a few connections serve concurrent readers without a pile-up of busy waiters.
	sdb.SetMaxOpenConns(8)
	sdb.SetMaxIdleConns(8)
	db := &DB{sql: sdb, path: path, Now: time.Now}
	if err := db.migrate(context.Background()); err != nil {
		sdb.Close()
		return nil, err
	}
	db.inbox = newCommitter()
	db.batch = newWriter(db, db.inbox.reqs)
	db.stop = make(chan struct{})
	db.wg.Add(1)
	go db.checkpointer()
	return db, nil
}

// ensurePrivate creates the database file mode 0600 if it is missing, and refuses one, or a WAL, shared-memory
// index or journal beside it, that other users can read or write: the database holds the access token and
// every decrypted message. Creating the file ourselves matters because SQLite would create it 0644 under the
// usual umask, and gives its -wal and -shm files the main file's permissions.
func ensurePrivate(path string) error {
	// O_EXCL: an existing file is left as it is (and may be read-only, for wecombot audit), only checked below.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		f.Close()
	case errors.Is(err, fs.ErrExist):
	default:
		if errors.Is(err, fs.ErrNotExist) {
			dir := filepath.Dir(path)
			return fmt.Errorf("db: cannot create %s: the directory %s does not exist; create it for the bot's user only (mkdir -m 700 %s) or fix store.path", path, dir, dir)
		}
		return fmt.Errorf("db: create %s: %w", path, err)
	}
	if runtime.GOOS == "windows" {
		return nil // no unix permission bits to check
	}
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("db: %w", err)
		}
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("db: %s is not a regular file; point store.path at a database file", p)
		}
		if m := fi.Mode().Perm(); m&0o077 != 0 {
			return fmt.Errorf("db: %s has mode %04o, so other users can read or change it, and it holds the WeCom access token and every decrypted message; make it the bot's user's alone: chmod 600 %s", p, m, p)
		}
	}
	return nil
}

// Close stops the inbox committer and the writer (finishing what they hold) and the checkpointer, and closes the database.
func (db *DB) Close() error {
	if db.inbox != nil {
		db.inbox.close()
	}
	if db.batch != nil {
		db.batch.close()
	}
	if db.stop != nil {
		close(db.stop)
		db.wg.Wait()
	}
	err := db.sql.Close()
	db.writer.release() // after the last write
	return err
}

// writeLock serialises this process's write transactions in Go, callbacks first. SQLite allows one writer;
// left to itself, a writer that finds the lock taken sleep-polls (up to 100 ms a nap), so under a steady mix
// of claims, completions and sends a callback's commit waited hundreds of milliseconds behind writers that came
// later (measured: enqueue p99 200 ms, 640 ms under -race). Queued here instead, the inbox committer — the only
// high-priority writer — waits for at most the transaction in progress; it takes the lock once per batch, so
// the background writers still get their turns in between. Other processes (wecombot audit, sqlite3) still meet
// SQLite's busy timeout.
type writeLock struct {
	mu        sync.Mutex
	held      bool
	high, low []chan struct{}
}

func (l *writeLock) lock(high bool) {
	l.mu.Lock()
	if !l.held {
		l.held = true
		l.mu.Unlock()
		return
	}
	ch := make(chan struct{})
	if high {
		l.high = append(l.high, ch)
	} else {
		l.low = append(l.low, ch)
	}
	l.mu.Unlock()
	<-ch // ownership is handed over by unlock
}

func (l *writeLock) unlock() {
	l.mu.Lock()
	defer l.mu.Unlock()
	var next chan struct{}
	switch {
	case len(l.high) > 0:
		next, l.high = l.high[0], l.high[1:]
	case len(l.low) > 0:
		next, l.low = l.low[0], l.low[1:]
	default:
		l.held = false
		return
	}
	close(next)
}

// writeLock takes the lock for a background write and returns its release.
func (db *DB) writeLock() func() {
	db.wlock.lock(false)
	return db.wlock.unlock
}

// checkpointInterval is how often the WAL is copied back into the database file.
const checkpointInterval = time.Second

// checkpointer runs PASSIVE WAL checkpoints in the background, which never block writers, so that the
// callback path never pays for one (see committer.commit) and the WAL stays small.
func (db *DB) checkpointer() {
	defer db.wg.Done()
	t := time.NewTicker(checkpointInterval)
	defer t.Stop()
	for {
		select {
		case <-db.stop:
			return
		case <-t.C:
			// Inside the write lock, between commits: a checkpoint's fsync of the database file then never
			// competes with a commit's fsync of the WAL, and it delays the committer by one short checkpoint at
			// most (1-5 ms measured; the WAL stays small at this interval).
			unlock := db.writeLock()
			db.sql.Exec(`PRAGMA wal_checkpoint(PASSIVE)`) // best effort; the next tick retries
			unlock()
		}
	}
}

// Path is the database file.
func (db *DB) Path() string { return db.path }

// SQL exposes the handle for packages that add their own tables by migration.
func (db *DB) SQL() *sql.DB { return db.sql }

func (db *DB) now() int64 { return db.Now().Unix() }

// dueUnix converts a due time to the stored whole seconds, rounding up: a retry must never become due earlier
// than its backoff says (rounding down would make a sub-second backoff due at once).
func dueUnix(t time.Time) int64 {
	s := t.Unix()
	if t.After(time.Unix(s, 0)) {
		s++
	}
	return s
}

// migrate applies migrations/*.sql in lexical order, each in its own transaction, recording each by name. An
// applied migration is never edited; changes come as new files.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.sql.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("db: create migrations table: %w", err)
	}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	// A database a newer binary migrated is not opened by an older one: it would run on tables it does not
	// know (rollback is a restore from backup; docs/deploy.md).
	known := map[string]bool{}
	for _, name := range names {
		known[name] = true
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT name FROM migrations ORDER BY name`)
	if err != nil {
		return err
	}
	var unknown []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		if !known[name] {
			unknown = append(unknown, name)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(unknown) > 0 {
		return fmt.Errorf("db: %s was migrated by a newer wecombot (%s, unknown to this binary): run that version, or restore a backup taken before the upgrade",
			db.path, strings.Join(unknown, ", "))
	}
	for _, name := range names {
		if err := db.migrateFile(ctx, name); err != nil {
			return fmt.Errorf("db: migration %s: %w", name, err)
		}
	}
	return nil
}

func (db *DB) migrateFile(ctx context.Context, name string) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM migrations WHERE name = ?`, name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	buf, err := fs.ReadFile(migrationFS, name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(buf)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO migrations (name, applied_at) VALUES (?, ?)`, name, db.now()); err != nil {
		return err
	}
	return tx.Commit()
}

// Ping checks that the database answers and accepts a write, for readiness checks.
func (db *DB) Ping(ctx context.Context) error {
	defer db.writeLock()()
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var one int
	if err := tx.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return err
	}
	// BEGIN IMMEDIATE took the write lock: the database is writable.
	return tx.Commit()
}
