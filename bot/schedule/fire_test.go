package schedule

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/wecombot/wecombot/db"
)

// Slots missed while the bot was down fire once, not once per slot; the next slot is the first after now.
func TestFireDue_missedSlotsOnce(t *testing.T) {
	d, err := db.Open(filepath.Join(t.TempDir(), "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	ctx := t.Context()
	slot := time.Date(2026, 12, 3, 9, 0, 0, 0, shanghai)
	sc := &db.Schedule{Creator: "lisi", Spec: "every 15m", Cron: "*/15 * * * *", Line: "/whoami", NextRun: slot, InboxID: 1}
	if _, err := d.AddSchedule(ctx, sc); err != nil {
		t.Fatal(err)
	}
	now := slot.Add(3*time.Hour + 7*time.Minute) // twelve slots and a bit missed
	wakes := 0
	s := New(Deps{DB: d, Location: shanghai, Now: func() time.Time { return now }, Wake: func() { wakes++ }})
	if n, err := s.FireDue(ctx); err != nil || n != 1 {
		t.Fatalf("fired %d (%v); want 1 for the twelve missed slots", n, err)
	}
	if n, _ := s.FireDue(ctx); n != 0 {
		t.Fatalf("fired %d more at the same time", n)
	}
	it, _, err := d.GetInbox(ctx, fmt.Sprintf("schedule:%d:%d", sc.ID, slot.Unix()))
	if err != nil {
		t.Fatal(err)
	}
	var r slotRun
	json.Unmarshal(it.Payload, &r)
	if r.Slot != slot.Unix() || time.Unix(r.Fired, 0).Sub(slot) <= lateAfter {
		t.Errorf("payload %+v: want the missed slot, fired late", r)
	}
	got, _ := d.GetSchedule(ctx, sc.ID)
	if want := slot.Add(3*time.Hour + 15*time.Minute); !got.NextRun.Equal(want) {
		t.Errorf("next run %v, want %v", got.NextRun.In(shanghai), want)
	}
	now = got.NextRun
	if n, _ := s.FireDue(ctx); n != 1 || wakes != 2 {
		t.Errorf("the next slot fired %d, woke %d times", n, wakes)
	}
}
