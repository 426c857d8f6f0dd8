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
	groups, head, err := db.countsSince(ctx, "audit", "seq", "command", "decision", seq)
	out := make([]AuditCount, len(groups))
	for i, g := range groups {
		out[i] = AuditCount{Command: g.a, Decision: g.b, N: g.n}
	}
	return out, head, err
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
	groups, last, err := db.countsSince(ctx, "alert_digests", "id", "kind", "severity", id)
	out := make([]DigestCount, len(groups))
	for i, g := range groups {
		out[i] = DigestCount{Kind: g.a, Severity: g.b, N: g.n}
	}
	return out, last, err
}

type groupCount struct {
	a, b string
	n    int64
}

// countsSince counts table's rows with key after since, grouped by columns a and b, and returns the highest key
// it counted up to (since itself when there is nothing new; a smaller one when the table was restored shorter,
// so counting goes on from there). Table and column names are the callers' constants, never input.
func (db *DB) countsSince(ctx context.Context, table, key, a, b string, since int64) ([]groupCount, int64, error) {
	var head int64
	if err := db.sql.QueryRowContext(ctx, `SELECT COALESCE(MAX(`+key+`), 0) FROM `+table).Scan(&head); err != nil {
		return nil, since, fmt.Errorf("db: %s head: %w", table, err)
	}
	if head <= since {
		return nil, head, nil
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT `+a+`, `+b+`, COUNT(*) FROM `+table+` WHERE `+key+` > ? AND `+key+` <= ?
		GROUP BY `+a+`, `+b, since, head)
	if err != nil {
		return nil, since, fmt.Errorf("db: %s counts: %w", table, err)
	}
	defer rows.Close()
	var out []groupCount
	for rows.Next() {
		var g groupCount
		if err := rows.Scan(&g.a, &g.b, &g.n); err != nil {
			return nil, since, err
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, since, err
	}
	return out, head, nil
}
