package approvals

import (
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot"
	"github.com/wecombot/wecombot/bot/config"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// finish closes the application in WeCom (as an admin or the applicant does in the console) and hands the
// finish_vip_account_approval callback to the service.
func (h *harness) finish(applyID string, finishType int) int64 {
	h.t.Helper()
	_, xml := h.event(map[string]any{"from": "sys", "event": "finish_vip_account_approval", "apply_id": applyID, "finish_type": finishType})
	return h.mustHandle(xml)
}

// TestFinish_closesCards: WeCom closing an open application closes it here and replaces every sent card's
// buttons with how it ended; a decision after it is refused and reaches no one.
func TestFinish_closesCards(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	id := h.applyTaken("wangwu", 1, "finish test")
	h.flush()
	h.finish(id, 1)
	app := h.app(id)
	if app.State != db.AppClosed || app.FinishType != 1 || app.ClosedAt.IsZero() {
		t.Fatalf("after the finish event: %+v; want closed, finish type 1", app)
	}
	codes := map[string]string{}
	for _, c := range h.outbox(ref(id)) {
		codes[c.Recipient] = c.ResponseCode
	}
	updates := h.outbox(ref(id) + ":update")
	if got := recipients(updates); len(got) != 2 || got[0] != "zhangsan" || got[1] != "zhaoliu" {
		t.Fatalf("card updates to %v; want one to each approver", got)
	}
	for i, u := range bodies(t, updates) {
		if updates[i].API != "message/update_template_card" || u.ResponseCode != codes[updates[i].Recipient] ||
			u.Button.ReplaceName != "已结束 · 管理员驳回" {
			t.Fatalf("update %+v; want the card's own code and 已结束 · 管理员驳回", u)
		}
	}
	h.flush() // WeCom takes the updates
	for _, u := range []string{"zhangsan", "zhaoliu"} {
		found := false
		for _, m := range h.emu.Messages(u) {
			found = found || m.API == "message/update_template_card" && strings.Contains(m.Content+string(m.Body), "管理员驳回")
		}
		if !found {
			t.Fatalf("%s's card was not updated in WeCom", u)
		}
	}
	_, err := h.svc.Decide(t.Context(), id, "zhangsan", true, "")
	if bot.ErrorCode(err) != bot.ECONFLICT || !strings.Contains(bot.ErrorText(err), "closed in WeCom (rejected by an admin)") {
		t.Fatalf("Decide after the finish: %v; want a conflict saying an admin rejected it", err)
	}
	in := h.mustHandle(h.forgedClick("zhaoliu", "approval:approve:"+id)) // a click made before the update arrived
	if c := contents(h.replies(in)); !strings.Contains(c, "closed in WeCom") {
		t.Fatalf("a late click answered %q; want that it was closed", c)
	}
	if approved, rejected := h.decisions(id); approved+rejected != 0 || h.allocations("wangwu") != 0 {
		t.Fatal("a decision after the finish reached WeCom")
	}
}

// TestFinish_beforeCardsSent: cards still in the outbox when WeCom closes the application are withdrawn, not
// sent and not updated.
func TestFinish_beforeCardsSent(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	id := h.applyTaken("lisi", 3, "withdrawn")
	h.finish(id, 3)
	for _, c := range h.outbox(ref(id)) {
		if c.State != "failed" || !strings.Contains(c.LastError, "withdrawn") {
			t.Fatalf("card to %s: %s %q; want withdrawn", c.Recipient, c.State, c.LastError)
		}
	}
	if n := len(h.outbox(ref(id) + ":update")); n != 0 {
		t.Fatalf("%d updates for cards never sent", n)
	}
	h.flush()
	if h.deliveredCard("zhangsan", id) != "" || h.deliveredCard("zhaoliu", id) != "" {
		t.Fatal("a withdrawn card was delivered")
	}
	if app := h.app(id); app.State != db.AppClosed || app.FinishType != 3 {
		t.Fatalf("application %+v; want closed, finish type 3", app)
	}
}

// TestFinish_afterDecision: WeCom's finish after the bot's own decision (the admin allocated the account)
// keeps the decision and leaves the cards, which already show it.
func TestFinish_afterDecision(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	id := h.applyTaken("lisi", 1, "decided")
	h.flush()
	if _, err := h.svc.Decide(t.Context(), id, "zhangsan", true, ""); err != nil {
		t.Fatal(err)
	}
	h.flush()
	h.finish(id, 2)
	if app := h.app(id); app.State != db.AppApproved || app.DecidedBy != "zhangsan" || app.FinishType != 2 {
		t.Fatalf("application %+v; want still approved by zhangsan, with finish type 2", app)
	}
	if n := len(h.outbox(ref(id) + ":update")); n != 2 {
		t.Fatalf("card updates = %d; want the decision's 2 only", n)
	}
}

// TestFinish_notOurs: a finish event for an application the bot never took over is acknowledged and ignored.
func TestFinish_notOurs(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	var id string
	for _, a := range h.emu.Applications() {
		if a.FinishType == 0 && a.ApprovalType == 0 {
			id = a.ApplyID
		}
	}
	if id == "" {
		t.Fatal("the emulator has no open application of the default flow")
	}
	h.finish(id, 1)
	if a, err := h.db.GetApplication(t.Context(), id); err != nil || a != nil {
		t.Fatalf("application row %+v, %v; want none", a, err)
	}
}

// TestTextMode: in text mode (the WeChat plugin) approvers get a textcard that says how to decide by command,
// in place of the button card; as it cannot be updated, a decision tells the other approvers in a message,
// and the applicant is told in plain text.
func TestTextMode(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{text: true})
	id := h.applyTaken("lisi", 1, "需要发送大附件")
	if n := len(h.outbox(ref(id))); n != 0 {
		t.Fatalf("%d template cards in text mode; want none", n)
	}
	texts := h.outbox(ref(id) + ":text")
	if got := recipients(texts); len(got) != 2 || got[0] != "zhangsan" || got[1] != "zhaoliu" {
		t.Fatalf("textcards to %v; want one to each approver", got)
	}
	for _, b := range bodies(t, texts) {
		if b.MsgType != "textcard" || !strings.Contains(b.TextCard.Title, id) || b.TextCard.URL != pageURL(id) ||
			!strings.Contains(b.TextCard.Description, "/order approve "+id) || !strings.Contains(b.TextCard.Description, "/order reject "+id) {
			t.Fatalf("textcard %+v; want the application, the page and both commands", b)
		}
	}
	h.flush()
	if _, err := h.svc.Decide(t.Context(), id, "zhangsan", true, ""); err != nil {
		t.Fatal(err)
	}
	if n := len(h.outbox(ref(id) + ":update")); n != 0 {
		t.Fatalf("%d card updates in text mode; a textcard cannot be updated", n)
	}
	notes := h.outbox(ref(id) + ":note")
	if len(notes) != 1 || notes[0].Recipient != "zhaoliu" {
		t.Fatalf("notes to %v; want one to zhaoliu (the decider knows)", recipients(notes))
	}
	if b := decodeBody(t, notes[0].Body); b.MsgType != "text" || !strings.Contains(b.Text.Content, id) ||
		!strings.Contains(b.Text.Content, "已同意 · zhangsan") {
		t.Fatalf("note %+v; want a text message naming the application and who approved", b)
	}
	told := bodies(t, h.outbox(ref(id)+":applicant"))
	if len(told) != 1 || told[0].MsgType != "text" || !strings.Contains(told[0].Text.Content, "approved") ||
		strings.Contains(told[0].Text.Content, "**") {
		t.Fatalf("applicant told %+v; want plain text saying approved", told)
	}
	h.flush()
}

// TestTextMode_decidedBeforeSent: a decision made while the textcards are still in the outbox does not let
// them go out afterwards asking the other approvers to decide: they are withdrawn, as pending button cards are
// (TestFinish_beforeCardsSent).
func TestTextMode_decidedBeforeSent(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{text: true})
	id := h.applyTaken("lisi", 1, "x")
	if _, err := h.svc.Decide(t.Context(), id, "zhangsan", true, ""); err != nil {
		t.Fatal(err)
	}
	h.flush()
	for _, m := range h.emu.Delivered("zhaoliu") {
		if m.MsgType == "textcard" && strings.Contains(m.Title, id) {
			t.Fatalf("zhaoliu received the textcard for %s after zhangsan had approved it: %q", id, m.Title)
		}
	}
}

// TestSweep_reminds: an application waiting longer than remind_after reminds its approvers, once per period.
func TestSweep_reminds(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{cfg: config.Approvals{Approvers: defaultConfig.Approvers,
		RemindAfter: config.Duration{Duration: time.Hour}}})
	id := h.applyTaken("wangwu", 1, "reminder test")
	h.svc.sweep(t.Context())
	if n := len(h.outbox(ref(id) + ":remind")); n != 0 {
		t.Fatalf("%d reminders before remind_after", n)
	}
	h.advance(61 * time.Minute)
	h.svc.sweep(t.Context())
	rem := h.outbox(ref(id) + ":remind")
	if got := recipients(rem); len(got) != 2 || got[0] != "zhangsan" || got[1] != "zhaoliu" {
		t.Fatalf("reminders to %v; want both approvers", got)
	}
	if c := contents(bodies(t, rem)); !strings.Contains(c, "Reminder: application") || !strings.Contains(c, id) ||
		!strings.Contains(c, "reminder test") {
		t.Fatalf("reminder = %q; want the application and its reason", c)
	}
	h.svc.sweep(t.Context())
	h.advance(30 * time.Minute)
	h.svc.sweep(t.Context())
	if n := len(h.outbox(ref(id) + ":remind")); n != 2 {
		t.Fatalf("reminders = %d within the next period; want still 2", n)
	}
	h.advance(31 * time.Minute)
	h.svc.sweep(t.Context())
	if n := len(h.outbox(ref(id) + ":remind")); n != 4 {
		t.Fatalf("reminders = %d after another period; want 4", n)
	}
	// A decided application is not reminded of.
	if _, err := h.svc.Decide(t.Context(), id, "zhangsan", false, "no"); err != nil {
		t.Fatal(err)
	}
	h.advance(2 * time.Hour)
	h.svc.sweep(t.Context())
	if n := len(h.outbox(ref(id) + ":remind")); n != 4 {
		t.Fatalf("reminders = %d after the decision; want still 4", n)
	}
}

// TestSweep_reconciles: a decision cut off after its claim is read back from WeCom by the sweep, not
// repeated: one that reached WeCom is recorded and the cards updated; one that did not opens the
// application again. A claim younger than two minutes is left alone (it may still be running).
func TestSweep_reconciles(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	reached := h.applyTaken("lisi", 1, "reached WeCom")
	lost := h.applyTaken("wangwu", 2, "never reached WeCom")
	h.flush()
	for _, id := range []string{reached, lost} {
		if won, _, err := h.db.ClaimDecision(t.Context(), id, "zhaoliu", ""); err != nil || !won {
			t.Fatalf("claim %s: %v %v", id, won, err)
		}
	}
	// The crash came after WeCom had the rejection of one of them.
	if err := h.client.AdvancedFeature.SetApprovalDetail(t.Context(), &wecom.ApprovalDetail{ApplyID: reached, ApprovalID: ApprovalID(reached),
		ApprovalStatus: wecom.ApprovalRejected, ApprovalURL: pageURL(reached), ProcessList: wecom.ApprovalProcess{NodeList: []wecom.ApprovalNode{{
			CurrentApprovers: []string{}, CompletedApprovers: []string{"zhaoliu"}, NodeApvStatus: wecom.ApprovalRejected,
			NodeApvRel: wecom.NodeAnyMayApprove, ApvUpdateTime: time.Now().Unix()}}}}); err != nil {
		t.Fatal(err)
	}
	h.svc.sweep(t.Context())
	if a, b := h.app(reached).State, h.app(lost).State; a != db.AppDeciding || b != db.AppDeciding {
		t.Fatalf("a fresh claim was reconciled: %s, %s; want both still deciding", a, b)
	}
	h.advance(3 * time.Minute)
	h.svc.sweep(t.Context())
	if app := h.app(reached); app.State != db.AppRejected || app.DecidedBy != "zhaoliu" {
		t.Fatalf("the decision that reached WeCom: %+v; want rejected by zhaoliu", app)
	}
	updates := bodies(t, h.outbox(ref(reached)+":update"))
	if len(updates) != 2 || !strings.Contains(updates[0].Button.ReplaceName, "已驳回 · zhaoliu") {
		t.Fatalf("card updates after reconciling = %+v; want both cards saying zhaoliu rejected it", updates)
	}
	if app := h.app(lost); app.State != db.AppTaken || app.DecidedBy != "" {
		t.Fatalf("the decision that never reached WeCom: %+v; want taken (open) again", app)
	}
	if _, rejected := h.decisions(reached); rejected != 1 {
		t.Fatalf("WeCom got %d rejections of %s; want the one from before the crash, not repeated", rejected, reached)
	}
	if _, err := h.svc.Decide(t.Context(), lost, "zhangsan", true, ""); err != nil {
		t.Fatalf("deciding the reopened application: %v", err)
	}
	h.flush()
}

// TestSweep_reconciledApprovalFinishes: an approval WeCom got before a crash is finished by the sweep as
// Decide would have finished it — the account allocated, the applicant and the decider told — and an
// applicant who already got the account before the crash is not allocated it a second time.
func TestSweep_reconciledApprovalFinishes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	fresh := h.applyTaken("sunqi", 1, "approved, crashed before the allocation")
	holder := h.applyTaken("wangwu", 2, "approved, crashed after the allocation")
	h.flush()
	for _, id := range []string{fresh, holder} {
		if won, _, err := h.db.ClaimDecision(t.Context(), id, "zhaoliu", ""); err != nil || !won {
			t.Fatalf("claim %s: %v %v", id, won, err)
		}
		if err := h.client.AdvancedFeature.SetApprovalDetail(t.Context(), &wecom.ApprovalDetail{ApplyID: id, ApprovalID: ApprovalID(id),
			ApprovalStatus: wecom.ApprovalApproved, ApprovalURL: pageURL(id), ProcessList: wecom.ApprovalProcess{NodeList: []wecom.ApprovalNode{{
				CurrentApprovers: []string{}, CompletedApprovers: []string{"zhaoliu"}, NodeApvStatus: wecom.ApprovalApproved,
				NodeApvRel: wecom.NodeAnyMayApprove, ApvUpdateTime: time.Now().Unix()}}}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.client.VIP.Run(t.Context(), true, []string{"wangwu"}); err != nil { // wangwu's came before the crash
		t.Fatal(err)
	}
	h.advance(3 * time.Minute)
	h.svc.sweep(t.Context())
	for _, id := range []string{fresh, holder} {
		if app := h.app(id); app.State != db.AppApproved || app.DecidedBy != "zhaoliu" || !strings.Contains(app.Allocation, "allocated") {
			t.Fatalf("%s after the sweep: %+v; want approved by zhaoliu with the account allocated", id, app)
		}
		if approved, _ := h.decisions(id); approved != 1 {
			t.Fatalf("WeCom got %d approvals of %s; want the one from before the crash", approved, id)
		}
	}
	if n := h.allocations("sunqi"); n != 1 {
		t.Fatalf("sunqi's account allocated %d times; want once, by the sweep", n)
	}
	if n := h.allocations("wangwu"); n != 1 {
		t.Fatalf("wangwu's account allocated %d times; want once (before the crash), not again", n)
	}
	for _, c := range []struct{ ref, to, want string }{
		{ref(fresh) + ":applicant", "sunqi", "approved"},
		{ref(holder) + ":applicant", "wangwu", "approved"},
		{ref(fresh) + ":decider", "zhaoliu", "finished after a restart"},
	} {
		rows := h.outbox(c.ref)
		if len(rows) != 1 || rows[0].Recipient != c.to {
			t.Fatalf("%s: %d messages %+v; want one to %s", c.ref, len(rows), rows, c.to)
		}
		b := decodeBody(t, rows[0].Body)
		if !strings.Contains(b.Markdown.Content, c.want) && !strings.Contains(b.Text.Content, c.want) {
			t.Fatalf("%s says %q; want %q", c.ref, b.Markdown.Content+b.Text.Content, c.want)
		}
	}
	h.svc.sweep(t.Context()) // nothing left to reconcile: nobody is told twice
	if n := len(h.outbox(ref(fresh) + ":applicant")); n != 1 {
		t.Fatalf("a second sweep told the applicant again (%d messages)", n)
	}
}
