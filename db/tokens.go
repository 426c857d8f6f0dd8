package db

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/wecombot/wecombot/wecom"
)

// TokenStore keeps WeCom access tokens in the database so a restart reuses a valid one.
type TokenStore struct{ db *DB }

// Tokens returns the database's token store.
func (db *DB) Tokens() *TokenStore { return &TokenStore{db: db} }

var _ wecom.TokenStore = (*TokenStore)(nil)

// LoadToken implements wecom.TokenStore.
func (s *TokenStore) LoadToken(ctx context.Context, key string) (wecom.Token, bool, error) {
	var v string
	var exp int64
	err := s.db.sql.QueryRowContext(ctx, `SELECT value, expires_at FROM tokens WHERE key = ?`, key).Scan(&v, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return wecom.Token{}, false, nil
	}
	if err != nil {
		return wecom.Token{}, false, err
	}
	return wecom.Token{Value: v, ExpiresAt: time.Unix(exp, 0)}, v != "", nil
}

// SaveToken implements wecom.TokenStore. An empty token clears the key.
func (s *TokenStore) SaveToken(ctx context.Context, key string, t wecom.Token) error {
	defer s.db.writeLock()()
	if t.Value == "" {
		_, err := s.db.sql.ExecContext(ctx, `DELETE FROM tokens WHERE key = ?`, key)
		return err
	}
	_, err := s.db.sql.ExecContext(ctx, `INSERT INTO tokens (key, value, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
		key, t.Value, t.ExpiresAt.Unix())
	return err
}
