package approvals

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/config"
	"github.com/wecombot/wecombot/db"
)

// TestTakeOver: a submitted application is recorded pending, and one pass takes it over: one
// set_approval_detail (in progress, 或签, the configured approvers, the page) and one button card per approver
// under the application's ref, none for the applicant. Later passes change nothing for it.
func TestTakeOver(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	id := h.apply("lisi", 1, "需要发送大附件")
	app := h.app(id)
	if app.State != db.AppPending || app.Applicant != "lisi" || app.BusinessType != 1 || app.Reason != "需要发送大附件" {
		t.Fatalf("after the event: %+v; want a pending application by lisi, type 1, with the reason", app)
	}
	if n := len(h.detailCalls(id)); n != 0 {
		t.Fatalf("set_approval_detail called %d times while handling the callback; the take-over is the runner's job", n)
	}

	h.takeOver()
	calls := h.detailCalls(id)
	if len(calls) != 1 {
		t.Fatalf("set_approval_detail calls = %d; want 1", len(calls))
	}
	c := calls[0]
	if c.ApprovalStatus != 1 || c.ApprovalID != "wecombot-"+id || c.ApprovalURL != pageURL(id) || len(c.ProcessList.NodeList) != 1 {
		t.Fatalf("take-over request = %+v; want status 1, approval_id wecombot-%s, the page URL, one node", c, id)
	}
	node := c.ProcessList.NodeList[0]
	if fmt.Sprint(node.CurrentApprovers) != "[zhangsan zhaoliu]" || node.CompletedApprovers == nil || len(node.CompletedApprovers) != 0 ||
		node.NodeApvStatus != 1 || node.NodeApvRel != 2 || node.ApvUpdateTime == 0 {
		t.Fatalf("take-over node = %+v; want zhangsan and zhaoliu current, none completed ([] not null), in progress, 或签", node)
	}
	if wa, _ := h.emu.Application(id); wa.ApprovalType != 2 || wa.ApprovalStatus != 1 {
		t.Fatalf("WeCom's application: type %d status %d; want taken over by the API (2), in progress (1)", wa.ApprovalType, wa.ApprovalStatus)
	}
	app = h.app(id)
	if app.State != db.AppTaken || fmt.Sprint(app.Approvers) != "[zhangsan zhaoliu]" || app.TakenAt.IsZero() {
		t.Fatalf("after the take-over: %+v; want taken, with the approvers", app)
	}

	rows := h.outbox(ref(id))
	if got := recipients(rows); fmt.Sprint(got) != "[zhangsan zhaoliu]" {
		t.Fatalf("cards to %v; want one each to zhangsan and zhaoliu (and none to the applicant)", got)
	}
	tasks := map[string]bool{}
	for i, b := range bodies(t, rows) {
		r := rows[i]
		tc := b.TemplateCard
		if r.API != "message/send" || r.State != "pending" || b.MsgType != "template_card" || tc.CardType != "button_interaction" ||
			b.ToUser != r.Recipient {
			t.Fatalf("card row %+v body %+v; want a pending button_interaction template_card to its recipient", r, b)
		}
		if tc.TaskID != taskID(id, r.Recipient) || tasks[tc.TaskID] {
			t.Fatalf("card to %s has task_id %q; want %q, unique per approver", r.Recipient, tc.TaskID, taskID(id, r.Recipient))
		}
		tasks[tc.TaskID] = true
		if keys := b.buttonKeys(); fmt.Sprint(keys) != fmt.Sprintf("[approval:approve:%s approval:reject:%s]", id, id) {
			t.Fatalf("card buttons %v; want approve and reject keyed by the apply_id", keys)
		}
		if tc.CardAction.URL != pageURL(id) {
			t.Fatalf("card links to %q; want the approval page", tc.CardAction.URL)
		}
	}
	if h.notified.Load() == 0 {
		t.Error("the outbox sender was not woken after the cards were queued")
	}
	// The cards are valid messages: WeCom takes them, and each approver receives one.
	h.flush()
	for _, u := range []string{"zhangsan", "zhaoliu"} {
		if h.deliveredCard(u, id) != taskID(id, u) {
			t.Fatalf("%s did not receive the card", u)
		}
	}

	// Nothing is taken over twice: not by the next pass, nor by a pass that takes another application over.
	h.takeOver()
	_, xml := h.event(map[string]any{"from": "lisi", "event": "submit_vip_account_approval", "business_type": 1, "apply_reason": "x"})
	h.mustHandle(xml) // another application (a new apply_id): taken over on its own
	h.takeOver()
	if n := len(h.detailCalls(id)); n != 1 {
		t.Fatalf("set_approval_detail calls for %s = %d after more passes; want still 1", id, n)
	}
	if n := len(h.outbox(ref(id))); n != 2 {
		t.Fatalf("card rows = %d after more passes; want still 2", n)
	}
}

// TestTakeOver_redeliveredEvent: WeCom delivering the same submit event again records nothing new.
func TestTakeOver_redeliveredEvent(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	out, xml := h.event(map[string]any{"from": "wangwu", "event": "submit_vip_account_approval", "business_type": 2, "apply_reason": "文档"})
	id := out["apply_id"].(string)
	h.mustHandle(xml)
	h.takeOver()
	h.mustHandle(xml)
	h.takeOver()
	if app := h.app(id); app.State != db.AppTaken {
		t.Fatalf("after the redelivery the application is %s; want still taken", app.State)
	}
	if n, m := len(h.detailCalls(id)), len(h.outbox(ref(id))); n != 1 || m != 2 {
		t.Fatalf("after a redelivered event: %d set_approval_detail calls and %d cards; want 1 and 2", n, m)
	}
}

// TestTakeOver_byType: approvals.by_type picks the approvers of a business type; others fall back to
// approvals.approvers.
func TestTakeOver_byType(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{cfg: configWith(map[string][]string{"meetings": {"zhangsan"}})})
	meeting := h.applyTaken("lisi", 4, "会议")
	mail := h.applyTaken("lisi", 1, "邮件")
	if got := recipients(h.outbox(ref(meeting))); fmt.Sprint(got) != "[zhangsan]" {
		t.Fatalf("meetings cards to %v; want zhangsan only (by_type)", got)
	}
	if got := recipients(h.outbox(ref(mail))); fmt.Sprint(got) != "[zhangsan zhaoliu]" {
		t.Fatalf("mail cards to %v; want the default approvers", got)
	}
}

// TestTakeOver_applicantIsApprover: an approver's own application goes to the other approvers only.
func TestTakeOver_applicantIsApprover(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	id := h.applyTaken("zhaoliu", 4, "会议")
	if got := h.detailCalls(id)[0].ProcessList.NodeList[0].CurrentApprovers; fmt.Sprint(got) != "[zhangsan]" {
		t.Fatalf("approvers reported to WeCom = %v; want zhangsan only", got)
	}
	if got := recipients(h.outbox(ref(id))); fmt.Sprint(got) != "[zhangsan]" {
		t.Fatalf("cards to %v; want zhangsan only", got)
	}
}

// TestTakeOver_failureRetried: a refused set_approval_detail leaves the application pending with the error
// and a backoff, sends no card, and a later pass takes it over.
func TestTakeOver_failureRetried(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	id := h.apply("lisi", 1, "retry")
	h.emu.Fail("advanced_feature/set_approval_detail", 40058, 1)
	h.takeOver()
	app := h.app(id)
	if app.State != db.AppPending || app.Attempts != 1 || !strings.Contains(app.LastError, "40058") || !app.NextAttempt.After(app.SubmittedAt) {
		t.Fatalf("after a refused take-over: %+v; want pending, 1 attempt, the error, a later attempt", app)
	}
	if n := len(h.outbox(ref(id))); n != 0 {
		t.Fatalf("%d cards queued for an application WeCom did not let us take over", n)
	}
	// Due again only after the backoff: move the row's next attempt to now instead of waiting 5 s.
	if _, err := h.db.SQL().ExecContext(t.Context(), `UPDATE applications SET next_attempt_at = 0 WHERE apply_id = ?`, id); err != nil {
		t.Fatal(err)
	}
	h.takeOver()
	if app := h.app(id); app.State != db.AppTaken || app.LastError != "" {
		t.Fatalf("after the retry: %+v; want taken, the error cleared", app)
	}
	if n := len(h.outbox(ref(id))); n != 2 {
		t.Fatalf("cards after the retry = %d; want 2", n)
	}
}

// TestTakeOver_lapsed: past WeCom's 24 hours the application is not taken over but lapsed, and the approvers
// are told to decide it in the admin console.
func TestTakeOver_lapsed(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	id := h.apply("lisi", 1, "late")
	h.advance(Window + time.Second)
	h.takeOver()
	if app := h.app(id); app.State != db.AppLapsed {
		t.Fatalf("application is %s; want lapsed", app.State)
	}
	if n := len(h.detailCalls(id)); n != 0 {
		t.Fatalf("set_approval_detail called %d times after the window", n)
	}
	notes := h.outbox(ref(id) + ":note")
	if got := recipients(notes); fmt.Sprint(got) != "[zhangsan zhaoliu]" {
		t.Fatalf("lapse notes to %v; want both approvers", got)
	}
	if c := contents(bodies(t, notes)); !strings.Contains(c, "admin console") || !strings.Contains(c, id) {
		t.Fatalf("lapse note = %q; want it to name the application and the admin console", c)
	}
	if n := len(h.outbox(ref(id))); n != 0 {
		t.Fatalf("%d cards for a lapsed application", n)
	}
}

// configWith is the default config with approvals.by_type.
func configWith(byType map[string][]string) config.Approvals {
	c := defaultConfig
	c.ByType = byType
	return c
}

// TestTakeOver_applicantTold: the applicant hears that the application arrived and who will decide it.
func TestTakeOver_applicantTold(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	id := h.apply("lisi", 1, "需要发送大附件")
	h.takeOver()
	rows := h.outbox(ref(id) + ":received")
	if got := recipients(rows); len(got) != 1 || got[0] != "lisi" {
		t.Fatalf("received notes to %v; want lisi only", got)
	}
	if c := contents(bodies(t, rows)); !strings.Contains(c, "was received") || !strings.Contains(c, id) ||
		!strings.Contains(c, "`zhangsan` or `zhaoliu` will decide it") {
		t.Fatalf("note = %q; want the application, and who decides it", c)
	}
	h.takeOver() // a later pass does not tell her again
	if n := len(h.outbox(ref(id) + ":received")); n != 1 {
		t.Fatalf("%d received notes after a second pass; want 1", n)
	}
}
