package alerts

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"
)

var t0 = time.Unix(1_700_000_000, 0)

func pend(id int64, rule, sev, user string, repeat bool, found time.Duration) *db.Alert {
	return &db.Alert{ID: id, Rule: rule, Key: fmt.Sprint(id), Team: "secops", Severity: sev, UserID: user, Kind: "4",
		Summary: user + " logged in on a new device", Detail: `{"ip":"1.2.3.*"}`, RecordAt: t0.Add(found),
		CreatedAt: t0.Add(found), State: db.AlertPending, Repeat: repeat}
}

func idsOf(as []*db.Alert) string { return fmt.Sprint(ids(as)) }

func TestPlanFlush(t *testing.T) {
	t.Parallel()
	w := time.Minute
	pending := []*db.Alert{
		pend(1, "login", SevWarning, "lisi", false, 0),
		pend(2, "login", SevWarning, "lisi", true, time.Second),
		pend(3, "admin", SevCritical, "wujiu", false, 2*time.Second),
		pend(4, "admin", SevCritical, "zhangsan", false, 3*time.Second),
		pend(5, "admin", SevCritical, "wujiu", true, 4*time.Second),
		pend(6, "muted", SevWarning, "sunqi", false, 5*time.Second),
	}
	silenced := map[string]bool{"muted": true}

	// Within the window: critical alerts go at once (while the budget lasts), silenced ones are settled, the
	// rest wait.
	p := planFlush(pending, silenced, t0.Add(10*time.Second), w, 1)
	if idsOf(p.critical) != "[3]" || idsOf(p.silenced) != "[6]" || len(p.digest) != 0 || len(p.suppressed) != 0 {
		t.Fatalf("before the window: %+v", p)
	}
	// Once the oldest is a window old, the rest go as one digest, repeats and over-budget critical included.
	p = planFlush(pending, silenced, t0.Add(w), w, 1)
	if idsOf(p.critical) != "[3]" || idsOf(p.digest) != "[1 2 4 5]" {
		t.Fatalf("after the window: critical %s, digest %s", idsOf(p.critical), idsOf(p.digest))
	}
	// No budget left: critical alerts wait for the digest too.
	p = planFlush(pending, nil, t0.Add(10*time.Second), w, 0)
	if len(p.critical) != 0 || len(p.digest) != 0 {
		t.Fatalf("no budget, within the window: %+v", p)
	}
	// Repeats alone are not worth a message.
	p = planFlush([]*db.Alert{pend(7, "login", SevWarning, "lisi", true, 0), pend(8, "admin", SevCritical, "lisi", true, 0)}, nil, t0.Add(w), w, 3)
	if idsOf(p.suppressed) != "[7 8]" || len(p.digest)+len(p.critical) != 0 {
		t.Fatalf("repeats only: %+v", p)
	}
	// Window 0: no grouping delay.
	p = planFlush(pending[:2], nil, t0.Add(time.Second), 0, 3)
	if idsOf(p.digest) != "[1 2]" {
		t.Fatalf("window 0: %+v", p)
	}
}

func TestDigestView(t *testing.T) {
	t.Parallel()
	var alerts []*db.Alert
	for i := range 30 {
		user := []string{"lisi", "wangwu", "lisi", "sunqi"}[i%4]
		alerts = append(alerts, pend(int64(i+1), "login", SevWarning, user, i >= 4, time.Duration(i)*time.Second))
	}
	alerts = append(alerts, pend(100, "download", SevInfo, "zhouba", false, 40*time.Second),
		pend(101, "admin", SevCritical, "wujiu", false, 41*time.Second))
	v := buildView("secops", alerts, time.UTC)
	if v.n != 32 || v.severity != SevCritical {
		t.Fatalf("view: n %d, severity %s", v.n, v.severity)
	}
	if got := fmt.Sprint(v.rules[0].rule, v.rules[1].rule, v.rules[2].rule); got != "adminlogindownload" {
		t.Fatalf("rules ordered %s; want critical first, then by count", got)
	}
	if r := v.rules[1]; r.n != 30 || r.repeats != 26 || r.users[0] != "lisi" {
		t.Fatalf("login rule = %+v", r)
	}
	if v.latest[0].ID != 101 || len(v.latest) != 6 {
		t.Fatalf("latest = %s; want non-repeats newest first", idsOf(v.latest))
	}
	md := strings.ReplaceAll(v.render(false), "\u200b", "")
	for _, want := range []string{"32 security alerts for team secops", `<font color="warning">**CRITICAL**</font>`,
		"**login** <font color=\"warning\">warning</font>: 30 alerts (26 repeated)", "**download** <font color=\"comment\">info</font>: 1 alert",
		"`lisi`", "Latest:", "card below"} {
		if !strings.Contains(md, want) {
			t.Errorf("digest lacks %q:\n%s", want, md)
		}
	}
	if chat := v.render(true); !strings.Contains(chat, "/silence add") || strings.Contains(chat, "card below") {
		t.Errorf("chat digest should point to /silence, not a card:\n%s", chat)
	}

	c := v.card("alert-9-ab-0", 9)
	body, _ := json.Marshal(c)
	for _, want := range []string{`"card_type":"button_interaction"`, `"task_id":"alert-9-ab-0"`, `"key":"alert:ack:9"`,
		`"key":"alert:silence:login"`, `"key":"alert:silence:admin"`, `"desc_color":2`, `"title":"32 security alerts"`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("card lacks %s: %s", want, body)
		}
	}
	if len(c.ButtonList) > 6 || len(c.HorizontalContentList) > 6 {
		t.Errorf("card has %d buttons, %d rows; WeCom takes 6 of each", len(c.ButtonList), len(c.HorizontalContentList))
	}
}

func TestDigestFitsOneMessage(t *testing.T) {
	t.Parallel()
	// Many rules, members and long summaries: the digest drops detail until it fits in 2,048 bytes.
	var alerts []*db.Alert
	for i := range 400 {
		a := pend(int64(i+1), fmt.Sprintf("rule-%02d", i%12), SevWarning, fmt.Sprintf("member%03d", i), false, time.Duration(i)*time.Second)
		a.Summary = strings.Repeat("很长的操作说明 ", 30)
		alerts = append(alerts, a)
	}
	v := buildView("secops", alerts, time.UTC)
	md := v.render(false)
	if len(md) > replies.MaxBytes {
		t.Fatalf("digest is %d bytes; WeCom takes %d", len(md), replies.MaxBytes)
	}
	if !strings.Contains(md, "400 security alerts") || !strings.Contains(md, "rule\\-00") && !strings.Contains(md, "rule-00") {
		t.Fatalf("a trimmed digest must keep the totals:\n%s", md)
	}
}

func TestCriticalCard(t *testing.T) {
	t.Parallel()
	a := pend(5, "admin", SevCritical, "wujiu", false, 0)
	c := criticalCard(nil, a, "", "alert-5-x-1", 12, time.UTC)
	body, _ := json.Marshal(c)
	for _, want := range []string{`"key":"alert:ack:12"`, `"key":"alert:silence:admin"`, `"value":"wujiu"`, `"value":"1.2.3.*"`,
		`"title":"Critical: admin"`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("critical card lacks %s: %s", want, body)
		}
	}
	if md := criticalMarkdown(nil, a, time.UTC); !strings.Contains(md, "CRITICAL") || !strings.Contains(md, "/silence add admin 1h") {
		t.Errorf("critical markdown = %q", md)
	}
}

func TestChatBody(t *testing.T) {
	t.Parallel()
	m, err := chatBody("wrSecOps", "**hi**")
	if err != nil {
		t.Fatal(err)
	}
	if m.API != "appchat/send" || m.Recipient != "chat:wrSecOps" ||
		string(m.Body) != `{"chatid":"wrSecOps","msgtype":"markdown","markdown":{"content":"**hi**"}}` {
		t.Fatalf("chat row = %+v %s", m, m.Body)
	}
}
