package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
	"github.com/wecombot/wecombot/wecom/emulator"
)

// scrapeMetrics GETs url and returns each sample by its series as printed ("name{a=\"x\",b=\"y\"}").
func scrapeMetrics(t *testing.T, url string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s = %d; want 200", url, resp.StatusCode)
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
			t.Fatalf("metrics line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// sumMetric adds up the samples of name whose series contains every one of the label pairs given.
func sumMetric(m map[string]float64, name string, labels ...string) float64 {
	var n float64
	for k, v := range m {
		series, rest, _ := strings.Cut(k, "{")
		if series != name {
			continue
		}
		ok := true
		for _, l := range labels {
			if !strings.Contains(rest, l) {
				ok = false
			}
		}
		if ok {
			n += v
		}
	}
	return n
}

// TestE2E_metrics scrapes /metrics on its own listener before and after traffic — commands (run, denied,
// held back by a member limit), a forged callback, a redelivery, an injected WeCom errcode — and checks that
// each counter moved by what the traffic did.
func TestE2E_metrics(t *testing.T) {
	t.Parallel()
	s := startStackWith(t, emulator.Options{}, "[metrics]\nlisten = \"127.0.0.1:0\"\n", func(a *app) {
		// Two messages per member per 4 s: the third reply to one member is held back, briefly.
		a.sender.MemberLimits = []wecom.Window{{N: 2, Per: 4 * time.Second}}
		a.sender.Margin = 100 * time.Millisecond
	})
	if s.app.metrics == nil {
		t.Fatal("[metrics] listen is set, but the app serves no metrics")
	}
	maddr := s.app.metrics.addr()
	if maddr == s.addr {
		t.Fatalf("metrics listen on the callback's address %s", s.addr)
	}
	// The public callback listener does not serve the metrics.
	resp, err := http.Get("http://" + s.addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("GET /metrics on the callback listener = %d; want 404", resp.StatusCode)
	}
	murl := "http://" + maddr + "/metrics"
	before := scrapeMetrics(t, murl)

	s.say(t, "zhangsan", "/ping")
	s.say(t, "zhangsan", "/help")
	s.say(t, "zhangsan", "/ping") // the third reply in 4 s: held back by the member limit, then sent
	s.say(t, "lisi", "/devices")  // lisi has no roles: denied
	s.emu.Fail("message/send", 81013, 1)
	s.say(t, "wangwu", "/ping") // its reply fails for good with the injected errcode

	// A forged callback: right body, wrong signature.
	c, _ := wecom.NewCrypter(testToken, testAESKey, s.cfg.WeCom.CorpID)
	ts := fmt.Sprint(time.Now().Unix())
	body, _, err := c.EncryptCallback(s.emu.TextMessage("lisi", "forged", 1, time.Now()), ts, "n", strconv.Itoa(emulator.DefaultAgentID))
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{"msg_signature": {strings.Repeat("a", 40)}, "timestamp": {ts}, "nonce": {"n"}}
	resp, err = http.Post("http://"+s.addr+"/wecom/callback?"+q.Encode(), "text/xml", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// A redelivery of a callback already stored.
	id := s.nextID()
	msg := s.emu.TextMessage("zhaoliu", "/ping", id, time.Now())
	for i := 0; i < 2; i++ {
		if res, err := s.emu.Deliver(t.Context(), msg); err != nil || res.Status != 200 {
			t.Fatalf("deliver %d: %+v %v", i, res, err)
		}
	}
	waitFor(t, 10*time.Second, "the redelivered callback's reply", func() bool {
		out, _ := s.app.db.OutboxCounts(t.Context())
		_, state, _ := s.app.db.GetInbox(t.Context(), fmt.Sprintf("msg:%d", id))
		return state == "done" && out["pending"] == 0 && out["sending"] == 0
	})

	after := scrapeMetrics(t, murl)
	delta := func(name string, labels ...string) float64 {
		return sumMetric(after, name, labels...) - sumMetric(before, name, labels...)
	}
	checks := []struct {
		what string
		got  float64
		ok   func(float64) bool
		want string
	}{
		{"callbacks stored", delta("wecombot_callbacks_received_total", `outcome="stored"`), func(v float64) bool { return v == 6 }, "6"},
		{"callbacks duplicate", delta("wecombot_callbacks_received_total", `outcome="duplicate"`), func(v float64) bool { return v == 1 }, "1"},
		{"callbacks rejected (bad signature)", delta("wecombot_callbacks_rejected_total", `reason="bad_signature"`), func(v float64) bool { return v == 1 }, "1"},
		{"inbox handled", delta("wecombot_inbox_handling_duration_seconds_count", `outcome="done"`), func(v float64) bool { return v == 6 }, "6"},
		{"commands ping ok", delta("wecombot_commands_total", `command="ping"`, `decision="ok"`), func(v float64) bool { return v == 4 }, "4"},
		{"commands help ok", delta("wecombot_commands_total", `command="help"`, `decision="ok"`), func(v float64) bool { return v == 1 }, "1"},
		{"commands denied", delta("wecombot_commands_total", `command="devices"`, `decision="denied"`), func(v float64) bool { return v == 1 }, "1"},
		// At least one message per reply but the failed one (a long reply, like /help's, is split into several).
		{"outbox sent", delta("wecombot_outbox_sent_total"), func(v float64) bool { return v >= 5 }, ">= 5"},
		{"outbox held back", delta("wecombot_outbox_held_back_total"), func(v float64) bool { return v >= 1 }, ">= 1"},
		{"outbox failed 81013", delta("wecombot_outbox_failed_total", `errcode="81013"`), func(v float64) bool { return v == 1 }, "1"},
		{"API calls message/send 81013", delta("wecombot_wecom_api_calls_total", `path="message/send"`, `errcode="81013"`), func(v float64) bool { return v == 1 }, "1"},
		{"API calls message/send ok = messages sent", delta("wecombot_wecom_api_calls_total", `path="message/send"`, `errcode="0"`),
			func(v float64) bool { return v == delta("wecombot_outbox_sent_total") }, "the outbox's sent count"},
		{"API latency observations = calls", delta("wecombot_wecom_api_duration_seconds_count", `path="message/send"`),
			func(v float64) bool { return v == delta("wecombot_wecom_api_calls_total", `path="message/send"`) }, "the calls' count"},
		{"audit head (only /devices is audited)", delta("wecombot_audit_head_seq"), func(v float64) bool { return v == 1 }, "1"},
	}
	for _, c := range checks {
		if !c.ok(c.got) {
			t.Errorf("%s moved by %v; want %s", c.what, c.got, c.want)
		} else {
			t.Logf("%s moved by %v", c.what, c.got)
		}
	}
	if n := sumMetric(after, "wecombot_token_refreshes_total", `errcode="0"`); n < 1 {
		t.Errorf("token refreshes = %v; want at least the first gettoken", n)
	}
	if n, ok := after["wecombot_inbox_messages{state=\"pending\"}"]; !ok || n != 0 {
		t.Errorf("inbox pending gauge = %v (present %v); want 0 after the traffic drained", n, ok)
	}
	if _, ok := after["wecombot_inbox_oldest_pending_age_seconds"]; !ok {
		t.Error("no wecombot_inbox_oldest_pending_age_seconds")
	}
	for k := range after {
		if strings.Contains(k, "zhangsan") || strings.Contains(k, "lisi") || strings.Contains(k, "wangwu") {
			t.Errorf("a metric carries a userid: %s", k)
		}
	}
	if t.Failed() {
		for k, v := range after {
			if strings.HasPrefix(k, "wecombot_") {
				t.Logf("%s %v", k, v)
			}
		}
	}
}

// TestE2E_metricsTokenRefreshFailing: a secret WeCom rejects shows as failed token refreshes with WeCom's
// errcode, the signal docs/alerts.rules.yml's WeComBotTokenRefreshFailing fires on.
func TestE2E_metricsTokenRefreshFailing(t *testing.T) {
	t.Parallel()
	s := startStackWith(t, emulator.Options{Secret: "rotated-secret"}, "[metrics]\nlisten = \"127.0.0.1:0\"\n", nil)
	murl := "http://" + s.app.metrics.addr() + "/metrics"
	if n := sumMetric(scrapeMetrics(t, murl), "wecombot_token_refreshes_total"); n != 0 {
		t.Fatalf("token refreshes before any call = %v; want 0", n)
	}
	resp, err := http.Get("http://" + s.addr + "/readyz") // asks WeCom for a token
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("readyz with a rejected secret = %d; want 503", resp.StatusCode)
	}
	m := scrapeMetrics(t, murl)
	if n := sumMetric(m, "wecombot_token_refreshes_total", `errcode="40001"`); n < 1 {
		t.Errorf("failed token refreshes (40001) = %v; want at least 1", n)
	}
	if n := sumMetric(m, "wecombot_token_refreshes_total", `errcode="0"`); n != 0 {
		t.Errorf("successful token refreshes = %v; want 0 with a rejected secret", n)
	}
	if n := sumMetric(m, "wecombot_wecom_api_calls_total", `path="gettoken"`, `errcode="40001"`); n < 1 {
		t.Errorf("gettoken calls answered 40001 = %v; want at least 1", n)
	}
}

// TestE2E_metricsAlerts: a critical alert pushed, then acknowledged and its rule silenced with the card's
// buttons, moves the alert counters and the audited commands' counters.
func TestE2E_metricsAlerts(t *testing.T) {
	t.Parallel()
	s, _ := startAlerts(t, filepath.Join(t.TempDir(), "bot.db"), alertsTOML+"[metrics]\nlisten = \"127.0.0.1:0\"\n")
	s.alertsReading(t)
	s.alertsSettled(t, time.Now())
	murl := "http://" + s.app.metrics.addr() + "/metrics"
	before := scrapeMetrics(t, murl)

	s.emu.AddAdminOperRecord(emulator.AdminOperRecord{Time: time.Now(), UserID: "wujiu", OperType: 2, DetailType: 1,
		DetailInfo: "添加管理员：lisi（超级管理员）", IP: "61.40.1.2"})
	s.alertsSettled(t, time.Now())
	cs := s.alertCards("zhangsan")
	if len(cs) == 0 {
		t.Fatal("zhangsan got no alert card")
	}
	crit := cs[len(cs)-1]
	keys := alertButtonKeys(t, crit)
	if len(keys) != 2 {
		t.Fatalf("critical card buttons = %q; want ack and silence", keys)
	}
	for _, k := range keys { // zhangsan is an admin: both are allowed
		s.alertClick(t, "zhangsan", crit, k)
	}
	waitFor(t, 10*time.Second, "the ack and the silence", func() bool {
		return len(s.alertAudit(t, "zhangsan", "alerts ack")) == 1 && len(s.alertAudit(t, "zhangsan", "alerts silence")) == 1
	})

	after := scrapeMetrics(t, murl)
	delta := func(name string, labels ...string) float64 {
		return sumMetric(after, name, labels...) - sumMetric(before, name, labels...)
	}
	for what, got := range map[string]float64{
		"critical alerts pushed":  delta("wecombot_alerts_pushed_total", `kind="critical"`, `severity="critical"`),
		"alerts acked":            delta("wecombot_alerts_acked_total"),
		"alerts silenced":         delta("wecombot_alerts_silenced_total"),
		"alerts ack commands":     delta("wecombot_commands_total", `command="alerts ack"`, `decision="ok"`),
		"alerts silence commands": delta("wecombot_commands_total", `command="alerts silence"`, `decision="ok"`),
	} {
		if got != 1 {
			t.Errorf("%s moved by %v; want 1", what, got)
		} else {
			t.Logf("%s moved by %v", what, got)
		}
	}
}

// TestE2E_metricsApprovals: an application approved with its card's button moves the approval-decision
// counter and the audited command's counter by one.
func TestE2E_metricsApprovals(t *testing.T) {
	t.Parallel()
	s := startStackWith(t, emulator.Options{}, approvalsTOML+"[metrics]\nlisten = \"127.0.0.1:0\"\n", nil)
	murl := "http://" + s.app.metrics.addr() + "/metrics"
	before := scrapeMetrics(t, murl)
	id := s.apply(t, "lisi", 1, "需要发送大附件")
	waitFor(t, 10*time.Second, "both cards", func() bool { return s.card(t, "zhangsan", id) != "" && s.card(t, "zhaoliu", id) != "" })
	s.click(t, "zhaoliu", id, "approve")
	waitFor(t, 10*time.Second, "the decision", func() bool {
		return len(s.updates("zhangsan")) == 1 && contains(s.contents("lisi"), "approved")
	})
	waitFor(t, 10*time.Second, "the audit row", func() bool {
		es, _ := s.app.db.ListAudit(t.Context(), db.AuditFilter{Command: "order approve", Limit: 10})
		return len(es) == 1
	})
	after := scrapeMetrics(t, murl)
	delta := func(name string, labels ...string) float64 {
		return sumMetric(after, name, labels...) - sumMetric(before, name, labels...)
	}
	if n := delta("wecombot_approval_decisions_total", `decision="approve"`, `outcome="ok"`); n != 1 {
		t.Errorf("approvals (ok) moved by %v; want 1", n)
	}
	if n := delta("wecombot_approval_decisions_total", `decision="reject"`); n != 0 {
		t.Errorf("rejections moved by %v; want 0", n)
	}
	if n := delta("wecombot_commands_total", `command="order approve"`, `decision="ok"`); n != 1 {
		t.Errorf("order approve commands moved by %v; want 1", n)
	}
}
