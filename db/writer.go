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

// writer group-commits the pipeline's writes — callback inserts (the committer's queue), workers' claims and
// completions with their effects, the sender's claims, attempt records and outcomes: one goroutine owns a
// connection and runs what is queued as one transaction, each job inside a savepoint of its
// own, and commits once (one fsync under synchronous=FULL) for all of them. A job that fails rolls back to its
// savepoint: only its own changes are undone, and only it reports the error; the others commit. A job returns
// only after the commit that holds it is on disk, so callers keep the guarantees a transaction of their own
// gave them: a completion's effects and its row's state change are in the same commit, an attempt is recorded
// before its send, and a crash loses either the whole batch (every caller saw no success yet) or nothing.
type writer struct {
	db      *DB
	conn    *sql.Conn // owned by loop
	sync    string    // the connection's synchronous setting
	inserts <-chan *enqueueReq
	reqs    chan *writeJob
	mu      sync.RWMutex // held for reading while sending on reqs; close takes it for writing
	shut    bool
	done    chan struct{}
}

type writeJob struct {
	ctx     context.Context
	durable bool // its caller needs it on disk on return; a batch of claims only is committed without an fsync
	fn      func(ctx context.Context, tx *Tx) error
	err     error
	done    chan struct{}
}

func newWriter(db *DB, inserts <-chan *enqueueReq) *writer {
	w := &writer{db: db, inserts: inserts, reqs: make(chan *writeJob, maxWriteBatch), done: make(chan struct{})}
	go w.loop()
	return w
}

// loop commits callbacks and background writes as they come, all that is queued in one transaction. It ends
// when both the committer and the writer are closed and drained.
func (w *writer) loop() {
	defer close(w.done)
	defer func() {
		if w.conn != nil {
			w.conn.Close()
		}
	}()
	ins, jobsCh := w.inserts, (<-chan *writeJob)(w.reqs)
	inserts := make([]*enqueueReq, 0, maxBatch)
	jobs := make([]*writeJob, 0, maxWriteBatch)
	for ins != nil || jobsCh != nil {
		inserts, jobs = inserts[:0], jobs[:0]
		select {
		case r, ok := <-ins:
			if !ok {
				ins = nil
				continue
			}
			inserts = append(inserts, r)
		case j, ok := <-jobsCh:
			if !ok {
				jobsCh = nil
				continue
			}
			jobs = append(jobs, j)
		}
	fillInserts:
		for len(inserts) < maxBatch && ins != nil {
			select {
			case r, ok := <-ins:
				if !ok {
					ins = nil
					break fillInserts
				}
				inserts = append(inserts, r)
			default:
				break fillInserts
			}
		}
	fillJobs:
		for len(jobs) < maxWriteBatch && jobsCh != nil {
			select {
			case j, ok := <-jobsCh:
				if !ok {
					jobsCh = nil
					break fillJobs
				}
				jobs = append(jobs, j)
			default:
				break fillJobs
			}
		}
		err := w.commit(inserts, jobs)
		for _, r := range inserts {
			if err != nil && r.err == nil {
				r.err = err
			}
			close(r.done)
		}
		for _, j := range jobs {
			if err != nil && j.err == nil {
				j.err = err
			}
			close(j.done)
		}
	}
}

// commit runs the batch in one transaction — the callbacks first, then each job in its savepoint — and
// commits it. The error is the batch's (begin or commit failed: nothing of it is stored); an insert's or a
// job's own failure is in its err.
func (w *writer) commit(inserts []*enqueueReq, jobs []*writeJob) error {
	// Callbacks wait on a commit holding inserts: first in line for the lock. A batch of background writes
	// only goes after the callbacks waiting, and holds the lock for one bounded batch at most.
	w.db.wlock.lock(len(inserts) > 0)
	defer w.db.wlock.unlock()
	ctx := context.Background()
	if w.conn == nil {
		// A connection of its own, on which WAL auto-checkpoints are off: a checkpoint fsyncs the main
		// database file, and doing it inside a callback's commit would add that to the callback's ack time.
		// The checkpointer goroutine does them instead, between commits.
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
	// Only callbacks (acknowledged on return) and attempt records (a send leaves on return) need their own
	// fsync. Claims, completions and send outcomes do not: a process crash keeps what SQLite committed (the
	// WAL is in the OS's cache), and what a power cut takes back was acted on by nothing outside the database,
	// because every send first commits its attempt record with an fsync, which makes all the WAL before it
	// durable too. A claim lost that way is pending again, as the start's requeue makes it anyway; a completion
	// lost with its effects replays its row, whose replies had not been sent; a lost send outcome sends its
	// message again (the documented at-least-once). So a batch without a durable job commits with
	// synchronous=NORMAL, without an fsync.
	mode := "NORMAL"
	if len(inserts) > 0 {
		mode = "FULL"
	}
	for _, j := range jobs {
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
	// One part alone needs no savepoint: its failure rolls back the whole transaction, which is only its own.
	alone := len(jobs)+min(len(inserts), 1) == 1
	if len(inserts) > 0 {
		if alone {
			if err := insertInbox(ctx, stx, inserts); err != nil {
				return err
			}
			ok++
		} else {
			if _, err := stx.ExecContext(ctx, `SAVEPOINT inserts`); err != nil {
				return fmt.Errorf("db: write batch: %w", err)
			}
			if err := insertInbox(ctx, stx, inserts); err != nil {
				for _, r := range inserts {
					r.err = err
				}
				if _, err := stx.ExecContext(ctx, `ROLLBACK TO inserts`); err != nil {
					return fmt.Errorf("db: write batch: rollback to savepoint: %w", err)
				}
			} else {
				ok++
			}
			if _, err := stx.ExecContext(ctx, `RELEASE inserts`); err != nil {
				return fmt.Errorf("db: write batch: %w", err)
			}
		}
	}
	for _, j := range jobs {
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

// writeLazy is write for a change nothing outside the database acts on before a later durable commit: it
// returns once committed, without waiting for an fsync of its own (see writer.commit). A process crash keeps it
// (the WAL is in the OS's cache); a power cut can lose it, and then everything committed after it but before
// the next fsync, which is why nothing may leave the process on its strength.
func (db *DB) writeLazy(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	return db.submitWrite(&writeJob{ctx: ctx, fn: fn, done: make(chan struct{})})
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
