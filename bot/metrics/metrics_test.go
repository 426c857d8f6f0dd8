package metrics_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/metrics"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

func scrape(t *testing.T, url string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s = %d", url, resp.StatusCode)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

func audit(t *testing.T, d *db.DB, command, decision string) {
	t.Helper()
	if err := d.AppendAudit(t.Context(), &db.AuditEntry{Actor: "zhangsan", Command: command, Decision: decision, Result: "r"}); err != nil {
		t.Fatal(err)
	}
}

// TestDatabaseFigures: the scrape-time figures come from a real database: queue depths and ages, the audit
// head, and counters from the audit rows and alert digests committed after New, each counted once.
func TestDatabaseFigures(t *testing.T) {
	ctx := t.Context()
	d, err := db.Open(filepath.Join(t.TempDir(), "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	audit(t, d, "devices", db.DecisionOK) // before New: not counted
	m, err := metrics.New(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()

	audit(t, d, "order approve", db.DecisionOK)
	audit(t, d, "order reject", db.DecisionDenied)
	audit(t, d, "alerts ack", db.DecisionOK)
	audit(t, d, "alerts silence", db.DecisionOK)
	audit(t, d, "silence add", db.DecisionOK)
	audit(t, d, "silence add", db.DecisionFailed) // not a silence
	m.Command("ping", db.DecisionOK)              // an unaudited command, through the engine's hook
	if err := d.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
		return tx.AddAlertDigest(ctx, &db.AlertDigest{Team: "secops", Kind: db.DigestDomainIP, Severity: "warning", Title: "x"},
			func(*db.AlertDigest) ([]*db.AlertDelivery, error) { return nil, nil })
	}); err != nil {
		t.Fatal(err)
	}
	due := &db.OutboxMessage{Recipient: "zhangsan", API: "message/send", Body: []byte(`{"msgtype":"markdown","touser":"zhangsan"}`)}
	held := &db.OutboxMessage{Recipient: "zhangsan", API: "message/send", Body: []byte(`{"msgtype":"markdown","touser":"zhangsan"}`)}
	card := &db.OutboxMessage{Recipient: "lisi", API: "message/update_template_card", Body: []byte(`{"response_code":"c"}`)}
	for _, o := range []*db.OutboxMessage{due, held, card} {
		if err := d.AddOutbox(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.RetryOutbox(ctx, held.ID, "", 0, time.Now().Add(time.Hour), false); err != nil { // as the sender holds one back
		t.Fatal(err)
	}
	if _, err := d.Enqueue(ctx, &db.InboxItem{Key: "msg:1", From: "zhangsan", Kind: "text", Payload: []byte("<xml/>"),
		ReceivedAt: time.Now().Add(-90 * time.Second)}); err != nil {
		t.Fatal(err)
	}

	want := map[string]float64{
		`wecombot_commands_total{command="order approve",decision="ok"}`:           1,
		`wecombot_commands_total{command="order reject",decision="denied"}`:        1,
		`wecombot_commands_total{command="silence add",decision="failed"}`:         1,
		`wecombot_commands_total{command="ping",decision="ok"}`:                    1,
		`wecombot_approval_decisions_total{decision="approve",outcome="ok"}`:       1,
		`wecombot_approval_decisions_total{decision="reject",outcome="denied"}`:    1,
		`wecombot_alerts_acked_total`:                                              1,
		`wecombot_alerts_silenced_total`:                                           2,
		`wecombot_alerts_pushed_total{kind="domain_ip",severity="warning"}`:        1,
		`wecombot_audit_head_seq`:                                                  7,
		`wecombot_inbox_messages{state="pending"}`:                                 1,
		`wecombot_inbox_messages{state="working"}`:                                 0,
		`wecombot_outbox_messages{msgtype="markdown",state="pending"}`:             1,
		`wecombot_outbox_messages{msgtype="markdown",state="held_back"}`:           1,
		`wecombot_outbox_messages{msgtype="update_template_card",state="pending"}`: 1,
	}
	for round := 1; round <= 2; round++ { // a second scrape with nothing new counts nothing twice
		got := scrape(t, srv.URL)
		for k, v := range want {
			if got[k] != v {
				t.Errorf("scrape %d: %s = %v; want %v", round, k, got[k], v)
			}
		}
		if _, ok := got[`wecombot_commands_total{command="devices",decision="ok"}`]; ok {
			t.Errorf("scrape %d: the audit row written before New was counted", round)
		}
		if age := got["wecombot_inbox_oldest_pending_age_seconds"]; age < 89 || age > 150 {
			t.Errorf("scrape %d: inbox oldest pending age = %v; want about 90", round, age)
		}
		if age := got["wecombot_outbox_oldest_pending_age_seconds"]; age > 60 {
			t.Errorf("scrape %d: outbox oldest pending age = %v; want a few seconds", round, age)
		}
	}
}

// TestHooksAndBoundedLabels: the hooks count what the parts report, label values stay within fixed sets or
// a cap, and a nil *Metrics does nothing.
func TestHooksAndBoundedLabels(t *testing.T) {
	d, err := db.Open(filepath.Join(t.TempDir(), "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	m, err := metrics.New(t.Context(), d)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()

	m.Callback("stored", true)
	m.Callback("bad_signature", false)
	m.Handled("done", 30*time.Millisecond)
	m.APICall("gettoken", &wecom.Error{Op: "gettoken", Code: 40001}, 10*time.Millisecond)
	m.APICall("gettoken", nil, 10*time.Millisecond)
	m.APICall("message/send", fmt.Errorf("dial: %w", errors.New("refused")), time.Millisecond)
	m.APICall("message/send?access_token=SECRET", nil, time.Millisecond) // never a label
	for i := 0; i < 150; i++ {
		m.APICall(fmt.Sprintf("fake/api%d", i), nil, time.Millisecond)
	}
	md := &db.OutboxMessage{API: "message/send", Body: []byte(`{"msgtype":"markdown"}`)}
	m.Outbox("sent", md, 0)
	m.Outbox("held_back", md, 0)
	m.Outbox("retry", md, 45009)
	m.Outbox("failed", &db.OutboxMessage{API: "message/send", Body: []byte(`{"msgtype":"<script>"}`)}, 81013)
	var nilM *metrics.Metrics
	nilM.Callback("stored", true)
	nilM.APICall("gettoken", nil, 0)
	nilM.Outbox("sent", md, 0)
	nilM.Handled("done", 0)
	nilM.Command("ping", "ok")

	got := scrape(t, srv.URL)
	for k, v := range map[string]float64{
		`wecombot_callbacks_received_total{outcome="stored"}`:                        1,
		`wecombot_callbacks_rejected_total{reason="bad_signature"}`:                  1,
		`wecombot_inbox_handling_duration_seconds_count{outcome="done"}`:             1,
		`wecombot_inbox_handling_duration_seconds_bucket{outcome="done",le="0.025"}`: 0,
		`wecombot_inbox_handling_duration_seconds_bucket{outcome="done",le="0.05"}`:  1,
		`wecombot_token_refreshes_total{errcode="40001"}`:                            1,
		`wecombot_token_refreshes_total{errcode="0"}`:                                1,
		`wecombot_wecom_api_calls_total{errcode="transport",path="message/send"}`:    1,
		`wecombot_outbox_sent_total{msgtype="markdown"}`:                             1,
		`wecombot_outbox_held_back_total{msgtype="markdown"}`:                        1,
		`wecombot_outbox_retries_total{errcode="45009",msgtype="markdown"}`:          1,
		`wecombot_outbox_failed_total{errcode="81013",msgtype="other"}`:              1,
	} {
		if got[k] != v {
			t.Errorf("%s = %v; want %v", k, got[k], v)
		}
	}
	paths := map[string]bool{}
	var other float64
	for k, v := range got {
		if strings.Contains(k, "SECRET") || strings.Contains(k, "access_token") {
			t.Errorf("a label carries request text: %s", k)
		}
		if rest, ok := strings.CutPrefix(k, "wecombot_wecom_api_calls_total{"); ok {
			_, p, _ := strings.Cut(rest, `path="`)
			p, _, _ = strings.Cut(p, `"`)
			paths[p] = true
			if p == "other" {
				other += v
			}
		}
	}
	// 100 distinct paths are kept (gettoken, message/send and 98 fake ones); the other 52 fake ones and the
	// invalid one read "other".
	if len(paths) != 101 || other != 53 {
		t.Errorf("API path labels: %d distinct, %v calls as other; want 101 (100 kept + other) and 53", len(paths), other)
	}
}
