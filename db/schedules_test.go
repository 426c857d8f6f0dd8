package db_test

import (
	"sync"
	"testing"
	"time"

	"github.com/wecombot/wecombot/db"
)

// A slot is queued once: firing it again (a second loop, a replay after a crash) does nothing, and a removed
// schedule fires nothing.
func TestFireSchedule_once(t *testing.T) {
	d, _ := MustOpen(t)
	ctx := t.Context()
	slot := time.Unix(1_800_000_000, 0)
	sc := &db.Schedule{Creator: "lisi", Spec: "hourly", Cron: "0 * * * *", Line: "/whoami", NextRun: slot, InboxID: 7}
	if ins, err := d.AddSchedule(ctx, sc); err != nil || !ins || sc.ID == 0 {
		t.Fatalf("add: %v %v %d", ins, err, sc.ID)
	}
	// A replayed add (same message) finds the row the first stored.
	again := *sc
	again.ID = 0
	if ins, err := d.AddSchedule(ctx, &again); err != nil || ins || again.ID != sc.ID {
		t.Fatalf("replayed add: inserted %v, id %d (want %d), %v", ins, again.ID, sc.ID, err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	fired := 0
	for range 8 {
		wg.Go(func() {
			ok, err := d.FireSchedule(ctx, sc.ID, slot, slot.Add(time.Hour), &db.InboxItem{From: "lisi", Payload: []byte(`{}`)})
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				fired++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if fired != 1 {
		t.Fatalf("fired %d times; want 1", fired)
	}
	it, state, err := d.GetInbox(ctx, "schedule:1:1800000000")
	if err != nil || state != "pending" || it.Kind != db.KindSchedule || it.From != "lisi" {
		t.Fatalf("inbox row %+v %q %v", it, state, err)
	}
	got, _ := d.GetSchedule(ctx, sc.ID)
	if !got.NextRun.Equal(slot.Add(time.Hour)) {
		t.Errorf("next run %v", got.NextRun)
	}
	if due, _ := d.DueSchedules(ctx, slot.Add(30*time.Minute), 10); len(due) != 0 {
		t.Errorf("due after firing: %d", len(due))
	}
	if ok, err := d.RemoveSchedule(ctx, sc.ID); !ok || err != nil {
		t.Fatalf("remove: %v %v", ok, err)
	}
	if ok, _ := d.RemoveSchedule(ctx, sc.ID); ok {
		t.Error("removed twice")
	}
	if ok, _ := d.FireSchedule(ctx, sc.ID, slot.Add(time.Hour), slot.Add(2*time.Hour), &db.InboxItem{From: "lisi", Payload: []byte(`{}`)}); ok {
		t.Error("a removed schedule fired")
	}
	if due, _ := d.DueSchedules(ctx, slot.Add(5*time.Hour), 10); len(due) != 0 {
		t.Errorf("a removed schedule is due")
	}
	if mine, total, _ := d.CountSchedules(ctx, "LiSi"); mine != 0 || total != 0 {
		t.Errorf("counts after remove: %d %d", mine, total)
	}
}
