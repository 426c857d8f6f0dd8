package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Gauges is what /metrics reads from the database at scrape time: the queues' depths and ages and the audit
// chain's head. Every query reads only the open rows (through the partial indexes) or one row, so a scrape
// costs the same on a database that has run for years.
type Gauges struct {
	// Inbox is the open callbacks by state: "pending" (not yet handled, or waiting for a retry) and "working".
	Inbox map[string]int64
	// InboxOldest is the age of the oldest open callback; 0 when there is none.
	InboxOldest time.Duration
	// Outbox is the open messages by state and msgtype. States: "pending" (due, or waiting for a retry after a
	// failure), "held_back" (waiting for room in a member's per-minute or per-hour limit) and "sending".
	Outbox []OutboxGauge
	// OutboxOldest is the age of the oldest open message; 0 when there is none.
	OutboxOldest time.Duration
	// AuditHead is the audit chain's last sequence number; 0 for an empty trail.
	AuditHead int64
}

// OutboxGauge is one (state, msgtype) count of open outbox rows. MsgType is the request's "msgtype", or the
// API's last path element for APIs without one ("update_template_card").
type OutboxGauge struct {
	State, MsgType string
	N              int64
}

// ReadGauges reads the scrape-time figures (see Gauges).
func (db *DB) ReadGauges(ctx context.Context) (*Gauges, error) {
	now := db.now()
	g := &Gauges{Inbox: map[string]int64{}}
	rows, err := db.sql.QueryContext(ctx, `SELECT state, COUNT(*), MIN(received_at) FROM inbox
		WHERE state IN ('pending', 'working') GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("db: inbox gauges: %w", err)
	}
	var oldest int64
	for rows.Next() {
		var state string
		var n, first int64
		if err := rows.Scan(&state, &n, &first); err != nil {
			rows.Close()
			return nil, err
		}
		g.Inbox[state] = n
		if oldest == 0 || first < oldest {
			oldest = first
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if oldest > 0 {
		g.InboxOldest = max(0, time.Duration(now-oldest)*time.Second)
	}

	rows, err = db.sql.QueryContext(ctx, `SELECT
			CASE WHEN state = 'pending' AND next_attempt_at > ? AND last_error IS NULL THEN 'held_back' ELSE state END AS st,
			COALESCE(json_extract(CAST(body AS TEXT), '$.msgtype'), replace(api, 'message/', '')) AS mt,
			COUNT(*), MIN(created_at)
		FROM outbox WHERE state IN ('pending', 'sending') GROUP BY st, mt`, now)
	if err != nil {
		return nil, fmt.Errorf("db: outbox gauges: %w", err)
	}
	oldest = 0
	for rows.Next() {
		var o OutboxGauge
		var mt sql.NullString
		var first int64
		if err := rows.Scan(&o.State, &mt, &o.N, &first); err != nil {
			rows.Close()
			return nil, err
		}
		o.MsgType = mt.String
		g.Outbox = append(g.Outbox, o)
		if oldest == 0 || first < oldest {
			oldest = first
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if oldest > 0 {
		g.OutboxOldest = max(0, time.Duration(now-oldest)*time.Second)
	}

	if err := db.sql.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM audit`).Scan(&g.AuditHead); err != nil {
		return nil, fmt.Errorf("db: audit head: %w", err)
	}
	return g, nil
}

// AuditCount is how many audit rows one (command, decision) pair has.
type AuditCount struct {
	Command, Decision string
	N                 int64
}

// AuditCountsSince counts the audit rows after seq by command and decision, and returns the head they go up
// to. The trail is append-only with contiguous sequence numbers, so a caller that passes back the head it got
// counts every committed row exactly once, reading only the new ones.
func (db *DB) AuditCountsSince(ctx context.Context, seq int64) ([]AuditCount, int64, error) {
	var head int64
	if err := db.sql.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM audit`).Scan(&head); err != nil {
		return nil, seq, fmt.Errorf("db: audit head: %w", err)
	}
	if head <= seq { // nothing new (head < seq: a restored, shorter trail; count on from its head)
		return nil, head, nil
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT command, decision, COUNT(*) FROM audit WHERE seq > ? AND seq <= ?
		GROUP BY command, decision`, seq, head)
	if err != nil {
		return nil, seq, fmt.Errorf("db: audit counts: %w", err)
	}
	defer rows.Close()
	var out []AuditCount
	for rows.Next() {
		var c AuditCount
		if err := rows.Scan(&c.Command, &c.Decision, &c.N); err != nil {
			return nil, seq, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, seq, err
	}
	return out, head, nil
}

// DigestCount is how many alert messages (digests, critical alerts, domain/IP changes) of one kind and
// severity were pushed.
type DigestCount struct {
	Kind, Severity string
	N              int64
}

// DigestCountsSince counts the alert digests with ids after id by kind and severity, and returns the last id
// counted. Digests are numbered in the order they commit, so passing that id back counts each once.
func (db *DB) DigestCountsSince(ctx context.Context, id int64) ([]DigestCount, int64, error) {
	var last int64
	if err := db.sql.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM alert_digests`).Scan(&last); err != nil {
		return nil, id, fmt.Errorf("db: alert digests: %w", err)
	}
	if last <= id {
		return nil, last, nil
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT kind, severity, COUNT(*) FROM alert_digests WHERE id > ? AND id <= ?
		GROUP BY kind, severity`, id, last)
	if err != nil {
		return nil, id, fmt.Errorf("db: alert digests: %w", err)
	}
	defer rows.Close()
	var out []DigestCount
	for rows.Next() {
		var c DigestCount
		if err := rows.Scan(&c.Kind, &c.Severity, &c.N); err != nil {
			return nil, id, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, id, err
	}
	return out, last, nil
}
