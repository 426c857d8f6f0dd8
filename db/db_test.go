package db_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// MustOpen opens a database file in a temporary directory; the clock starts at a fixed time.
func MustOpen(tb testing.TB) (*db.DB, *time.Time) {
	tb.Helper()
	d, err := db.Open(filepath.Join(tb.TempDir(), "bot.db"))
	if err != nil {
		tb.Fatal(err)
	}
	now := time.Unix(1_700_000_000, 0)
	d.Now = func() time.Time { return now }
	tb.Cleanup(func() { d.Close() })
	return d, &now
}

func item(key, from string) *db.InboxItem {
	return &db.InboxItem{Key: key, From: from, Kind: "text", Payload: []byte("<xml>" + key + "</xml>")}
}

func claimKeys(t *testing.T, d *db.DB, limit int) []string {
	t.Helper()
	items, err := d.ClaimInbox(t.Context(), limit)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, it := range items {
		keys = append(keys, it.Key)
	}
	return keys
}

func TestOpen_migrationsIdempotent(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "bot.db")
	for i := 0; i < 2; i++ {
		d, err := db.Open(path)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		var n int
		if err := d.SQL().QueryRow(`SELECT COUNT(*) FROM migrations`).Scan(&n); err != nil || n == 0 {
			t.Fatalf("migrations = %d, %v", n, err)
		}
		var mode string
		d.SQL().QueryRow(`PRAGMA journal_mode`).Scan(&mode)
		if mode != "wal" {
			t.Errorf("journal_mode = %q; want wal", mode)
		}
		var sync int
		d.SQL().QueryRow(`PRAGMA synchronous`).Scan(&sync)
		if sync != 2 {
			t.Errorf("synchronous = %d; want 2 (FULL)", sync)
		}
		d.Close()
	}
}

func TestEnqueue_dedupe(t *testing.T) {
	t.Parallel()
	d, _ := MustOpen(t)
	ctx := t.Context()
	for i, want := range []bool{true, false, false} {
		got, err := d.Enqueue(ctx, item("msg:1", "lisi"))
		if err != nil || got != want {
			t.Fatalf("Enqueue #%d = %v, %v; want %v", i+1, got, err, want)
		}
	}
	counts, _ := d.InboxCounts(ctx)
	if counts["pending"] != 1 {
		t.Fatalf("counts = %v; want 1 pending", counts)
	}
}

func TestEnqueue_concurrentGroupCommit(t *testing.T) {
	t.Parallel()
	d, _ := MustOpen(t)
	ctx := t.Context()
	var wg sync.WaitGroup
	var mu sync.Mutex
	inserted := 0
	for g := 0; g < 64; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				// Every key is sent twice: 640 distinct keys, 1,280 enqueues.
				ok, err := d.Enqueue(ctx, item(fmt.Sprintf("k%d-%d", g%32, i), fmt.Sprintf("u%d", g)))
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					mu.Lock()
					inserted++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	counts, _ := d.InboxCounts(ctx)
	if inserted != 640 || counts["pending"] != 640 {
		t.Fatalf("inserted %d, stored %v; want 640 each", inserted, counts)
	}
}

func TestClaim_perUserOrder(t *testing.T) {
	t.Parallel()
	d, now := MustOpen(t)
	ctx := t.Context()
	for _, it := range []*db.InboxItem{item("a1", "alice"), item("a2", "alice"), item("b1", "bob"), item("a3", "alice")} {
		if _, err := d.Enqueue(ctx, it); err != nil {
			t.Fatal(err)
		}
	}
	if got := fmt.Sprint(claimKeys(t, d, 10)); got != "[a1 b1]" {
		t.Fatalf("first claim = %s; want [a1 b1] (alice's later messages wait)", got)
	}
	if got := claimKeys(t, d, 10); len(got) != 0 {
		t.Fatalf("claim while a1 is working = %v; want none", got)
	}
	a1, _, _ := d.GetInbox(ctx, "a1")
	// A failure with a retry later keeps a2 waiting: order holds across retries.
	if err := d.RetryInbox(ctx, a1.ID, "boom", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := claimKeys(t, d, 10); len(got) != 0 {
		t.Fatalf("claim before a1's retry is due = %v; want none", got)
	}
	*now = now.Add(time.Minute)
	items, _ := d.ClaimInbox(ctx, 10)
	if len(items) != 1 || items[0].Key != "a1" || items[0].Attempts != 2 || items[0].LastError != "boom" {
		t.Fatalf("retry claim = %+v; want a1 on attempt 2 with last error", items)
	}
	if err := d.CompleteInbox(ctx, a1.ID, nil); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(claimKeys(t, d, 10)); got != "[a2]" {
		t.Fatalf("after a1 done = %s; want [a2]", got)
	}
	a2, _, _ := d.GetInbox(ctx, "a2")
	if err := d.FailInbox(ctx, a2.ID, "permanent"); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(claimKeys(t, d, 10)); got != "[a3]" {
		t.Fatalf("after a2 failed = %s; want [a3]", got)
	}
}

func TestCompleteInbox_atomicWithEffects(t *testing.T) {
	t.Parallel()
	d, _ := MustOpen(t)
	ctx := t.Context()
	d.Enqueue(ctx, item("m1", "lisi"))
	items, _ := d.ClaimInbox(ctx, 1)
	id := items[0].ID
	boom := errors.New("boom")
	err := d.CompleteInbox(ctx, id, func(ctx context.Context, tx *db.Tx) error {
		if err := tx.AddOutbox(ctx, &db.OutboxMessage{InboxID: id, Recipient: "lisi", API: "message/send", Body: []byte(`{}`)}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("CompleteInbox = %v; want boom", err)
	}
	if counts, _ := d.OutboxCounts(ctx); len(counts) != 0 {
		t.Fatalf("outbox after a failed completion = %v; want empty", counts)
	}
	if _, state, _ := d.GetInbox(ctx, "m1"); state != "working" {
		t.Fatalf("state = %q; want still working", state)
	}
	err = d.CompleteInbox(ctx, id, func(ctx context.Context, tx *db.Tx) error {
		return tx.AddOutbox(ctx, &db.OutboxMessage{InboxID: id, Recipient: "lisi", API: "message/send", Body: []byte(`{}`)})
	})
	if err != nil {
		t.Fatal(err)
	}
	if counts, _ := d.OutboxCounts(ctx); counts["pending"] != 1 {
		t.Fatalf("outbox = %v; want 1 pending", counts)
	}
	// Completing twice is refused: a row is acted on once.
	if err := d.CompleteInbox(ctx, id, nil); err == nil {
		t.Fatal("second CompleteInbox succeeded")
	}
}

func TestRequeueWorking_replaysAfterCrash(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "bot.db")
	d, err := db.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	d.Enqueue(ctx, item("m1", "lisi"))
	if len(claimKeys(t, d, 1)) != 1 {
		t.Fatal("claim failed")
	}
	d.Close() // the "crash": m1 stays working on disk
	d, err = db.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if n, err := d.RequeueWorking(ctx); err != nil || n != 1 {
		t.Fatalf("RequeueWorking = %d, %v; want 1", n, err)
	}
	if got := fmt.Sprint(claimKeys(t, d, 1)); got != "[m1]" {
		t.Fatalf("claim after restart = %s; want [m1]", got)
	}
}

func TestPruneInbox(t *testing.T) {
	t.Parallel()
	d, now := MustOpen(t)
	ctx := t.Context()
	for i := 0; i < 3; i++ {
		d.Enqueue(ctx, item(fmt.Sprint("m", i), "u"))
		items, _ := d.ClaimInbox(ctx, 1)
		d.CompleteInbox(ctx, items[0].ID, nil)
		*now = now.Add(24 * time.Hour)
	}
	d.Enqueue(ctx, item("pending", "v"))
	// Days 0, 1, 2 done; prune everything done before day 1.5.
	n, err := d.PruneInbox(ctx, time.Unix(1_700_000_000, 0).Add(36*time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("PruneInbox = %d, %v; want 2", n, err)
	}
	counts, _ := d.InboxCounts(ctx)
	if counts["done"] != 1 || counts["pending"] != 1 {
		t.Fatalf("counts = %v", counts)
	}
	// A pruned key is new again: that is the dedupe horizon.
	if ok, _ := d.Enqueue(ctx, item("m0", "u")); !ok {
		t.Fatal("pruned key not accepted again")
	}
}

func TestOutbox_orderAndRetry(t *testing.T) {
	t.Parallel()
	d, now := MustOpen(t)
	ctx := t.Context()
	for _, r := range []string{"lisi", "lisi", "wangwu"} {
		if err := d.AddOutbox(ctx, &db.OutboxMessage{Recipient: r, API: "message/send", Body: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := d.ClaimOutbox(ctx, 10)
	if len(got) != 2 || got[0].Recipient != "lisi" || got[1].Recipient != "wangwu" {
		t.Fatalf("claim = %+v; want lisi's first and wangwu's", got)
	}
	if err := d.RetryOutbox(ctx, got[0].ID, "45009", 45009, now.Add(time.Second), true); err != nil {
		t.Fatal(err)
	}
	if err := d.MarkOutboxSent(ctx, got[1].ID, "msg1", ""); err != nil {
		t.Fatal(err)
	}
	if again, _ := d.ClaimOutbox(ctx, 10); len(again) != 0 {
		t.Fatalf("claim before retry due = %+v; want none (lisi's second waits behind the first)", again)
	}
	*now = now.Add(time.Second)
	again, _ := d.ClaimOutbox(ctx, 10)
	if len(again) != 1 || again[0].ID != got[0].ID || again[0].Attempts != 1 {
		t.Fatalf("claim after due = %+v; want the retried message, 1 attempt so far", again)
	}
	d.FailOutbox(ctx, again[0].ID, "81013 all invalid", 81013)
	failed, _ := d.ListOutbox(ctx, "failed", 10)
	if len(failed) != 1 || failed[0].ErrCode != 81013 || failed[0].LastError == "" {
		t.Fatalf("failed = %+v", failed)
	}
}

func TestTokenStore(t *testing.T) {
	t.Parallel()
	d, _ := MustOpen(t)
	ctx := t.Context()
	s := d.Tokens()
	if _, ok, err := s.LoadToken(ctx, "k"); ok || err != nil {
		t.Fatalf("empty store: ok=%v err=%v", ok, err)
	}
	want := wecom.Token{Value: "abc", ExpiresAt: time.Unix(1_700_007_200, 0)}
	if err := s.SaveToken(ctx, "k", want); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.LoadToken(ctx, "k")
	if err != nil || !ok || got.Value != want.Value || !got.ExpiresAt.Equal(want.ExpiresAt) {
		t.Fatalf("LoadToken = %+v, %v, %v; want %+v", got, ok, err, want)
	}
	s.SaveToken(ctx, "k", wecom.Token{})
	if _, ok, _ := s.LoadToken(ctx, "k"); ok {
		t.Fatal("cleared token still loads")
	}
}
