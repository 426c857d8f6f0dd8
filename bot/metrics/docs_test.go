package metrics_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/metrics"
	"github.com/wecombot/wecombot/db"
)

var metricName = regexp.MustCompile(`wecombot_[a-z_]+`)

// servedNames exercises every hook and database source so that each metric has a sample, and returns the
// names served (histograms by their base name).
func servedNames(t *testing.T) map[string]bool {
	ctx := t.Context()
	d, err := db.Open(filepath.Join(t.TempDir(), "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	m, err := metrics.New(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	m.Callback("stored", true)
	m.Callback("bad_signature", false)
	m.Handled("done", time.Millisecond)
	m.APICall("gettoken", nil, time.Millisecond)
	md := &db.OutboxMessage{API: "message/send", Body: []byte(`{"msgtype":"text"}`)}
	for _, ev := range []string{"sent", "held_back", "retry", "failed"} {
		m.Outbox(ev, md, 0)
	}
	for _, c := range []string{"order approve", "alerts ack", "silence add"} {
		audit(t, d, c, db.DecisionOK)
	}
	if err := d.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
		return tx.AddAlertDigest(ctx, &db.AlertDigest{Team: "t", Kind: db.DigestDomainIP, Severity: "info", Title: "x"},
			func(*db.AlertDigest) ([]*db.AlertDelivery, error) { return nil, nil })
	}); err != nil {
		t.Fatal(err)
	}
	if err := d.AddOutbox(ctx, md); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	names := map[string]bool{}
	for k := range scrape(t, srv.URL) {
		name, _, _ := strings.Cut(k, "{")
		if !strings.HasPrefix(name, "wecombot_") {
			continue
		}
		for _, suf := range []string{"_bucket", "_sum", "_count"} {
			if base, ok := strings.CutSuffix(name, suf); ok && strings.HasSuffix(base, "_seconds") {
				name = base
			}
		}
		names[name] = true
	}
	return names
}

// TestDocs: docs/metrics.md lists exactly the metrics served, and the alerting rules and the Grafana
// dashboard name only metrics that exist (a renamed metric must not leave a rule that never fires).
func TestDocs(t *testing.T) {
	served := servedNames(t)
	if len(served) < 20 {
		t.Fatalf("only %d metrics served: %v", len(served), served)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("..", "..", "docs", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	documented := map[string]bool{}
	for _, line := range strings.Split(read("metrics.md"), "\n") {
		if strings.HasPrefix(line, "| `wecombot_") {
			documented[metricName.FindString(line)] = true
		}
	}
	for n := range served {
		if !documented[n] {
			t.Errorf("%s is served but not in docs/metrics.md's table", n)
		}
	}
	for n := range documented {
		if !served[n] {
			t.Errorf("docs/metrics.md lists %s, which is not served", n)
		}
	}
	base := func(n string) string {
		for _, suf := range []string{"_bucket", "_sum", "_count"} {
			if b, ok := strings.CutSuffix(n, suf); ok && strings.HasSuffix(b, "_seconds") {
				return b
			}
		}
		return n
	}
	rules := read("alerts.rules.yml")
	for _, n := range metricName.FindAllString(rules, -1) {
		if !served[base(n)] {
			t.Errorf("docs/alerts.rules.yml uses %s, which is not served", n)
		}
	}
	for _, alert := range []string{"WeComBotOutboxFailing", "WeComBotInboxBacklog", "WeComBotTokenRefreshFailing"} {
		if !strings.Contains(rules, "alert: "+alert) {
			t.Errorf("docs/alerts.rules.yml has no %s", alert)
		}
	}
	var dash struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal([]byte(read("grafana-dashboard.json")), &dash); err != nil {
		t.Fatalf("docs/grafana-dashboard.json: %v", err)
	}
	used := map[string]bool{}
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("dashboard panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			for _, n := range metricName.FindAllString(tg.Expr, -1) {
				used[base(n)] = true
				if !served[base(n)] {
					t.Errorf("dashboard panel %q uses %s, which is not served", p.Title, n)
				}
			}
		}
	}
	var unused []string
	for n := range served {
		if !used[n] {
			unused = append(unused, n)
		}
	}
	sort.Strings(unused)
	if len(unused) > 0 {
		t.Errorf("the dashboard shows none of %v", unused)
	}
}
