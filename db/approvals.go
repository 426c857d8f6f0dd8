package db

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// Application states.
const (
	AppPending  = "pending"  // received; not yet taken over with set_approval_detail
	AppTaken    = "taken"    // taken over: approvers have their cards
	AppDeciding = "deciding" // a decision claimed the row and is calling WeCom
	AppApproved = "approved"
	AppRejected = "rejected"
	AppClosed   = "closed" // finished by WeCom (admin decision, allocation, withdrawal)
	AppLapsed   = "lapsed" // WeCom's 24 h window passed before the take-over succeeded
)

// Application is a member application for an advanced-feature account.
type Application struct {
	ApplyID      string
	Applicant    string
	BusinessType int
	Reason       string
	SubmittedAt  time.Time
	State        string
	Attempts     int
	NextAttempt  time.Time
	LastError    string
	TakenAt      time.Time
	Approvers    []string
	DecidedBy    string
	DecidedAt    time.Time
	DecisionNote string
	Allocation   string
	FinishType   int
	ClosedAt     time.Time
	RemindedAt   time.Time
}

const appColumns = `apply_id, applicant, business_type, reason, submitted_at, state, attempts, next_attempt_at,
	COALESCE(last_error, ''), COALESCE(taken_at, 0), approvers, COALESCE(decided_by, ''), COALESCE(decided_at, 0),
	COALESCE(decision_note, ''), COALESCE(allocation, ''), COALESCE(finish_type, 0), COALESCE(closed_at, 0),
	COALESCE(reminded_at, 0)`

func scanApp(sc interface{ Scan(...any) error }) (*Application, error) {
	a := &Application{}
	var submitted, next, taken, decided, closed, reminded int64
	var approvers string
	if err := sc.Scan(&a.ApplyID, &a.Applicant, &a.BusinessType, &a.Reason, &submitted, &a.State, &a.Attempts, &next,
		&a.LastError, &taken, &approvers, &a.DecidedBy, &decided, &a.DecisionNote, &a.Allocation, &a.FinishType, &closed,
		&reminded); err != nil {
		return nil, err
	}
	a.SubmittedAt, a.NextAttempt = time.Unix(submitted, 0), time.Unix(next, 0)
	unix := func(s int64) time.Time {
		if s == 0 {
			return time.Time{}
		}
		return time.Unix(s, 0)
	}
	a.TakenAt, a.DecidedAt, a.ClosedAt, a.RemindedAt = unix(taken), unix(decided), unix(closed), unix(reminded)
	if approvers != "" {
		a.Approvers = strings.Split(approvers, "|")
	}
	return a, nil
}

// AddApplication records a submitted application inside the callback's transaction. A redelivered event
// for the same apply_id changes nothing.
func (tx *Tx) AddApplication(ctx context.Context, a *Application) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO applications (apply_id, applicant, business_type, reason, submitted_at, next_attempt_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (apply_id) DO NOTHING`,
		a.ApplyID, a.Applicant, a.BusinessType, a.Reason, a.SubmittedAt.Unix(), tx.Now.Unix())
	return err
}

// GetApplication returns one application, or nil.
func (db *DB) GetApplication(ctx context.Context, applyID string) (*Application, error) {
	a, err := scanApp(db.sql.QueryRowContext(ctx, `SELECT `+appColumns+` FROM applications WHERE apply_id = ?`, applyID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return a, err
}

// DueTakeovers returns pending applications whose take-over attempt is due, oldest first.
func (db *DB) DueTakeovers(ctx context.Context, limit int) ([]*Application, error) {
	return db.listApps(ctx, `WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY submitted_at LIMIT ?`, db.now(), limit)
}

// AppsInState returns applications in a state, oldest first.
func (db *DB) AppsInState(ctx context.Context, state string, limit int) ([]*Application, error) {
	return db.listApps(ctx, `WHERE state = ? ORDER BY submitted_at LIMIT ?`, state, limit)
}

func (db *DB) listApps(ctx context.Context, where string, args ...any) ([]*Application, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+appColumns+` FROM applications `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Application
	for rows.Next() {
		a, err := scanApp(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// RetryTakeover records a failed take-over attempt, due again at `at`.
func (db *DB) RetryTakeover(ctx context.Context, applyID, reason string, at time.Time) error {
	defer db.writeLock()()
	_, err := db.sql.ExecContext(ctx, `UPDATE applications SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?
		WHERE apply_id = ? AND state = 'pending'`, truncate(reason, 1000), dueUnix(at), applyID)
	return err
}

// LapseApplication marks an application whose 24 h window passed before it could be taken over.
func (db *DB) LapseApplication(ctx context.Context, applyID, reason string) (bool, error) {
	defer db.writeLock()()
	res, err := db.sql.ExecContext(ctx, `UPDATE applications SET state = 'lapsed', last_error = ?, closed_at = ?
		WHERE apply_id = ? AND state = 'pending'`, truncate(reason, 1000), db.now(), applyID)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Tx runs f in a write transaction of its own (for effects that do not complete a callback).
func (db *DB) Tx(ctx context.Context, f func(ctx context.Context, tx *Tx) error) error {
	defer db.writeLock()()
	stx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer stx.Rollback()
	if err := f(ctx, &Tx{Tx: stx, db: db, Now: db.Now()}); err != nil {
		return err
	}
	return stx.Commit()
}

// MarkTaken records a successful take-over and the approvers the cards go to.
func (tx *Tx) MarkTaken(ctx context.Context, applyID string, approvers []string) error {
	_, err := tx.ExecContext(ctx, `UPDATE applications SET state = 'taken', taken_at = ?, approvers = ?, last_error = NULL
		WHERE apply_id = ? AND state = 'pending'`, tx.Now.Unix(), strings.Join(approvers, "|"), applyID)
	return err
}

// ClaimDecision claims an undecided application for one decision: of concurrent claims, exactly one
// succeeds. It returns false, with the row as it stands, when another decision (or WeCom) got there first.
func (db *DB) ClaimDecision(ctx context.Context, applyID, approver, note string) (bool, *Application, error) {
	unlock := db.writeLock()
	res, err := db.sql.ExecContext(ctx, `UPDATE applications SET state = 'deciding', decided_by = ?, decided_at = ?, decision_note = ?
		WHERE apply_id = ? AND state IN ('pending', 'taken')`, approver, db.now(), note, applyID)
	unlock()
	if err != nil {
		return false, nil, err
	}
	n, _ := res.RowsAffected()
	a, err := db.GetApplication(ctx, applyID)
	return n == 1, a, err
}

// A claimed decision is a row in state 'deciding', or one WeCom's finish event closed while the decision was
// in flight (CloseApplication leaves who was deciding it): WeCom may close an application as a consequence of
// the decision itself (an account allocated), before the bot has recorded it.
const claimedDecision = `(state = 'deciding' OR (state = 'closed' AND decided_by IS NOT NULL))`

// ReleaseDecision undoes a claim whose WeCom call failed, so the application can be decided again (or, closed
// by WeCom meanwhile, stays closed with nobody named as deciding it).
func (db *DB) ReleaseDecision(ctx context.Context, applyID string) error {
	defer db.writeLock()()
	_, err := db.sql.ExecContext(ctx, `UPDATE applications SET
		state = CASE WHEN state = 'closed' THEN 'closed' WHEN taken_at IS NULL THEN 'pending' ELSE 'taken' END,
		decided_by = NULL, decided_at = NULL, decision_note = NULL WHERE apply_id = ? AND `+claimedDecision, applyID)
	return err
}

// ErrNotDeciding is FinishDecision's answer for an application no decision holds a claim on (another
// decision, or the sweep, recorded it first): nothing of the caller's transaction may be kept.
var ErrNotDeciding = errors.New("db: the application is not being decided")

// FinishDecision records the outcome of a claimed decision. A finish event WeCom sent while it was in flight
// stays recorded (finish_type, closed_at) under the bot's decision, as CloseApplication keeps it for a decided
// application.
func (tx *Tx) FinishDecision(ctx context.Context, applyID, state, allocation string) error {
	res, err := tx.ExecContext(ctx, `UPDATE applications SET state = ?, allocation = NULLIF(?, '') WHERE apply_id = ? AND `+claimedDecision,
		state, allocation, applyID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNotDeciding
	}
	return nil
}

// CloseApplication records WeCom's finish event. A decision the bot made stays recorded as it was.
func (tx *Tx) CloseApplication(ctx context.Context, applyID string, finishType int) error {
	_, err := tx.ExecContext(ctx, `UPDATE applications SET state = CASE WHEN state IN ('approved', 'rejected') THEN state ELSE 'closed' END,
		finish_type = ?, closed_at = ? WHERE apply_id = ?`, finishType, tx.Now.Unix(), applyID)
	return err
}

// MarkReminded records that the approvers were reminded.
func (tx *Tx) MarkReminded(ctx context.Context, applyID string) error {
	_, err := tx.ExecContext(ctx, `UPDATE applications SET reminded_at = ? WHERE apply_id = ?`, tx.Now.Unix(), applyID)
	return err
}

// AppFilter selects applications from the bot's own record. Zero fields select everything.
type AppFilter struct {
	States       []string // any of these states
	BusinessType int      // 1 mail 2 docs 3 drive 4 meetings
	Applicant    string   // compared case-insensitively, as WeCom compares userids
}

// ListApplications returns one page of the applications the bot has recorded (from WeCom's
// submit_vip_account_approval callbacks), newest first, and how many match in all.
func (db *DB) ListApplications(ctx context.Context, f AppFilter, limit, offset int) ([]*Application, int, error) {
	var where []string
	var args []any
	if len(f.States) > 0 {
		where = append(where, "state IN (?"+strings.Repeat(", ?", len(f.States)-1)+")")
		for _, s := range f.States {
			args = append(args, s)
		}
	}
	if f.BusinessType != 0 {
		where = append(where, "business_type = ?")
		args = append(args, f.BusinessType)
	}
	if f.Applicant != "" {
		where = append(where, "applicant = ? COLLATE NOCASE")
		args = append(args, f.Applicant)
	}
	clause := ""
	if len(where) > 0 {
		clause = "WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM applications `+clause, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	apps, err := db.listApps(ctx, clause+` ORDER BY submitted_at DESC, apply_id DESC LIMIT ? OFFSET ?`,
		append(args, limit, offset)...)
	return apps, total, err
}
