package db_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/wecombot/wecombot/db"
)

func sendTimes(t *testing.T, d *db.DB, since time.Time) string {
	t.Helper()
	sends, err := d.RecentSends(t.Context(), since)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range sends {
		out = append(out, fmt.Sprintf("%s@%d", s.Recipient, s.At.Unix()-1_700_000_000))
	}
	return fmt.Sprint(out)
}

// TestRecentSends_countsEveryAttemptWeComMayHaveCounted: the seed of a restarted sender holds what was
// delivered, what a crash cut off (once per crash, from the start that found it), and what failed without
// WeCom's answer; not what WeCom refused with an errcode, nor what is older than asked.
func TestRecentSends_countsEveryAttemptWeComMayHaveCounted(t *testing.T) {
	t.Parallel()
	d, now := MustOpen(t)
	ctx := t.Context()
	start := *now
	ids := map[string]int64{}
	for _, r := range []string{"old", "sent", "cut", "refused", "neterr"} {
		m := &db.OutboxMessage{Recipient: r, API: "message/send", Body: []byte(`{}`)}
		if err := d.AddOutbox(ctx, m); err != nil {
			t.Fatal(err)
		}
		ids[r] = m.ID
	}
	claim := func(want int) {
		t.Helper()
		got, err := d.ClaimOutbox(ctx, 10)
		if err != nil || len(got) != want {
			t.Fatalf("claim = %d messages, %v; want %d", len(got), err, want)
		}
		var claimed []int64
		for _, m := range got {
			claimed = append(claimed, m.ID)
		}
		if err := d.BeginOutboxAttempts(ctx, claimed); err != nil {
			t.Fatal(err)
		}
	}
	claim(5)
	d.MarkOutboxSent(ctx, ids["old"], "m0", "")
	*now = start.Add(100 * time.Second)
	d.MarkOutboxSent(ctx, ids["sent"], "m1", "")
	d.RetryOutbox(ctx, ids["refused"], "busy", 45009, *now, true)
	d.RetryOutbox(ctx, ids["neterr"], "connection reset", 0, now.Add(time.Hour), true)
	// "cut" is still open: the process dies. The next start requeues it at 110 s.
	*now = start.Add(110 * time.Second)
	if n, err := d.RequeueSending(ctx); err != nil || n != 1 {
		t.Fatalf("requeued %d, %v; want 1", n, err)
	}
	since := start.Add(50 * time.Second)
	if got, want := sendTimes(t, d, since), "[sent@100 neterr@100 cut@110]"; got != want {
		t.Fatalf("seed = %s; want %s", got, want)
	}
	// Cut off again (and "refused" resent and cut too): each cut-off copy counts, from its own start.
	*now = start.Add(120 * time.Second)
	claim(2)
	if got, want := sendTimes(t, d, since), "[sent@100 neterr@100 cut@110 cut@120 refused@120]"; got != want {
		t.Fatalf("seed with attempts in flight = %s; want %s (in flight counts as now)", got, want)
	}
	*now = start.Add(130 * time.Second)
	d.RequeueSending(ctx)
	if got, want := sendTimes(t, d, since), "[sent@100 neterr@100 cut@110 cut@130 refused@130]"; got != want {
		t.Fatalf("seed after the second crash = %s; want %s", got, want)
	}
}

// TestRecentSends_upgradedDatabase: a database from before attempts were recorded keeps counting what it
// sent in the last hours and what a crash left sending.
func TestRecentSends_upgradedDatabase(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "bot.db")
	d, err := db.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	now := time.Now().Unix()
	// Rewind to the schema before 0007, with rows written by the old sender.
	for _, q := range []string{
		`DROP TABLE outbox_attempts`,
		`DELETE FROM migrations WHERE name = 'migrations/0007_outbox_attempts.sql'`,
		fmt.Sprintf(`INSERT INTO outbox (created_at, recipient, api, body, state, next_attempt_at, sent_at) VALUES
			(%[1]d, 'recent', 'message/send', '{}', 'sent', %[1]d, %[1]d),
			(%[2]d, 'yesterday', 'message/send', '{}', 'sent', %[2]d, %[2]d),
			(%[1]d, 'lost', 'message/send', '{}', 'failed', %[1]d, %[1]d),
			(%[1]d, 'refused', 'message/send', '{}', 'failed', %[1]d, %[1]d),
			(%[1]d, 'inflight', 'message/send', '{}', 'sending', %[1]d, NULL)`, now-60, now-86400),
		`UPDATE outbox SET errcode = 81013 WHERE recipient = 'refused'`,
	} {
		if _, err := d.SQL().ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	d.Close()
	d, err = db.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.RequeueSending(ctx); err != nil {
		t.Fatal(err)
	}
	sends, err := d.RecentSends(ctx, time.Unix(now-3600, 0))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range sends {
		got = append(got, s.Recipient)
	}
	if fmt.Sprint(got) != "[recent lost inflight]" {
		t.Fatalf("seed after upgrade = %v; want [recent lost inflight]", got)
	}
}
