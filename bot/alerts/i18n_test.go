package alerts

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/bot/config"
	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/i18n/i18ntest"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// englishLeft is the English left in a Chinese reply (i18ntest.EnglishLeft), joined; "" when none.
func englishLeft(s string) string { return strings.Join(i18ntest.EnglishLeft(s), " | ") }

// dropSummaries removes the alerts' summaries: data stored when the record was read, not the bot's sentences.
func dropSummaries(md string, alerts []*db.Alert) string {
	for _, a := range alerts {
		md = strings.ReplaceAll(md, a.Summary, "")
	}
	return md
}

func TestDigest_chinese(t *testing.T) {
	t.Parallel()
	zh := i18n.For(i18n.Zh)
	var alerts []*db.Alert
	for i := range 6 {
		alerts = append(alerts, pend(int64(i+1), "login", SevWarning, []string{"lisi", "wangwu"}[i%2], i >= 3, time.Duration(i)*time.Second))
	}
	alerts = append(alerts, pend(100, "admin", SevCritical, "wujiu", false, 41*time.Second))
	v := buildView("secops", alerts, time.UTC)
	v.whoName = map[string]string{"lisi": "李四"}
	for _, chat := range []bool{false, true} {
		md := strings.ReplaceAll(v.in(zh).render(chat), "\u200b", "")
		for _, want := range []string{"团队 secops 的 7 条安全告警", "**严重**", "6 条告警（其中 3 条重复）", "李四 (`lisi`)", "最新："} {
			if !strings.Contains(md, want) {
				t.Errorf("zh digest lacks %q:\n%s", want, md)
			}
		}
		if e := englishLeft(dropSummaries(md, alerts)); e != "" {
			t.Errorf("zh digest has English %q:\n%s", e, md)
		}
	}
	body, _ := json.Marshal(v.in(zh).card("alert-1-x-0", 1))
	for _, want := range []string{"确认收到", "安全告警 · 严重", "李四 (lisi)", "成员"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("zh card lacks %q: %s", want, body)
		}
	}
	// English is as it was.
	if md := v.render(false); !strings.Contains(md, "7 security alerts for team secops") {
		t.Errorf("English digest changed:\n%s", md)
	}
	a := alerts[len(alerts)-1]
	cb, _ := json.Marshal(criticalCard(zh, a, "吴九", "t", 2, time.UTC))
	if !strings.Contains(string(cb), "严重：admin") || !strings.Contains(string(cb), "吴九 (wujiu)") || !strings.Contains(string(cb), "静默 1 小时") {
		t.Errorf("zh critical card: %s", cb)
	}
	if md := criticalMarkdown(zh, a, time.UTC); englishLeft(dropSummaries(md, alerts)) != "" || !strings.Contains(md, "安全告警") {
		t.Errorf("zh critical markdown: %s", md)
	}
}

func TestCommands_chinese(t *testing.T) {
	t.Parallel()
	d, err := db.Open(filepath.Join(t.TempDir(), "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	s, err := New(config.Alerts{}, Deps{DB: d, Client: &wecom.Client{}})
	if err != nil {
		t.Fatal(err)
	}
	zh := i18n.For(i18n.Zh)
	ctx := context.Background()
	inv := &commands.Invocation{P: zh, Now: time.Now()}
	r, err := s.listSilences(ctx, inv)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Markdown, "没有生效中的静默") || englishLeft(r.Markdown) != "" {
		t.Errorf("zh /silence = %q", r.Markdown)
	}
	if _, err := d.AddAlertSilence(ctx, &db.AlertSilence{Rule: "login", CreatedBy: "lisi", CreatedAt: time.Now(), Until: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	r, err = s.listSilences(ctx, inv)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Markdown, "生效中的静默（1）") || !strings.Contains(r.Markdown, "设置人 `lisi`") || englishLeft(r.Markdown) != "" {
		t.Errorf("zh /silence = %q", r.Markdown)
	}
	if got := stateLabel(zh, &db.Alert{State: db.AlertSilenced}); !strings.Contains(got, "已静默") {
		t.Errorf("zh state = %q", got)
	}
}

// TestSummaryIn: an alert's summary is rebuilt in the reader's language from the record it keeps; in English
// it is the stored summary, word for word.
func TestSummaryIn(t *testing.T) {
	t.Parallel()
	zh := i18n.For(i18n.Zh)
	k := newKeyer()
	for _, c := range []struct {
		rec  *record
		want string // the Chinese summary
	}{
		{memberRecord(k, wecom.MemberOperLog{Time: 1, UserID: "lisi", OperType: 4, DetailInfo: "新设备登录：Windows DEMO-PC", IP: "183.40.7.*"}),
			"lisi 新设备登录：Windows DEMO-PC（IP 183.40.7.*）"},
		{adminRecord(k, wecom.AdminOperLog{Time: 1, UserID: "zhangsan", OperType: 2, DetailInfo: "添加管理员"}),
			"zhangsan（管理员）权限管理变更：添加管理员"},
		{fileRecord(k, wecom.FileOperRecord{Time: 1, ExternalUser: &wecom.FileExternalUser{Name: "林伙伴", CorpName: "合作伙伴"},
			Operation: wecom.FileOperation{Type: 113, Source: 401}, FileInfo: "a.pdf", FileSize: 3 << 20}),
			"外部联系人 林伙伴（合作伙伴） 通过链接下载 a.pdf（聊天，3.0 MB）"},
		{deviceRecord(wecom.Device{DeviceCode: "dev1", System: "Windows", PCName: "PC-1", LastLoginUserID: "lisi",
			Status: wecom.DeviceAwaitingCorpConfirmation}, time.Unix(1, 0)),
			"Windows 待审批的未知设备 dev1（PC-1），最近使用者 lisi：待管理员确认为企业设备"},
	} {
		a := &db.Alert{Source: c.rec.Source, Summary: c.rec.Summary, Detail: c.rec.Detail}
		if got := SummaryIn(nil, a); got != c.rec.Summary {
			t.Errorf("English %q; want the stored %q", got, c.rec.Summary)
		}
		if got := SummaryIn(zh, a); got != c.want {
			t.Errorf("Chinese %q; want %q", got, c.want)
		}
	}
	// A record that cannot be read shows what was stored.
	if got := SummaryIn(zh, &db.Alert{Source: SourceMemberLog, Summary: "stored", Detail: "{"}); got != "stored" {
		t.Errorf("unreadable record: %q", got)
	}
}
