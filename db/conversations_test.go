package db_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/db"
)

// TestEndConversation_onlyTheOneRead: a sweep that read an expired confirmation must not end the one the
// member started after it looked.
func TestEndConversation_onlyTheOneRead(t *testing.T) {
	t.Parallel()
	d, now := MustOpen(t)
	ctx := t.Context()
	put := func(c *db.Conversation) {
		t.Helper()
		if err := d.Tx(ctx, func(ctx context.Context, tx *db.Tx) error { return tx.PutConversation(ctx, c) }); err != nil {
			t.Fatal(err)
		}
	}
	old := &db.Conversation{UserID: "lisi", Kind: "confirm", Command: "vip add", Line: []byte(`{}`), Token: "aa",
		CreatedAt: now.Add(-10 * time.Minute), ExpiresAt: now.Add(-5 * time.Minute)}
	put(old)
	put(&db.Conversation{UserID: "wangwu", Kind: "ask", Command: "whois", Line: []byte(`{}`), CreatedAt: *now, ExpiresAt: now.Add(time.Minute)})
	due, err := d.ExpiredConversations(ctx, *now, 10)
	if err != nil || len(due) != 1 || due[0].UserID != "lisi" || due[0].Token != "aa" {
		t.Fatalf("expired = %+v, %v; want lisi's confirmation with its token", due, err)
	}
	// lisi starts a new proposal before the sweep ends the old one.
	put(&db.Conversation{UserID: "lisi", Kind: "confirm", Command: "vip add", Line: []byte(`{}`), Token: "bb",
		CreatedAt: *now, ExpiresAt: now.Add(5 * time.Minute)})
	var ended bool
	if err := d.Tx(ctx, func(ctx context.Context, tx *db.Tx) (err error) {
		ended, err = tx.EndConversation(ctx, due[0])
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if c, _ := d.GetConversation(ctx, "lisi"); ended || c == nil || c.Token != "bb" {
		t.Fatalf("ended = %v, conversation = %+v; want the new one kept", ended, c)
	}
	if err := d.Tx(ctx, func(ctx context.Context, tx *db.Tx) (err error) {
		ended, err = tx.EndConversation(ctx, &db.Conversation{UserID: "lisi", Kind: "confirm", Token: "bb", CreatedAt: *now})
		return err
	}); err != nil || !ended {
		t.Fatalf("ending the current one: %v, %v", ended, err)
	}
}

// TestTakeCardCode: a card not sent yet is withdrawn; a sent one's response_code is handed out once.
func TestTakeCardCode(t *testing.T) {
	t.Parallel()
	d, _ := MustOpen(t)
	ctx := t.Context()
	pending := &db.OutboxMessage{Recipient: "lisi", API: "message/send", Body: []byte(`{}`), Ref: "card:cf-1"}
	sent := &db.OutboxMessage{Recipient: "lisi", API: "message/send", Body: []byte(`{}`), Ref: "card:cf-2"}
	for _, m := range []*db.OutboxMessage{pending, sent} {
		if err := d.AddOutbox(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.MarkOutboxSent(ctx, sent.ID, "msg1", "code2"); err != nil {
		t.Fatal(err)
	}
	take := func(ref string) string {
		t.Helper()
		var code string
		if err := d.Tx(ctx, func(ctx context.Context, tx *db.Tx) (err error) {
			code, err = tx.TakeCardCode(ctx, ref, "its proposal ended")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return code
	}
	if code := take("card:cf-1"); code != "" {
		t.Fatalf("pending card gave code %q", code)
	}
	rows, _ := d.OutboxByRef(ctx, "card:cf-1")
	if len(rows) != 1 || rows[0].State != "failed" || rows[0].LastError != "withdrawn: its proposal ended" {
		t.Fatalf("pending card = %+v; want withdrawn", rows)
	}
	if code := take("card:cf-2"); code != "code2" {
		t.Fatalf("sent card code = %q; want code2", code)
	}
	if code := take("card:cf-2"); code != "" {
		t.Fatalf("the code was handed out twice (%q); WeCom takes each once", code)
	}
}

// TestOpen_refusesADatabaseANewerBinaryMigrated: an older binary does not run on tables it does not know.
func TestOpen_refusesADatabaseANewerBinaryMigrated(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "bot.db")
	d, err := db.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.SQL().Exec(`INSERT INTO migrations (name, applied_at) VALUES ('migrations/9999_future.sql', 1)`); err != nil {
		t.Fatal(err)
	}
	d.Close()
	if _, err := db.Open(path); err == nil || !strings.Contains(err.Error(), "migrated by a newer wecombot") ||
		!strings.Contains(err.Error(), "9999_future.sql") {
		t.Fatalf("Open = %v; want a refusal naming the unknown migration", err)
	}
}

// TestMigration0009_keepsTheChain: rebuilding the audit table for the 'partial' decision copies every row as it
// was (the chain verifies with the same head), keeps the append-only guards, and accepts 'partial'.
func TestMigration0009_keepsTheChain(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "bot.db")
	d, err := db.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, dec := range []string{db.DecisionOK, db.DecisionDenied, db.DecisionFailed} {
		if err := d.AppendAudit(t.Context(), &db.AuditEntry{Actor: "zhangsan", Command: "vip add", Args: map[string]string{"n": fmt.Sprint(i)},
			Decision: dec, Result: "r"}); err != nil {
			t.Fatal(err)
		}
	}
	before, err := d.VerifyAudit(t.Context())
	if err != nil || before.Rows != 3 || before.BrokenAt != 0 {
		t.Fatalf("before: %+v %v", before, err)
	}
	// Run the rebuild again over these rows, as an upgrade from 0008 runs it over a live trail.
	if _, err := d.SQL().Exec(`DELETE FROM migrations WHERE name = 'migrations/0009_audit_partial.sql'`); err != nil {
		t.Fatal(err)
	}
	d.Close()
	d, err = db.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	after, err := d.VerifyAudit(t.Context())
	if err != nil || after.Rows != 3 || after.BrokenAt != 0 || after.Head != before.Head {
		t.Fatalf("after: %+v %v; want the same 3 rows and head %s", after, err, before.Head)
	}
	if err := d.AppendAudit(t.Context(), &db.AuditEntry{Actor: "zhangsan", Command: "vip add", Args: map[string]string{},
		Decision: db.DecisionPartial, Result: "1 failed: x"}); err != nil {
		t.Fatalf("a partial row: %v", err)
	}
	if _, err := d.SQL().Exec(`UPDATE audit SET result = 'edited' WHERE seq = 1`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("an UPDATE after the rebuild: %v; want the append-only guard", err)
	}
}

// TestGreet: a member is greeted once a day, whatever the case of their userid.
func TestGreet(t *testing.T) {
	t.Parallel()
	d, _ := MustOpen(t)
	greet := func(user, day string) bool {
		t.Helper()
		var first bool
		if err := d.Tx(t.Context(), func(ctx context.Context, tx *db.Tx) (err error) {
			first, err = tx.Greet(ctx, user, day)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return first
	}
	if !greet("zhangsan", "2026-12-03") || greet("zhangsan", "2026-12-03") || greet("ZhangSan", "2026-12-03") {
		t.Fatal("greeted twice on one day")
	}
	if !greet("zhangsan", "2026-12-04") || !greet("lisi", "2026-12-04") {
		t.Fatal("not greeted on a new day, or another member not greeted")
	}
}
