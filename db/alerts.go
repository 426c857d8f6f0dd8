package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Alert states.
const (
	AlertPending    = "pending"    // waiting for its team's next digest
	AlertSent       = "sent"       // pushed, in digest DigestID
	AlertSilenced   = "silenced"   // its rule was silenced: stored, never pushed
	AlertSuppressed = "suppressed" // a repeat with nothing new to push
)

// Digest kinds.
const (
	DigestGrouped  = "digest"    // the alerts of one team within a window
	DigestCritical = "critical"  // one critical alert, pushed at once
	DigestDomainIP = "domain_ip" // WeCom's domain/IP list changed
)

// ErrAlertNotFound is returned when a row asked for by id does not exist (or is no longer in a state that allows
// the change).
var ErrAlertNotFound = errors.New("db: not found")

// Alert is one record a rule matched.
type Alert struct {
	ID       int64
	Rule     string
	Key      string // stable hash of the record's fields; (Rule, Key) is unique
	Source   string
	Team     string
	Severity string
	UserID   string
	Kind     string // the record's type, for repeat detection: same rule, member and kind
	Summary  string
	Detail   string // JSON
	RecordAt time.Time

	// Set when stored.
	CreatedAt time.Time
	State     string
	Repeat    bool
	DigestID  int64
}

// AlertBatch is what one watcher read in one window: the alerts found and where the window ended.
type AlertBatch struct {
	Source string
	// ReadTo is the end (inclusive) of the window fully read; the source's cursor moves to it unless it is
	// zero or behind the stored one.
	ReadTo time.Time
	// Origin is where the source's first window started, stored with its first cursor and kept after.
	Origin time.Time
	Alerts []*Alert
	// RepeatWindow: an alert of the same rule, member and kind as a non-repeat alert found within this long
	// before is stored as a repeat. 0 turns repeat detection off.
	RepeatWindow time.Duration
}

// RecordAlerts stores a watcher's alerts and moves its cursor in one transaction. An alert whose (Rule, Key) is
// already stored is dropped: that record was alerted before. A new alert is silenced if its rule has an
// active silence, a repeat if RepeatWindow says so, pending otherwise. It returns the alerts stored (ID,
// CreatedAt, State and Repeat filled in).
func (db *DB) RecordAlerts(ctx context.Context, b *AlertBatch) ([]*Alert, error) {
	if b.Source == "" {
		return nil, errors.New("db: alert batch without a source")
	}
	defer db.writeLock()()
	stx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer stx.Rollback()
	tx := &Tx{Tx: stx, db: db, Now: db.Now()}
	added, err := tx.recordAlerts(ctx, b.Alerts, b.RepeatWindow)
	if err != nil {
		return nil, err
	}
	if !b.ReadTo.IsZero() {
		origin := b.Origin
		if origin.IsZero() {
			origin = b.ReadTo
		}
		if _, err := stx.ExecContext(ctx, `INSERT INTO alert_cursors (source, read_to, origin, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (source) DO UPDATE SET read_to = MAX(read_to, excluded.read_to), updated_at = excluded.updated_at`,
			b.Source, b.ReadTo.Unix(), origin.Unix(), tx.Now.Unix()); err != nil {
			return nil, fmt.Errorf("db: move %s cursor: %w", b.Source, err)
		}
	}
	if err := stx.Commit(); err != nil {
		return nil, err
	}
	return added, nil
}

// RecordAlerts stores alerts inside a callback's transaction (see DB.RecordAlerts); no cursor moves.
func (tx *Tx) RecordAlerts(ctx context.Context, alerts []*Alert, repeatWindow time.Duration) ([]*Alert, error) {
	return tx.recordAlerts(ctx, alerts, repeatWindow)
}

func (tx *Tx) recordAlerts(ctx context.Context, alerts []*Alert, repeatWindow time.Duration) ([]*Alert, error) {
	now := tx.Now.Unix()
	silenced := map[string]bool{}
	var added []*Alert
	for _, a := range alerts {
		if a.Rule == "" || a.Key == "" || a.Team == "" {
			return nil, errors.New("db: alert needs a rule, a key and a team")
		}
		s, ok := silenced[a.Rule]
		if !ok {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM alert_silences
				WHERE rule = ? AND removed_at IS NULL AND until_at > ?`, a.Rule, now).Scan(&n); err != nil {
				return nil, fmt.Errorf("db: alert silences: %w", err)
			}
			s = n > 0
			silenced[a.Rule] = s
		}
		state := AlertPending
		if s {
			state = AlertSilenced
		}
		repeat := false
		if repeatWindow > 0 {
			since := now - int64((repeatWindow+time.Second-1)/time.Second)
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM alerts WHERE rule = ? AND userid = ? AND kind = ?
				AND repeat = 0 AND state IN ('pending', 'sent') AND created_at >= ?`,
				a.Rule, a.UserID, a.Kind, since).Scan(&n); err != nil {
				return nil, fmt.Errorf("db: alert repeats: %w", err)
			}
			repeat = n > 0
		}
		detail := a.Detail
		if detail == "" {
			detail = "{}"
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO alerts (rule, key, source, team, severity, userid, kind, summary,
			detail, record_at, created_at, state, repeat) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (rule, key) DO NOTHING`,
			a.Rule, a.Key, a.Source, a.Team, a.Severity, a.UserID, a.Kind, a.Summary, detail, a.RecordAt.Unix(), now,
			state, repeat)
		if err != nil {
			return nil, fmt.Errorf("db: store alert: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue // already stored: alerted before
		}
		a.ID, _ = res.LastInsertId()
		a.CreatedAt, a.State, a.Repeat, a.Detail = time.Unix(now, 0), state, repeat, detail
		added = append(added, a)
	}
	return added, nil
}

// AlertCursor is where a watcher is: ReadTo is the last second read in full, Origin where its first window
// started.
type AlertCursor struct {
	Source         string
	ReadTo, Origin time.Time
	UpdatedAt      time.Time
}

// GetAlertCursor returns a watcher's cursor, or nil before its first window.
func (db *DB) GetAlertCursor(ctx context.Context, source string) (*AlertCursor, error) {
	var readTo, origin, updated int64
	err := db.sql.QueryRowContext(ctx, `SELECT read_to, origin, updated_at FROM alert_cursors WHERE source = ?`, source).
		Scan(&readTo, &origin, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &AlertCursor{Source: source, ReadTo: time.Unix(readTo, 0), Origin: time.Unix(origin, 0), UpdatedAt: time.Unix(updated, 0)}, nil
}

// PendingAlertTeams returns, for each team with pending alerts, when the oldest of them was found.
func (db *DB) PendingAlertTeams(ctx context.Context) (map[string]time.Time, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT team, MIN(created_at) FROM alerts WHERE state = 'pending' GROUP BY team`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var team string
		var at int64
		if err := rows.Scan(&team, &at); err != nil {
			return nil, err
		}
		out[team] = time.Unix(at, 0)
	}
	return out, rows.Err()
}

const alertColumns = `id, rule, key, source, team, severity, userid, kind, summary, detail, record_at, created_at,
	state, repeat, COALESCE(digest_id, 0)`

func scanAlert(sc interface{ Scan(...any) error }) (*Alert, error) {
	var a Alert
	var rec, created int64
	if err := sc.Scan(&a.ID, &a.Rule, &a.Key, &a.Source, &a.Team, &a.Severity, &a.UserID, &a.Kind, &a.Summary,
		&a.Detail, &rec, &created, &a.State, &a.Repeat, &a.DigestID); err != nil {
		return nil, err
	}
	a.RecordAt, a.CreatedAt = time.Unix(rec, 0), time.Unix(created, 0)
	return &a, nil
}

func queryAlerts(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args ...any) ([]*Alert, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Alert
	for rows.Next() {
		a, err := scanAlert(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// PendingAlerts returns a team's pending alerts, oldest first, at most limit (≤ 0: all).
func (db *DB) PendingAlerts(ctx context.Context, team string, limit int) ([]*Alert, error) {
	if limit <= 0 {
		limit = -1
	}
	return queryAlerts(ctx, db.sql, `SELECT `+alertColumns+` FROM alerts WHERE state = 'pending' AND team = ?
		ORDER BY id LIMIT ?`, team, limit)
}

// AlertFilter selects alerts for ListAlerts.
type AlertFilter struct {
	Since  time.Time // found at or after; zero: any time
	Rule   string    // "" for all rules
	Limit  int       // default 20
	Offset int
}

// ListAlerts returns alerts newest first and how many match in all.
func (db *DB) ListAlerts(ctx context.Context, f AlertFilter) ([]*Alert, int, error) {
	where, args := []string{"1 = 1"}, []any{}
	if !f.Since.IsZero() {
		where, args = append(where, "created_at >= ?"), append(args, f.Since.Unix())
	}
	if f.Rule != "" {
		where, args = append(where, "rule = ?"), append(args, f.Rule)
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM alerts WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 {
		f.Limit = 20
	}
	out, err := queryAlerts(ctx, db.sql, `SELECT `+alertColumns+` FROM alerts WHERE `+cond+` ORDER BY id DESC LIMIT ? OFFSET ?`,
		append(args, f.Limit, max(f.Offset, 0))...)
	return out, total, err
}

// AlertDigest is one message group pushed to a team.
type AlertDigest struct {
	ID        int64
	Team      string
	Kind      string // DigestGrouped, DigestCritical, DigestDomainIP
	Severity  string
	Title     string
	Alerts    int
	CreatedAt time.Time
	AckedBy   string
	AckedAt   time.Time
}

// AlertDelivery is one message of a digest to one recipient. TaskID is set for a template card.
type AlertDelivery struct {
	Recipient string
	TaskID    string
	Message   *OutboxMessage
}

// AlertFlush settles a team's pending alerts: those in Sent go out in Digest (built by Build once the digest
// has its id), the others change state. All of it commits at once, with the outbox rows.
type AlertFlush struct {
	Sent       []int64
	Silenced   []int64
	Suppressed []int64
	// Digest is the message group to push; nil when nothing is pushed (Sent must then be empty).
	Digest *AlertDigest
	// Build returns the messages of the digest, given its id (cards carry it in their button keys).
	Build func(d *AlertDigest) ([]*AlertDelivery, error)
}

// ErrAlertsChanged is returned by FlushAlerts when an alert it was to settle is no longer pending.
var ErrAlertsChanged = errors.New("db: alerts changed while being flushed")

// FlushAlerts applies f in one transaction.
func (db *DB) FlushAlerts(ctx context.Context, f *AlertFlush) error {
	defer db.writeLock()()
	stx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer stx.Rollback()
	tx := &Tx{Tx: stx, db: db, Now: db.Now()}
	if err := tx.FlushAlerts(ctx, f); err != nil {
		return err
	}
	return stx.Commit()
}

// FlushAlerts applies f inside a transaction (see DB.FlushAlerts).
func (tx *Tx) FlushAlerts(ctx context.Context, f *AlertFlush) error {
	if f.Digest == nil && len(f.Sent) > 0 {
		return errors.New("db: alerts to send without a digest")
	}
	if f.Digest != nil {
		if err := tx.insertDigest(ctx, f.Digest); err != nil {
			return err
		}
	}
	set := func(ids []int64, state string, digest int64) error {
		for _, id := range ids {
			res, err := tx.ExecContext(ctx, `UPDATE alerts SET state = ?, digest_id = NULLIF(?, 0) WHERE id = ? AND state = 'pending'`,
				state, digest, id)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return fmt.Errorf("%w: alert %d", ErrAlertsChanged, id)
			}
		}
		return nil
	}
	var digestID int64
	if f.Digest != nil {
		digestID = f.Digest.ID
	}
	if err := set(f.Sent, AlertSent, digestID); err != nil {
		return err
	}
	if err := set(f.Silenced, AlertSilenced, 0); err != nil {
		return err
	}
	if err := set(f.Suppressed, AlertSuppressed, 0); err != nil {
		return err
	}
	if f.Digest == nil || f.Build == nil {
		return nil
	}
	ds, err := f.Build(f.Digest)
	if err != nil {
		return err
	}
	return tx.addDeliveries(ctx, f.Digest.ID, ds)
}

// AddAlertDigest stores a digest that covers no watcher alerts (the domain/IP change) and queues its messages,
// inside a callback's transaction.
func (tx *Tx) AddAlertDigest(ctx context.Context, d *AlertDigest, build func(d *AlertDigest) ([]*AlertDelivery, error)) error {
	if err := tx.insertDigest(ctx, d); err != nil {
		return err
	}
	ds, err := build(d)
	if err != nil {
		return err
	}
	return tx.addDeliveries(ctx, d.ID, ds)
}

func (tx *Tx) insertDigest(ctx context.Context, d *AlertDigest) error {
	d.CreatedAt = time.Unix(tx.Now.Unix(), 0)
	res, err := tx.ExecContext(ctx, `INSERT INTO alert_digests (team, kind, severity, title, alerts, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, d.Team, d.Kind, d.Severity, d.Title, d.Alerts, d.CreatedAt.Unix())
	if err != nil {
		return fmt.Errorf("db: store alert digest: %w", err)
	}
	d.ID, _ = res.LastInsertId()
	return nil
}

func (tx *Tx) addDeliveries(ctx context.Context, digestID int64, ds []*AlertDelivery) error {
	for _, dl := range ds {
		if err := tx.AddOutbox(ctx, dl.Message); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO alert_deliveries (outbox_id, digest_id, recipient, task_id)
			VALUES (?, ?, ?, NULLIF(?, ''))`, dl.Message.ID, digestID, dl.Recipient, dl.TaskID); err != nil {
			return fmt.Errorf("db: store alert delivery: %w", err)
		}
	}
	return nil
}

// CountAlertDigests counts a team's digests of a kind pushed since a time.
func (db *DB) CountAlertDigests(ctx context.Context, team, kind string, since time.Time) (int, error) {
	var n int
	err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM alert_digests WHERE team = ? AND kind = ? AND created_at >= ?`,
		team, kind, since.Unix()).Scan(&n)
	return n, err
}

func scanDigest(sc interface{ Scan(...any) error }) (*AlertDigest, error) {
	var d AlertDigest
	var created int64
	var ackedBy sql.NullString
	var ackedAt sql.NullInt64
	if err := sc.Scan(&d.ID, &d.Team, &d.Kind, &d.Severity, &d.Title, &d.Alerts, &created, &ackedBy, &ackedAt); err != nil {
		return nil, err
	}
	d.CreatedAt, d.AckedBy = time.Unix(created, 0), ackedBy.String
	if ackedAt.Valid {
		d.AckedAt = time.Unix(ackedAt.Int64, 0)
	}
	return &d, nil
}

const digestColumns = `id, team, kind, severity, title, alerts, created_at, acked_by, acked_at`

// GetAlertDigest returns a digest, or ErrAlertNotFound.
func (db *DB) GetAlertDigest(ctx context.Context, id int64) (*AlertDigest, error) {
	d, err := scanDigest(db.sql.QueryRowContext(ctx, `SELECT `+digestColumns+` FROM alert_digests WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrAlertNotFound
	}
	return d, err
}

// AckAlertDigest records that by acknowledged digest id. first is false when it was acknowledged before (the
// digest then says by whom); ErrAlertNotFound when there is no such digest.
func (tx *Tx) AckAlertDigest(ctx context.Context, id int64, by string) (d *AlertDigest, first bool, err error) {
	res, err := tx.ExecContext(ctx, `UPDATE alert_digests SET acked_by = ?, acked_at = ? WHERE id = ? AND acked_by IS NULL`,
		by, tx.Now.Unix(), id)
	if err != nil {
		return nil, false, err
	}
	n, _ := res.RowsAffected()
	d, err = scanDigest(tx.QueryRowContext(ctx, `SELECT `+digestColumns+` FROM alert_digests WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, ErrAlertNotFound
	}
	if err != nil {
		return nil, false, err
	}
	return d, n == 1, nil
}

// AlertCard is a card sent for a digest.
type AlertCard struct {
	DigestID     int64
	Recipient    string
	TaskID       string
	ResponseCode string // from message/send, once sent; "" before
	Updated      bool
}

// AlertCardByTask returns the card with a task_id, or ErrAlertNotFound.
func (db *DB) AlertCardByTask(ctx context.Context, taskID string) (*AlertCard, error) {
	var c AlertCard
	err := db.sql.QueryRowContext(ctx, `SELECT d.digest_id, d.recipient, d.task_id, COALESCE(o.response_code, ''), d.updated
		FROM alert_deliveries d JOIN outbox o ON o.id = d.outbox_id WHERE d.task_id = ?`, taskID).
		Scan(&c.DigestID, &c.Recipient, &c.TaskID, &c.ResponseCode, &c.Updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrAlertNotFound
	}
	return &c, err
}

// TakeAlertCards marks a digest's cards as updated and returns those that were not yet: the card of
// `clicked` (whose update uses the click's own response_code) and every other card that was sent with a
// response_code. A card still in the outbox has no response_code yet and is left alone.
func (tx *Tx) TakeAlertCards(ctx context.Context, digestID int64, clicked string) ([]AlertCard, error) {
	rows, err := tx.QueryContext(ctx, `SELECT d.digest_id, d.recipient, d.task_id, COALESCE(o.response_code, ''), d.updated
		FROM alert_deliveries d JOIN outbox o ON o.id = d.outbox_id
		WHERE d.digest_id = ? AND d.task_id IS NOT NULL AND d.updated = 0
		  AND (d.task_id = ? OR (o.state = 'sent' AND COALESCE(o.response_code, '') <> ''))
		ORDER BY d.outbox_id`, digestID, clicked)
	if err != nil {
		return nil, err
	}
	var out []AlertCard
	for rows.Next() {
		var c AlertCard
		if err := rows.Scan(&c.DigestID, &c.Recipient, &c.TaskID, &c.ResponseCode, &c.Updated); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, c := range out {
		if _, err := tx.ExecContext(ctx, `UPDATE alert_deliveries SET updated = 1 WHERE task_id = ?`, c.TaskID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// TakeAlertCard marks one card as updated; taken is false when it already was (its code is used up).
func (tx *Tx) TakeAlertCard(ctx context.Context, taskID string) (taken bool, err error) {
	res, err := tx.ExecContext(ctx, `UPDATE alert_deliveries SET updated = 1 WHERE task_id = ? AND updated = 0`, taskID)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// AlertSilence keeps a rule's alerts from being pushed until Until.
type AlertSilence struct {
	ID        int64
	Rule      string
	Reason    string
	CreatedBy string
	CreatedAt time.Time
	Until     time.Time
	RemovedBy string
	RemovedAt time.Time
	InboxID   int64 // the callback that created it; 0 for none
}

// AddAlertSilence stores a silence in its own transaction. When one was already created by the same callback
// (InboxID), that one is returned in s and existed is true.
func (db *DB) AddAlertSilence(ctx context.Context, s *AlertSilence) (existed bool, err error) {
	defer db.writeLock()()
	stx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer stx.Rollback()
	tx := &Tx{Tx: stx, db: db, Now: db.Now()}
	existed, err = tx.AddAlertSilence(ctx, s)
	if err != nil {
		return false, err
	}
	return existed, stx.Commit()
}

// AddAlertSilence stores a silence inside a transaction (see DB.AddAlertSilence). CreatedAt is the
// transaction's clock when zero.
func (tx *Tx) AddAlertSilence(ctx context.Context, s *AlertSilence) (existed bool, err error) {
	if s.Rule == "" || s.CreatedBy == "" || s.Until.IsZero() {
		return false, errors.New("db: a silence needs a rule, its creator and an end")
	}
	if s.InboxID != 0 {
		prior, err := silenceByInbox(ctx, tx, s.InboxID)
		if err != nil {
			return false, err
		}
		if prior != nil {
			*s = *prior
			return true, nil
		}
	}
	if s.CreatedAt.IsZero() {
		s.CreatedAt = tx.Now
	}
	s.CreatedAt = time.Unix(s.CreatedAt.Unix(), 0)
	res, err := tx.ExecContext(ctx, `INSERT INTO alert_silences (rule, reason, created_by, created_at, until_at, inbox_id)
		VALUES (?, ?, ?, ?, ?, NULLIF(?, 0))`, s.Rule, s.Reason, s.CreatedBy, s.CreatedAt.Unix(), s.Until.Unix(), s.InboxID)
	if err != nil {
		return false, fmt.Errorf("db: store silence: %w", err)
	}
	s.ID, _ = res.LastInsertId()
	s.Until = time.Unix(s.Until.Unix(), 0)
	return false, nil
}

const silenceColumns = `id, rule, reason, created_by, created_at, until_at, COALESCE(removed_by, ''), removed_at, COALESCE(inbox_id, 0)`

func scanSilence(sc interface{ Scan(...any) error }) (*AlertSilence, error) {
	var s AlertSilence
	var created, until int64
	var removed sql.NullInt64
	if err := sc.Scan(&s.ID, &s.Rule, &s.Reason, &s.CreatedBy, &created, &until, &s.RemovedBy, &removed, &s.InboxID); err != nil {
		return nil, err
	}
	s.CreatedAt, s.Until = time.Unix(created, 0), time.Unix(until, 0)
	if removed.Valid {
		s.RemovedAt = time.Unix(removed.Int64, 0)
	}
	return &s, nil
}

func silenceByInbox(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, inboxID int64) (*AlertSilence, error) {
	s, err := scanSilence(q.QueryRowContext(ctx, `SELECT `+silenceColumns+` FROM alert_silences WHERE inbox_id = ?`, inboxID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return s, err
}

// AlertSilenceByInbox returns the silence a callback created, or nil.
func (db *DB) AlertSilenceByInbox(ctx context.Context, inboxID int64) (*AlertSilence, error) {
	return silenceByInbox(ctx, db.sql, inboxID)
}

// ActiveAlertSilences returns the silences in force now (DB.Now), soonest ending first.
func (db *DB) ActiveAlertSilences(ctx context.Context) ([]*AlertSilence, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+silenceColumns+` FROM alert_silences
		WHERE removed_at IS NULL AND until_at > ? ORDER BY until_at, id`, db.now())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*AlertSilence
	for rows.Next() {
		s, err := scanSilence(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// EndAlertSilence ends an active silence now, recording who ended it. ErrAlertNotFound when there is no active
// silence with that id.
func (db *DB) EndAlertSilence(ctx context.Context, id int64, by string) (*AlertSilence, error) {
	defer db.writeLock()()
	stx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer stx.Rollback()
	now := db.now()
	res, err := stx.ExecContext(ctx, `UPDATE alert_silences SET removed_by = ?, removed_at = ?
		WHERE id = ? AND removed_at IS NULL AND until_at > ?`, by, now, id, now)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, ErrAlertNotFound
	}
	s, err := scanSilence(stx.QueryRowContext(ctx, `SELECT `+silenceColumns+` FROM alert_silences WHERE id = ?`, id))
	if err != nil {
		return nil, err
	}
	return s, stx.Commit()
}

// GetAlertSilence returns a silence by id, or ErrAlertNotFound.
func (db *DB) GetAlertSilence(ctx context.Context, id int64) (*AlertSilence, error) {
	s, err := scanSilence(db.sql.QueryRowContext(ctx, `SELECT `+silenceColumns+` FROM alert_silences WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrAlertNotFound
	}
	return s, err
}

// PinDomainIPBaseline records, for the security callback inboxID, the snapshot it is compared with (prev, nil
// for none). If the callback already pinned one (it is being replayed), that one is returned instead, so a
// replay reports the same difference even though the new list was saved as the latest snapshot meanwhile.
func (db *DB) PinDomainIPBaseline(ctx context.Context, inboxID int64, prev []byte, prevAt time.Time) (pinned []byte, pinnedAt time.Time, err error) {
	defer db.writeLock()()
	stx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer stx.Rollback()
	var body sql.NullString
	var at sql.NullInt64
	err = stx.QueryRowContext(ctx, `SELECT prev, prev_at FROM alert_domain_events WHERE inbox_id = ?`, inboxID).Scan(&body, &at)
	switch {
	case err == nil:
		if !body.Valid {
			return nil, time.Time{}, nil
		}
		return []byte(body.String), time.Unix(at.Int64, 0), nil
	case !errors.Is(err, sql.ErrNoRows):
		return nil, time.Time{}, err
	}
	var pb any
	var pa any
	if prev != nil {
		pb, pa = string(prev), prevAt.Unix()
	}
	if _, err := stx.ExecContext(ctx, `INSERT INTO alert_domain_events (inbox_id, prev, prev_at, created_at) VALUES (?, ?, ?, ?)`,
		inboxID, pb, pa, db.now()); err != nil {
		return nil, time.Time{}, err
	}
	if err := stx.Commit(); err != nil {
		return nil, time.Time{}, err
	}
	if prev == nil {
		return nil, time.Time{}, nil
	}
	return prev, time.Unix(prevAt.Unix(), 0), nil
}
