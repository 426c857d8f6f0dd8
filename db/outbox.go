package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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
	var out []OutboxMessage
	err := db.claim(ctx, func(ctx context.Context, tx *Tx) error {
		var err error
		out, err = claimOutbox(ctx, tx, limit)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func claimOutbox(ctx context.Context, tx *Tx, limit int) ([]OutboxMessage, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT o.id, COALESCE(o.inbox_id, 0), o.recipient, o.api, o.body, o.created_at, o.attempts
		FROM outbox o
		WHERE o.state = 'pending' AND o.next_attempt_at <= ?
		  AND NOT EXISTS (SELECT 1 FROM outbox p
		                  WHERE p.recipient = o.recipient AND p.id < o.id AND p.state IN ('pending', 'sending'))
		ORDER BY o.id
		LIMIT ?`, tx.Now.Unix(), limit)
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
	return out, nil
}

// BeginOutboxAttempts records that the messages ids are about to be sent, before any request leaves: if the
// process dies with a request in flight, the next start still counts it against WeCom's limits (RecentSends).
func (db *DB) BeginOutboxAttempts(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	return db.write(ctx, func(ctx context.Context, tx *Tx) error {
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `INSERT INTO outbox_attempts (outbox_id, started_at) VALUES (?, ?)`, id, tx.Now.Unix()); err != nil {
				return err
			}
		}
		return nil
	})
}

// endAttempt closes the message's open attempt. Its end is rounded up to the second: WeCom counted the message
// at some moment before the answer, never after, so the stored time must not be earlier than the answer.
// refused marks an attempt WeCom answered with an errcode, which delivered (and counted) nothing.
func (db *DB) endAttempt(ctx context.Context, tx *Tx, id int64, refused bool) error {
	_, err := tx.ExecContext(ctx, `UPDATE outbox_attempts SET ended_at = ?, refused = ? WHERE outbox_id = ? AND ended_at IS NULL`,
		dueUnix(db.Now()), refused, id)
	return err
}

// outboxOutcome runs an outcome's UPDATE of outbox row id and closes its open attempt, together, in the next
// group commit (see writer).
func (db *DB) outboxOutcome(ctx context.Context, id int64, refused bool, query string, args ...any) error {
	return db.writeLazy(ctx, func(ctx context.Context, tx *Tx) error {
		if _, err := tx.ExecContext(ctx, query, args...); err != nil {
			return err
		}
		return db.endAttempt(ctx, tx, id, refused)
	})
}

// MarkOutboxSent records a delivered message.
func (db *DB) MarkOutboxSent(ctx context.Context, id int64, msgID, responseCode string) error {
	return db.outboxOutcome(ctx, id, false, `UPDATE outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1,
		msgid = ?, response_code = ?, last_error = NULL, errcode = NULL WHERE id = ?`, db.now(), msgID, responseCode, id)
}

// RetryOutbox puts a message back, due at `at`. counted is false when the message was not attempted (held back
// by a rate limit), so that waiting does not use up retries. A non-zero errcode is WeCom's answer: the attempt
// delivered nothing; without one (network, HTTP 5xx) WeCom may have taken it.
func (db *DB) RetryOutbox(ctx context.Context, id int64, reason string, errcode int, at time.Time, counted bool) error {
	inc := 0
	if counted {
		inc = 1
	}
	return db.outboxOutcome(ctx, id, errcode != 0, `UPDATE outbox SET state = 'pending', next_attempt_at = ?, attempts = attempts + ?,
		last_error = NULLIF(?, ''), errcode = NULLIF(?, 0) WHERE id = ?`, dueUnix(at), inc, truncate(reason, 1000), errcode, id)
}

// FailOutbox records a message that can never be delivered, with the reason (errcode as for RetryOutbox).
func (db *DB) FailOutbox(ctx context.Context, id int64, reason string, errcode int) error {
	return db.outboxOutcome(ctx, id, errcode != 0, `UPDATE outbox SET state = 'failed', attempts = attempts + 1, sent_at = ?,
		last_error = ?, errcode = NULLIF(?, 0) WHERE id = ?`, db.now(), truncate(reason, 1000), errcode, id)
}

// RequeueSending returns messages left 'sending' by a crash to pending. Whether WeCom got such a message is
// unknowable (message/send has no read-back), so it is sent again: a rare duplicate beats a lost reply. Their
// open attempts end now: WeCom may have counted them at any moment up to the crash, which was before now.
func (db *DB) RequeueSending(ctx context.Context) (int64, error) {
	defer db.writeLock()()
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE outbox_attempts SET ended_at = ? WHERE ended_at IS NULL`, dueUnix(db.Now())); err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'pending' WHERE state = 'sending'`)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return n, tx.Commit()
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

// Send is one message WeCom may have counted against its recipients' limits: who and when.
type Send struct {
	Recipient string
	API       string
	At        time.Time
}

// RecentSends returns the send attempts WeCom may have counted since `since`, oldest first, so that a
// restarted sender knows how much of each member's WeCom quota the last hour already used: delivered messages,
// attempts cut off by a crash (each counted from the start that found it; one still open counts as now), and
// failures without WeCom's answer. Attempts WeCom refused with an errcode are left out.
func (db *DB) RecentSends(ctx context.Context, since time.Time) ([]Send, error) {
	now := dueUnix(db.Now())
	rows, err := db.sql.QueryContext(ctx, `SELECT o.recipient, o.api, COALESCE(a.ended_at, ?) AS at
		FROM outbox_attempts a JOIN outbox o ON o.id = a.outbox_id
		WHERE a.refused = 0 AND (a.ended_at IS NULL OR a.ended_at >= ?) ORDER BY at, a.id`, now, since.Unix())
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

// TakeCardCode readies the card queued under ref for an update that ends it: a card not sent yet is withdrawn
// (failed, with the reason), and a sent one gives up its response_code, which is cleared because WeCom lets
// each code update a card once. code is "" when there is nothing to update (withdrawn, in flight, or gone).
func (tx *Tx) TakeCardCode(ctx context.Context, ref, reason string) (code string, err error) {
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'failed', last_error = ? WHERE ref = ? AND state = 'pending'`,
		"withdrawn: "+reason, ref); err != nil {
		return "", err
	}
	var id int64
	err = tx.QueryRowContext(ctx, `SELECT id, response_code FROM outbox
		WHERE ref = ? AND state = 'sent' AND COALESCE(response_code, '') != '' ORDER BY id DESC LIMIT 1`, ref).Scan(&id, &code)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	_, err = tx.ExecContext(ctx, `UPDATE outbox SET response_code = NULL WHERE id = ?`, id)
	return code, err
}

// QueuedAfter returns up to limit messages to recipient waiting behind the message id (pending, in order), so
// the sender can merge the replies a member limit holds back.
func (db *DB) QueuedAfter(ctx context.Context, recipient string, id int64, limit int) ([]OutboxMessage, error) {
	return db.queryOutbox(ctx, `WHERE recipient = ? AND id > ? AND state = 'pending' ORDER BY id LIMIT ?`, recipient, id, limit)
}

// MergeOutbox folds messages held back by a member limit into one: keep (claimed) gets body and waits until
// at; each of absorbed (queued behind it) is closed as sent, its last_error naming keep, so its content goes
// out once, in keep, and the outbox says where it went. All or nothing.
func (db *DB) MergeOutbox(ctx context.Context, keep int64, body []byte, absorbed []int64, at time.Time) error {
	return db.writeLazy(ctx, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET body = ?, state = 'pending', next_attempt_at = ? WHERE id = ? AND state = 'sending'`,
			body, dueUnix(at), keep)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("db: merge into outbox %d: it is not being sent", keep)
		}
		for _, id := range absorbed {
			res, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'sent', sent_at = ?, last_error = ? WHERE id = ? AND state = 'pending'`,
				db.now(), fmt.Sprintf("merged into outbox %d (held back by a member limit)", keep), id)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return fmt.Errorf("db: merge outbox %d: it is no longer queued", id)
			}
		}
		return nil
	})
}
