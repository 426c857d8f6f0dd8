package db

import (
	"context"
	"database/sql"
	"time"
)

// OutboxMessage is one API call owed to WeCom: a reply or a pushed message.
type OutboxMessage struct {
	ID        int64
	InboxID   int64  // the callback this answers; 0 for pushes
	Recipient string // ordering and rate-limit key: a userid, or "chat:<chatid>"
	API       string // "message/send", "appchat/send", "message/update_template_card"
	Body      []byte // request JSON
	Ref       string // what the message is about, e.g. "approval:<apply_id>"; optional
	CreatedAt time.Time
	Attempts  int

	// Outcome, once known.
	State        string // pending, sending, sent, failed
	LastError    string
	ErrCode      int
	MsgID        string
	ResponseCode string
}

const insertOutbox = `INSERT INTO outbox (inbox_id, created_at, recipient, api, body, next_attempt_at, ref)
	VALUES (NULLIF(?, 0), ?, ?, ?, ?, ?, NULLIF(?, ''))`

// AddOutbox queues a message inside an inbox-completing transaction.
func (tx *Tx) AddOutbox(ctx context.Context, m *OutboxMessage) error {
	res, err := tx.ExecContext(ctx, insertOutbox, m.InboxID, tx.Now.Unix(), m.Recipient, m.API, m.Body, tx.Now.Unix(), m.Ref)
	if err != nil {
		return err
	}
	m.ID, _ = res.LastInsertId()
	return nil
}

// AddOutbox queues a message on its own (a push not answering a callback).
func (db *DB) AddOutbox(ctx context.Context, m *OutboxMessage) error {
	defer db.writeLock()()
	now := db.now()
	res, err := db.sql.ExecContext(ctx, insertOutbox, m.InboxID, now, m.Recipient, m.API, m.Body, now, m.Ref)
	if err != nil {
		return err
	}
	m.ID, _ = res.LastInsertId()
	return nil
}

// ClaimOutbox marks up to limit due messages as sending and returns them. Only the oldest open message of each
// recipient is eligible, so one recipient's messages go out in order.
func (db *DB) ClaimOutbox(ctx context.Context, limit int) ([]OutboxMessage, error) {
	defer db.writeLock()()
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `
		SELECT o.id, COALESCE(o.inbox_id, 0), o.recipient, o.api, o.body, o.created_at, o.attempts
		FROM outbox o
		WHERE o.state = 'pending' AND o.next_attempt_at <= ?
		  AND NOT EXISTS (SELECT 1 FROM outbox p
		                  WHERE p.recipient = o.recipient AND p.id < o.id AND p.state IN ('pending', 'sending'))
		ORDER BY o.id
		LIMIT ?`, db.now(), limit)
	if err != nil {
		return nil, err
	}
	var out []OutboxMessage
	for rows.Next() {
		var m OutboxMessage
		var at int64
		if err := rows.Scan(&m.ID, &m.InboxID, &m.Recipient, &m.API, &m.Body, &at, &m.Attempts); err != nil {
			rows.Close()
			return nil, err
		}
		m.CreatedAt = time.Unix(at, 0)
		m.State = "sending"
		out = append(out, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, m := range out {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'sending' WHERE id = ?`, m.ID); err != nil {
			return nil, err
		}
	}
	return out, tx.Commit()
}

// MarkOutboxSent records a delivered message.
func (db *DB) MarkOutboxSent(ctx context.Context, id int64, msgID, responseCode string) error {
	defer db.writeLock()()
	_, err := db.sql.ExecContext(ctx, `UPDATE outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1,
		msgid = ?, response_code = ?, last_error = NULL, errcode = NULL WHERE id = ?`, db.now(), msgID, responseCode, id)
	return err
}

// RetryOutbox puts a message back, due at `at`. counted is false when the message was not attempted (held back
// by a rate limit), so that waiting does not use up retries.
func (db *DB) RetryOutbox(ctx context.Context, id int64, reason string, errcode int, at time.Time, counted bool) error {
	defer db.writeLock()()
	inc := 0
	if counted {
		inc = 1
	}
	_, err := db.sql.ExecContext(ctx, `UPDATE outbox SET state = 'pending', next_attempt_at = ?, attempts = attempts + ?,
		last_error = NULLIF(?, ''), errcode = NULLIF(?, 0) WHERE id = ?`, dueUnix(at), inc, truncate(reason, 1000), errcode, id)
	return err
}

// FailOutbox records a message that can never be delivered, with the reason.
func (db *DB) FailOutbox(ctx context.Context, id int64, reason string, errcode int) error {
	defer db.writeLock()()
	_, err := db.sql.ExecContext(ctx, `UPDATE outbox SET state = 'failed', attempts = attempts + 1, sent_at = ?,
		last_error = ?, errcode = NULLIF(?, 0) WHERE id = ?`, db.now(), truncate(reason, 1000), errcode, id)
	return err
}

// RequeueSending returns messages left 'sending' by a crash to pending. Whether WeCom got such a message is
// unknowable (message/send has no read-back), so it is sent again: a rare duplicate beats a lost reply.
func (db *DB) RequeueSending(ctx context.Context) (int64, error) {
	defer db.writeLock()()
	res, err := db.sql.ExecContext(ctx, `UPDATE outbox SET state = 'pending' WHERE state = 'sending'`)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// NextOutboxDue returns when the earliest pending message becomes due.
func (db *DB) NextOutboxDue(ctx context.Context) (time.Time, bool, error) {
	var at sql.NullInt64
	err := db.sql.QueryRowContext(ctx, `SELECT MIN(next_attempt_at) FROM outbox WHERE state = 'pending'`).Scan(&at)
	if err != nil || !at.Valid {
		return time.Time{}, false, err
	}
	return time.Unix(at.Int64, 0), true, nil
}

// ListOutbox returns the most recent messages in a state ("" for any), newest first, at most limit.
func (db *DB) ListOutbox(ctx context.Context, state string, limit int) ([]OutboxMessage, error) {
	return db.queryOutbox(ctx, `WHERE (? = '' OR state = ?) ORDER BY id DESC LIMIT ?`, state, state, limit)
}

// queryOutbox reads whole outbox rows selected by where.
func (db *DB) queryOutbox(ctx context.Context, where string, args ...any) ([]OutboxMessage, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, COALESCE(inbox_id, 0), recipient, api, body, created_at, attempts,
		state, COALESCE(last_error, ''), COALESCE(errcode, 0), COALESCE(msgid, ''), COALESCE(response_code, ''),
		COALESCE(ref, '') FROM outbox `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OutboxMessage
	for rows.Next() {
		var m OutboxMessage
		var at int64
		if err := rows.Scan(&m.ID, &m.InboxID, &m.Recipient, &m.API, &m.Body, &at, &m.Attempts, &m.State,
			&m.LastError, &m.ErrCode, &m.MsgID, &m.ResponseCode, &m.Ref); err != nil {
			return nil, err
		}
		m.CreatedAt = time.Unix(at, 0)
		out = append(out, m)
	}
	return out, rows.Err()
}

// OutboxCounts returns the number of messages in each state.
func (db *DB) OutboxCounts(ctx context.Context) (map[string]int, error) {
	return db.countStates(ctx, `SELECT state, COUNT(*) FROM outbox GROUP BY state`)
}

// Send is one delivered message: who got it and when.
type Send struct {
	Recipient string
	API       string
	At        time.Time
}

// RecentSends returns the messages delivered since `since`, oldest first, so that a restarted sender knows how
// much of each member's WeCom quota the last hour already used.
func (db *DB) RecentSends(ctx context.Context, since time.Time) ([]Send, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT recipient, api, sent_at FROM outbox
		WHERE state = 'sent' AND sent_at >= ? ORDER BY sent_at, id`, since.Unix())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Send
	for rows.Next() {
		var s Send
		var at int64
		if err := rows.Scan(&s.Recipient, &s.API, &at); err != nil {
			return nil, err
		}
		s.At = time.Unix(at, 0)
		out = append(out, s)
	}
	return out, rows.Err()
}

// OutboxByRef returns the messages about ref, oldest first, with their outcome (a sent card's response_code
// is what updates it later).
func (db *DB) OutboxByRef(ctx context.Context, ref string) ([]OutboxMessage, error) {
	return db.queryOutbox(ctx, `WHERE ref = ? ORDER BY id`, ref)
}
