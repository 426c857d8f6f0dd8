package db

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"strings"
	"time"
)

// The audit trail is append-only and hash-chained. Row n's hash is
//
//	hash(n) = scheme ":" hex(H(msg(n)))
//	msg(n)  = str("wecombot/audit/v1") str(prev_hash) int(seq) int(at) str(actor) str(command) str(args)
//	          str(decision) opt(errcode) str(result) int(duration_ms) opt(inbox_id)
//
// where str(s) is len(s) as 8 bytes big-endian followed by the bytes of s, int(n) is n as 8 bytes big-endian
// two's complement, and opt(n) is the byte 0 for NULL or the byte 1 followed by int(n). Every value is the
// column exactly as stored: args is the stored JSON text (written by encoding/json from a map, hence with
// sorted keys), so verifying never depends on re-encoding. prev_hash is "" for row 1. H is SHA-256 (scheme
// "sha256") or, when an audit key is set, HMAC-SHA256 with that key (scheme "hmac-sha256"). Length prefixes
// make the encoding unambiguous: no two different rows give the same message.
//
// What the chain detects, and what it cannot:
//   - An edited field, a deleted row, a row inserted or moved anywhere but at the end, and a wrong hash: the
//     chain breaks at that row.
//   - Without a key, someone with write access to the file can edit a row and recompute every hash after it;
//     the chain is then intact. With a key, they cannot compute valid hashes without it.
//   - Deleting the newest rows (truncation), or replacing the whole table or file, leaves a valid but shorter
//     chain: nothing inside the database can show that rows are missing at the end. The head hash reported by
//     VerifyAudit must therefore be anchored outside the database (logged daily, sent to a SIEM, written down),
//     and a later head must extend the anchored one: an anchored (seq, hash) that no longer matches is tampering.
//     The same anchor defeats the recompute attack on an unkeyed chain.
//   - A trail is keyed or not from its first row: with a key set, every row must be keyed, or someone without
//     the key could rewrite it as a plain chain. So the key must be set before the first audited action; a
//     database whose trail was started without one keeps it that way (CheckAuditKey reports the mismatch).
//   - The UPDATE/DELETE triggers stop accidents, not attackers: anyone who can write the file can drop them.
const (
	auditDomain  = "wecombot/audit/v1"
	schemeSHA256 = "sha256:"
	schemeHMAC   = "hmac-sha256:"

	// maxAuditResult bounds the stored result; the audit trail records outcomes, not payloads.
	maxAuditResult = 500
	// MinAuditKeyLen is the shortest audit key accepted: the key must resist offline guessing by someone who
	// holds the database file, which gives them known plaintexts.
	MinAuditKeyLen = 16
)

// Decisions: what became of an audited action.
const (
	DecisionOK        = "ok"        // done
	DecisionDenied    = "denied"    // refused by the access check
	DecisionFailed    = "failed"    // attempted and failed (ErrCode holds WeCom's errcode, if any)
	DecisionCancelled = "cancelled" // the user declined the confirmation
	DecisionProposed  = "proposed"  // awaiting confirmation
	DecisionExpired   = "expired"   // the confirmation timed out
	DecisionPartial   = "partial"   // a batch that did some of what was asked (Result names the failures)
)

func validDecision(d string) bool {
	switch d {
	case DecisionOK, DecisionDenied, DecisionFailed, DecisionCancelled, DecisionProposed, DecisionExpired, DecisionPartial:
		return true
	}
	return false
}

// AuditEntry is one row of the audit trail.
type AuditEntry struct {
	Seq      int64     // set by AppendAudit: 1, 2, 3, … without gaps
	At       time.Time // default: the transaction's clock; stored in whole seconds
	Actor    string    // WeCom userid, or "sys" for the bot's own actions
	Command  string    // command path, e.g. "order approve"
	Args     map[string]string
	Decision string // one of the Decision constants
	ErrCode  int    // WeCom errcode; 0 for none
	Result   string // short outcome for people; truncated to 500 bytes
	Duration time.Duration
	InboxID  int64 // the callback behind the action; 0 for none

	PrevHash, Hash string // set by AppendAudit
}

// Errors of a mismatch between the audit key setting and the trail in the database. Appending refuses both, so
// that a lost or newly added key is noticed at once instead of weakening the chain or breaking its verification.
var (
	// ErrAuditKeyRequired: the trail is HMAC-keyed and no audit key is set; it can be neither verified nor
	// extended without the key.
	ErrAuditKeyRequired = errors.New("db: the audit trail is keyed (HMAC-SHA256): set the audit key")
	// ErrAuditUnkeyed: an audit key is set but the trail was started without one. A key can only be adopted by a
	// database whose trail is empty; keep the old database (verifiable without the key) and start a new one.
	ErrAuditUnkeyed = errors.New("db: the audit trail was started without an audit key; a key can only be set " +
		"before the first audited action")
)

// SetAuditKey makes the audit chain an HMAC-SHA256 chain, so that nobody without the key can recompute hashes
// after an edit. Call it once, after Open and before any append or verify (it is not synchronised), then
// CheckAuditKey. An empty key means none. A key shorter than MinAuditKeyLen bytes is refused: use a random one,
// like the output of `openssl rand -base64 32`.
func (db *DB) SetAuditKey(k []byte) error {
	if len(k) > 0 && len(k) < MinAuditKeyLen {
		return fmt.Errorf("db: audit key too short: %d bytes, need at least %d", len(k), MinAuditKeyLen)
	}
	if len(k) == 0 {
		db.auditKey = nil
		return nil
	}
	db.auditKey = append([]byte(nil), k...)
	return nil
}

// CheckAuditKey reports whether the audit key setting fits the trail in the database: ErrAuditKeyRequired or
// ErrAuditUnkeyed if not. Call it at start-up, so that a mismatch stops the bot there rather than failing
// every audited action.
func (db *DB) CheckAuditKey(ctx context.Context) error {
	var head string
	err := db.sql.QueryRowContext(ctx, `SELECT hash FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&head)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return checkScheme(db.auditKey, head)
}

// checkScheme checks that a row hashed with key may follow the row whose hash is head.
func checkScheme(key []byte, head string) error {
	switch {
	case head == "":
		return nil
	case key == nil && strings.HasPrefix(head, schemeHMAC):
		return ErrAuditKeyRequired
	case key != nil && !strings.HasPrefix(head, schemeHMAC):
		return ErrAuditUnkeyed
	}
	return nil
}

// auditRow is a row as stored, which is exactly what its hash covers.
type auditRow struct {
	seq, at    int64
	actor      string
	command    string
	args       string
	decision   string
	errcode    sql.NullInt64
	result     string
	durationMS int64
	inboxID    sql.NullInt64
	prevHash   string
}

// hash computes the row's hash: HMAC-SHA256 with key, SHA-256 without.
func (r *auditRow) hash(key []byte) string {
	var b []byte
	putStr := func(s string) {
		b = binary.BigEndian.AppendUint64(b, uint64(len(s)))
		b = append(b, s...)
	}
	putInt := func(n int64) { b = binary.BigEndian.AppendUint64(b, uint64(n)) }
	putOpt := func(n sql.NullInt64) {
		if !n.Valid {
			b = append(b, 0)
			return
		}
		b = append(b, 1)
		putInt(n.Int64)
	}
	putStr(auditDomain)
	putStr(r.prevHash)
	putInt(r.seq)
	putInt(r.at)
	putStr(r.actor)
	putStr(r.command)
	putStr(r.args)
	putStr(r.decision)
	putOpt(r.errcode)
	putStr(r.result)
	putInt(r.durationMS)
	putOpt(r.inboxID)

	var h hash.Hash
	scheme := schemeSHA256
	if key != nil {
		h, scheme = hmac.New(sha256.New, key), schemeHMAC
	} else {
		h = sha256.New()
	}
	h.Write(b)
	return scheme + hex.EncodeToString(h.Sum(nil))
}

func nullable(n int64) sql.NullInt64 { return sql.NullInt64{Int64: n, Valid: n != 0} }

// AppendAudit appends e to the audit trail inside the transaction, so that an action and its audit row commit
// or roll back together: a failed append fails the action. It fills e.Seq, e.At (the transaction's clock if
// zero, then truncated to the stored second), e.PrevHash and e.Hash.
//
// Appends are serialised by the write lock every transaction takes at BEGIN; the seq primary key would turn a
// forked chain into a constraint error even without it.
func (tx *Tx) AppendAudit(ctx context.Context, e *AuditEntry) error {
	if e.Actor == "" || e.Command == "" {
		return errors.New("db: audit entry needs an actor and a command")
	}
	if !validDecision(e.Decision) {
		return fmt.Errorf("db: audit entry has an unknown decision %q", e.Decision)
	}
	args := e.Args
	if args == nil {
		args = map[string]string{} // "{}", not "null": one encoding for "no arguments"
	}
	argsJSON, err := json.Marshal(args) // maps marshal with sorted keys: the stored text is canonical
	if err != nil {
		return fmt.Errorf("db: audit args: %w", err)
	}
	if e.At.IsZero() {
		e.At = tx.Now
	}

	var last auditRow
	err = tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&last.seq, &last.prevHash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("db: audit head: %w", err)
	}
	key := tx.db.auditKey
	if err := checkScheme(key, last.prevHash); err != nil {
		return err
	}
	r := auditRow{
		seq:        last.seq + 1,
		at:         e.At.Unix(),
		actor:      e.Actor,
		command:    e.Command,
		args:       string(argsJSON),
		decision:   e.Decision,
		errcode:    nullable(int64(e.ErrCode)),
		result:     truncate(e.Result, maxAuditResult),
		durationMS: e.Duration.Milliseconds(),
		inboxID:    nullable(e.InboxID),
		prevHash:   last.prevHash,
	}
	h := r.hash(key)
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit (seq, at, actor, command, args, decision, errcode, result,
		duration_ms, inbox_id, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.seq, r.at, r.actor, r.command, r.args, r.decision, r.errcode, r.result, r.durationMS, r.inboxID,
		r.prevHash, h); err != nil {
		return fmt.Errorf("db: audit append: %w", err)
	}
	e.Seq, e.At, e.Result, e.PrevHash, e.Hash = r.seq, time.Unix(r.at, 0), r.result, r.prevHash, h
	return nil
}

// AppendAudit appends e to the audit trail in a transaction of its own, for actions with no other effects in
// the database (a denied command, an expired confirmation).
func (db *DB) AppendAudit(ctx context.Context, e *AuditEntry) error {
	defer db.writeLock()()
	stx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer stx.Rollback()
	if err := (&Tx{Tx: stx, db: db, Now: db.Now()}).AppendAudit(ctx, e); err != nil {
		return err
	}
	return stx.Commit()
}

// AuditReport is the outcome of VerifyAudit.
type AuditReport struct {
	// Rows is how many rows verified: all of them when the chain is intact, those before BrokenAt otherwise.
	Rows int64
	// Head is the hash of the last verified row. Anchor it outside the database (see the package notes above
	// auditDomain): it is the only defence against truncation, and against recomputing an unkeyed chain.
	Head string
	// BrokenAt is the seq of the first row that fails, or of the first missing row; 0 when intact.
	BrokenAt int64
	// Reason says why the chain breaks at BrokenAt.
	Reason string
}

// VerifyAudit walks the whole trail in seq order, recomputing every hash, and reports the first break. It streams
// the rows in one read (a consistent snapshot in WAL mode, which appends do not block) rather than loading them.
//
// With an audit key set, every row must be keyed. Without one, it returns ErrAuditKeyRequired on reaching a
// keyed row, with the report so far: nothing is known to be broken, but the rest cannot be checked.
func (db *DB) VerifyAudit(ctx context.Context) (AuditReport, error) {
	var rep AuditReport
	rows, err := db.sql.QueryContext(ctx, `SELECT seq, at, actor, command, args, decision, errcode, result,
		duration_ms, inbox_id, prev_hash, hash FROM audit ORDER BY seq`)
	if err != nil {
		return rep, err
	}
	defer rows.Close()
	broken := func(seq int64, format string, args ...any) (AuditReport, error) {
		rep.BrokenAt, rep.Reason = seq, fmt.Sprintf(format, args...)
		return rep, nil
	}
	for rows.Next() {
		var r auditRow
		var stored string
		if err := rows.Scan(&r.seq, &r.at, &r.actor, &r.command, &r.args, &r.decision, &r.errcode, &r.result,
			&r.durationMS, &r.inboxID, &r.prevHash, &stored); err != nil {
			return rep, err
		}
		want := rep.Rows + 1
		switch {
		case r.seq > want && want == r.seq-1:
			return broken(want, "row %d is missing (the next row is %d)", want, r.seq)
		case r.seq > want:
			return broken(want, "rows %d to %d are missing", want, r.seq-1)
		case r.seq < want: // only possible with seq <= 0
			return broken(r.seq, "row has seq %d; seqs start at 1", r.seq)
		}
		if r.prevHash != rep.Head {
			return broken(r.seq, "its prev_hash does not match the hash of row %d: a row was deleted, inserted or moved",
				r.seq-1)
		}
		key := db.auditKey
		switch {
		case strings.HasPrefix(stored, schemeHMAC):
			if key == nil {
				return rep, fmt.Errorf("audit row %d: %w", r.seq, ErrAuditKeyRequired)
			}
		case strings.HasPrefix(stored, schemeSHA256):
			if key != nil {
				// A keyed trail is keyed from row 1 (appending enforces it), so a plain row after a keyed one was
				// written by someone without the key. A plain row 1 may also be a trail started without a key.
				if r.seq == 1 {
					return broken(r.seq, "it is not keyed although the audit key is set: the trail was started "+
						"without a key, or rewritten by someone without it")
				}
				return broken(r.seq, "it is not keyed although the audit key is set: rewritten without the key")
			}
		default:
			return broken(r.seq, "its hash %q has an unknown scheme", stored)
		}
		if got := r.hash(key); !hmac.Equal([]byte(got), []byte(stored)) {
			reason := "its content does not match its hash: the row was edited"
			if key != nil {
				reason += ", or the audit key is wrong"
			}
			return broken(r.seq, "%s", reason)
		}
		rep.Rows++
		rep.Head = stored
	}
	return rep, rows.Err()
}

// AuditFilter selects audit entries. Empty fields match everything.
type AuditFilter struct {
	Actor    string
	Command  string    // a command path, or a prefix of whole words: "order" matches "order approve"
	Decision string    // one of the Decision constants
	Since    time.Time // entries at or after this time
	Limit    int       // default 20, at most 200
	Before   int64     // entries with a seq below this one (the next page of a long read); 0 for none
}

// ListAudit returns the entries matching f, newest first.
func (db *DB) ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	if f.Decision != "" && !validDecision(f.Decision) {
		return nil, fmt.Errorf("db: unknown audit decision %q (want ok, partial, denied, failed, cancelled, proposed or expired)",
			f.Decision)
	}
	switch {
	case f.Limit <= 0:
		f.Limit = 20
	case f.Limit > 200:
		f.Limit = 200
	}
	var where []string
	var args []any
	if f.Actor != "" {
		where, args = append(where, "actor = ?"), append(args, f.Actor)
	}
	if f.Command != "" {
		// substr instead of LIKE: command paths may hold '_' or '%', which LIKE would take as wildcards.
		where = append(where, "(command = ? OR substr(command, 1, ?) = ?)")
		args = append(args, f.Command, len(f.Command)+1, f.Command+" ")
	}
	if f.Decision != "" {
		where, args = append(where, "decision = ?"), append(args, f.Decision)
	}
	if !f.Since.IsZero() {
		where, args = append(where, "at >= ?"), append(args, f.Since.Unix())
	}
	if f.Before > 0 {
		where, args = append(where, "seq < ?"), append(args, f.Before)
	}
	q := `SELECT seq, at, actor, command, args, decision, COALESCE(errcode, 0), result, duration_ms,
		COALESCE(inbox_id, 0), prev_hash, hash FROM audit`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ") // only the fixed clauses above; values are parameters
	}
	q += " ORDER BY seq DESC LIMIT ?"
	args = append(args, f.Limit)

	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at, ms int64
		var argsJSON string
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Command, &argsJSON, &e.Decision, &e.ErrCode, &e.Result, &ms,
			&e.InboxID, &e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(argsJSON), &e.Args); err != nil {
			return nil, fmt.Errorf("db: audit row %d: args: %w", e.Seq, err)
		}
		e.At, e.Duration = time.Unix(at, 0), time.Duration(ms)*time.Millisecond
		out = append(out, e)
	}
	return out, rows.Err()
}

// AuditHashAt returns the stored hash of row seq, to compare with an anchored head; sql.ErrNoRows if there is
// no such row (a trail truncated below the anchor).
func (db *DB) AuditHashAt(ctx context.Context, seq int64) (string, error) {
	var h string
	err := db.sql.QueryRowContext(ctx, `SELECT hash FROM audit WHERE seq = ?`, seq).Scan(&h)
	return h, err
}
