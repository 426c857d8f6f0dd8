package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"time"
)

// Session is a signed-in web console visitor.
type Session struct {
	UserID    string
	CSRF      string
	Via       string // "oauth" or "web_login"
	CreatedAt time.Time
	LastSeen  time.Time
	ExpiresAt time.Time
}

func sessionKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateSession stores a session under token (only its hash is kept).
func (db *DB) CreateSession(ctx context.Context, token string, s *Session) error {
	return db.write(ctx, func(ctx context.Context, tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO console_sessions (token_hash, userid, csrf, via, created_at, last_seen, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, sessionKey(token), s.UserID, s.CSRF, s.Via, s.CreatedAt.Unix(), s.LastSeen.Unix(), s.ExpiresAt.Unix())
		return err
	})
}

// GetSession returns the session of token if it is still live at now (not past its absolute expiry, and seen
// within idle), or nil.
func (db *DB) GetSession(ctx context.Context, token string, now time.Time, idle time.Duration) (*Session, error) {
	s := &Session{}
	var created, seen, expires int64
	err := db.sql.QueryRowContext(ctx, `SELECT userid, csrf, via, created_at, last_seen, expires_at FROM console_sessions
		WHERE token_hash = ?`, sessionKey(token)).Scan(&s.UserID, &s.CSRF, &s.Via, &created, &seen, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	s.CreatedAt, s.LastSeen, s.ExpiresAt = time.Unix(created, 0), time.Unix(seen, 0), time.Unix(expires, 0)
	if !now.Before(s.ExpiresAt) || now.Sub(s.LastSeen) >= idle {
		return nil, nil
	}
	return s, nil
}

// TouchSession records that the session of token was used at now. It is a lazy write: losing one to a power
// cut only shortens an idle timeout.
func (db *DB) TouchSession(ctx context.Context, token string, now time.Time) error {
	return db.writeLazy(ctx, func(ctx context.Context, tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE console_sessions SET last_seen = ? WHERE token_hash = ?`, now.Unix(), sessionKey(token))
		return err
	})
}

// DeleteSession ends the session of token (logout).
func (db *DB) DeleteSession(ctx context.Context, token string) error {
	return db.write(ctx, func(ctx context.Context, tx *Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM console_sessions WHERE token_hash = ?`, sessionKey(token))
		return err
	})
}

// DeleteExpiredSessions removes sessions past their absolute expiry or idle since before now-idle.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time, idle time.Duration) (int64, error) {
	var n int64
	err := db.writeLazy(ctx, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM console_sessions WHERE expires_at <= ? OR last_seen <= ?`, now.Unix(), now.Add(-idle).Unix())
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n, err
}
