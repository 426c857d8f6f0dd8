package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// KindUnparsed is the Kind of a stored callback whose plaintext is not a WeCom message: kept for the
// record, never handled.
const KindUnparsed = "unparsed"

// InboxItem is one received callback.
type InboxItem struct {
	ID         int64
	Key        string // dedupe key: MsgId for messages, an event key for events
	ReceivedAt time.Time
	From       string // FromUserName of the decrypted callback
	Kind       string // MsgType, "event:<Event>", or KindUnparsed
	Payload    []byte // decrypted XML
	Attempts   int    // handling attempts so far, including the current one when claimed
	LastError  string
}

// ErrClosed is returned by Enqueue after Close.
var ErrClosed = errors.New("db: closed")

// maxBatch bounds one group commit; past it the next batch starts at once.
const maxBatch = 512

// committer batches inbox inserts from concurrent callback requests into one transaction, so that many
// acknowledgements share one fsync (synchronous=FULL) instead of paying one each. The writer's goroutine
// commits them (see writer.loop): first in each of its transactions, and together with whatever background
// writes are queued, so that under a burst callbacks and completions share fsyncs instead of taking turns.
type committer struct {
	reqs chan *enqueueReq
	mu   sync.RWMutex // held for reading while sending on reqs; close takes it for writing
	shut bool
}

type enqueueReq struct {
	item     *InboxItem
	inserted bool
	err      error
	done     chan struct{}
}

func newCommitter() *committer {
	return &committer{reqs: make(chan *enqueueReq, maxBatch)}
}

// insertInbox inserts a batch of callbacks in tx. A row whose key is already present is a redelivery: it is
// reported as not inserted, and the caller acknowledges it all the same.
func insertInbox(ctx context.Context, tx *sql.Tx, batch []*enqueueReq) error {
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO inbox (dedupe_key, received_at, from_user, kind, payload, next_attempt_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING`)
	if err != nil {
		return fmt.Errorf("db: inbox batch: %w", err)
	}
	defer stmt.Close()
	for _, r := range batch {
		it := r.item
		res, err := stmt.ExecContext(ctx, it.Key, it.ReceivedAt.Unix(), it.From, it.Kind, it.Payload, it.ReceivedAt.Unix())
		if err != nil {
			return fmt.Errorf("db: inbox insert: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		r.inserted = n == 1
		if r.inserted {
			it.ID, _ = res.LastInsertId()
		}
	}
	return nil
}

func (c *committer) submit(ctx context.Context, r *enqueueReq) error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.shut {
		return ErrClosed
	}
	select {
	case c.reqs <- r:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close stops taking callbacks; the writer's loop commits those queued and then ends.
func (c *committer) close() {
	c.mu.Lock()
	if !c.shut {
		c.shut = true
		close(c.reqs)
	}
	c.mu.Unlock()
}

// Enqueue durably stores a received callback and reports whether it is new (false: a redelivery of a key
// already stored). It returns only after the row is committed to disk, so a 200 sent after it never loses the
// callback. If ctx ends first the row may still be committed; the redelivery that follows finds it.
func (db *DB) Enqueue(ctx context.Context, it *InboxItem) (inserted bool, err error) {
	if it.Key == "" {
		return false, errors.New("db: inbox item without a dedupe key")
	}
	if it.ReceivedAt.IsZero() {
		it.ReceivedAt = db.Now()
	}
	r := &enqueueReq{item: it, done: make(chan struct{})}
	if err := db.inbox.submit(ctx, r); err != nil {
		return false, err
	}
	select {
	case <-r.done:
		return r.inserted, r.err
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

// ClaimInbox marks up to limit runnable rows as being worked on and returns them, oldest first. A row is
// runnable when it is pending, due, and no earlier row from the same sender is still open: messages from one
// user are handled in arrival order, even across retries.
func (db *DB) ClaimInbox(ctx context.Context, limit int) ([]InboxItem, error) {
	var items []InboxItem
	err := db.claim(ctx, func(ctx context.Context, tx *Tx) error {
		var err error
		items, err = claimInbox(ctx, tx, limit)
		return err
	})
	if err != nil {
		return nil, err
	}
	return items, nil
}

func claimInbox(ctx context.Context, tx *Tx, limit int) ([]InboxItem, error) {
	now := tx.Now.Unix()
	rows, err := tx.QueryContext(ctx, `
		SELECT i.id, i.dedupe_key, i.received_at, i.from_user, i.kind, i.payload, i.attempts, COALESCE(i.last_error, '')
		FROM inbox i
		WHERE i.state = 'pending' AND i.next_attempt_at <= ?
		  AND NOT EXISTS (SELECT 1 FROM inbox j
		                  WHERE j.from_user = i.from_user AND j.id < i.id AND j.state IN ('pending', 'working'))
		ORDER BY i.id
		LIMIT ?`, now, limit)
	if err != nil {
		return nil, err
	}
	var items []InboxItem
	for rows.Next() {
		var it InboxItem
		var at int64
		if err := rows.Scan(&it.ID, &it.Key, &at, &it.From, &it.Kind, &it.Payload, &it.Attempts, &it.LastError); err != nil {
			rows.Close()
			return nil, err
		}
		it.ReceivedAt = time.Unix(at, 0)
		it.Attempts++
		items = append(items, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, it := range items {
		if _, err := tx.ExecContext(ctx, `UPDATE inbox SET state = 'working', attempts = attempts + 1 WHERE id = ?`, it.ID); err != nil {
			return nil, err
		}
	}
	return items, nil
}

// Tx is a write transaction handed to the effects of completing an inbox row: a savepoint of the writer's
// group commit, shared with other rows, so effects must not Commit or Rollback it.
type Tx struct {
	*sql.Tx
	db  *DB
	Now time.Time
}

// CompleteInbox marks a claimed row done and, in the same transaction, applies its effects (outbox rows,
// conversation state, audit): either all of it happens or none, so a crash replays the row cleanly.
func (db *DB) CompleteInbox(ctx context.Context, id int64, effects func(ctx context.Context, tx *Tx) error) error {
	// Group-committed with other completions and the sender's writes; effects run in this row's savepoint, so
	// an effect that fails undoes only this row's changes and leaves it working, for the worker to retry.
	return db.writeLazy(ctx, func(ctx context.Context, tx *Tx) error {
		if effects != nil {
			if err := effects(ctx, tx); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE inbox SET state = 'done', done_at = ?, last_error = NULL
		WHERE id = ? AND state = 'working'`, tx.Now.Unix(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("db: inbox row %d is not being worked on", id)
		}
		return nil
	})
}

// RetryInbox puts a claimed row back to pending, due at `at`, recording why it failed.
func (db *DB) RetryInbox(ctx context.Context, id int64, reason string, at time.Time) error {
	return db.writeLazy(ctx, func(ctx context.Context, tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE inbox SET state = 'pending', next_attempt_at = ?, last_error = ?
		WHERE id = ? AND state = 'working'`, dueUnix(at), truncate(reason, 1000), id)
		return err
	})
}

// FailInbox gives up on a claimed row: it stays visible as failed with the reason, and stops blocking later
// messages from the same user.
func (db *DB) FailInbox(ctx context.Context, id int64, reason string) error {
	return db.writeLazy(ctx, func(ctx context.Context, tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE inbox SET state = 'failed', done_at = ?, last_error = ?
		WHERE id = ? AND state = 'working'`, tx.Now.Unix(), truncate(reason, 1000), id)
		return err
	})
}

// RequeueWorking returns rows left 'working' by a crash to pending, to be replayed. Call it once at start,
// before any worker runs.
func (db *DB) RequeueWorking(ctx context.Context) (int64, error) {
	defer db.writeLock()()
	res, err := db.sql.ExecContext(ctx, `UPDATE inbox SET state = 'pending' WHERE state = 'working'`)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// NextInboxDue returns when the earliest pending row becomes due, and false when none is pending.
func (db *DB) NextInboxDue(ctx context.Context) (time.Time, bool, error) {
	var at sql.NullInt64
	err := db.sql.QueryRowContext(ctx, `SELECT MIN(next_attempt_at) FROM inbox WHERE state = 'pending'`).Scan(&at)
	if err != nil || !at.Valid {
		return time.Time{}, false, err
	}
	return time.Unix(at.Int64, 0), true, nil
}

// PruneInbox deletes closed rows older than before, in batches so that writers are never blocked long. It
// returns how many it deleted. This sets the dedupe horizon: a key redelivered after its row is pruned is
// taken as new.
func (db *DB) PruneInbox(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	for {
		unlock := db.writeLock()
		res, err := db.sql.ExecContext(ctx, `DELETE FROM inbox WHERE id IN (
			SELECT id FROM inbox WHERE state IN ('done', 'failed') AND done_at < ? LIMIT 1000)`, before.Unix())
		unlock()
		if err != nil {
			return total, err
		}
		n, _ := res.RowsAffected()
		total += n
		if n < 1000 {
			return total, nil
		}
	}
}

// InboxCounts returns the number of rows in each state.
func (db *DB) InboxCounts(ctx context.Context) (map[string]int, error) {
	return db.countStates(ctx, `SELECT state, COUNT(*) FROM inbox GROUP BY state`)
}

// countStates runs a "state, count" query.
func (db *DB) countStates(ctx context.Context, query string) (map[string]int, error) {
	rows, err := db.sql.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[s] = n
	}
	return out, rows.Err()
}

// GetInbox returns one row by dedupe key, for tests and operators.
func (db *DB) GetInbox(ctx context.Context, key string) (*InboxItem, string, error) {
	var it InboxItem
	var at int64
	var state string
	err := db.sql.QueryRowContext(ctx, `SELECT id, dedupe_key, received_at, from_user, kind, payload, attempts,
		COALESCE(last_error, ''), state FROM inbox WHERE dedupe_key = ?`, key).
		Scan(&it.ID, &it.Key, &at, &it.From, &it.Kind, &it.Payload, &it.Attempts, &it.LastError, &state)
	if err != nil {
		return nil, "", err
	}
	it.ReceivedAt = time.Unix(at, 0)
	return &it, state, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
