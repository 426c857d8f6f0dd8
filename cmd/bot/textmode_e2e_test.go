package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/wecom/emulator"
)

const textModeTOML = `
[replies]
format = "text"
`

// kinds counts the message types a member received.
func (s *stack) kinds(user string) map[string]int {
	out := map[string]int{}
	for _, m := range s.emu.Delivered(user) {
		out[m.MsgType]++
	}
	return out
}

// With replies.format = "text" (members read the bot in the WeChat plugin, which shows neither markdown nor
// template cards) every message the bot sends is text or a textcard: command answers, approval cards and
// notes, and alerts. Approvals and alerts used to encode markdown and cards themselves whatever the setting.
func TestTextMode_everyPathSendsWhatWeChatShows(t *testing.T) {
	t.Parallel()
	s, _ := startAlerts(t, filepath.Join(t.TempDir(), "bot.db"), textModeTOML+approvalsTOML+alertsTOML)
	s.alertsReading(t)

	// A command answer.
	if got := s.say(t, "zhangsan", "/help"); len(got) == 0 {
		t.Fatal("no answer to /help")
	}
	// An application: its approver gets a textcard in place of the button card.
	id := s.apply(t, "lisi", 1, "归档邮件")
	waitFor(t, 10*time.Second, "the approver's textcard", func() bool { return s.kinds("zhangsan")["textcard"] >= 1 })
	// Alerts: a digest and a critical one.
	s.emu.AddMemberOperRecord(emulator.MemberOperRecord{Time: time.Now(), UserID: "wangwu", OperType: 4, DetailInfo: "新设备登录：Windows PC-1"})
	s.emu.AddAdminOperRecord(emulator.AdminOperRecord{Time: time.Now(), UserID: "wangwu", OperType: 2, DetailInfo: "修改管理员权限"})
	s.alertsSettled(t, time.Now())
	// The approval decided by command: the applicant and the other approver are told.
	s.say(t, "zhangsan", "/order approve "+id)
	s.say(t, "zhangsan", "yes")
	waitFor(t, 10*time.Second, "the applicant's note", func() bool { return contains(s.contents("lisi"), "allocated") })

	for _, u := range []string{"zhangsan", "lisi", "zhaoliu"} {
		k := s.kinds(u)
		if k["markdown"] != 0 || k["template_card"] != 0 {
			t.Errorf("%s received %v; want only text and textcards", u, k)
		}
		if k["text"] == 0 {
			t.Errorf("%s received no text at all: %v", u, k)
		}
	}
	var alerted bool
	for _, c := range s.contents("lisi") {
		if strings.Contains(c, "secops") || strings.Contains(c, "Critical") {
			alerted = true
		}
	}
	if !alerted {
		t.Errorf("lisi (team secops) got no alert text: %q", s.contents("lisi"))
	}
}
