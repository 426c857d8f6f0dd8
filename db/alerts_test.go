package db_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/wecombot/wecombot/db"
)

func alert(rule, key, user, kind string) *db.Alert {
	return &db.Alert{Rule: rule, Key: key, Source: "member_oper_log", Team: "secops", Severity: "warning",
		UserID: user, Kind: kind, Summary: user + " did " + kind, RecordAt: time.Unix(1_699_999_000, 0)}
}

func record(t *testing.T, d *db.DB, b *db.AlertBatch) []*db.Alert {
	t.Helper()
	added, err := d.RecordAlerts(t.Context(), b)
	if err != nil {
		t.Fatal(err)
	}
	return added
}

func TestRecordAlerts_dedupe(t *testing.T) {
	t.Parallel()
	d, _ := MustOpen(t)
	added := record(t, d, &db.AlertBatch{Source: "member_oper_log", Alerts: []*db.Alert{
		alert("new-device", "k1", "lisi", "4"), alert("new-device", "k2", "lisi", "4"),
		alert("other-rule", "k1", "lisi", "4"), // the same record under another rule is another alert
	}})
	if len(added) != 3 {
		t.Fatalf("first batch stored %d alerts; want 3", len(added))
	}
	// The same records read again (an overlapping window, a restart) are dropped by the UNIQUE (rule, key).
	added = record(t, d, &db.AlertBatch{Source: "member_oper_log", Alerts: []*db.Alert{
		alert("new-device", "k1", "lisi", "4"), alert("new-device", "k3", "wangwu", "4"), alert("other-rule", "k1", "lisi", "4"),
	}})
	if len(added) != 1 || added[0].Key != "k3" {
		t.Fatalf("second batch stored %+v; want only k3", added)
	}
	// The constraint itself, not only the insert's ON CONFLICT, holds.
	_, err := d.SQL().ExecContext(t.Context(), `INSERT INTO alerts (rule, key, source, team, severity, summary, record_at, created_at)
		VALUES ('new-device', 'k1', 's', 'secops', 'info', 'x', 0, 0)`)
	if err == nil {
		t.Fatal("a duplicate (rule, key) was accepted by the table")
	}
	list, total, err := d.ListAlerts(t.Context(), db.AlertFilter{})
	if err != nil || total != 4 || len(list) != 4 {
		t.Fatalf("ListAlerts = %d of %d, %v; want 4", len(list), total, err)
	}
}

func TestRecordAlerts_cursor(t *testing.T) {
	t.Parallel()
	d, now := MustOpen(t)
	ctx := t.Context()
	if c, err := d.GetAlertCursor(ctx, "member_oper_log"); err != nil || c != nil {
		t.Fatalf("cursor before any window = %+v, %v; want none", c, err)
	}
	origin := now.Add(-time.Minute)
	record(t, d, &db.AlertBatch{Source: "member_oper_log", ReadTo: now.Add(-10 * time.Second), Origin: origin,
		Alerts: []*db.Alert{alert("r", "k1", "lisi", "4")}})
	c, err := d.GetAlertCursor(ctx, "member_oper_log")
	if err != nil || c == nil || !c.ReadTo.Equal(now.Add(-10*time.Second)) || !c.Origin.Equal(origin) {
		t.Fatalf("cursor = %+v, %v", c, err)
	}
	// It moves forward only, and the origin of the first window stays.
	record(t, d, &db.AlertBatch{Source: "member_oper_log", ReadTo: now.Add(-30 * time.Second), Origin: *now})
	record(t, d, &db.AlertBatch{Source: "member_oper_log", ReadTo: now.Add(-5 * time.Second)})
	c, _ = d.GetAlertCursor(ctx, "member_oper_log")
	if !c.ReadTo.Equal(now.Add(-5*time.Second)) || !c.Origin.Equal(origin) {
		t.Fatalf("cursor after more windows = %+v; want read_to now-5s, origin unchanged", c)
	}
	// Sources are independent.
	if c, _ := d.GetAlertCursor(ctx, "admin_oper_log"); c != nil {
		t.Fatalf("admin cursor = %+v; want none", c)
	}
}

func TestRecordAlerts_cursorAndAlertsCommitTogether(t *testing.T) {
	t.Parallel()
	d, now := MustOpen(t)
	// An invalid alert fails the batch: neither the valid alerts nor the cursor move.
	_, err := d.RecordAlerts(t.Context(), &db.AlertBatch{Source: "member_oper_log", ReadTo: *now,
		Alerts: []*db.Alert{alert("r", "k1", "lisi", "4"), {Rule: "r"}}})
	if err == nil {
		t.Fatal("a batch with an invalid alert was stored")
	}
	if c, _ := d.GetAlertCursor(t.Context(), "member_oper_log"); c != nil {
		t.Fatalf("cursor moved by a failed batch: %+v", c)
	}
	if _, total, _ := d.ListAlerts(t.Context(), db.AlertFilter{}); total != 0 {
		t.Fatalf("%d alerts stored by a failed batch", total)
	}
}

func TestRecordAlerts_repeatsAndSilences(t *testing.T) {
	t.Parallel()
	d, now := MustOpen(t)
	ctx := t.Context()
	w := time.Minute
	first := record(t, d, &db.AlertBatch{Source: "s", RepeatWindow: w, Alerts: []*db.Alert{
		alert("r", "k1", "lisi", "4"), alert("r", "k2", "lisi", "4"), alert("r", "k3", "lisi", "13"), alert("r", "k4", "wangwu", "4"),
	}})
	var repeats []string
	for _, a := range first {
		if a.Repeat {
			repeats = append(repeats, a.Key)
		}
	}
	if fmt.Sprint(repeats) != "[k2]" {
		t.Fatalf("repeats = %v; want [k2] (same rule, member and kind as k1)", repeats)
	}
	// After the window, the same member and kind alert afresh.
	*now = now.Add(2 * w)
	if a := record(t, d, &db.AlertBatch{Source: "s", RepeatWindow: w, Alerts: []*db.Alert{alert("r", "k5", "lisi", "4")}}); a[0].Repeat {
		t.Fatal("an alert a window after the last one is a repeat")
	}
	// A silenced rule's alerts are stored as silenced.
	sl := &db.AlertSilence{Rule: "r", CreatedBy: "wujiu", Until: now.Add(time.Hour)}
	if _, err := d.AddAlertSilence(ctx, sl); err != nil {
		t.Fatal(err)
	}
	got := record(t, d, &db.AlertBatch{Source: "s", Alerts: []*db.Alert{alert("r", "k6", "sunqi", "4"), alert("other", "k6", "sunqi", "4")}})
	if got[0].State != db.AlertSilenced || got[1].State != db.AlertPending {
		t.Fatalf("states = %s, %s; want silenced (rule r) and pending (rule other)", got[0].State, got[1].State)
	}
	// Once it ends, they are pending again.
	*now = now.Add(2 * time.Hour)
	if got := record(t, d, &db.AlertBatch{Source: "s", Alerts: []*db.Alert{alert("r", "k7", "sunqi", "4")}}); got[0].State != db.AlertPending {
		t.Fatalf("state after the silence = %s", got[0].State)
	}
}

func TestFlushAlerts(t *testing.T) {
	t.Parallel()
	d, now := MustOpen(t)
	ctx := t.Context()
	as := record(t, d, &db.AlertBatch{Source: "s", Alerts: []*db.Alert{
		alert("r", "k1", "lisi", "4"), alert("r", "k2", "wangwu", "4"), alert("r", "k3", "sunqi", "4"), alert("q", "k4", "sunqi", "4"),
	}})
	teams, err := d.PendingAlertTeams(ctx)
	if err != nil || len(teams) != 1 || !teams["secops"].Equal(*now) {
		t.Fatalf("PendingAlertTeams = %v, %v", teams, err)
	}
	pending, err := d.PendingAlerts(ctx, "secops", 0)
	if err != nil || len(pending) != 4 || pending[0].ID != as[0].ID {
		t.Fatalf("PendingAlerts = %d, %v", len(pending), err)
	}
	var built *db.AlertDigest
	dg := &db.AlertDigest{Team: "secops", Kind: db.DigestGrouped, Severity: "warning", Title: "2 alerts", Alerts: 2}
	err = d.FlushAlerts(ctx, &db.AlertFlush{Sent: []int64{as[0].ID, as[1].ID}, Silenced: []int64{as[2].ID}, Digest: dg,
		Build: func(d *db.AlertDigest) ([]*db.AlertDelivery, error) {
			built = d
			return []*db.AlertDelivery{
				{Recipient: "zhangsan", Message: &db.OutboxMessage{Recipient: "zhangsan", API: "message/send", Body: []byte(`{"md":1}`)}},
				{Recipient: "zhangsan", TaskID: "alert-1-x-0", Message: &db.OutboxMessage{Recipient: "zhangsan", API: "message/send", Body: []byte(`{"card":1}`)}},
			}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if built == nil || built.ID == 0 {
		t.Fatal("Build was not given the stored digest")
	}
	list, _, _ := d.ListAlerts(ctx, db.AlertFilter{})
	states := map[string]string{}
	for _, a := range list {
		states[a.Key] = a.State
		if a.State == db.AlertSent && a.DigestID != built.ID {
			t.Errorf("alert %s in digest %d; want %d", a.Key, a.DigestID, built.ID)
		}
	}
	if fmt.Sprint(states) != "map[k1:sent k2:sent k3:silenced k4:pending]" {
		t.Fatalf("states = %v", states)
	}
	if c, _ := d.OutboxCounts(ctx); c["pending"] != 2 {
		t.Fatalf("outbox = %v; want the 2 messages queued", c)
	}
	card, err := d.AlertCardByTask(ctx, "alert-1-x-0")
	if err != nil || card.DigestID != built.ID || card.Recipient != "zhangsan" {
		t.Fatalf("AlertCardByTask = %+v, %v", card, err)
	}

	// Settling an alert that is no longer pending fails the whole flush.
	err = d.FlushAlerts(ctx, &db.AlertFlush{Suppressed: []int64{as[3].ID, as[0].ID}})
	if !errors.Is(err, db.ErrAlertsChanged) {
		t.Fatalf("flush of an already sent alert: %v; want ErrAlertsChanged", err)
	}
	if p, _ := d.PendingAlerts(ctx, "secops", 0); len(p) != 1 {
		t.Fatalf("a failed flush changed alerts: %d pending; want 1", len(p))
	}
	if n, err := d.CountAlertDigests(ctx, "secops", db.DigestGrouped, now.Add(-time.Minute)); err != nil || n != 1 {
		t.Fatalf("CountAlertDigests = %d, %v", n, err)
	}
}

// sentCard stores a digest with one card per member and marks the cards sent with a response_code.
func sentCard(t *testing.T, d *db.DB, users ...string) int64 {
	t.Helper()
	ctx := t.Context()
	dg := &db.AlertDigest{Team: "secops", Kind: db.DigestCritical, Severity: "critical", Title: "t", Alerts: 1}
	var msgs []*db.OutboxMessage
	err := d.FlushAlerts(ctx, &db.AlertFlush{Digest: dg, Build: func(dg *db.AlertDigest) ([]*db.AlertDelivery, error) {
		var out []*db.AlertDelivery
		for _, u := range users {
			m := &db.OutboxMessage{Recipient: u, API: "message/send", Body: []byte(`{}`)}
			msgs = append(msgs, m)
			out = append(out, &db.AlertDelivery{Recipient: u, TaskID: fmt.Sprintf("task-%d-%s", dg.ID, u), Message: m})
		}
		return out, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if err := d.MarkOutboxSent(ctx, m.ID, "msg", "code-"+m.Recipient); err != nil {
			t.Fatal(err)
		}
	}
	return dg.ID
}

// inTx runs f in a callback-completing transaction.
func inTx(t *testing.T, d *db.DB, f func(ctx context.Context, tx *db.Tx) error) {
	t.Helper()
	if _, err := d.Enqueue(t.Context(), item(fmt.Sprintf("k%d", time.Now().UnixNano()), "zhangsan")); err != nil {
		t.Fatal(err)
	}
	items, err := d.ClaimInbox(t.Context(), 1)
	if err != nil || len(items) != 1 {
		t.Fatalf("claim: %v %v", items, err)
	}
	if err := d.CompleteInbox(t.Context(), items[0].ID, f); err != nil {
		t.Fatal(err)
	}
}

func TestAckAlertDigest(t *testing.T) {
	t.Parallel()
	d, _ := MustOpen(t)
	id := sentCard(t, d, "zhangsan", "wujiu", "lisi")
	var first, second bool
	var cards []db.AlertCard
	inTx(t, d, func(ctx context.Context, tx *db.Tx) error {
		dg, ok, err := tx.AckAlertDigest(ctx, id, "zhangsan")
		if err != nil {
			return err
		}
		if dg.AckedBy != "zhangsan" {
			t.Errorf("acked by %q", dg.AckedBy)
		}
		first = ok
		cards, err = tx.TakeAlertCards(ctx, id, fmt.Sprintf("task-%d-zhangsan", id))
		return err
	})
	if !first || len(cards) != 3 {
		t.Fatalf("first ack: first=%v, cards %+v; want 3 cards to update", first, cards)
	}
	if cards[1].ResponseCode != "code-wujiu" {
		t.Fatalf("card codes = %+v; want the codes message/send returned", cards)
	}
	inTx(t, d, func(ctx context.Context, tx *db.Tx) error {
		dg, ok, err := tx.AckAlertDigest(ctx, id, "wujiu")
		if err != nil {
			return err
		}
		second = ok
		if dg.AckedBy != "zhangsan" {
			t.Errorf("second ack changed acked_by to %q", dg.AckedBy)
		}
		cards, err = tx.TakeAlertCards(ctx, id, fmt.Sprintf("task-%d-wujiu", id))
		return err
	})
	if second || len(cards) != 0 {
		t.Fatalf("second ack: first=%v, cards %+v; want not first, no card left to update", second, cards)
	}
	inTx(t, d, func(ctx context.Context, tx *db.Tx) error {
		if _, _, err := tx.AckAlertDigest(ctx, id+100, "zhangsan"); !errors.Is(err, db.ErrAlertNotFound) {
			t.Errorf("ack of an unknown digest: %v; want ErrAlertNotFound", err)
		}
		return nil
	})
}

func TestAlertSilences(t *testing.T) {
	t.Parallel()
	d, now := MustOpen(t)
	ctx := t.Context()
	s1 := &db.AlertSilence{Rule: "r", CreatedBy: "wujiu", Reason: "rollout", Until: now.Add(time.Hour), InboxID: 7}
	if existed, err := d.AddAlertSilence(ctx, s1); err != nil || existed || s1.ID == 0 {
		t.Fatalf("AddAlertSilence = %v, %v, id %d", existed, err, s1.ID)
	}
	// The same callback replayed finds its silence instead of adding another.
	again := &db.AlertSilence{Rule: "r", CreatedBy: "wujiu", Until: now.Add(2 * time.Hour), InboxID: 7}
	if existed, err := d.AddAlertSilence(ctx, again); err != nil || !existed || again.ID != s1.ID || !again.Until.Equal(s1.Until) {
		t.Fatalf("replayed AddAlertSilence = %v, %v, %+v", existed, err, again)
	}
	if got, err := d.AlertSilenceByInbox(ctx, 7); err != nil || got == nil || got.ID != s1.ID {
		t.Fatalf("AlertSilenceByInbox = %+v, %v", got, err)
	}
	s2 := &db.AlertSilence{Rule: "q", CreatedBy: "zhangsan", Until: now.Add(time.Minute)}
	if _, err := d.AddAlertSilence(ctx, s2); err != nil {
		t.Fatal(err)
	}
	active, err := d.ActiveAlertSilences(ctx)
	if err != nil || len(active) != 2 || active[0].ID != s2.ID || active[1].Reason != "rollout" {
		t.Fatalf("ActiveAlertSilences = %+v, %v; want q then r", active, err)
	}
	ended, err := d.EndAlertSilence(ctx, s1.ID, "zhangsan")
	if err != nil || ended.RemovedBy != "zhangsan" || ended.RemovedAt.IsZero() {
		t.Fatalf("EndAlertSilence = %+v, %v", ended, err)
	}
	if _, err := d.EndAlertSilence(ctx, s1.ID, "zhangsan"); !errors.Is(err, db.ErrAlertNotFound) {
		t.Fatalf("ending it twice: %v; want ErrAlertNotFound", err)
	}
	*now = now.Add(2 * time.Minute) // s2 runs out
	if active, _ := d.ActiveAlertSilences(ctx); len(active) != 0 {
		t.Fatalf("silences in force after all ended = %+v", active)
	}
	if _, err := d.EndAlertSilence(ctx, s2.ID, "zhangsan"); !errors.Is(err, db.ErrAlertNotFound) {
		t.Fatalf("ending an expired silence: %v; want ErrAlertNotFound", err)
	}
}

func TestPinDomainIPBaseline(t *testing.T) {
	t.Parallel()
	d, now := MustOpen(t)
	ctx := t.Context()
	// No baseline: a replay still says none, even once a snapshot exists.
	if got, _, err := d.PinDomainIPBaseline(ctx, 1, nil, time.Time{}); err != nil || got != nil {
		t.Fatalf("pin without baseline = %q, %v", got, err)
	}
	if got, _, err := d.PinDomainIPBaseline(ctx, 1, []byte(`{"new":1}`), *now); err != nil || got != nil {
		t.Fatalf("replayed pin = %q, %v; want still none", got, err)
	}
	at := now.Add(-time.Hour)
	if got, gotAt, err := d.PinDomainIPBaseline(ctx, 2, []byte(`{"old":1}`), at); err != nil || string(got) != `{"old":1}` || !gotAt.Equal(at) {
		t.Fatalf("pin = %q %v, %v", got, gotAt, err)
	}
	if got, gotAt, err := d.PinDomainIPBaseline(ctx, 2, []byte(`{"new":1}`), *now); err != nil || string(got) != `{"old":1}` || !gotAt.Equal(at) {
		t.Fatalf("replayed pin = %q %v, %v; want the first baseline", got, gotAt, err)
	}
}
