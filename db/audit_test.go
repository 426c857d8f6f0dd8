package db_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wecombot/wecombot/db"
)

// testAuditKey is an HMAC key for keyed trails.
var testAuditKey = []byte("0123456789abcdef0123456789abcdef")

// auditEntry is the i'th entry of a test trail: varied actors, commands and decisions, arguments with characters
// JSON escapes, and errcodes on failures.
func auditEntry(i int) *db.AuditEntry {
	actors := []string{"zhangsan", "lisi", "wangwu"}
	commands := []string{"order approve", "order reject", "device delete", "vip add"}
	decisions := []string{db.DecisionOK, db.DecisionDenied, db.DecisionFailed, db.DecisionProposed, db.DecisionOK}
	e := &db.AuditEntry{
		Actor:    actors[i%len(actors)],
		Command:  commands[i%len(commands)],
		Args:     map[string]string{"id": fmt.Sprintf("OR%05d", i), "reason": `renewal <&> "q"`},
		Decision: decisions[i%len(decisions)],
		Result:   fmt.Sprintf("result %d", i),
		Duration: time.Duration(i) * time.Millisecond,
	}
	if e.Decision == db.DecisionFailed {
		e.ErrCode = 60011
	}
	return e
}

// appendTrail appends entries 1..n, one a minute. Every fourth goes through CompleteInbox, as an audited
// command answering a callback does; the rest through DB.AppendAudit.
func appendTrail(t *testing.T, d *db.DB, now *time.Time, n int) []*db.AuditEntry {
	t.Helper()
	ctx := t.Context()
	var out []*db.AuditEntry
	for i := 1; i <= n; i++ {
		*now = now.Add(time.Minute)
		e := auditEntry(i)
		if i%4 == 0 {
			if _, err := d.Enqueue(ctx, item(fmt.Sprintf("audit-%d", i), e.Actor)); err != nil {
				t.Fatal(err)
			}
			items, err := d.ClaimInbox(ctx, 1)
			if err != nil || len(items) != 1 {
				t.Fatalf("ClaimInbox = %v, %v", items, err)
			}
			e.InboxID = items[0].ID
			if err := d.CompleteInbox(ctx, items[0].ID, func(ctx context.Context, tx *db.Tx) error {
				return tx.AppendAudit(ctx, e)
			}); err != nil {
				t.Fatalf("CompleteInbox with AppendAudit: %v", err)
			}
		} else if err := d.AppendAudit(ctx, e); err != nil {
			t.Fatalf("AppendAudit(%d): %v", i, err)
		}
		out = append(out, e)
	}
	return out
}

// mustVerify verifies and fails the test on an error.
func mustVerify(t *testing.T, d *db.DB) db.AuditReport {
	t.Helper()
	rep, err := d.VerifyAudit(t.Context())
	if err != nil {
		t.Fatalf("VerifyAudit: %v", err)
	}
	return rep
}

func mustExec(t *testing.T, d *db.DB, q string, args ...any) {
	t.Helper()
	if _, err := d.SQL().ExecContext(t.Context(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// dropTriggers removes the append-only guard, as anyone with write access to the file can.
func dropTriggers(t *testing.T, d *db.DB) {
	t.Helper()
	mustExec(t, d, `DROP TRIGGER audit_no_update`)
	mustExec(t, d, `DROP TRIGGER audit_no_delete`)
}

// The attacker's view: the hash encoding as documented in db/audit.go, implemented again from the doc. Since
// the tests compare it with what AppendAudit writes, it also checks that the doc is right.

type rawRow struct {
	seq, at                                int64
	actor, command, args, decision, result string
	errcode, inboxID                       sql.NullInt64
	ms                                     int64
	prev, hash                             string
}

func readRows(t *testing.T, d *db.DB) []rawRow {
	t.Helper()
	rows, err := d.SQL().QueryContext(t.Context(), `SELECT seq, at, actor, command, args, decision, errcode, result,
		duration_ms, inbox_id, prev_hash, hash FROM audit ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []rawRow
	for rows.Next() {
		var r rawRow
		if err := rows.Scan(&r.seq, &r.at, &r.actor, &r.command, &r.args, &r.decision, &r.errcode, &r.result,
			&r.ms, &r.inboxID, &r.prev, &r.hash); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func documentedHash(key []byte, r rawRow) string {
	var msg []byte
	str := func(s string) { msg = append(binary.BigEndian.AppendUint64(msg, uint64(len(s))), s...) }
	num := func(n int64) { msg = binary.BigEndian.AppendUint64(msg, uint64(n)) }
	opt := func(n sql.NullInt64) {
		if n.Valid {
			msg = append(msg, 1)
			num(n.Int64)
		} else {
			msg = append(msg, 0)
		}
	}
	str("wecombot/audit/v1")
	str(r.prev)
	num(r.seq)
	num(r.at)
	str(r.actor)
	str(r.command)
	str(r.args)
	str(r.decision)
	opt(r.errcode)
	str(r.result)
	num(r.ms)
	opt(r.inboxID)
	if key == nil {
		sum := sha256.Sum256(msg)
		return "sha256:" + hex.EncodeToString(sum[:])
	}
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return "hmac-sha256:" + hex.EncodeToString(m.Sum(nil))
}

// rechain recomputes prev_hash and hash of every row from seq `from` on, with key (nil: plain SHA-256): the
// attack that makes an edit invisible to the chain alone.
func rechain(t *testing.T, d *db.DB, key []byte, from int64) {
	t.Helper()
	prev := ""
	for _, r := range readRows(t, d) {
		if r.seq >= from {
			r.prev = prev
			r.hash = documentedHash(key, r)
			mustExec(t, d, `UPDATE audit SET prev_hash = ?, hash = ? WHERE seq = ?`, r.prev, r.hash, r.seq)
		}
		prev = r.hash
	}
}

// shiftSeq moves rows with seq >= from by delta, in two steps so that no intermediate seq collides.
func shiftSeq(t *testing.T, d *db.DB, from, delta int64) {
	t.Helper()
	mustExec(t, d, `UPDATE audit SET seq = -(seq + ?) WHERE seq >= ?`, delta, from)
	mustExec(t, d, `UPDATE audit SET seq = -seq WHERE seq < 0`)
}

// newTrail opens a database holding a 100-row trail (keyed with key if not nil) and returns a function that
// opens private copies of it, so that each tampering test starts from the same intact trail without
// appending it again.
func newTrail(t *testing.T, key []byte) (head string, clone func(t *testing.T) *db.DB) {
	t.Helper()
	d, now := MustOpen(t)
	if err := d.SetAuditKey(key); err != nil {
		t.Fatal(err)
	}
	appendTrail(t, d, now, 100)
	rep := mustVerify(t, d)
	if rep.BrokenAt != 0 || rep.Rows != 100 {
		t.Fatalf("fresh trail: %+v", rep)
	}
	var mu sync.Mutex // one VACUUM INTO at a time from the source
	return rep.Head, func(t *testing.T) *db.DB {
		t.Helper()
		path := filepath.Join(t.TempDir(), "bot.db")
		mu.Lock()
		// VACUUM INTO writes a consistent copy, WAL included.
		_, err := d.SQL().ExecContext(t.Context(), `VACUUM INTO ?`, path)
		mu.Unlock()
		if err != nil {
			t.Fatal(err)
		}
		// VACUUM INTO creates the copy 0644; Open refuses a database other users can read.
		if err := os.Chmod(path, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := db.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		if err := c.SetAuditKey(key); err != nil {
			t.Fatal(err)
		}
		return c
	}
}

func TestAudit_appendAndVerify(t *testing.T) {
	t.Parallel()
	d, now := MustOpen(t)
	ctx := t.Context()

	if rep := mustVerify(t, d); rep != (db.AuditReport{}) {
		t.Errorf("VerifyAudit(empty) = %+v; want zero report", rep)
	}
	entries := appendTrail(t, d, now, 100)
	prev := ""
	for i, e := range entries {
		if e.Seq != int64(i+1) || e.PrevHash != prev || !strings.HasPrefix(e.Hash, "sha256:") {
			t.Fatalf("entry %d: seq %d, prev %q, hash %q; want seq %d chained to %q", i+1, e.Seq, e.PrevHash, e.Hash,
				i+1, prev)
		}
		if want := time.Unix(1_700_000_000, 0).Add(time.Duration(i+1) * time.Minute); !e.At.Equal(want) {
			t.Fatalf("entry %d: At = %v; want the transaction clock %v", i+1, e.At, want)
		}
		prev = e.Hash
	}
	rep := mustVerify(t, d)
	if want := (db.AuditReport{Rows: 100, Head: entries[99].Hash}); rep != want {
		t.Fatalf("VerifyAudit = %+v; want %+v", rep, want)
	}

	// What is stored is what the documented encoding hashes.
	for _, r := range readRows(t, d) {
		if got := documentedHash(nil, r); got != r.hash {
			t.Fatalf("row %d: documented encoding gives %s; stored %s", r.seq, got, r.hash)
		}
		if r.seq%4 == 0 && !r.inboxID.Valid || r.seq%4 != 0 && r.inboxID.Valid {
			t.Fatalf("row %d: inbox_id = %v", r.seq, r.inboxID)
		}
		if r.errcode.Valid != (r.decision == db.DecisionFailed) {
			t.Fatalf("row %d (%s): errcode = %v", r.seq, r.decision, r.errcode)
		}
	}

	t.Run("RolledBackWithTheAction", func(t *testing.T) {
		if _, err := d.Enqueue(ctx, item("audit-rollback", "lisi")); err != nil {
			t.Fatal(err)
		}
		items, err := d.ClaimInbox(ctx, 1)
		if err != nil || len(items) != 1 {
			t.Fatalf("ClaimInbox = %v, %v", items, err)
		}
		boom := errors.New("wecom call failed")
		err = d.CompleteInbox(ctx, items[0].ID, func(ctx context.Context, tx *db.Tx) error {
			if err := tx.AppendAudit(ctx, auditEntry(1)); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("CompleteInbox = %v; want %v", err, boom)
		}
		if rep := mustVerify(t, d); rep.Rows != 100 {
			t.Fatalf("after a rolled-back action: %+v; want the 100 rows before it", rep)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		for _, e := range []*db.AuditEntry{
			{Actor: "lisi", Command: "order approve", Decision: "maybe"},
			{Command: "order approve", Decision: db.DecisionOK},
			{Actor: "lisi", Decision: db.DecisionOK},
		} {
			if err := d.AppendAudit(ctx, e); err == nil {
				t.Errorf("AppendAudit(%+v) = nil; want an error", e)
			}
		}
	})

	t.Run("LongResultTruncated", func(t *testing.T) {
		e := &db.AuditEntry{Actor: "lisi", Command: "order approve", Decision: db.DecisionOK,
			Result: strings.Repeat("x", 5000)}
		if err := d.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
		if len(e.Result) > 600 {
			t.Errorf("stored result has %d bytes; want it truncated", len(e.Result))
		}
		if rep := mustVerify(t, d); rep.BrokenAt != 0 {
			t.Fatal(rep)
		}
	})
}

// TestAudit_hashEncodingIsStable pins the hash of one row (the values were checked against a separate Python
// implementation of the documented encoding). A change to the encoding would make every existing trail fail
// verification, so it must be a deliberate, versioned change ("wecombot/audit/v2").
func TestAudit_hashEncodingIsStable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		key  []byte
		want string
	}{
		{nil, "sha256:84f20456925f50cb98ffa3c287e204dd249cd6ae6e140e090b7bad5da7e8a09c"},
		{testAuditKey, "hmac-sha256:0818e3223b198b5d89dfa29910c3d80e5a18f08a57b1dcd0047bc8fd8660578f"},
	} {
		d, _ := MustOpen(t)
		if err := d.SetAuditKey(tc.key); err != nil {
			t.Fatal(err)
		}
		e := &db.AuditEntry{Actor: "zhangsan", Command: "order approve", Args: map[string]string{"reason": "ok", "id": "OR1"},
			Decision: db.DecisionFailed, ErrCode: 60011, Result: "no permission", Duration: 1500 * time.Millisecond,
			InboxID: 7}
		if err := d.AppendAudit(t.Context(), e); err != nil {
			t.Fatal(err)
		}
		r := readRows(t, d)[0]
		if r.args != `{"id":"OR1","reason":"ok"}` {
			t.Errorf("stored args = %s; want canonical JSON with sorted keys", r.args)
		}
		if e.Hash != tc.want {
			t.Errorf("hash (key %v) = %s; want %s", tc.key != nil, e.Hash, tc.want)
		}
	}
}

func TestAudit_tamper(t *testing.T) {
	t.Parallel()
	head, clone := newTrail(t, nil)
	row := func(t *testing.T, d *db.DB, seq int64) rawRow {
		t.Helper()
		return readRows(t, d)[seq-1]
	}
	for _, tc := range []struct {
		name   string
		tamper func(t *testing.T, d *db.DB)
		at     int64
		reason string
	}{
		{"EditResult", func(t *testing.T, d *db.DB) {
			mustExec(t, d, `UPDATE audit SET result = 'approved' WHERE seq = 50`)
		}, 50, "edited"},
		{"EditActor", func(t *testing.T, d *db.DB) {
			mustExec(t, d, `UPDATE audit SET actor = 'mallory' WHERE seq = 50`)
		}, 50, "edited"},
		{"EditArgsSameMeaning", func(t *testing.T, d *db.DB) {
			mustExec(t, d, `UPDATE audit SET args = ' ' || args WHERE seq = 50`)
		}, 50, "edited"},
		{"NullErrcodeToZero", func(t *testing.T, d *db.DB) {
			mustExec(t, d, `UPDATE audit SET errcode = 0 WHERE seq = 50 AND errcode IS NULL`)
		}, 50, "edited"},
		{"EditTime", func(t *testing.T, d *db.DB) {
			mustExec(t, d, `UPDATE audit SET at = at + 1 WHERE seq = 50`)
		}, 50, "edited"},
		{"WrongHash", func(t *testing.T, d *db.DB) {
			mustExec(t, d, `UPDATE audit SET hash = 'sha256:' || hex(randomblob(32)) WHERE seq = 50`)
		}, 50, "edited"},
		{"UnknownScheme", func(t *testing.T, d *db.DB) {
			mustExec(t, d, `UPDATE audit SET hash = 'md5:00' WHERE seq = 50`)
		}, 50, "unknown scheme"},
		{"DeleteRow", func(t *testing.T, d *db.DB) {
			mustExec(t, d, `DELETE FROM audit WHERE seq = 30`)
		}, 30, "row 30 is missing"},
		{"DeleteFirstRows", func(t *testing.T, d *db.DB) {
			mustExec(t, d, `DELETE FROM audit WHERE seq <= 3`)
		}, 1, "rows 1 to 3 are missing"},
		{"DeleteAndRenumber", func(t *testing.T, d *db.DB) {
			mustExec(t, d, `DELETE FROM audit WHERE seq = 30`)
			shiftSeq(t, d, 31, -1)
		}, 30, "prev_hash"},
		{"Reorder", func(t *testing.T, d *db.DB) {
			mustExec(t, d, `UPDATE audit SET seq = -1 WHERE seq = 60`)
			mustExec(t, d, `UPDATE audit SET seq = 60 WHERE seq = 61`)
			mustExec(t, d, `UPDATE audit SET seq = 61 WHERE seq = -1`)
		}, 60, "prev_hash"},
		{"InsertWithValidHash", func(t *testing.T, d *db.DB) {
			// A forged row at 70 whose own hash is right, the rows after it moved up by one.
			forged := row(t, d, 70)
			forged.actor, forged.result = "mallory", "approved"
			forged.hash = documentedHash(nil, forged)
			shiftSeq(t, d, 70, 1)
			mustExec(t, d, `INSERT INTO audit (seq, at, actor, command, args, decision, errcode, result, duration_ms,
				inbox_id, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, forged.seq, forged.at,
				forged.actor, forged.command, forged.args, forged.decision, forged.errcode, forged.result, forged.ms,
				forged.inboxID, forged.prev, forged.hash)
		}, 71, "prev_hash"},
		{"NegativeSeq", func(t *testing.T, d *db.DB) {
			mustExec(t, d, `UPDATE audit SET seq = -5 WHERE seq = 1`)
		}, -5, "seqs start at 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := clone(t)
			dropTriggers(t, d)
			tc.tamper(t, d)
			rep := mustVerify(t, d)
			if rep.BrokenAt != tc.at || !strings.Contains(rep.Reason, tc.reason) {
				t.Fatalf("VerifyAudit = %+v; want broken at %d with a reason containing %q", rep, tc.at, tc.reason)
			}
			if tc.at > 1 && rep.Rows != tc.at-1 {
				t.Errorf("Rows = %d; want the %d rows before the break", rep.Rows, tc.at-1)
			}
		})
	}

	// The limits: these leave a valid chain, and only a head anchored outside the database shows them.
	t.Run("RecomputedChainWithoutKeyIsUndetectable", func(t *testing.T) {
		t.Parallel()
		d := clone(t)
		dropTriggers(t, d)
		mustExec(t, d, `UPDATE audit SET result = 'approved by nobody' WHERE seq = 50`)
		rechain(t, d, nil, 50)
		rep := mustVerify(t, d)
		if rep.BrokenAt != 0 || rep.Rows != 100 {
			t.Fatalf("VerifyAudit = %+v; want intact: without a key, a recomputed chain is valid", rep)
		}
		// The anchored head (seq 100, head) no longer matches: that is how this attack is caught.
		if got, err := d.AuditHashAt(t.Context(), 100); err != nil || got == head {
			t.Fatalf("AuditHashAt(100) = %s, %v; want a hash other than the anchored %s", got, err, head)
		}
	})
	t.Run("TruncationIsUndetectable", func(t *testing.T) {
		t.Parallel()
		d := clone(t)
		dropTriggers(t, d)
		mustExec(t, d, `DELETE FROM audit WHERE seq > 90`)
		rep := mustVerify(t, d)
		if rep.BrokenAt != 0 || rep.Rows != 90 {
			t.Fatalf("VerifyAudit = %+v; want an intact chain of 90 rows: truncation is invisible to the chain", rep)
		}
		if _, err := d.AuditHashAt(t.Context(), 100); !errors.Is(err, sql.ErrNoRows) {
			t.Fatalf("AuditHashAt(100) = %v; want sql.ErrNoRows: the anchored row is gone", err)
		}
	})
}

func TestAudit_keyed(t *testing.T) {
	t.Parallel()
	head, clone := newTrail(t, testAuditKey)
	if !strings.HasPrefix(head, "hmac-sha256:") {
		t.Fatalf("head of a keyed trail = %s", head)
	}
	edit := func(t *testing.T, d *db.DB) {
		dropTriggers(t, d)
		mustExec(t, d, `UPDATE audit SET result = 'approved by nobody' WHERE seq = 50`)
	}

	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		d := clone(t)
		for _, r := range readRows(t, d) {
			if got := documentedHash(testAuditKey, r); got != r.hash {
				t.Fatalf("row %d: documented encoding gives %s; stored %s", r.seq, got, r.hash)
			}
		}
		if rep := mustVerify(t, d); rep.BrokenAt != 0 || rep.Rows != 100 || rep.Head != head {
			t.Fatalf("VerifyAudit = %+v", rep)
		}
		if err := d.CheckAuditKey(t.Context()); err != nil {
			t.Fatalf("CheckAuditKey = %v", err)
		}
	})
	t.Run("RecomputedWithoutKey", func(t *testing.T) {
		t.Parallel()
		d := clone(t)
		edit(t, d)
		rechain(t, d, nil, 50)
		if rep := mustVerify(t, d); rep.BrokenAt != 50 || !strings.Contains(rep.Reason, "not keyed") {
			t.Fatalf("VerifyAudit = %+v; want broken at 50, not keyed", rep)
		}
	})
	t.Run("RecomputedWithWrongKey", func(t *testing.T) {
		t.Parallel()
		d := clone(t)
		edit(t, d)
		rechain(t, d, []byte("a guess at the key, long enough"), 50)
		if rep := mustVerify(t, d); rep.BrokenAt != 50 || !strings.Contains(rep.Reason, "edited") {
			t.Fatalf("VerifyAudit = %+v; want broken at 50, edited", rep)
		}
	})
	t.Run("WholeChainRewrittenWithoutKey", func(t *testing.T) {
		t.Parallel()
		d := clone(t)
		edit(t, d)
		rechain(t, d, nil, 1)
		if rep := mustVerify(t, d); rep.BrokenAt != 1 || !strings.Contains(rep.Reason, "not keyed") {
			t.Fatalf("VerifyAudit = %+v; want broken at 1, not keyed", rep)
		}
	})
	t.Run("ErrAuditKeyRequired", func(t *testing.T) {
		t.Parallel()
		d := clone(t)
		if err := d.SetAuditKey(nil); err != nil {
			t.Fatal(err)
		}
		ctx := t.Context()
		if _, err := d.VerifyAudit(ctx); !errors.Is(err, db.ErrAuditKeyRequired) {
			t.Errorf("VerifyAudit without the key = %v; want ErrAuditKeyRequired", err)
		}
		if err := d.CheckAuditKey(ctx); !errors.Is(err, db.ErrAuditKeyRequired) {
			t.Errorf("CheckAuditKey without the key = %v; want ErrAuditKeyRequired", err)
		}
		if err := d.AppendAudit(ctx, auditEntry(1)); !errors.Is(err, db.ErrAuditKeyRequired) {
			t.Errorf("AppendAudit without the key = %v; want ErrAuditKeyRequired", err)
		}
	})
	t.Run("ErrShortKey", func(t *testing.T) {
		t.Parallel()
		d, _ := MustOpen(t)
		if err := d.SetAuditKey([]byte("short")); err == nil {
			t.Error("SetAuditKey(5 bytes) = nil; want an error")
		}
	})
}

func TestAudit_keyOnUnkeyedTrail(t *testing.T) {
	t.Parallel()
	d, now := MustOpen(t)
	ctx := t.Context()
	if err := d.SetAuditKey(testAuditKey); err != nil {
		t.Fatal(err)
	}
	if err := d.CheckAuditKey(ctx); err != nil {
		t.Fatalf("CheckAuditKey(empty trail) = %v; want nil: a key may be adopted before the first row", err)
	}
	d.SetAuditKey(nil)
	appendTrail(t, d, now, 3)
	if err := d.SetAuditKey(testAuditKey); err != nil {
		t.Fatal(err)
	}
	if err := d.CheckAuditKey(ctx); !errors.Is(err, db.ErrAuditUnkeyed) {
		t.Errorf("CheckAuditKey = %v; want ErrAuditUnkeyed", err)
	}
	if err := d.AppendAudit(ctx, auditEntry(4)); !errors.Is(err, db.ErrAuditUnkeyed) {
		t.Errorf("AppendAudit = %v; want ErrAuditUnkeyed", err)
	}
	if rep := mustVerify(t, d); rep.BrokenAt != 1 || !strings.Contains(rep.Reason, "started without a key") {
		t.Errorf("VerifyAudit = %+v; want broken at 1, started without a key", rep)
	}
}

func TestAudit_appendOnlyTriggers(t *testing.T) {
	t.Parallel()
	d, now := MustOpen(t)
	appendTrail(t, d, now, 3)
	for _, q := range []string{
		`UPDATE audit SET result = 'x' WHERE seq = 2`,
		`UPDATE audit SET hash = hash`,
		`DELETE FROM audit WHERE seq = 3`,
		`DELETE FROM audit`,
	} {
		if _, err := d.SQL().ExecContext(t.Context(), q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v; want the append-only error", q, err)
		}
	}
	if rep := mustVerify(t, d); rep.BrokenAt != 0 || rep.Rows != 3 {
		t.Fatalf("VerifyAudit = %+v", rep)
	}
}

func TestAudit_concurrentAppends(t *testing.T) {
	t.Parallel()
	d, _ := MustOpen(t)
	const workers, each = 8, 25
	var wg sync.WaitGroup
	seqs := make(chan int64, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				e := auditEntry(w*each + i)
				e.Actor = fmt.Sprintf("worker%d", w)
				if err := d.AppendAudit(t.Context(), e); err != nil {
					t.Errorf("worker %d: %v", w, err)
					return
				}
				seqs <- e.Seq
			}
		})
	}
	wg.Wait()
	close(seqs)
	seen := map[int64]bool{}
	for s := range seqs {
		if seen[s] {
			t.Fatalf("seq %d given twice", s)
		}
		seen[s] = true
	}
	rep := mustVerify(t, d)
	if rep.BrokenAt != 0 || rep.Rows != workers*each || len(seen) != workers*each {
		t.Fatalf("VerifyAudit = %+v, %d seqs; want an intact chain of %d rows", rep, len(seen), workers*each)
	}
}

func TestAudit_list(t *testing.T) {
	t.Parallel()
	d, now := MustOpen(t)
	ctx := t.Context()
	entries := appendTrail(t, d, now, 60) // 1 minute apart, from T0+1m to T0+60m
	for _, c := range []string{"orders", "order"} {
		*now = now.Add(time.Minute)
		if err := d.AppendAudit(ctx, &db.AuditEntry{Actor: "zhaoliu", Command: c, Decision: db.DecisionOK}); err != nil {
			t.Fatal(err)
		}
	}
	seqs := func(es []db.AuditEntry) []int64 {
		var out []int64
		for _, e := range es {
			out = append(out, e.Seq)
		}
		return out
	}

	for _, tc := range []struct {
		name string
		f    db.AuditFilter
		want func(e *db.AuditEntry) bool // over entries 1..60, and the two above
		n    int
	}{
		{"DefaultLimit", db.AuditFilter{}, nil, 20},
		{"Actor", db.AuditFilter{Actor: "lisi", Limit: 200}, func(e *db.AuditEntry) bool { return e.Actor == "lisi" }, 20},
		{"CommandWordPrefix", db.AuditFilter{Command: "order", Limit: 200}, func(e *db.AuditEntry) bool {
			return e.Command == "order" || strings.HasPrefix(e.Command, "order ")
		}, 31},
		{"CommandExact", db.AuditFilter{Command: "order approve", Limit: 200}, func(e *db.AuditEntry) bool {
			return e.Command == "order approve"
		}, 15},
		{"Decision", db.AuditFilter{Decision: db.DecisionDenied, Limit: 200}, func(e *db.AuditEntry) bool {
			return e.Decision == db.DecisionDenied
		}, 12},
		{"Since", db.AuditFilter{Since: time.Unix(1_700_000_000, 0).Add(55 * time.Minute), Limit: 200}, nil, 8},
		{"Combined", db.AuditFilter{Actor: "zhangsan", Decision: db.DecisionOK, Limit: 3}, func(e *db.AuditEntry) bool {
			return e.Actor == "zhangsan" && e.Decision == db.DecisionOK
		}, 3},
		{"NoInjection", db.AuditFilter{Actor: "x' OR '1'='1"}, func(*db.AuditEntry) bool { return false }, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := d.ListAudit(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.n {
				t.Fatalf("ListAudit(%+v) = %d entries %v; want %d", tc.f, len(got), seqs(got), tc.n)
			}
			for i, e := range got {
				if i > 0 && e.Seq >= got[i-1].Seq {
					t.Fatalf("ListAudit(%+v) = %v; want newest first", tc.f, seqs(got))
				}
				if tc.want != nil && !tc.want(&e) {
					t.Fatalf("ListAudit(%+v) returned %+v", tc.f, e)
				}
			}
		})
	}

	t.Run("RoundTrip", func(t *testing.T) {
		got, err := d.ListAudit(ctx, db.AuditFilter{Actor: "lisi", Limit: 1})
		if err != nil || len(got) != 1 {
			t.Fatalf("ListAudit = %v, %v", got, err)
		}
		want := entries[got[0].Seq-1]
		e := got[0]
		if e.Actor != want.Actor || e.Command != want.Command || e.Decision != want.Decision ||
			e.ErrCode != want.ErrCode || e.Result != want.Result || e.Duration != want.Duration ||
			e.InboxID != want.InboxID || !e.At.Equal(want.At) || e.Hash != want.Hash || e.PrevHash != want.PrevHash ||
			fmt.Sprint(e.Args) != fmt.Sprint(want.Args) {
			t.Fatalf("ListAudit = %+v; want %+v", e, *want)
		}
	})
	t.Run("LimitCapped", func(t *testing.T) {
		for i := 0; i < 150; i++ {
			if err := d.AppendAudit(ctx, auditEntry(i)); err != nil {
				t.Fatal(err)
			}
		}
		got, err := d.ListAudit(ctx, db.AuditFilter{Limit: 1000})
		if err != nil || len(got) != 200 {
			t.Fatalf("ListAudit(Limit 1000) = %d entries, %v; want 200", len(got), err)
		}
	})
	t.Run("ErrUnknownDecision", func(t *testing.T) {
		if _, err := d.ListAudit(ctx, db.AuditFilter{Decision: "approved"}); err == nil {
			t.Fatal("ListAudit(Decision: approved) = nil error; want one")
		}
	})
}
