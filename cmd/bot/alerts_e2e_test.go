package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/security"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom/emulator"
	"github.com/wecombot/wecombot/wecom/wecomtest"
)

// alertsTOML is an [alerts] section for the tests: the team is the 安全管理员 tag (zhangsan, wujiu) plus lisi,
// who may read nothing and click nothing; sunqi may read alerts (alerts.read) but not act on them.
const alertsTOML = `
[access.roles.alert-readers]
members = ["sunqi"]
permissions = ["alerts.read"]

[alerts]
interval = "200ms"
window = "500ms"
domain_ip_team = "secops"

[alerts.teams.secops]
members = ["tag:安全管理员", "lisi"]

[[alerts.rules]]
name = "new-device-login"
source = "member_oper_log"
oper_types = [4, 13]
severity = "warning"
team = "secops"

[[alerts.rules]]
name = "file-download"
source = "file_oper_record"
file_ops = [103, 113]
severity = "info"
team = "secops"

[[alerts.rules]]
name = "admin-permission"
source = "admin_oper_log"
oper_types = [2]
severity = "critical"
team = "secops"
`

var alertsTeam = []string{"lisi", "wujiu", "zhangsan"}

// startAlerts starts the emulator and a bot with alertsTOML on the database at dbPath; stop ends the bot.
func startAlerts(t *testing.T, dbPath, extra string) (*stack, func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	emu := wecomtest.NewServer(t, emulator.Options{CallbackURL: "http://" + addr + "/wecom/callback", Token: testToken, EncodingAESKey: testAESKey})
	cfg := testConfigExtra(t, addr, emu.URL, dbPath, extra)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(&testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	a, err := newApp(cfg, log, nil)
	if err != nil {
		t.Fatal(err)
	}
	a.processor.Poll, a.sender.Poll = 20*time.Millisecond, 20*time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.run(ctx, ln) }()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			if err := <-done; err != nil {
				t.Errorf("app.run: %v", err)
			}
		}
	}
	t.Cleanup(stop)
	return &stack{app: a, emu: emu, cfg: cfg, addr: addr}, stop
}

// settled waits until the watchers have read past `after` (so records stamped before it are in), no alert is
// pending and the outbox is empty.
func (s *stack) alertsSettled(t *testing.T, after time.Time) {
	t.Helper()
	waitFor(t, 20*time.Second, "alerts to be read, pushed and sent", func() bool {
		for _, src := range []string{"member_oper_log", "admin_oper_log", "file_oper_record"} {
			c, err := s.app.db.GetAlertCursor(t.Context(), src)
			if err != nil || c == nil || c.ReadTo.Before(after) {
				return false
			}
		}
		p, err := s.app.db.PendingAlertTeams(t.Context())
		if err != nil || len(p) > 0 {
			return false
		}
		c, _ := s.app.db.OutboxCounts(t.Context())
		return c["pending"] == 0 && c["sending"] == 0
	})
}

// digests returns the alert digests (markdown) a member received.
func (s *stack) alertDigests(user string) []string {
	var out []string
	for _, m := range s.emu.Delivered(user) {
		if m.API == "message/send" && m.MsgType == "markdown" && strings.Contains(m.Content, "for team secops") {
			out = append(out, strings.ReplaceAll(m.Content, "\u200b", ""))
		}
	}
	return out
}

// cards returns the template cards a member received.
func (s *stack) alertCards(user string) []emulator.SentMessage {
	var out []emulator.SentMessage
	for _, m := range s.emu.Delivered(user) {
		if m.API == "message/send" && m.MsgType == "template_card" {
			out = append(out, m)
		}
	}
	return out
}

var alertRuleCountRE = regexp.MustCompile(`\*\*([a-z-]+)\*\* <font[^>]*>[^<]*</font>: (\d+) alerts?`)

// ruleCounts reads "**rule** severity: N alerts" lines of a digest.
func alertRuleCounts(md string) map[string]int {
	out := map[string]int{}
	for _, m := range alertRuleCountRE.FindAllStringSubmatch(md, -1) {
		n, _ := strconv.Atoi(m[2])
		out[m[1]] += n
	}
	return out
}

func alertStates(t *testing.T, d *db.DB) map[string]int {
	t.Helper()
	list, _, err := d.ListAlerts(t.Context(), db.AlertFilter{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, a := range list {
		out[a.State]++
	}
	return out
}

// waitRead waits until the bot's first windows are in place, so records stamped from now on are read.
func (s *stack) alertsReading(t *testing.T) {
	t.Helper()
	waitFor(t, 10*time.Second, "the watchers' first windows", func() bool {
		c, err := s.app.db.GetAlertCursor(t.Context(), "member_oper_log")
		return err == nil && c != nil
	})
}

func TestAlerts_burstBecomesDigests(t *testing.T) {
	t.Parallel()
	s, _ := startAlerts(t, filepath.Join(t.TempDir(), "bot.db"), alertsTOML)
	s.alertsReading(t)
	users := []string{"lisi", "wangwu", "sunqi", "zhangsan", "wujiu"}
	// 200 new-device logins within a few seconds, in bursts, as a compromised-credential wave would look, plus
	// records no rule matches.
	for i := 0; i < 200; i++ {
		op := 4
		if i%3 == 0 {
			op = 13
		}
		s.emu.AddMemberOperRecord(emulator.MemberOperRecord{Time: time.Now(), UserID: users[i%len(users)], OperType: op,
			DetailInfo: fmt.Sprintf("新设备登录：Windows PC-%03d", i), IP: fmt.Sprintf("183.40.%d.*", i%250)})
		s.emu.AddMemberOperRecord(emulator.MemberOperRecord{Time: time.Now(), UserID: users[i%len(users)], OperType: 1,
			DetailInfo: fmt.Sprintf("添加外部联系人：%d", i)})
		if i%50 == 49 {
			time.Sleep(300 * time.Millisecond)
		}
	}
	s.alertsSettled(t, time.Now())

	states := alertStates(t, s.app.db)
	if total := states[db.AlertSent] + states[db.AlertSuppressed]; total != 200 || states[db.AlertPending] != 0 {
		t.Fatalf("alert states = %v; want 200 sent or suppressed (repeats), none pending", states)
	}
	for _, u := range alertsTeam {
		ds := s.alertDigests(u)
		if len(ds) == 0 || len(ds) > 6 {
			t.Fatalf("%s got %d digests for 200 records; want a handful (1 to 6)", u, len(ds))
		}
		sum := 0
		for _, d := range ds {
			c := alertRuleCounts(d)
			if len(c) != 1 || c["new-device-login"] == 0 {
				t.Fatalf("digest counts = %v in %q; want only new-device-login", c, d)
			}
			sum += c["new-device-login"]
		}
		if sum != states[db.AlertSent] {
			t.Errorf("%s's digests count %d alerts; the bot sent %d", u, sum, states[db.AlertSent])
		}
		// Every message is a digest's markdown or its card: two per digest, no more.
		if n := len(s.emu.Delivered(u)); n != 2*len(ds) {
			t.Errorf("%s received %d messages for %d digests; want 2 each", u, n, len(ds))
		}
		if n := s.emu.DroppedCount(u); n != 0 {
			t.Errorf("%s: %d messages dropped by WeCom's per-member limit", u, n)
		}
	}
	// The first digest names who was involved.
	first := s.alertDigests("zhangsan")[0]
	for _, u := range []string{"lisi", "wangwu"} {
		if !strings.Contains(first, u) {
			t.Errorf("first digest does not name %s: %q", u, first)
		}
	}
	// Nobody outside the team heard of it.
	if n := len(s.emu.Delivered("wangwu")); n != 0 {
		t.Errorf("wangwu (not in the team) received %d messages", n)
	}
}

func TestAlerts_noRecordAlertedTwiceAcrossRestart(t *testing.T) {
	t.Parallel()
	dbPath := filepath.Join(t.TempDir(), "bot.db")
	s1, stop1 := startAlerts(t, dbPath, alertsTOML)
	s1.alertsReading(t)
	var old []emulator.MemberOperRecord
	var oldFiles []emulator.FileOperRecord
	for i, u := range []string{"lisi", "wangwu", "sunqi"} {
		old = append(old, emulator.MemberOperRecord{Time: time.Now(), UserID: u, OperType: 4, DetailInfo: "新设备登录：old-" + u, IP: "10.0.0.*"})
		oldFiles = append(oldFiles, emulator.FileOperRecord{Time: time.Now(), UserID: u, OperType: 103, OperSource: 404,
			FileInfo: fmt.Sprintf("old-%d.xlsx", i), FileSize: 1000})
	}
	for i := range old {
		s1.emu.AddMemberOperRecord(old[i])
		s1.emu.AddFileOperRecord(oldFiles[i])
	}
	s1.alertsSettled(t, time.Now())
	got := map[string]int{}
	for _, d := range s1.alertDigests("zhangsan") {
		for r, n := range alertRuleCounts(d) {
			got[r] += n
		}
	}
	if got["new-device-login"] != 3 || got["file-download"] != 3 {
		t.Fatalf("before the restart the digests count %v; want 3 new-device-login and 3 file-download", got)
	}
	stop1()

	// A new process on the same database, talking to a WeCom that still has the old records (re-read in the
	// overlap) and gets new ones.
	s2, _ := startAlerts(t, dbPath, alertsTOML)
	for i := range old {
		s2.emu.AddMemberOperRecord(old[i])
		s2.emu.AddFileOperRecord(oldFiles[i])
	}
	s2.emu.AddMemberOperRecord(emulator.MemberOperRecord{Time: time.Now(), UserID: "zhangsan", OperType: 4, DetailInfo: "新设备登录：new", IP: "10.0.1.*"})
	s2.emu.AddFileOperRecord(emulator.FileOperRecord{Time: time.Now(), UserID: "lisi", OperType: 113, OperSource: 401, FileInfo: "new.pdf"})
	s2.alertsSettled(t, time.Now())
	got = map[string]int{}
	for _, d := range s2.alertDigests("zhangsan") {
		for r, n := range alertRuleCounts(d) {
			got[r] += n
		}
		if strings.Contains(d, "old-") {
			t.Errorf("an old record alerted again after the restart: %q", d)
		}
	}
	if got["new-device-login"] != 1 || got["file-download"] != 1 {
		t.Fatalf("after the restart the digests count %v; want only the 2 new records", got)
	}
	if st := alertStates(t, s2.app.db); st[db.AlertSent] != 8 {
		t.Fatalf("alerts stored = %v; want 8 sent (6 old, 2 new), each once", st)
	}
}

func TestAlerts_domainIPChange(t *testing.T) {
	t.Parallel()
	s, _ := startAlerts(t, filepath.Join(t.TempDir(), "bot.db"), alertsTOML)
	deliverSecurity := func() {
		t.Helper()
		// WeCom's event dedupe key is FromUserName+CreateTime (seconds): two changes are never in one second.
		time.Sleep(1100 * time.Millisecond)
		before := map[string]int{}
		for _, u := range alertsTeam {
			before[u] = len(s.emu.Delivered(u))
		}
		res, err := s.emu.Deliver(t.Context(), s.emu.Event("sys", "security", map[string]string{"ChangeType": "change_domain_ip"}))
		if err != nil || res.Status != 200 {
			t.Fatalf("deliver the security event: %+v %v", res, err)
		}
		// Every member of the team, not just one: their messages leave the outbox one by one.
		waitFor(t, 10*time.Second, "the domain/IP message to every team member", func() bool {
			for _, u := range alertsTeam {
				if len(s.emu.Delivered(u)) <= before[u] {
					return false
				}
			}
			return true
		})
	}
	// The first event has nothing to compare with: it says so and stores the list.
	deliverSecurity()
	if last := s.emu.Delivered("wujiu"); !strings.Contains(last[len(last)-1].Content, "No earlier list") {
		t.Fatalf("first change message = %q; want it to say there was nothing to compare with", last[len(last)-1].Content)
	}
	// WeCom drops a domain and an IP and adds others.
	s.emu.ChangeServerDomainIP(func(ds []emulator.ServerDomain, ips []emulator.ServerIP) ([]emulator.ServerDomain, []emulator.ServerIP) {
		ds = slices.DeleteFunc(ds, func(d emulator.ServerDomain) bool { return d.Domain == "live.work.weixin.qq.com" })
		ds = append(ds, emulator.ServerDomain{Domain: "edge.work.weixin.qq.com", UniversalDomain: "work.weixin.qq.com", Protocol: "TCP", Port: []int{443}, IsNecessary: 1})
		ips = slices.DeleteFunc(ips, func(ip emulator.ServerIP) bool { return ip.IP == "115.238.203.109" })
		ips = append(ips, emulator.ServerIP{IP: "203.205.254.10", Protocol: "TCP", Port: []int{443}, IsNecessary: 1})
		return ds, ips
	})
	deliverSecurity()
	for _, u := range alertsTeam {
		msgs := s.emu.Delivered(u)
		got := strings.ReplaceAll(msgs[len(msgs)-1].Content, "\u200b", "")
		for _, want := range []string{"update your firewall", "added", "edge.work.weixin.qq.com", "203.205.254.10",
			"removed", "live.work.weixin.qq.com", "115.238.203.109"} {
			if !strings.Contains(got, want) {
				t.Errorf("%s's change message lacks %q:\n%s", u, want, got)
			}
		}
	}
	// The snapshot /domainip compares with is the new list.
	body, _, ok, err := s.app.db.LatestSnapshot(t.Context(), security.SnapshotDomainIP)
	if err != nil || !ok || !bytes.Contains(body, []byte("edge.work.weixin.qq.com")) || bytes.Contains(body, []byte("live.work.weixin.qq.com")) {
		t.Fatalf("latest snapshot = %s, %v, %v; want the new list", body, ok, err)
	}
	if n := s.emu.DroppedCount("zhangsan"); n != 0 {
		t.Errorf("%d messages dropped", n)
	}
}

// click delivers a template_card_event through the emulator's control API, as WeCom does: the emulator checks
// that the member got the card and issues a fresh response_code.
func (s *stack) alertClick(t *testing.T, from string, card emulator.SentMessage, key string) {
	t.Helper()
	req, _ := json.Marshal(map[string]any{"from": from, "event": "template_card_event", "event_key": key, "task_id": card.TaskID})
	resp, err := http.Post(s.emu.URL+"/_emulator/event", "application/json", bytes.NewReader(req))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"status":200`) {
		t.Fatalf("click %s by %s: HTTP %d %s", key, from, resp.StatusCode, body)
	}
}

// buttonKeys returns a sent card's button keys.
func alertButtonKeys(t *testing.T, m emulator.SentMessage) []string {
	t.Helper()
	var body struct {
		TemplateCard struct {
			ButtonList []struct {
				Key string `json:"key"`
			} `json:"button_list"`
		} `json:"template_card"`
	}
	if err := json.Unmarshal(m.Body, &body); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, b := range body.TemplateCard.ButtonList {
		keys = append(keys, b.Key)
	}
	return keys
}

func (s *stack) alertAudit(t *testing.T, actor, command string) []db.AuditEntry {
	t.Helper()
	es, err := s.app.db.ListAudit(t.Context(), db.AuditFilter{Actor: actor, Command: command, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// updates returns the card updates a member's cards got, by button text.
func (s *stack) alertUpdates(user string) []string {
	var out []string
	for _, m := range s.emu.Delivered(user) {
		if m.API == "message/update_template_card" {
			out = append(out, m.Title)
		}
	}
	return out
}

func TestAlerts_ackAndSilenceClicks(t *testing.T) {
	t.Parallel()
	s, _ := startAlerts(t, filepath.Join(t.TempDir(), "bot.db"), alertsTOML)
	s.alertsReading(t)

	// A critical alert: each member gets a card of its own at once.
	s.emu.AddAdminOperRecord(emulator.AdminOperRecord{Time: time.Now(), UserID: "wujiu", OperType: 2, DetailType: 1,
		DetailInfo: "添加管理员：lisi（超级管理员）", IP: "61.40.1.2"})
	s.alertsSettled(t, time.Now())
	var crit emulator.SentMessage
	for _, u := range alertsTeam {
		cs := s.alertCards(u)
		if len(cs) != 1 || !strings.Contains(cs[0].Title, "admin-permission") {
			t.Fatalf("%s's cards = %+v; want one critical card", u, cs)
		}
		if u == "zhangsan" {
			crit = cs[0]
		}
	}
	keys := alertButtonKeys(t, crit)
	if len(keys) != 2 || !strings.HasPrefix(keys[0], "alert:ack:") || keys[1] != "alert:silence:admin-permission" {
		t.Fatalf("critical card buttons = %q", keys)
	}

	// zhangsan acknowledges: audited, and every member's card says who took it.
	s.alertClick(t, "zhangsan", crit, keys[0])
	waitFor(t, 10*time.Second, "the ack", func() bool {
		c, _ := s.app.db.OutboxCounts(t.Context())
		return len(s.alertAudit(t, "zhangsan", "alerts ack")) == 1 && c["pending"] == 0 && c["sending"] == 0
	})
	if e := s.alertAudit(t, "zhangsan", "alerts ack")[0]; e.Decision != db.DecisionOK {
		t.Fatalf("ack audit = %+v", e)
	}
	for _, u := range alertsTeam {
		if up := s.alertUpdates(u); !slices.Equal(up, []string{"Acked by zhangsan"}) {
			t.Errorf("%s's card updates = %q; want [Acked by zhangsan]", u, up)
		}
	}
	if n := len(s.emu.CallsTo("message/update_template_card")); n != 3 {
		t.Errorf("update_template_card calls = %d; want 3 (the clicked card and the two others)", n)
	}

	// A warning alert comes as a digest with a card.
	s.emu.AddMemberOperRecord(emulator.MemberOperRecord{Time: time.Now(), UserID: "sunqi", OperType: 4, DetailInfo: "新设备登录：first"})
	s.alertsSettled(t, time.Now())
	cardOf := func(u string) emulator.SentMessage {
		cs := s.alertCards(u)
		if len(cs) != 2 {
			t.Fatalf("%s has %d cards; want 2", u, len(cs))
		}
		return cs[1]
	}
	silenceKey := "alert:silence:new-device-login"
	if keys := alertButtonKeys(t, cardOf("lisi")); !slices.Contains(keys, silenceKey) {
		t.Fatalf("digest card buttons = %q; want %s", keys, silenceKey)
	}

	// lisi, in the team but without alerts.write, is refused, told why, and the refusal is audited.
	before := len(s.emu.Delivered("lisi"))
	s.alertClick(t, "lisi", cardOf("lisi"), silenceKey)
	waitFor(t, 10*time.Second, "the refusal", func() bool { return len(s.emu.Delivered("lisi")) > before })
	if got := s.emu.Delivered("lisi")[before].Content; !strings.Contains(got, "alerts.write") {
		t.Fatalf("refusal = %q; want it to name alerts.write", got)
	}
	if es := s.alertAudit(t, "lisi", "alerts silence"); len(es) != 1 || es[0].Decision != db.DecisionDenied {
		t.Fatalf("lisi's audit = %+v; want one denied alerts silence", es)
	}
	if sl, _ := s.app.db.ActiveAlertSilences(t.Context()); len(sl) != 0 {
		t.Fatalf("silences after a refused click = %+v", sl)
	}

	// wujiu silences the rule from the card.
	s.alertClick(t, "wujiu", cardOf("wujiu"), silenceKey)
	waitFor(t, 10*time.Second, "the silence", func() bool { return len(s.alertAudit(t, "wujiu", "alerts silence")) == 1 })
	if e := s.alertAudit(t, "wujiu", "alerts silence")[0]; e.Decision != db.DecisionOK || e.Args["rule"] != "new-device-login" {
		t.Fatalf("silence audit = %+v", e)
	}
	sl, err := s.app.db.ActiveAlertSilences(t.Context())
	if err != nil || len(sl) != 1 || sl[0].Rule != "new-device-login" || sl[0].CreatedBy != "wujiu" {
		t.Fatalf("silences = %+v, %v", sl, err)
	}
	if d := sl[0].Until.Sub(sl[0].CreatedAt); d != time.Hour {
		t.Errorf("the card's silence lasts %v; want 1h", d)
	}
	waitFor(t, 10*time.Second, "wujiu's card update", func() bool {
		return slices.Contains(s.alertUpdates("wujiu"), "Silenced 1h by wujiu")
	})

	// The silenced rule's next alerts are stored but not pushed; other rules still are.
	digestsBefore := len(s.alertDigests("zhangsan"))
	s.emu.AddMemberOperRecord(emulator.MemberOperRecord{Time: time.Now(), UserID: "lisi", OperType: 4, DetailInfo: "新设备登录：silenced"})
	s.emu.AddFileOperRecord(emulator.FileOperRecord{Time: time.Now(), UserID: "lisi", OperType: 103, OperSource: 404, FileInfo: "q3.xlsx"})
	s.alertsSettled(t, time.Now())
	if st := alertStates(t, s.app.db); st[db.AlertSilenced] != 1 {
		t.Fatalf("alert states = %v; want the new new-device-login alert silenced", st)
	}
	ds := s.alertDigests("zhangsan")
	if len(ds) != digestsBefore+1 {
		t.Fatalf("digests after the silence: %d new; want 1 (file-download only)", len(ds)-digestsBefore)
	}
	if c := alertRuleCounts(ds[len(ds)-1]); c["new-device-login"] != 0 || c["file-download"] != 1 {
		t.Fatalf("digest after the silence counts %v; want only file-download", c)
	}
}

func TestAlerts_commands(t *testing.T) {
	t.Parallel()
	s, _ := startAlerts(t, filepath.Join(t.TempDir(), "bot.db"), alertsTOML)
	s.alertsReading(t)
	s.emu.AddMemberOperRecord(emulator.MemberOperRecord{Time: time.Now(), UserID: "wangwu", OperType: 13, DetailInfo: "副设备登录：iPad"})
	s.alertsSettled(t, time.Now())

	// /alerts: sunqi (alerts.read) sees the alert; wangwu (no role) is refused.
	if got := s.say(t, "sunqi", "/alerts --since 1h"); !contains(got, "new-device-login") || !contains(got, "wangwu") {
		t.Fatalf("/alerts = %q; want the new-device-login alert about wangwu", got)
	}
	if got := s.say(t, "sunqi", "/alerts --rule no-such-rule"); !contains(got, "No alerts") {
		t.Fatalf("/alerts --rule no-such-rule = %q", got)
	}
	if got := s.say(t, "wangwu", "/alerts"); !contains(got, "not allowed") || !contains(got, "alerts.read") {
		t.Fatalf("/alerts by wangwu = %q; want a refusal naming alerts.read", got)
	}

	// /silence add needs alerts.write and a confirmation.
	if got := s.say(t, "sunqi", "/silence add new-device-login 2h"); !contains(got, "not allowed") || !contains(got, "alerts.write") {
		t.Fatalf("/silence add by sunqi = %q; want a refusal naming alerts.write", got)
	}
	if got := s.say(t, "wujiu", "/silence add no-such-rule 2h"); !contains(got, "no rule") {
		t.Fatalf("/silence add of an unknown rule = %q", got)
	}
	if got := s.say(t, "wujiu", "/silence add new-device-login 2h rollout"); len(got) != 1 || !contains(got, "Silence rule new-device-login for 2h") { // one card carrying the preview
		t.Fatalf("/silence add preview = %q; want a confirmation prompt", got)
	}
	if got := s.say(t, "wujiu", "yes"); !contains(got, "Silenced") {
		t.Fatalf("confirmed /silence add = %q", got)
	}
	sl, err := s.app.db.ActiveAlertSilences(t.Context())
	if err != nil || len(sl) != 1 || sl[0].Reason != "rollout" || sl[0].Until.Sub(sl[0].CreatedAt) != 2*time.Hour {
		t.Fatalf("silences = %+v, %v", sl, err)
	}
	if got := s.say(t, "sunqi", "/silence"); !contains(got, "new-device-login") || !contains(got, "rollout") {
		t.Fatalf("/silence = %q; want the silence listed", got)
	}
	if es := s.alertAudit(t, "wujiu", "silence add"); len(es) != 2 || es[0].Decision != db.DecisionOK || es[1].Decision != db.DecisionProposed {
		t.Fatalf("silence add audit = %+v; want proposed then ok (newest first)", es)
	}

	id := strconv.FormatInt(sl[0].ID, 10)
	if got := s.say(t, "sunqi", "/silence remove "+id); !contains(got, "not allowed") {
		t.Fatalf("/silence remove by sunqi = %q; want a refusal", got)
	}
	if got := s.say(t, "zhangsan", "/silence remove "+id); len(got) != 1 || !contains(got, "End silence #1 of rule new-device-login now") {
		t.Fatalf("/silence remove preview = %q", got)
	}
	if got := s.say(t, "zhangsan", "yes"); !contains(got, "Ended silence") {
		t.Fatalf("confirmed /silence remove = %q", got)
	}
	if got := s.say(t, "sunqi", "/silence"); !contains(got, "No silences") {
		t.Fatalf("/silence after removal = %q", got)
	}
	if got := s.say(t, "zhangsan", "/help silence add"); !contains(got, "alerts.write") {
		t.Fatalf("/help silence add = %q", got)
	}
}

func TestAlerts_devicesAwaitingApproval(t *testing.T) {
	t.Parallel()
	extra := alertsTOML + `
[[alerts.rules]]
name = "unknown-device"
source = "devices"
severity = "warning"
team = "secops"
`
	s, _ := startAlerts(t, filepath.Join(t.TempDir(), "bot.db"), extra)
	s.alertsReading(t)
	s.alertsSettled(t, time.Now())
	// The sample corp has four devices awaiting an admin's confirmation (status 3 and 4): one digest for them.
	ds := s.alertDigests("zhangsan")
	if len(ds) != 1 || alertRuleCounts(ds[0])["unknown-device"] != 4 || !strings.Contains(ds[0], "awaiting approval") {
		t.Fatalf("digests = %q; want one about 4 unknown devices awaiting approval", ds)
	}
	// Polling again finds the same devices in the same state: no new alert.
	time.Sleep(time.Second)
	s.alertsSettled(t, time.Now())
	if n := len(s.alertDigests("zhangsan")); n != 1 {
		t.Fatalf("digests after more polls = %d; want still 1", n)
	}
}
