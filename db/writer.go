package db

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// maxWriteBatch bounds one group commit of background writes, so that the callback committer, first in line
// for the write lock, never waits behind more than one bounded batch.
const maxWriteBatch = 128

// writer group-commits the pipeline's background writes — workers' claims and completions with their effects,
// the sender's claims, attempt records and outcomes — the way committer group-commits callback inserts: one
// goroutine owns a connection and runs what is queued as one transaction, each job inside a savepoint of its
// own, and commits once (one fsync under synchronous=FULL) for all of them. A job that fails rolls back to its
// savepoint: only its own changes are undone, and only it reports the error; the others commit. A job returns
// only after the commit that holds it is on disk, so callers keep the guarantees a transaction of their own
// gave them: a completion's effects and its row's state change are in the same commit, an attempt is recorded
// before its send, and a crash loses either the whole batch (every caller saw no success yet) or nothing.
type writer struct {
	db   *DB
	conn *sql.Conn // owned by loop
	sync string    // the connection's synchronous setting
	reqs chan *writeJob
	mu   sync.RWMutex // held for reading while sending on reqs; close takes it for writing
	shut bool
	done chan struct{}
}

type writeJob struct {
	ctx     context.Context
	durable bool // its caller needs it on disk on return; a batch of claims only is committed without an fsync
	fn      func(ctx context.Context, tx *Tx) error
	err     error
	done    chan struct{}
}

func newWriter(db *DB) *writer {
	w := &writer{db: db, reqs: make(chan *writeJob, maxWriteBatch), done: make(chan struct{})}
	go w.loop()
	return w
}

func (w *writer) loop() {
	defer close(w.done)
	defer func() {
		if w.conn != nil {
			w.conn.Close()
		}
	}()
	batch := make([]*writeJob, 0, maxWriteBatch)
	for first := range w.reqs {
		batch = append(batch[:0], first)
	fill:
		for len(batch) < maxWriteBatch {
			select {
			case j, ok := <-w.reqs:
				if !ok {
					break fill
				}
				batch = append(batch, j)
			default:
				break fill
			}
		}
		err := w.commit(batch)
		for _, j := range batch {
			if err != nil && j.err == nil {
				j.err = err
			}
			close(j.done)
		}
	}
}

// commit runs the batch in one transaction, each job in its savepoint, and commits it. The error is the
// batch's (begin or commit failed: nothing of it is stored); a job's own failure is in its err.
func (w *writer) commit(batch []*writeJob) error {
	w.db.wlock.lock(false) // background work: the callback committer goes first
	defer w.db.wlock.unlock()
	ctx := context.Background()
	if w.conn == nil {
		// Auto-checkpoints off, as on the inbox committer's connection: the checkpointer does them between
		// commits, so no batch (and no callback queued behind it) pays for one.
		conn, err := w.db.sql.Conn(ctx)
		if err != nil {
			return fmt.Errorf("db: writer connection: %w", err)
		}
		if _, err := conn.ExecContext(ctx, `PRAGMA wal_autocheckpoint = 0`); err != nil {
			conn.Close()
			return fmt.Errorf("db: writer connection: %w", err)
		}
		w.conn, w.sync = conn, "FULL"
	}
	// A claim need not survive a crash: a claimed row lost by one is pending again, as RequeueWorking and
	// RequeueSending would make it, and nothing leaves the process on a claim alone (a send waits for its
	// attempt record, a completion for its commit, both durable). So a batch of claims only commits with
	// synchronous=NORMAL, without an fsync; the next durable commit's fsync covers its WAL frames too.
	mode := "NORMAL"
	for _, j := range batch {
		if j.durable {
			mode = "FULL"
			break
		}
	}
	if mode != w.sync {
		if _, err := w.conn.ExecContext(ctx, `PRAGMA synchronous = `+mode); err != nil {
			return fmt.Errorf("db: write batch: %w", err)
		}
		w.sync = mode
	}
	stx, err := w.conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("db: write batch: %w", err)
	}
	defer stx.Rollback()
	ok := 0
	// One job alone needs no savepoint: its failure rolls back the whole transaction, which is only its own.
	alone := len(batch) == 1
	for _, j := range batch {
		if err := j.ctx.Err(); err != nil {
			j.err = err // its caller stopped waiting for it before it ran: nothing of it is stored
			continue
		}
		if alone {
			if j.err = runJob(j, &Tx{Tx: stx, db: w.db, Now: w.db.Now()}); j.err != nil {
				return nil // the deferred rollback undoes it
			}
			ok++
			continue
		}
		if _, err := stx.ExecContext(ctx, `SAVEPOINT job`); err != nil {
			return fmt.Errorf("db: write batch: %w", err)
		}
		j.err = runJob(j, &Tx{Tx: stx, db: w.db, Now: w.db.Now()})
		if j.err != nil {
			if _, err := stx.ExecContext(ctx, `ROLLBACK TO job`); err != nil {
				return fmt.Errorf("db: write batch: rollback to savepoint: %w", err)
			}
		} else {
			ok++
		}
		if _, err := stx.ExecContext(ctx, `RELEASE job`); err != nil {
			return fmt.Errorf("db: write batch: %w", err)
		}
	}
	if ok == 0 {
		return nil // nothing to store; the deferred rollback ends the transaction
	}
	if err := stx.Commit(); err != nil {
		return fmt.Errorf("db: write batch commit: %w", err)
	}
	return nil
}

// runJob runs one job, turning a panic into its error: a panicking effect must not take the other jobs of the
// batch, or the process, down with it.
func runJob(j *writeJob, tx *Tx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("db: write panicked: %v", r)
		}
	}()
	return j.fn(j.ctx, tx)
}

// write runs fn in the next group commit and returns once that commit is on disk (or failed). fn's changes
// commit only if it returns nil; it must not commit or roll back tx itself.
func (db *DB) write(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	return db.submitWrite(&writeJob{ctx: ctx, fn: fn, durable: true, done: make(chan struct{})})
}

// claim is write for a claim: a state change a crash may undo (see writer.commit).
func (db *DB) claim(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	return db.submitWrite(&writeJob{ctx: ctx, fn: fn, done: make(chan struct{})})
}

func (db *DB) submitWrite(j *writeJob) error {
	w := db.batch
	w.mu.RLock()
	if w.shut {
		w.mu.RUnlock()
		return ErrClosed
	}
	select {
	case w.reqs <- j:
	case <-j.ctx.Done():
		w.mu.RUnlock()
		return j.ctx.Err()
	}
	w.mu.RUnlock()
	<-j.done // not ctx: once queued, the outcome is only known after the commit
	return j.err
}

func (w *writer) close() {
	w.mu.Lock()
	if !w.shut {
		w.shut = true
		close(w.reqs)
	}
	w.mu.Unlock()
	<-w.done
}
