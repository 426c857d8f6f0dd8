package db

import (
	"context"
	"time"
)

// OutboxRow is an outbox message as the web console lists it.
type OutboxRow struct {
	ID          int64
	Recipient   string
	API         string
	State       string
	CreatedAt   time.Time
	NextAttempt time.Time
	Attempts    int
	LastError   string
	ErrCode     int
	Ref         string
	Body        []byte
}

// ConsoleOutbox returns up to limit messages in state ("pending", "sending", "failed"), newest first.
func (db *DB) ConsoleOutbox(ctx context.Context, state string, limit int) ([]OutboxRow, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, recipient, api, state, created_at, next_attempt_at, attempts,
		COALESCE(last_error, ''), COALESCE(errcode, 0), COALESCE(ref, ''), body FROM outbox WHERE state = ? ORDER BY id DESC LIMIT ?`,
		state, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OutboxRow
	for rows.Next() {
		var r OutboxRow
		var created, next int64
		if err := rows.Scan(&r.ID, &r.Recipient, &r.API, &r.State, &created, &next, &r.Attempts, &r.LastError, &r.ErrCode, &r.Ref, &r.Body); err != nil {
			return nil, err
		}
		r.CreatedAt, r.NextAttempt = time.Unix(created, 0), time.Unix(next, 0)
		out = append(out, r)
	}
	return out, rows.Err()
}

// RetryFailedOutbox queues a failed message again, due now; false when it is not failed (any more).
func (db *DB) RetryFailedOutbox(ctx context.Context, id int64) (bool, error) {
	var ok bool
	err := db.write(ctx, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'pending', next_attempt_at = ?, last_error = 'retried from the console: ' || COALESCE(last_error, '')
			WHERE id = ? AND state = 'failed'`, tx.Now.Unix(), id)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		ok = n == 1
		return nil
	})
	return ok, err
}
