package db

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// Conversation kinds.
const (
	ConvConfirm = "confirm" // a mutating command waits for yes
	ConvAsk     = "ask"     // a command waits for a missing argument
)

// Conversation is a user's pending exchange with the bot.
type Conversation struct {
	UserID    string
	Kind      string // ConvConfirm or ConvAsk
	Command   string
	Line      []byte // the invocation so far, JSON (owned by bot/commands)
	Missing   string // for ConvAsk: the argument asked for
	Token     string // for ConvConfirm: random per proposal; names its card and buttons
	CreatedAt time.Time
	ExpiresAt time.Time
}

// GetConversation returns the user's pending conversation, or nil.
func (db *DB) GetConversation(ctx context.Context, userID string) (*Conversation, error) {
	c := &Conversation{UserID: userID}
	var created, expires int64
	err := db.sql.QueryRowContext(ctx, `SELECT kind, command, line, missing, token, created_at, expires_at
		FROM conversations WHERE userid = ?`, userID).Scan(&c.Kind, &c.Command, &c.Line, &c.Missing, &c.Token, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	c.CreatedAt, c.ExpiresAt = time.Unix(created, 0), time.Unix(expires, 0)
	return c, nil
}

// PutConversation replaces the user's pending conversation.
func (tx *Tx) PutConversation(ctx context.Context, c *Conversation) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO conversations (userid, kind, command, line, missing, token, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (userid) DO UPDATE SET kind = excluded.kind, command = excluded.command, line = excluded.line,
			missing = excluded.missing, token = excluded.token, created_at = excluded.created_at, expires_at = excluded.expires_at`,
		c.UserID, c.Kind, c.Command, c.Line, c.Missing, c.Token, c.CreatedAt.Unix(), c.ExpiresAt.Unix())
	return err
}

// ExpiredConversations returns up to limit conversations that expired before now, oldest first.
func (db *DB) ExpiredConversations(ctx context.Context, now time.Time, limit int) ([]*Conversation, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT userid, kind, command, line, missing, token, created_at, expires_at
		FROM conversations WHERE expires_at <= ? ORDER BY expires_at LIMIT ?`, now.Unix(), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Conversation
	for rows.Next() {
		c := &Conversation{}
		var created, expires int64
		if err := rows.Scan(&c.UserID, &c.Kind, &c.Command, &c.Line, &c.Missing, &c.Token, &created, &expires); err != nil {
			return nil, err
		}
		c.CreatedAt, c.ExpiresAt = time.Unix(created, 0), time.Unix(expires, 0)
		out = append(out, c)
	}
	return out, rows.Err()
}

// EndConversation deletes the user's conversation only if it is still the one given (same kind, token and
// creation time): a sweep must not end a conversation the member started after it looked. It reports whether
// it deleted one.
func (tx *Tx) EndConversation(ctx context.Context, c *Conversation) (bool, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM conversations WHERE userid = ? AND kind = ? AND token = ? AND created_at = ?`,
		c.UserID, c.Kind, c.Token, c.CreatedAt.Unix())
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// DeleteConversation ends the user's pending conversation, if any.
func (tx *Tx) DeleteConversation(ctx context.Context, userID string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM conversations WHERE userid = ?`, userID)
	return err
}

// Intent is a side-effecting call the bot started.
type Intent struct {
	ID        int64
	InboxID   int64
	Actor     string
	Command   string
	Args      string
	StartedAt time.Time
	Finished  bool
	Outcome   string
}

// BeginIntent records, in its own committed transaction, that the callback inboxID is about to make a
// side-effecting call. If the callback already has an intent (it is being replayed after a crash), that one
// is returned instead and nothing is written: the caller must reconcile, not repeat.
func (db *DB) BeginIntent(ctx context.Context, in *Intent) (prior *Intent, err error) {
	defer db.writeLock()()
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	p := &Intent{}
	var started int64
	var finished sql.NullInt64
	var outcome sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT id, inbox_id, actor, command, args, started_at, finished_at, outcome
		FROM intents WHERE inbox_id = ? AND command = ? ORDER BY id DESC LIMIT 1`, in.InboxID, in.Command).
		Scan(&p.ID, &p.InboxID, &p.Actor, &p.Command, &p.Args, &started, &finished, &outcome)
	switch {
	case err == nil:
		p.StartedAt, p.Finished, p.Outcome = time.Unix(started, 0), finished.Valid, outcome.String
		return p, nil
	case !errors.Is(err, sql.ErrNoRows):
		return nil, err
	}
	in.StartedAt = db.Now()
	res, err := tx.ExecContext(ctx, `INSERT INTO intents (inbox_id, actor, command, args, started_at) VALUES (?, ?, ?, ?, ?)`,
		in.InboxID, in.Actor, in.Command, in.Args, in.StartedAt.Unix())
	if err != nil {
		return nil, err
	}
	in.ID, _ = res.LastInsertId()
	return nil, tx.Commit()
}

// FinishIntent closes an intent with its outcome, inside the transaction completing the callback.
func (tx *Tx) FinishIntent(ctx context.Context, id int64, outcome string) error {
	_, err := tx.ExecContext(ctx, `UPDATE intents SET finished_at = ?, outcome = ? WHERE id = ?`, tx.Now.Unix(), outcome, id)
	return err
}

// Greet records that userid is greeted on day (YYYY-MM-DD) and reports whether that is new: false when the
// member was greeted that day already.
func (tx *Tx) Greet(ctx context.Context, userid, day string) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO greetings (userid, day) VALUES (?, ?)
		ON CONFLICT (userid) DO UPDATE SET day = excluded.day WHERE greetings.day != excluded.day`, strings.ToLower(userid), day)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
