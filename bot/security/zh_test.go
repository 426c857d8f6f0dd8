package security_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/bot/commands/commandtest"
	"github.com/wecombot/wecombot/bot/i18n"
)

// The security desk in Chinese: each command family run by a member who reads Chinese answers in Chinese,
// without an English sentence left over.

// sayZh handles line from user as Say does, with the member reading Chinese (as the router puts it in ctx).
func sayZh(t *testing.T, h *commandtest.Harness, user, line string) []string {
	t.Helper()
	ctx := i18n.With(context.Background(), i18n.Zh)
	out, err := h.Engine.Handle(ctx, commands.Message{From: user, Text: line, InboxID: h.NextInboxID()})
	if err != nil {
		t.Fatalf("%s says %q: %v", user, line, err)
	}
	if err := h.DB.Tx(ctx, out.Effects); err != nil {
		t.Fatalf("effects: %v", err)
	}
	return h.Contents(user, out.Replies...)
}

var (
	codeSpanRE = regexp.MustCompile("`[^`]*`")
	urlRE      = regexp.MustCompile(`https?://\S+`)
	tagRE      = regexp.MustCompile(`<[^>]+>`)
	// fourWordsRE is a run of at least 4 ASCII words: a leftover English sentence.
	fourWordsRE = regexp.MustCompile(`[A-Za-z][A-Za-z'-]*(?:[ ,]+[A-Za-z][A-Za-z'-]*){3,}`)
)

// englishLeft returns the runs of 4 or more consecutive ASCII words in s outside code spans, URLs and markup
// tags: English sentences a Chinese reply should not hold.
func englishLeft(s string) []string {
	for _, re := range []*regexp.Regexp{codeSpanRE, urlRE, tagRE} {
		s = re.ReplaceAllString(s, " ")
	}
	return fourWordsRE.FindAllString(s, -1)
}

// saysZh checks that the replies hold every sub and no English sentence.
func saysZh(t *testing.T, line string, got []string, subs ...string) {
	t.Helper()
	says(t, got, subs...)
	for _, r := range got {
		if left := englishLeft(r); len(left) > 0 {
			t.Errorf("%s: the Chinese reply holds English %q:\n%s", line, left, r)
		}
	}
}

func TestEnglishLeft(t *testing.T) {
	if got := englishLeft("没有设备 · `/devices approve CODE now` · <font color=\"info\">已通过</font>"); len(got) != 0 {
		t.Errorf("englishLeft flagged %q", got)
	}
	if got := englishLeft("共 3 台设备：no login yet at all"); len(got) != 1 {
		t.Errorf("englishLeft missed an English sentence: %q", got)
	}
}

func TestSecurityDevices_zh(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	got := sayZh(t, h, "wujiu", "/devices")
	saysZh(t, "/devices", got, "## 可信企业设备", "共 **5** 台设备", "3 已确认为可信企业设备", "尚未登录", "最近登录于")
	saysNot(t, got, "(可信企业设备)", "confirmed trusted")

	got = sayZh(t, h, "wujiu", "/devices pending")
	saysZh(t, "/devices pending", got, "## 待管理员确认的设备", "`zhaoliu` 申请于", "待管理员确认为个人设备", "`/devices approve CODE…` 通过")

	got = sayZh(t, h, "zhangsan", "/devices user zhangsan")
	saysZh(t, "/devices user zhangsan", got, "`zhangsan` 最近登录过的设备", "台设备", "**可信企业设备**：1", "**未知设备**：无")

	got = sayZh(t, h, "zhangsan", "/devices user nosuchuser")
	saysZh(t, "/devices user nosuchuser", got, "错误码 60111", "没有成员 `nosuchuser`")

	// A decision's preview, in Chinese: the devices and what they become.
	pending := device(t, h, 2, "LAPTOP-ZL-HOME")
	got = sayZh(t, h, "wujiu", "/devices approve "+pending.DeviceCode)
	saysZh(t, "/devices approve", got, "**通过 1 台设备**", "成为可信")
}

func TestSecurityOplog_zh(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	got := sayZh(t, h, "wujiu", "/oplog member --type new-device-login --since 3d")
	if contains(got, "没有成员操作记录") {
		saysZh(t, "/oplog member", got, "新设备登录")
	} else {
		saysZh(t, "/oplog member", got, "## 成员操作记录", "条记录", "新设备登录", "**最新：**")
		// The label once, in Chinese: neither the English name nor the label doubled from the detail.
		saysNot(t, got, "logged in on a new device", "新设备登录 · 新设备登录", "(新设备登录)")
	}
	got = sayZh(t, h, "wujiu", "/oplog files --op download --since 30d")
	saysZh(t, "/oplog files", got, "下载", "第 1–20 条，共")
	saysNot(t, got, "download (下载)")
	got = sayZh(t, h, "wujiu", "/oplog admin --since 200d")
	saysZh(t, "/oplog admin --since 200d", got, "管理端操作日志只保留 180 天")
}

func TestSecurityDomainIP_zh(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	got := sayZh(t, h, "wujiu", "/domainip")
	saysZh(t, "/domainip", got, "## 企业微信域名和 IP", "首次查看", "**域名**（4）", "必需", "可选", "**回调 IP**（3")
	got = sayZh(t, h, "wujiu", "/domainip")
	saysZh(t, "/domainip again", got, "无变化")
}
