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

// RecentAlertDigests returns the digests pushed at or after since, newest first, at most limit.
func (db *DB) RecentAlertDigests(ctx context.Context, since time.Time, limit int) ([]*AlertDigest, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+digestColumns+` FROM alert_digests WHERE created_at >= ? ORDER BY id DESC LIMIT ?`,
		since.Unix(), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*AlertDigest
	for rows.Next() {
		d, err := scanDigest(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// AlertDayCount is how many alerts one rule found on one day.
type AlertDayCount struct {
	Rule  string
	Day   string // YYYY-MM-DD in the offset given
	Count int
}

// AlertCountsByDay counts the alerts found at or after since per rule and day, days starting at midnight in a
// zone offsetSeconds east of UTC.
func (db *DB) AlertCountsByDay(ctx context.Context, since time.Time, offsetSeconds int) ([]AlertDayCount, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT rule, date(created_at + ?, 'unixepoch') AS day, COUNT(*) FROM alerts
		WHERE created_at >= ? GROUP BY rule, day ORDER BY day, rule`, offsetSeconds, since.Unix())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AlertDayCount
	for rows.Next() {
		var c AlertDayCount
		if err := rows.Scan(&c.Rule, &c.Day, &c.Count); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
