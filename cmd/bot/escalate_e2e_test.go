package main

import (
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/alerts"
	"github.com/wecombot/wecombot/bot/config"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
	"github.com/wecombot/wecombot/wecom/emulator"
	"github.com/wecombot/wecombot/wecom/wecomtest"
)

// Escalation (issue 14): an unacknowledged digest is re-sent to its team, then to each tier, and a war-room
// chat is created once; an Ack stops it everywhere.

// escalating runs the bot with secops escalating every `every` (the config's minimum is a minute; the test sets
// the team directly) through tiers zhaoliu, then sunqi, to a war room.
func escalating(t *testing.T, every time.Duration) *stack {
	t.Helper()
	s := startStackFull(t, emulator.Options{}, alertsTOML, func(cfg *config.Config, _ *wecomtest.Server) {
		team := cfg.Alerts.Teams["secops"]
		team.RemindAfter = config.Duration{Duration: every}
		team.Tiers = [][]string{{"zhaoliu"}, {"sunqi"}}
		team.WarRoom = true
		cfg.Alerts.Teams["secops"] = team
	}, nil)
	s.alertsReading(t)
	s.emu.AddMemberOperRecord(emulator.MemberOperRecord{Time: time.Now(), UserID: "lisi", OperType: 4, DetailInfo: "新设备登录：Windows PC-9"})
	s.alertsSettled(t, time.Now())
	return s
}

func reminders(s *stack, user string) []emulator.SentMessage {
	var out []emulator.SentMessage
	for _, m := range s.emu.Delivered(user) {
		if m.MsgType == "template_card" && strings.Contains(m.Title, "Not acknowledged") {
			out = append(out, m)
		}
	}
	return out
}

func TestEscalation_climbsEveryTierAndMakesOneWarRoom(t *testing.T) {
	t.Parallel()
	s := escalating(t, 700*time.Millisecond)
	digests, _ := s.app.db.RecentAlertDigests(t.Context(), time.Now().Add(-time.Hour), 10)
	if len(digests) != 1 {
		t.Fatalf("%d digests; want 1", len(digests))
	}
	id := digests[0].ID
	// The previous run made the war room and died before recording it: the chat is there already.
	if _, err := s.app.client.AppChat.Create(t.Context(), &wecom.CreateChatRequest{Name: "left over", Owner: "zhangsan",
		UserList: []string{"zhangsan", "wujiu"}, ChatID: alerts.WarRoomID(id)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "the war room's timeline", func() bool {
		for _, m := range s.emu.Messages("zhangsan") {
			if m.API == "appchat/send" && strings.Contains(m.Content, "War room") {
				return true
			}
		}
		return false
	})
	for _, u := range []string{"zhangsan", "wujiu", "lisi"} {
		if n := len(reminders(s, u)); n != 1 {
			t.Errorf("%s got %d team reminders; want 1", u, n)
		}
	}
	if n := len(reminders(s, "zhaoliu")); n != 1 {
		t.Errorf("tier 1 (zhaoliu) got %d reminders; want 1", n)
	}
	if n := len(reminders(s, "sunqi")); n != 1 {
		t.Errorf("tier 2 (sunqi) got %d reminders; want 1", n)
	}
	creates := s.emu.CallsTo("appchat/create")
	if len(creates) != 2 || creates[1].ErrCode == 0 { // ours above, then the bot's, refused as existing: read back
		t.Fatalf("appchat/create calls %+v; want the leftover and one refused retry", creates)
	}
	time.Sleep(2 * time.Second) // the ladder is at its end: nothing more comes
	if n := len(reminders(s, "sunqi")) + len(reminders(s, "zhaoliu")); n != 2 {
		t.Fatalf("after the war room, %d tier reminders; want still 2", n)
	}
	rows, _ := s.app.db.ListAudit(t.Context(), db.AuditFilter{Actor: "sys", Command: "alerts", Limit: 50})
	var steps, rooms int
	for _, r := range rows {
		switch r.Command {
		case "alerts escalate":
			steps++
		case "alerts war room":
			rooms++
		}
	}
	if steps != 3 || rooms != 1 {
		t.Fatalf("trail: %d escalation steps, %d war rooms; want 3 and 1", steps, rooms)
	}
}

func TestEscalation_ackStopsTheLadder(t *testing.T) {
	t.Parallel()
	s := escalating(t, 2*time.Second) // long enough for the ack to land before the next step
	waitFor(t, 10*time.Second, "the team reminder", func() bool { return len(reminders(s, "wujiu")) == 1 })
	r := reminders(s, "wujiu")[0]
	keys := alertButtonKeys(t, r)
	if len(keys) != 1 || !strings.HasPrefix(keys[0], "alert:ack:") {
		t.Fatalf("the reminder's buttons %q; want the digest's Ack", keys)
	}
	s.alertClick(t, "wujiu", r, keys[0])
	waitFor(t, 10*time.Second, "the reminder cards updated", func() bool {
		return len(s.alertUpdates("zhangsan")) >= 2 // the digest's card and the reminder
	})
	for _, u := range s.alertUpdates("zhangsan") {
		if !strings.Contains(u, "wujiu") {
			t.Fatalf("zhangsan's card reads %q; want acked by wujiu", u)
		}
	}
	time.Sleep(5 * time.Second) // two more steps' worth
	if n := len(reminders(s, "zhaoliu")) + len(reminders(s, "sunqi")); n != 0 {
		t.Fatalf("%d tier reminders after an ack at the team's step; want none", n)
	}
	if n := len(s.emu.CallsTo("appchat/create")); n != 0 {
		t.Fatalf("%d war rooms after an ack", n)
	}
}
