package db

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// MemberLang returns the language userid chose with /lang, or "" when they chose none.
func (db *DB) MemberLang(ctx context.Context, userid string) (string, error) {
	var lang string
	err := db.sql.QueryRowContext(ctx, `SELECT lang FROM member_lang WHERE userid = ?`, strings.ToLower(userid)).Scan(&lang)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return lang, err
}

// SetMemberLang records the language userid chose; "" forgets it (the default applies again).
func (tx *Tx) SetMemberLang(ctx context.Context, userid, lang string, now time.Time) error {
	if lang == "" {
		_, err := tx.ExecContext(ctx, `DELETE FROM member_lang WHERE userid = ?`, strings.ToLower(userid))
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO member_lang (userid, lang, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (userid) DO UPDATE SET lang = excluded.lang, updated_at = excluded.updated_at`,
		strings.ToLower(userid), lang, now.UnixMilli())
	return err
}
