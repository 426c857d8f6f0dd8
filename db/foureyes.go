package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"
)

// Four-eyes request states.
const (
	FourEyesPending  = "pending"
	FourEyesApproved = "approved"
	FourEyesRejected = "rejected"
	FourEyesExpired  = "expired"
)

// FourEyes is a confirmed command held for a second person's approval.
type FourEyes struct {
	ID        int64
	Token     string // random; the approvers' card buttons carry it
	Policy    string // the [policies] key that held it
	Requester string
	Command   string   // path
	Line      []byte   // the confirmation's saved arguments (JSON)
	Approvers []string // who was asked (the requester never among them)
	State     string
	CreatedAt time.Time
	ExpiresAt time.Time
	InboxID   int64 // the requester's confirmation

	DecidedBy    string
	DecidedAt    time.Time
	DecidedInbox int64 // the click that decided it
}

// PutFourEyes stores a new request (pending) in tx; r.ID is set.
func (tx *Tx) PutFourEyes(ctx context.Context, r *FourEyes) error {
	approvers, err := json.Marshal(r.Approvers)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO four_eyes (token, policy, requester, command, line, approvers, state,
		created_at, expires_at, inbox_id) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, NULLIF(?, 0))`,
		r.Token, r.Policy, r.Requester, r.Command, r.Line, string(approvers), r.CreatedAt.Unix(), r.ExpiresAt.Unix(), r.InboxID)
	if err != nil {
		return err
	}
	r.ID, _ = res.LastInsertId()
	r.State = FourEyesPending
	return nil
}

const fourEyesColumns = `id, token, policy, requester, command, line, approvers, state, created_at, expires_at,
	COALESCE(inbox_id, 0), COALESCE(decided_by, ''), COALESCE(decided_at, 0), COALESCE(decided_inbox, 0)`

func scanFourEyes(s interface{ Scan(...any) error }) (*FourEyes, error) {
	r := &FourEyes{}
	var approvers string
	var created, expires, decided int64
	if err := s.Scan(&r.ID, &r.Token, &r.Policy, &r.Requester, &r.Command, &r.Line, &approvers, &r.State, &created, &expires,
		&r.InboxID, &r.DecidedBy, &decided, &r.DecidedInbox); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(approvers), &r.Approvers); err != nil {
		return nil, err
	}
	r.CreatedAt, r.ExpiresAt = time.Unix(created, 0), time.Unix(expires, 0)
	if decided != 0 {
		r.DecidedAt = time.Unix(decided, 0)
	}
	return r, nil
}

// GetFourEyes returns the request with token, or nil.
func (db *DB) GetFourEyes(ctx context.Context, token string) (*FourEyes, error) {
	r, err := scanFourEyes(db.sql.QueryRowContext(ctx, `SELECT `+fourEyesColumns+` FROM four_eyes WHERE token = ?`, token))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return r, err
}

// ClaimFourEyes decides a pending, unexpired request for by (state approved or rejected), durably, before
// anything acts on the decision: of two approvers deciding at once one wins. won is also true when the request
// was already decided by the same click (inboxID), which is the replay of a callback a crash cut off after its
// claim. The request as it now stands is returned either way (nil when there is none).
func (db *DB) ClaimFourEyes(ctx context.Context, token, by string, approve bool, inboxID int64) (r *FourEyes, won bool, err error) {
	state := FourEyesRejected
	if approve {
		state = FourEyesApproved
	}
	err = db.write(ctx, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE four_eyes SET state = ?, decided_by = ?, decided_at = ?, decided_inbox = ?
			WHERE token = ? AND state = 'pending' AND expires_at > ?`, state, by, tx.Now.Unix(), inboxID, token, tx.Now.Unix())
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		won = n == 1
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	r, err = db.GetFourEyes(ctx, token)
	if err != nil || r == nil {
		return r, false, err
	}
	if !won && r.State == state && r.DecidedBy == by && r.DecidedInbox == inboxID && inboxID != 0 {
		won = true // the same click, replayed
	}
	return r, won, nil
}

// ExpiredFourEyes returns up to limit pending requests whose time ran out by now.
func (db *DB) ExpiredFourEyes(ctx context.Context, now time.Time, limit int) ([]*FourEyes, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+fourEyesColumns+` FROM four_eyes
		WHERE state = 'pending' AND expires_at <= ? ORDER BY expires_at LIMIT ?`, now.Unix(), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*FourEyes
	for rows.Next() {
		r, err := scanFourEyes(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ExpireFourEyes ends a pending request as expired in tx; false when it was decided meanwhile.
func (tx *Tx) ExpireFourEyes(ctx context.Context, id int64) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE four_eyes SET state = 'expired', decided_at = ? WHERE id = ? AND state = 'pending'`,
		tx.Now.Unix(), id)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// PendingFourEyes returns the pending requests of requester (all when ""), newest first, at most limit.
func (db *DB) PendingFourEyes(ctx context.Context, requester string, limit int) ([]*FourEyes, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+fourEyesColumns+` FROM four_eyes
		WHERE state = 'pending' AND (? = '' OR requester = ?) ORDER BY id DESC LIMIT ?`, requester, requester, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*FourEyes
	for rows.Next() {
		r, err := scanFourEyes(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
