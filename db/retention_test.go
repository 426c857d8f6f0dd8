package db_test

import (
	"testing"
	"time"

	"github.com/wecombot/wecombot/db"
)

func TestPruneHistory(t *testing.T) {
	t.Parallel()
	d, now := MustOpen(t)
	ctx := t.Context()
	for _, r := range []string{"old-sent", "old-pending", "new-sent"} {
		if err := d.AddOutbox(ctx, &db.OutboxMessage{Recipient: r, API: "message/send", Body: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
		if r == "old-pending" {
			*now = now.Add(time.Hour)
			continue
		}
		ms, _ := d.ClaimOutbox(ctx, 10)
		for _, m := range ms {
			if m.Recipient == r {
				d.MarkOutboxSent(ctx, m.ID, "id", "")
			}
		}
		*now = now.Add(24 * time.Hour)
	}
	n, err := d.PruneHistory(ctx, time.Unix(1_700_000_000, 0).Add(12*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("PruneHistory = %d, %v; want 1 (the old sent message only)", n, err)
	}
	left, _ := d.ListOutbox(ctx, "", 10)
	if len(left) != 2 {
		t.Fatalf("left %+v; want the pending and the new message", left)
	}
	for _, m := range left {
		if m.Recipient == "old-sent" {
			t.Fatal("old sent message kept")
		}
	}
}
