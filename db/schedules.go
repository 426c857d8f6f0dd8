package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// KindSchedule is the Kind of a synthetic inbox row that runs one slot of a schedule; its payload is a
// ScheduleRun as JSON and its sender the schedule's creator.
const KindSchedule = "schedule"

// Schedule is a member's read command run at the slots of a cron expression.
type Schedule struct {
	ID         int64
	Creator    string
	Spec       string // as typed
	Cron       string // its cron form
	Line       string
	NextRun    time.Time
	CreatedAt  time.Time
	InboxID    int64
	LastRun    time.Time // zero: never ran
	LastStatus string
	Removed    bool
}

const scheduleCols = `id, creator, spec, cron, line, next_run, created_at, inbox_id, COALESCE(last_run, 0), last_status, removed_at IS NOT NULL`

func scanSchedule(row interface{ Scan(...any) error }) (*Schedule, error) {
	var s Schedule
	var next, created, last int64
	if err := row.Scan(&s.ID, &s.Creator, &s.Spec, &s.Cron, &s.Line, &next, &created, &s.InboxID, &last, &s.LastStatus, &s.Removed); err != nil {
		return nil, err
	}
	s.NextRun, s.CreatedAt = time.Unix(next, 0), time.Unix(created, 0)
	if last != 0 {
		s.LastRun = time.Unix(last, 0)
	}
	return &s, nil
}

// AddSchedule stores s, once per InboxID: a replayed /schedule add returns the row the first run stored. It
// sets s.ID and reports whether the row is new.
func (db *DB) AddSchedule(ctx context.Context, s *Schedule) (bool, error) {
	if s.InboxID == 0 || s.Creator == "" || s.Cron == "" || s.Line == "" {
		return false, errors.New("db: schedule without creator, expression, line or inbox id")
	}
	var inserted bool
	err := db.write(ctx, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO schedules (creator, spec, cron, line, next_run, created_at, inbox_id)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (inbox_id) DO NOTHING`,
			s.Creator, s.Spec, s.Cron, s.Line, s.NextRun.Unix(), tx.Now.Unix(), s.InboxID)
		if err != nil {
			return fmt.Errorf("db: add schedule: %w", err)
		}
		n, _ := res.RowsAffected()
		inserted = n == 1
		return tx.QueryRowContext(ctx, `SELECT id FROM schedules WHERE inbox_id = ?`, s.InboxID).Scan(&s.ID)
	})
	return inserted, err
}

// GetSchedule returns one schedule, removed or not; sql.ErrNoRows when there is none.
func (db *DB) GetSchedule(ctx context.Context, id int64) (*Schedule, error) {
	return scanSchedule(db.sql.QueryRowContext(ctx, `SELECT `+scheduleCols+` FROM schedules WHERE id = ?`, id))
}

// ListSchedules returns the schedules in force, by id: a member's when creator is set, else everyone's;
// at most limit.
func (db *DB) ListSchedules(ctx context.Context, creator string, limit int) ([]*Schedule, error) {
	q := `SELECT ` + scheduleCols + ` FROM schedules WHERE removed_at IS NULL`
	args := []any{}
	if creator != "" {
		q += ` AND creator = ? COLLATE NOCASE`
		args = append(args, creator)
	}
	q += ` ORDER BY id LIMIT ?`
	args = append(args, limit)
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Schedule
	for rows.Next() {
		s, err := scanSchedule(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// CountSchedules returns how many schedules are in force: the member's and everyone's.
func (db *DB) CountSchedules(ctx context.Context, creator string) (mine, total int, err error) {
	err = db.sql.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(creator = ? COLLATE NOCASE), 0)
		FROM schedules WHERE removed_at IS NULL`, creator).Scan(&total, &mine)
	return mine, total, err
}

// RemoveSchedule ends a schedule: its slots not fired yet never run. It reports whether it was in force.
func (db *DB) RemoveSchedule(ctx context.Context, id int64) (bool, error) {
	var removed bool
	err := db.write(ctx, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE schedules SET removed_at = ? WHERE id = ? AND removed_at IS NULL`, tx.Now.Unix(), id)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		removed = n == 1
		return nil
	})
	return removed, err
}

// NextScheduleDue returns the earliest slot of the schedules in force, and false when there is none.
func (db *DB) NextScheduleDue(ctx context.Context) (time.Time, bool, error) {
	var at sql.NullInt64
	err := db.sql.QueryRowContext(ctx, `SELECT MIN(next_run) FROM schedules WHERE removed_at IS NULL`).Scan(&at)
	if err != nil || !at.Valid {
		return time.Time{}, false, err
	}
	return time.Unix(at.Int64, 0), true, nil
}

// DueSchedules returns up to limit schedules in force whose next slot is at or before now, earliest first.
func (db *DB) DueSchedules(ctx context.Context, now time.Time, limit int) ([]*Schedule, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+scheduleCols+` FROM schedules
		WHERE removed_at IS NULL AND next_run <= ? ORDER BY next_run, id LIMIT ?`, now.Unix(), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Schedule
	for rows.Next() {
		s, err := scanSchedule(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// FireSchedule fires slot of schedule id: in one durable transaction it moves the schedule's next slot to
// next and queues it (the inbox row it) to run, under the dedupe key schedule:<id>:<slot unix>. It does
// nothing, and reports false, when the schedule was removed or the slot is no longer its next one (fired
// already): so a slot is queued at most once, and a crash either side of the commit loses or repeats nothing.
func (db *DB) FireSchedule(ctx context.Context, id int64, slot, next time.Time, it *InboxItem) (bool, error) {
	fired := false
	err := db.write(ctx, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE schedules SET next_run = ? WHERE id = ? AND next_run = ? AND removed_at IS NULL`,
			next.Unix(), id, slot.Unix())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		it.Key = fmt.Sprintf("schedule:%d:%d", id, slot.Unix())
		it.Kind = KindSchedule
		if it.ReceivedAt.IsZero() {
			it.ReceivedAt = tx.Now
		}
		res, err = tx.ExecContext(ctx, `INSERT INTO inbox (dedupe_key, received_at, from_user, kind, payload, next_attempt_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING`,
			it.Key, it.ReceivedAt.Unix(), it.From, it.Kind, it.Payload, it.ReceivedAt.Unix())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			it.ID, _ = res.LastInsertId()
			fired = true
		}
		return nil
	})
	return fired, err
}

// MarkScheduleRun records the outcome of a slot's run, in the transaction that completes it.
func (tx *Tx) MarkScheduleRun(ctx context.Context, id int64, slot time.Time, status string) error {
	_, err := tx.ExecContext(ctx, `UPDATE schedules SET last_run = ?, last_status = ? WHERE id = ?`, slot.Unix(), truncate(status, 200), id)
	return err
}
