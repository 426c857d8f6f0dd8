package main

import (
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/i18n/i18ntest"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom/emulator"
)

// Four eyes (issue 14): /devices delete of more than one device needs a second approval by the 审批人 tag
// (zhangsan, zhaoliu). wujiu (security, through the 安全管理员 tag) asks; he is no approver.
const fourEyesTOML = `
[policies."devices.delete"]
approvers = ["tag:审批人"]
more_than = 1
`

const fourEyesLine = "/devices delete jEum39b 8H92Hwo --type unknown"

type requestCard struct{ task, approve, reject, title string }

// requestCards returns the four-eyes request cards user received.
func (s *stack) requestCards(user string) []requestCard {
	var out []requestCard
	for _, m := range s.emu.Delivered(user) {
		if m.MsgType != "template_card" {
			continue
		}
		var body struct {
			Card struct {
				TaskID  string `json:"task_id"`
				Buttons []struct {
					Key string `json:"key"`
				} `json:"button_list"`
			} `json:"template_card"`
		}
		json.Unmarshal(m.Body, &body)
		c := requestCard{task: body.Card.TaskID, title: m.Title}
		for _, b := range body.Card.Buttons {
			switch {
			case strings.HasPrefix(b.Key, "policy:approve:"):
				c.approve = b.Key
			case strings.HasPrefix(b.Key, "policy:reject:"):
				c.reject = b.Key
			}
		}
		if c.approve != "" {
			out = append(out, c)
		}
	}
	return out
}

// ask has wujiu run the held command and confirm it; it returns the request cards of both approvers.
func (s *stack) askFourEyes(t *testing.T) (zhangsan, zhaoliu requestCard) {
	t.Helper()
	got := s.say(t, "wujiu", fourEyesLine)
	cards := s.confirmCards("wujiu")
	if len(cards) != 1 {
		t.Fatalf("wujiu got %d confirmation cards (%q); want 1", len(cards), got)
	}
	if titles := s.emu.Delivered("wujiu"); !strings.Contains(titles[len(titles)-1].Title, "needs approval") {
		t.Fatalf("confirmation card title %q; want it to say the command needs approval", titles[len(titles)-1].Title)
	}
	got = s.say(t, "wujiu", "yes")
	if !contains(got, "for a second approval") || !contains(got, "zhangsan") || !contains(got, "zhaoliu") {
		t.Fatalf("wujiu's yes: %q; want it sent to zhangsan and zhaoliu for a second approval", got)
	}
	if n := len(s.emu.CallsTo("security/trustdevice/delete")); n != 0 {
		t.Fatalf("%d delete calls before anyone approved", n)
	}
	waitFor(t, 10*time.Second, "the request cards", func() bool {
		return len(s.requestCards("zhangsan")) == 1 && len(s.requestCards("zhaoliu")) == 1
	})
	if len(s.requestCards("wujiu")) != 0 {
		t.Fatal("the requester got a request card of his own")
	}
	return s.requestCards("zhangsan")[0], s.requestCards("zhaoliu")[0]
}

func (s *stack) auditOf(t *testing.T, actor string) []db.AuditEntry {
	t.Helper()
	entries, err := s.app.db.ListAudit(t.Context(), db.AuditFilter{Actor: actor, Command: "devices delete"})
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

func TestFourEyes_requesterCannotApproveAndTwoClicksRunOnce(t *testing.T) {
	t.Parallel()
	s := startStackWith(t, emulator.Options{}, fourEyesTOML, nil)
	z, l := s.askFourEyes(t)

	// The requester forges a click on an approver's card: refused, audited, nothing runs.
	before := len(s.emu.Delivered("wujiu"))
	s.deliverClick(t, "wujiu", z.task, z.approve)
	waitFor(t, 10*time.Second, "the refusal", func() bool { return contains(s.contents("wujiu")[before:], "cannot decide your own request") })
	// A member who is no approver: refused too.
	s.deliverClick(t, "lisi", z.task, z.approve)
	waitFor(t, 10*time.Second, "lisi's refusal", func() bool { return contains(s.contents("lisi"), "not an approver") })
	if n := len(s.emu.CallsTo("security/trustdevice/delete")); n != 0 {
		t.Fatalf("%d delete calls after refused clicks", n)
	}

	// Both approvers click Approve at once: the command runs once.
	var wg sync.WaitGroup
	for _, c := range []struct {
		user string
		card requestCard
	}{{"zhangsan", z}, {"zhaoliu", l}} {
		wg.Go(func() { s.clickCard(t, c.user, c.card.task, c.card.approve) })
	}
	wg.Wait()
	waitFor(t, 10*time.Second, "both clicks answered", func() bool {
		return (contains(s.contents("zhangsan"), "Approved:") || contains(s.contents("zhangsan"), "runs once")) &&
			(contains(s.contents("zhaoliu"), "Approved:") || contains(s.contents("zhaoliu"), "runs once"))
	})
	if n := len(s.emu.CallsTo("security/trustdevice/delete")); n != 1 {
		t.Fatalf("%d delete calls for two approvals at once; want 1", n)
	}
	var winner, loser string
	switch {
	case contains(s.contents("zhangsan"), "Approved:") && contains(s.contents("zhaoliu"), "runs once"):
		winner, loser = "zhangsan", "zhaoliu"
	case contains(s.contents("zhaoliu"), "Approved:") && contains(s.contents("zhangsan"), "runs once"):
		winner, loser = "zhaoliu", "zhangsan"
	default:
		t.Fatalf("zhangsan read %q, zhaoliu %q; want one approval and one told it already ran", s.contents("zhangsan"), s.contents("zhaoliu"))
	}
	// The requester is told who approved, with the command's answer, in one message.
	waitFor(t, 10*time.Second, "the requester's notice", func() bool { return contains(s.contents("wujiu"), "approved your") })
	var notice string
	for _, c := range s.contents("wujiu") {
		if strings.Contains(c, "approved your") {
			notice = c
		}
	}
	if !strings.Contains(notice, winner) || !strings.Contains(notice, "jEum39b") {
		t.Fatalf("requester's notice %q; want it to name %s and the devices", notice, winner)
	}
	// Every approver's card shows who approved.
	waitFor(t, 10*time.Second, "both cards updated", func() bool {
		return len(s.cardUpdates("zhangsan", z.task)) == 1 && len(s.cardUpdates("zhaoliu", l.task)) == 1
	})
	for _, u := range []struct{ user, task string }{{"zhangsan", z.task}, {"zhaoliu", l.task}} {
		if got := s.cardUpdates(u.user, u.task)[0]; !strings.Contains(got, "Approved by") || !strings.Contains(got, winner) {
			t.Fatalf("%s's card reads %q; want Approved by %s", u.user, got, winner)
		}
	}
	// The trail: the request, the refusals, the approval by the winner, the run as wujiu naming the approver.
	var proposed, ran int
	for _, e := range s.auditOf(t, "wujiu") {
		switch {
		case e.Decision == db.DecisionProposed && strings.Contains(e.Result, "second approval"):
			proposed++
		case e.Decision == db.DecisionDenied && strings.Contains(e.Result, "own request"):
		case e.Decision == db.DecisionOK:
			ran++
			if e.Args["approved_by"] != winner {
				t.Fatalf("the run's audit row %+v; want approved_by %s", e, winner)
			}
		}
	}
	if proposed != 1 || ran != 1 {
		t.Fatalf("wujiu's audit rows: %d requests, %d runs; want 1 and 1: %+v", proposed, ran, s.auditOf(t, "wujiu"))
	}
	if rows := s.auditOf(t, winner); len(rows) != 1 || rows[0].Decision != db.DecisionOK || rows[0].Args["requester"] != "wujiu" {
		t.Fatalf("%s's audit rows %+v; want one approval of wujiu's request", winner, rows)
	}
	if rows := s.auditOf(t, loser); len(rows) != 0 {
		t.Fatalf("%s's late click left audit rows %+v; want none (it decided nothing)", loser, rows)
	}
	if rows := s.auditOf(t, "lisi"); len(rows) != 1 || rows[0].Decision != db.DecisionDenied {
		t.Fatalf("lisi's audit rows %+v; want one denial", rows)
	}
}

func TestFourEyes_rejectionToldAndNothingRuns(t *testing.T) {
	t.Parallel()
	s := startStackWith(t, emulator.Options{}, fourEyesTOML, nil)
	z, l := s.askFourEyes(t)
	s.clickCard(t, "zhaoliu", l.task, l.reject)
	waitFor(t, 10*time.Second, "the requester told", func() bool { return contains(s.contents("wujiu"), "rejected your") })
	waitFor(t, 10*time.Second, "both cards updated", func() bool {
		return len(s.cardUpdates("zhangsan", z.task)) == 1 && len(s.cardUpdates("zhaoliu", l.task)) == 1
	})
	if got := s.cardUpdates("zhangsan", z.task)[0]; !strings.Contains(got, "Rejected by") {
		t.Fatalf("zhangsan's card reads %q; want Rejected by zhaoliu", got)
	}
	// zhangsan's click was made before his card changed: it arrives late and runs nothing.
	s.deliverClick(t, "zhangsan", z.task, z.approve)
	waitFor(t, 10*time.Second, "the late click answered", func() bool { return contains(s.contents("zhangsan"), "rejected this request") })
	if n := len(s.emu.CallsTo("security/trustdevice/delete")); n != 0 {
		t.Fatalf("%d delete calls after a rejection", n)
	}
}

func TestFourEyes_expiryToldToRequester(t *testing.T) {
	t.Parallel()
	var offset atomic.Int64 // how far the engine's clock is ahead
	s := startStackWith(t, emulator.Options{}, fourEyesTOML, func(a *app) {
		a.engine.Now = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
		a.engine.SweepEvery = 20 * time.Millisecond
	})
	z, _ := s.askFourEyes(t)
	offset.Store(int64(2 * time.Hour)) // past the default hour
	waitFor(t, 10*time.Second, "the expiry notice", func() bool { return contains(s.contents("wujiu"), "Nobody approved your") })
	waitFor(t, 10*time.Second, "the card ended", func() bool { return len(s.cardUpdates("zhangsan", z.task)) == 1 })
	if got := s.cardUpdates("zhangsan", z.task)[0]; !strings.Contains(got, "Expired") {
		t.Fatalf("zhangsan's card reads %q; want Expired", got)
	}
	s.deliverClick(t, "zhangsan", z.task, z.approve)
	waitFor(t, 10*time.Second, "the late click answered", func() bool { return contains(s.contents("zhangsan"), "This request expired") })
	if n := len(s.emu.CallsTo("security/trustdevice/delete")); n != 0 {
		t.Fatalf("%d delete calls after expiry", n)
	}
	var expired int
	for _, e := range s.auditOf(t, "wujiu") {
		if e.Decision == db.DecisionExpired {
			expired++
		}
	}
	if expired != 1 {
		t.Fatalf("%d expired rows in wujiu's trail; want 1", expired)
	}
}

func TestFourEyes_underThresholdRunsAlone(t *testing.T) {
	t.Parallel()
	s := startStackWith(t, emulator.Options{}, fourEyesTOML, nil)
	s.say(t, "wujiu", "/devices delete jEum39b --type unknown") // one device: more_than = 1 lets it run alone
	got := s.say(t, "wujiu", "yes")
	if contains(got, "second approval") || len(s.emu.CallsTo("security/trustdevice/delete")) != 1 {
		t.Fatalf("one device: %q, %d delete calls; want it run at once", got, len(s.emu.CallsTo("security/trustdevice/delete")))
	}
}

func TestFourEyes_configNamesAMutatingCommand(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ key, want string }{
		{"devices.delet", `did you mean "devices.delete"`},
		{"devices.list", "names no command that changes anything"},
	} {
		cfg := testConfigExtra(t, "127.0.0.1:0", "http://127.0.0.1:1", t.TempDir()+"/bot.db",
			"[policies.\""+tc.key+"\"]\napprovers = [\"zhaoliu\"]\n")
		_, err := newApp(cfg, slog.New(slog.DiscardHandler), nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("policy %q: %v; want an error saying %q", tc.key, err, tc.want)
		}
	}
}

func TestFourEyes_inChinese(t *testing.T) {
	t.Parallel()
	s := startStackWith(t, emulator.Options{}, fourEyesTOML+"[replies]\nlanguage = \"zh\"\n", nil)
	s.say(t, "wujiu", fourEyesLine)
	got := s.say(t, "wujiu", "是")
	if !contains(got, "第二人审批") {
		t.Fatalf("wujiu's 是: %q; want the request sent for a second approval, in Chinese", got)
	}
	waitFor(t, 10*time.Second, "the request cards", func() bool { return len(s.requestCards("zhaoliu")) == 1 })
	c := s.requestCards("zhaoliu")[0]
	if !strings.Contains(c.title, "批准") {
		t.Fatalf("zhaoliu's card title %q; want Chinese", c.title)
	}
	s.clickCard(t, "zhaoliu", c.task, c.approve)
	waitFor(t, 10*time.Second, "the requester's notice", func() bool { return contains(s.contents("wujiu"), "批准了你的") })
	waitFor(t, 10*time.Second, "the approver's answer", func() bool { return contains(s.contents("zhaoliu"), "已批准") })
	for _, u := range []string{"wujiu", "zhaoliu"} {
		for _, m := range s.contents(u) {
			if left := i18ntest.EnglishLeft(m); len(left) > 0 {
				t.Errorf("%s reads English in a Chinese reply: %q in %q", u, left, m)
			}
		}
	}
}
