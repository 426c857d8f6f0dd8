package security_test

import (
	"testing"

	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/i18n/i18ntest"
)

// The security desk in Chinese: each command family run by a member who reads Chinese answers in Chinese,
// without an English sentence left over.

// englishLeft returns the English sentences a Chinese reply should not hold.
var englishLeft = i18ntest.EnglishLeft

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
	got := h.SayIn(i18n.Zh, "wujiu", "/devices")
	saysZh(t, "/devices", got, "## 可信企业设备", "共 **5** 台设备", "3 已确认为可信企业设备", "尚未登录", "最近登录于")
	saysNot(t, got, "(可信企业设备)", "confirmed trusted")

	got = h.SayIn(i18n.Zh, "wujiu", "/devices pending")
	saysZh(t, "/devices pending", got, "## 待管理员确认的设备", "`zhaoliu` 申请于", "待管理员确认为个人设备", "`/devices approve CODE…` 通过")

	got = h.SayIn(i18n.Zh, "zhangsan", "/devices user zhangsan")
	saysZh(t, "/devices user zhangsan", got, "`zhangsan` 最近登录过的设备", "台设备", "**可信企业设备**：1", "**未知设备**：无")

	got = h.SayIn(i18n.Zh, "zhangsan", "/devices user nosuchuser")
	saysZh(t, "/devices user nosuchuser", got, "错误码 60111", "没有成员 `nosuchuser`")

	// A decision's preview, in Chinese: the devices and what they become.
	pending := device(t, h, 2, "LAPTOP-ZL-HOME")
	got = h.SayIn(i18n.Zh, "wujiu", "/devices approve "+pending.DeviceCode)
	saysZh(t, "/devices approve", got, "**通过 1 台设备**", "成为可信")
}

func TestSecurityOplog_zh(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	got := h.SayIn(i18n.Zh, "wujiu", "/oplog member --type new-device-login --since 3d")
	if contains(got, "没有成员操作记录") {
		saysZh(t, "/oplog member", got, "新设备登录")
	} else {
		saysZh(t, "/oplog member", got, "## 成员操作记录", "条记录", "新设备登录", "**最新：**")
		// The label once, in Chinese: neither the English name nor the label doubled from the detail.
		saysNot(t, got, "logged in on a new device", "新设备登录 · 新设备登录", "(新设备登录)")
	}
	got = h.SayIn(i18n.Zh, "wujiu", "/oplog files --op download --since 30d")
	saysZh(t, "/oplog files", got, "下载", "第 1–20 条，共")
	saysNot(t, got, "download (下载)")
	got = h.SayIn(i18n.Zh, "wujiu", "/oplog admin --since 200d")
	saysZh(t, "/oplog admin --since 200d", got, "管理端操作日志只保留 180 天")
}

func TestSecurityDomainIP_zh(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	got := h.SayIn(i18n.Zh, "wujiu", "/domainip")
	saysZh(t, "/domainip", got, "## 企业微信域名和 IP", "首次查看", "**域名**（4）", "必需", "可选", "**回调 IP**（3")
	got = h.SayIn(i18n.Zh, "wujiu", "/domainip")
	saysZh(t, "/domainip again", got, "无变化")
}
