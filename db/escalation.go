package db

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// Escalation is an unacknowledged digest and how far it has climbed its team's ladder.
type Escalation struct {
	Digest    *AlertDigest
	Step      int       // reminders sent so far
	NextAt    time.Time // zero: no row yet (due RemindAfter after the digest)
	ChatID    string
	ChatState string // "", "creating", "created"
}

// EscalationCandidates returns the unacknowledged digests of teams pushed at or after since, with their
// escalation state, oldest first, at most limit.
func (db *DB) EscalationCandidates(ctx context.Context, teams []string, since time.Time, limit int) ([]*Escalation, error) {
	if len(teams) == 0 {
		return nil, nil
	}
	args := []any{since.Unix()}
	for _, t := range teams {
		args = append(args, t)
	}
	args = append(args, limit)
	cols := strings.ReplaceAll(digestColumns, "id, ", "d.id, ")
	rows, err := db.sql.QueryContext(ctx, `SELECT `+cols+`, COALESCE(e.step, 0), COALESCE(e.next_at, 0), COALESCE(e.chat_id, ''),
		COALESCE(e.chat_state, '') FROM alert_digests d LEFT JOIN alert_escalations e ON e.digest_id = d.id
		WHERE d.acked_by IS NULL AND d.created_at >= ? AND d.kind != 'domain_ip' AND d.team IN (?`+strings.Repeat(", ?", len(teams)-1)+`)
		ORDER BY d.id LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Escalation
	for rows.Next() {
		var d AlertDigest
		var created int64
		var ackedBy sql.NullString
		var ackedAt sql.NullInt64
		e := &Escalation{Digest: &d}
		var next int64
		if err := rows.Scan(&d.ID, &d.Team, &d.Kind, &d.Severity, &d.Title, &d.Alerts, &created, &ackedBy, &ackedAt,
			&e.Step, &next, &e.ChatID, &e.ChatState); err != nil {
			return nil, err
		}
		d.CreatedAt = time.Unix(created, 0)
		if next != 0 {
			e.NextAt = time.Unix(next, 0)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// SetEscalation records a digest's step, when the next is due, and its war room.
func (tx *Tx) SetEscalation(ctx context.Context, e *Escalation) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO alert_escalations (digest_id, step, next_at, chat_id, chat_state, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (digest_id) DO UPDATE SET step = excluded.step, next_at = excluded.next_at,
		chat_id = excluded.chat_id, chat_state = excluded.chat_state, updated_at = excluded.updated_at`,
		e.Digest.ID, e.Step, e.NextAt.Unix(), e.ChatID, e.ChatState, tx.Now.Unix())
	return err
}

// SetEscalationDurably is SetEscalation in a transaction of its own, on disk before it returns: a war room's
// chosen chat id must survive a crash before appchat/create is called.
func (db *DB) SetEscalationDurably(ctx context.Context, e *Escalation) error {
	return db.write(ctx, func(ctx context.Context, tx *Tx) error { return tx.SetEscalation(ctx, e) })
}

// AddAlertDeliveries queues more messages of an existing digest (reminders): their cards are updated like the
// digest's own when it is acknowledged.
func (tx *Tx) AddAlertDeliveries(ctx context.Context, digestID int64, ds []*AlertDelivery) error {
	return tx.addDeliveries(ctx, digestID, ds)
}

// DigestAlerts returns the alerts a digest carried, oldest first, at most limit.
func (db *DB) DigestAlerts(ctx context.Context, digestID int64, limit int) ([]*Alert, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT rule, userid, summary, created_at FROM alerts WHERE digest_id = ? ORDER BY id LIMIT ?`,
		digestID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Alert
	for rows.Next() {
		a := &Alert{}
		var at int64
		if err := rows.Scan(&a.Rule, &a.UserID, &a.Summary, &at); err != nil {
			return nil, err
		}
		a.CreatedAt = time.Unix(at, 0)
		out = append(out, a)
	}
	return out, rows.Err()
}
