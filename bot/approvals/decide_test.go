package approvals

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/wecombot/wecombot/bot"
	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/bot/inbox"
	"github.com/wecombot/wecombot/db"
)

// decisions counts the set_approval_detail requests that decided the application (status 2 or 3).
func (h *harness) decisions(applyID string) (approved, rejected int) {
	for _, c := range h.detailCalls(applyID) {
		switch c.ApprovalStatus {
		case 3:
			approved++
		case 2:
			rejected++
		}
	}
	return approved, rejected
}

// allocations counts the account allocation jobs WeCom got for a member.
func (h *harness) allocations(user string) int {
	n := 0
	for _, c := range h.emu.CallsTo("security/vip/submit_batch_add_job") {
		if strings.Contains(string(c.Body), `"`+user+`"`) {
			n++
		}
	}
	return n
}

// TestDecide_concurrent: two approvers deciding at the same moment (one approves, the other rejects) decide
// the application exactly once: one call wins, the other is told who decided; WeCom hears one decision, the
// account is allocated at most once, every approver's card is updated once, and the applicant is told once.
func TestDecide_concurrent(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	for round, applicant := range []string{"lisi", "wangwu", "sunqi", "wujiu"} {
		id := h.applyTaken(applicant, 1+round%4, "race")
		h.flush() // the cards are out, with their response codes
		type result struct {
			out string
			err error
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		res := map[string]*result{"zhangsan": {}, "zhaoliu": {}}
		for u, r := range res {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				r.out, r.err = h.svc.Decide(t.Context(), id, u, u == "zhangsan", "不批 "+u)
			}()
		}
		close(start)
		wg.Wait()

		var winner, loser string
		switch {
		case res["zhangsan"].err == nil && bot.ErrorCode(res["zhaoliu"].err) == bot.ECONFLICT:
			winner, loser = "zhangsan", "zhaoliu"
		case res["zhaoliu"].err == nil && bot.ErrorCode(res["zhangsan"].err) == bot.ECONFLICT:
			winner, loser = "zhaoliu", "zhangsan"
		default:
			t.Fatalf("round %d: zhangsan: %q, %v; zhaoliu: %q, %v; want one decision and one conflict", round,
				res["zhangsan"].out, res["zhangsan"].err, res["zhaoliu"].out, res["zhaoliu"].err)
		}
		verb, wantState, wantStatus := "rejected", db.AppRejected, 2
		if winner == "zhangsan" {
			verb, wantState, wantStatus = "approved", db.AppApproved, 3
		}
		if !strings.Contains(res[winner].out, verb) {
			t.Errorf("round %d: the winner was told %q; want %q", round, res[winner].out, verb)
		}
		// The loser waited for the winner to finish and hears how it ended, not "being decided".
		if msg := bot.ErrorText(res[loser].err); !strings.Contains(msg, "already "+verb+" by "+winner) {
			t.Errorf("round %d: the loser was told %q; want already %s by %s", round, msg, verb, winner)
		}
		approved, rejected := h.decisions(id)
		if approved+rejected != 1 {
			t.Fatalf("round %d: WeCom got %d approvals and %d rejections; want exactly one decision", round, approved, rejected)
		}
		if last := h.detailCalls(id)[len(h.detailCalls(id))-1]; last.ApprovalStatus != wantStatus ||
			fmt.Sprint(last.ProcessList.NodeList[0].CompletedApprovers) != "["+winner+"]" ||
			len(last.ProcessList.NodeList[0].CurrentApprovers) != 0 {
			t.Fatalf("round %d: decision request %+v; want status %d completed by %s", round, last, wantStatus, winner)
		}
		if n, want := h.allocations(applicant), map[bool]int{true: 1, false: 0}[winner == "zhangsan"]; n != want {
			t.Fatalf("round %d: %d allocation jobs for %s; want %d", round, n, applicant, want)
		}
		app := h.app(id)
		if app.State != wantState || app.DecidedBy != winner || app.DecisionNote != "不批 "+winner {
			t.Fatalf("round %d: application %+v; want %s by %s with their note", round, app, wantState, winner)
		}

		// Both cards (the winner's too) lose their buttons, each with the code its own message/send returned.
		cards := h.outbox(ref(id))
		codes := map[string]string{}
		for _, c := range cards {
			codes[c.Recipient] = c.ResponseCode
		}
		updates := h.outbox(ref(id) + ":update")
		if got := recipients(updates); fmt.Sprint(got) != "[zhangsan zhaoliu]" {
			t.Fatalf("round %d: card updates to %v; want one to each approver", round, got)
		}
		label := map[bool]string{true: "已同意", false: "已驳回"}[winner == "zhangsan"]
		for i, u := range bodies(t, updates) {
			to := updates[i].Recipient
			if updates[i].API != "message/update_template_card" || u.ResponseCode == "" || u.ResponseCode != codes[to] ||
				!strings.Contains(u.Button.ReplaceName, label+" · "+winner) {
				t.Fatalf("round %d: update %s %+v; want update_template_card with %s's card code %q saying %s · %s",
					round, updates[i].API, u, to, codes[to], label, winner)
			}
		}
		told := bodies(t, h.outbox(ref(id)+":applicant"))
		if len(told) != 1 || told[0].ToUser != applicant || !strings.Contains(told[0].content(), "**"+verb+"**") {
			t.Fatalf("round %d: the applicant was told %q; want one message saying %s", round, contents(told), verb)
		}
		if verb == "rejected" && !strings.Contains(told[0].content(), "Reason: 不批 zhaoliu") {
			t.Fatalf("round %d: the applicant was not told the reason: %q", round, told[0].content())
		}
		if verb == "approved" && !strings.Contains(told[0].content(), "The account was allocated.") {
			t.Fatalf("round %d: the applicant was not told of the allocation: %q", round, told[0].content())
		}
		h.flush() // WeCom takes every update: each code updates its card once
	}
}

// TestDecide_applicantForbidden: an approver cannot decide her own application, however her userid is
// spelt, by Decide, a forged approve click or a reject click; nothing reaches WeCom, the refusals are audited,
// and the application stays open for the other approver.
func TestDecide_applicantForbidden(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	id := h.applyTaken("zhaoliu", 4, "会议")
	for _, who := range []string{"zhaoliu", "ZhaoLiu"} {
		_, err := h.svc.Decide(t.Context(), id, who, true, "")
		if bot.ErrorCode(err) != bot.EFORBIDDEN {
			t.Fatalf("Decide by %s on her own application: %v; want EFORBIDDEN", who, err)
		}
	}
	for _, key := range []string{"approval:approve:" + id, "approval:reject:" + id} {
		in := h.mustHandle(h.forgedClick("zhaoliu", key))
		if c := contents(h.replies(in)); !strings.Contains(c, "cannot decide your own") {
			t.Fatalf("click %s by the applicant: replied %q; want a refusal", key, c)
		}
	}
	if conv, err := h.db.GetConversation(t.Context(), "zhaoliu"); err != nil || conv != nil {
		t.Fatalf("the applicant's reject click started a conversation: %+v, %v", conv, err)
	}
	entries, err := h.db.ListAudit(t.Context(), db.AuditFilter{Actor: "zhaoliu", Decision: db.DecisionDenied})
	if err != nil || len(entries) != 2 {
		t.Fatalf("audit = %+v, %v; want both refused clicks", entries, err)
	}
	if approved, rejected := h.decisions(id); approved+rejected != 0 {
		t.Fatalf("WeCom got %d decisions", approved+rejected)
	}
	if app := h.app(id); app.State != db.AppTaken {
		t.Fatalf("application is %s; want still taken", app.State)
	}
	if _, err := h.svc.Decide(t.Context(), id, "zhangsan", true, ""); err != nil {
		t.Fatalf("the other approver cannot decide after the refusals: %v", err)
	}
}

// TestDecide_notTakenOver: an apply_id the bot never took over is ENOTFOUND.
func TestDecide_notTakenOver(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	if _, err := h.svc.Decide(t.Context(), "ap0000", "zhangsan", true, ""); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Fatalf("Decide on an unknown application: %v; want ENOTFOUND", err)
	}
}

// TestDecide_weComRefuses: when WeCom refuses the decision nothing is recorded and nobody is told; the
// application is open again and the next decision goes through.
func TestDecide_weComRefuses(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	id := h.applyTaken("lisi", 1, "refused")
	h.flush()
	h.emu.Fail("advanced_feature/set_approval_detail", 40058, 1)
	if _, err := h.svc.Decide(t.Context(), id, "zhangsan", true, ""); err == nil || bot.ErrorCode(err) == bot.ECONFLICT {
		t.Fatalf("Decide while WeCom refuses: %v; want WeCom's error", err)
	}
	if app := h.app(id); app.State != db.AppTaken || app.DecidedBy != "" {
		t.Fatalf("after the refusal: %+v; want taken, undecided", app)
	}
	if n, m, k := len(h.outbox(ref(id)+":update")), len(h.outbox(ref(id)+":applicant")), h.allocations("lisi"); n+m+k != 0 {
		t.Fatalf("after the refusal: %d card updates, %d messages to the applicant, %d allocations; want none", n, m, k)
	}
	if _, err := h.svc.Decide(t.Context(), id, "zhaoliu", true, ""); err != nil {
		t.Fatalf("the next decision: %v", err)
	}
	if app := h.app(id); app.State != db.AppApproved || app.DecidedBy != "zhaoliu" {
		t.Fatalf("after the retry: %+v; want approved by zhaoliu", app)
	}
}

// TestClick_approve: an Approve click decides through the same path, replies to the clicker and audits;
// a click made before the card's update reached the other approver is told who decided, and reaches no one.
func TestClick_approve(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	id := h.applyTaken("lisi", 2, "文档协作")
	h.flush()
	in, err := h.click("zhaoliu", id, "approve")
	if err != nil {
		t.Fatal(err)
	}
	if r := h.replies(in); len(r) != 1 || r[0].ToUser != "zhaoliu" || !strings.Contains(r[0].content(), "**approved**") {
		t.Fatalf("reply to the click = %q; want zhaoliu told it is approved", contents(r))
	}
	if app := h.app(id); app.State != db.AppApproved || app.DecidedBy != "zhaoliu" {
		t.Fatalf("application %+v; want approved by zhaoliu", app)
	}
	entries, _ := h.db.ListAudit(t.Context(), db.AuditFilter{Actor: "zhaoliu", Command: "order approve"})
	if len(entries) != 1 || entries[0].Decision != db.DecisionOK || entries[0].InboxID != in || entries[0].Args["via"] != "card" {
		t.Fatalf("audit = %+v; want zhaoliu's approval via the card, tied to the callback", entries)
	}
	// zhangsan clicked before his card was updated (the update is still in the outbox).
	late, err := h.click("zhangsan", id, "approve")
	if err != nil {
		t.Fatal(err)
	}
	if c := contents(h.replies(late)); !strings.Contains(c, "already approved by zhaoliu") {
		t.Fatalf("late click answered %q; want who decided", c)
	}
	if approved, _ := h.decisions(id); approved != 1 || h.allocations("lisi") != 1 {
		t.Fatalf("after the late click WeCom has %d approvals and %d allocations; want 1 and 1", approved, h.allocations("lisi"))
	}
	if n := len(h.outbox(ref(id) + ":update")); n != 2 {
		t.Fatalf("card updates = %d; want 2 (the late click queues none)", n)
	}
	h.flush()
	// WeCom now shows both cards without buttons: a click on them is impossible.
	if code, _ := h.control("event", map[string]any{"from": "zhangsan", "event": "template_card_event", "event_key": "approval:approve:" + id,
		"task_id": taskID(id, "zhangsan"), "card_type": "button_interaction"}); code != 409 {
		t.Fatalf("a click on the updated card: HTTP %d; want 409 (its buttons are gone)", code)
	}
}

// TestClick_refused: a member without order.approve is refused and audited; a key the service never sends
// is a permanent failure (WeCom must not retry it).
func TestClick_refused(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	id := h.applyTaken("lisi", 1, "x")
	in := h.mustHandle(h.forgedClick("wangwu", "approval:approve:"+id))
	if c := contents(h.replies(in)); !strings.Contains(c, "order.approve") {
		t.Fatalf("reply to wangwu = %q; want the missing permission named", c)
	}
	if entries, _ := h.db.ListAudit(t.Context(), db.AuditFilter{Actor: "wangwu", Decision: db.DecisionDenied}); len(entries) != 1 {
		t.Fatalf("audit = %+v; want wangwu's refusal", entries)
	}
	if approved, rejected := h.decisions(id); approved+rejected != 0 || h.app(id).State != db.AppTaken {
		t.Fatal("a click without the permission decided the application")
	}
	for _, key := range []string{"approval:frob:" + id, "approval:approve:", "approval:approve"} {
		if _, err := h.handle(h.forgedClick("zhangsan", key)); !inbox.IsPermanent(err) {
			t.Errorf("click with key %q: %v; want a permanent error", key, err)
		}
	}
}

// TestRejectClick_asksReason: Reject asks the clicker why, as /order reject ID would (a ConvAsk for "order
// reject" missing the reason), and decides nothing yet; the answer, run through the command engine with the
// registry the service was given, rejects the application with the reason.
func TestRejectClick_asksReason(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	id := h.applyTaken("sunqi", 3, "网盘空间")
	h.flush()
	in, err := h.click("zhangsan", id, "reject")
	if err != nil {
		t.Fatal(err)
	}
	if c := contents(h.replies(in)); !strings.Contains(c, "Why reject") || !strings.Contains(c, id) {
		t.Fatalf("reply to the Reject click = %q; want the question naming the application", c)
	}
	conv, err := h.db.GetConversation(t.Context(), "zhangsan")
	if err != nil || conv == nil {
		t.Fatalf("conversation: %+v, %v; want one", conv, err)
	}
	var line struct {
		Args map[string][]string `json:"args"`
	}
	if json.Unmarshal(conv.Line, &line); conv.Kind != db.ConvAsk || conv.Command != "order reject" || conv.Missing != "reason" ||
		!slices.Equal(line.Args["id"], []string{id}) || !conv.ExpiresAt.After(conv.CreatedAt) {
		t.Fatalf("conversation = %+v (line %s); want an ask for order reject's reason, with the id", conv, conv.Line)
	}
	if approved, rejected := h.decisions(id); approved+rejected != 0 || h.app(id).State != db.AppTaken {
		t.Fatal("the Reject click decided before a reason was given")
	}

	// The reason and the confirmation go through the engine, as the router sends a member's messages.
	e := &commands.Engine{Registry: h.reg, Access: h.access, Store: h.db}
	say := func(text string) string {
		out, err := e.Handle(t.Context(), commands.Message{From: "zhangsan", Text: text})
		if err != nil {
			t.Fatalf("engine on %q: %v", text, err)
		}
		if err := h.db.Tx(t.Context(), out.Effects); err != nil {
			t.Fatal(err)
		}
		var md []string
		for _, r := range out.Replies {
			md = append(md, r.Markdown)
			if c := r.TemplateCard; c != nil && c.MainTitle != nil { // a confirmation card carrying its preview
				md = append(md, c.MainTitle.Desc, c.SubTitleText)
				if c.QuoteArea != nil {
					md = append(md, c.QuoteArea.QuoteText)
				}
			}
		}
		return strings.Join(md, "\n")
	}
	if got := say("预算不足 budget"); !strings.Contains(got, "yes") || !strings.Contains(got, "预算不足 budget") {
		t.Fatalf("after the reason: %q; want the confirmation prompt with the reason", got)
	}
	say("yes")
	app := h.app(id)
	if app.State != db.AppRejected || app.DecidedBy != "zhangsan" || app.DecisionNote != "预算不足 budget" {
		t.Fatalf("after the confirmation: %+v; want rejected by zhangsan with the reason", app)
	}
	if approved, rejected := h.decisions(id); rejected != 1 || approved != 0 || h.allocations("sunqi") != 0 {
		t.Fatalf("WeCom got %d rejections, %d approvals, %d allocations; want one rejection only", rejected, approved, h.allocations("sunqi"))
	}
	if c := contents(bodies(t, h.outbox(ref(id)+":applicant"))); !strings.Contains(c, "预算不足 budget") {
		t.Fatalf("the applicant was told %q; want the reason", c)
	}

	// Reject on a decided application is answered with the decision, and asks nothing.
	in, err = h.click("zhaoliu", id, "reject")
	if err != nil {
		t.Fatal(err)
	}
	if c := contents(h.replies(in)); !strings.Contains(c, "already rejected by zhangsan") {
		t.Fatalf("Reject after the decision answered %q; want who decided", c)
	}
	if conv, _ := h.db.GetConversation(t.Context(), "zhaoliu"); conv != nil {
		t.Fatalf("Reject after the decision asked for a reason: %+v", conv)
	}
}

// TestClick_weComRefuses40058: an Approve click that WeCom answers with 40058 (which a closed application also
// gets) says where to look, not "try again", and records the failure with WeCom's errcode.
func TestClick_weComRefuses40058(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	id := h.applyTaken("lisi", 1, "closed elsewhere")
	h.flush()
	h.emu.Fail("advanced_feature/set_approval_detail", 40058, 1)
	in, err := h.click("zhaoliu", id, "approve")
	if err != nil {
		t.Fatal(err)
	}
	c := contents(h.replies(in))
	if !strings.Contains(c, "errcode 40058") || !strings.Contains(c, "/order show "+id) || strings.Contains(c, "Try again") {
		t.Fatalf("reply = %q; want the 40058 explained with /order show, and no 'try again'", c)
	}
	entries, _ := h.db.ListAudit(t.Context(), db.AuditFilter{Actor: "zhaoliu", Command: "order approve"})
	if len(entries) != 1 || entries[0].Decision != db.DecisionFailed || entries[0].ErrCode != 40058 {
		t.Fatalf("audit = %+v; want one failed approval with errcode 40058", entries)
	}
}
