package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// SnapshotsKept is how many snapshots of one kind are kept; saving another drops the oldest.
const SnapshotsKept = 20

// MaxSnapshotBytes bounds one snapshot's body. WeCom's domain/IP list is a few kilobytes.
const MaxSnapshotBytes = 1 << 20

// LatestSnapshot returns the body of the newest snapshot of kind and when it was taken; ok is false when
// there is none.
func (db *DB) LatestSnapshot(ctx context.Context, kind string) (body []byte, at time.Time, ok bool, err error) {
	var taken int64
	err = db.sql.QueryRowContext(ctx, `SELECT body, taken_at FROM snapshots WHERE kind = ? ORDER BY id DESC LIMIT 1`,
		kind).Scan(&body, &taken)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, time.Time{}, false, nil
	}
	if err != nil {
		return nil, time.Time{}, false, fmt.Errorf("db: latest %s snapshot: %w", kind, err)
	}
	return body, time.Unix(taken, 0), true, nil
}

// SaveSnapshot stores body (JSON) as the newest snapshot of kind, taken now (DB.Now), and drops all but the
// latest SnapshotsKept of that kind.
func (db *DB) SaveSnapshot(ctx context.Context, kind string, body []byte) error {
	switch {
	case kind == "":
		return errors.New("db: snapshot kind is empty")
	case len(body) > MaxSnapshotBytes:
		return fmt.Errorf("db: %s snapshot is %d bytes; at most %d", kind, len(body), MaxSnapshotBytes)
	case !json.Valid(body):
		return fmt.Errorf("db: %s snapshot body is not JSON", kind)
	}
	defer db.writeLock()()
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO snapshots (kind, taken_at, body) VALUES (?, ?, ?)`,
		kind, db.now(), string(body)); err != nil {
		return fmt.Errorf("db: save %s snapshot: %w", kind, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM snapshots WHERE kind = ? AND id NOT IN
		(SELECT id FROM snapshots WHERE kind = ? ORDER BY id DESC LIMIT ?)`, kind, kind, SnapshotsKept); err != nil {
		return fmt.Errorf("db: prune %s snapshots: %w", kind, err)
	}
	return tx.Commit()
}
