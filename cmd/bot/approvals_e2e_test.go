package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom/emulator"
	"github.com/wecombot/wecombot/wecom/wecomtest"
)

// The approval flow end to end: WeCom (the emulator) delivers submit_vip_account_approval; the bot takes the
// application over and sends approvers button cards; clicks and commands decide it exactly once.

const approvalsTOML = `
[approvals]
approvers = ["tag:审批人"]
remind_after = "4h"
`

// control posts to the emulator's control API and returns its JSON answer.
func (s *stack) control(t *testing.T, path string, body any) map[string]any {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(s.emu.URL+"/_emulator/"+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	json.Unmarshal(raw, &out)
	if resp.StatusCode != 200 {
		t.Fatalf("control %s %s: HTTP %d %s", path, b, resp.StatusCode, raw)
	}
	return out
}

// apply makes a member apply for an account, as WeCom would, and returns the apply_id.
func (s *stack) apply(t *testing.T, from string, businessType int, reason string) string {
	t.Helper()
	out := s.control(t, "event", map[string]any{"from": from, "event": "submit_vip_account_approval",
		"business_type": businessType, "apply_reason": reason})
	id, _ := out["apply_id"].(string)
	if id == "" {
		t.Fatalf("no apply_id in %v", out)
	}
	return id
}

// detailCalls returns the set_approval_detail requests the emulator accepted for an application.
func (s *stack) detailCalls(applyID string) []map[string]any {
	var out []map[string]any
	for _, c := range s.emu.CallsTo("advanced_feature/set_approval_detail") {
		var body map[string]any
		json.Unmarshal(c.Body, &body)
		if body["apply_id"] == applyID && c.ErrCode == 0 {
			out = append(out, body)
		}
	}
	return out
}

// card returns the approval card a member received for an application.
func (s *stack) card(t *testing.T, user, applyID string) (taskID string) {
	t.Helper()
	for _, m := range s.emu.Delivered(user) {
		if m.MsgType != "template_card" {
			continue
		}
		var body struct {
			TemplateCard struct {
				TaskID     string `json:"task_id"`
				ButtonList []struct {
					Key string `json:"key"`
				} `json:"button_list"`
			} `json:"template_card"`
		}
		json.Unmarshal(m.Body, &body)
		for _, b := range body.TemplateCard.ButtonList {
			if b.Key == "approval:approve:"+applyID {
				return body.TemplateCard.TaskID
			}
		}
	}
	return ""
}

// click delivers a button click on a member's card, through the control API (which checks the member got the
// card and issues the response code, as WeCom does).
func (s *stack) click(t *testing.T, user, applyID, action string) {
	t.Helper()
	task := s.card(t, user, applyID)
	if task == "" {
		t.Fatalf("%s has no card for %s", user, applyID)
	}
	s.control(t, "event", map[string]any{"from": user, "event": "template_card_event", "event_key": "approval:" + action + ":" + applyID,
		"task_id": task, "card_type": "button_interaction"})
}

// controlStatus posts to the emulator's control API and returns the HTTP status and body.
func (s *stack) controlStatus(t *testing.T, path string, body any) (int, string) {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(s.emu.URL+"/_emulator/"+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// lateClick is a click the member made before the card's update reached them, delivered after it. A click
// on the updated card itself is impossible (its buttons are a grey label now), and the emulator refuses it,
// which lateClick checks first.
func (s *stack) lateClick(t *testing.T, user, task, key string) {
	t.Helper()
	ev := map[string]any{"from": user, "event": "template_card_event", "event_key": key, "task_id": task, "card_type": "button_interaction"}
	if code, body := s.controlStatus(t, "event", ev); code != http.StatusConflict {
		t.Fatalf("a click on the updated card: HTTP %d %s; want 409 (no buttons left)", code, body)
	}
	s.deliverClick(t, user, task, key)
}

// deliverClick delivers a card click as WeCom's callback, without the emulator's check that the card still
// has buttons: for clicks made before an update that arrive after it.
func (s *stack) deliverClick(t *testing.T, user, task, key string) {
	t.Helper()
	res, err := s.emu.Deliver(t.Context(), s.emu.TemplateCardEvent(user, emulator.CardEvent{EventKey: key, TaskID: task,
		CardType: "button_interaction"}))
	if err != nil || res.Status != http.StatusOK {
		t.Fatalf("deliver click %s: %+v %v", key, res, err)
	}
}

func (s *stack) updates(user string) []string {
	var out []string
	for _, m := range s.emu.Messages(user) {
		if m.API == "message/update_template_card" {
			out = append(out, string(m.Body))
		}
	}
	return out
}

func (s *stack) contents(user string) []string {
	var out []string
	for _, m := range s.emu.Delivered(user) {
		out = append(out, m.Content)
	}
	return out
}

func TestApprovals_happyPath(t *testing.T) {
	t.Parallel()
	s := startStackWith(t, emulator.Options{}, approvalsTOML, nil)
	id := s.apply(t, "lisi", 1, "需要发送大附件")
	waitFor(t, 10*time.Second, "the take-over and both cards", func() bool {
		return len(s.detailCalls(id)) == 1 && s.card(t, "zhangsan", id) != "" && s.card(t, "zhaoliu", id) != ""
	})
	take := s.detailCalls(id)[0]
	node := take["process_list"].(map[string]any)["node_list"].([]any)[0].(map[string]any)
	if take["approval_status"] != 1.0 || take["approval_id"] != "wecombot-"+id ||
		fmt.Sprint(node["current_approvers"]) != "[zhangsan zhaoliu]" || node["node_apv_rel"] != 2.0 {
		t.Fatalf("take-over request = %v; want status 1, approval_id wecombot-ID, approvers zhangsan+zhaoliu, 或签", take)
	}
	if s.card(t, "lisi", id) != "" {
		t.Fatal("the applicant got an approval card")
	}

	s.click(t, "zhaoliu", id, "approve")
	waitFor(t, 10*time.Second, "the decision and card updates", func() bool {
		return len(s.detailCalls(id)) == 2 && len(s.updates("zhangsan")) == 1 && len(s.updates("zhaoliu")) == 1 &&
			contains(s.contents("lisi"), "approved") && contains(s.contents("zhaoliu"), "approved")
	})
	decide := s.detailCalls(id)[1]
	node = decide["process_list"].(map[string]any)["node_list"].([]any)[0].(map[string]any)
	if decide["approval_status"] != 3.0 || fmt.Sprint(node["completed_approvers"]) != "[zhaoliu]" {
		t.Fatalf("decision request = %v; want status 3 completed by zhaoliu", decide)
	}
	if u := s.updates("zhangsan")[0]; !strings.Contains(u, "已同意") || !strings.Contains(u, "zhaoliu") {
		t.Fatalf("zhangsan's card update = %s; want it to show who approved", u)
	}
	if !contains(s.contents("zhaoliu"), "approved") {
		t.Fatalf("the approver got %q", s.contents("zhaoliu"))
	}
	// Approval allocates the account.
	jobs := s.emu.CallsTo("security/vip/submit_batch_add_job")
	if len(jobs) != 1 || !strings.Contains(string(jobs[0].Body), `"lisi"`) {
		t.Fatalf("allocation calls = %v; want one for lisi", jobs)
	}
	if !contains(s.contents("lisi"), "allocated") {
		t.Fatalf("applicant was told %q; want the allocation", s.contents("lisi"))
	}
	app, _ := s.emu.Application(id)
	if app.ApprovalStatus != 3 {
		t.Fatalf("WeCom's application status = %d; want 3", app.ApprovalStatus)
	}
	entries, _ := s.app.db.ListAudit(t.Context(), db.AuditFilter{Actor: "zhaoliu", Command: "order approve"})
	if len(entries) != 1 || entries[0].Decision != db.DecisionOK {
		t.Fatalf("audit = %+v; want zhaoliu's approval", entries)
	}
	// A later click gets who decided and when.
	s.lateClick(t, "zhangsan", s.card(t, "zhangsan", id), "approval:approve:"+id)
	waitFor(t, 10*time.Second, "the answer to a late click", func() bool {
		return contains(s.contents("zhangsan"), "already approved by zhaoliu")
	})
	if n := len(s.detailCalls(id)); n != 2 {
		t.Fatalf("a late click reached WeCom: %d set_approval_detail calls", n)
	}
}

func TestApprovals_twoApproversAtOnce(t *testing.T) {
	t.Parallel()
	s := startStackWith(t, emulator.Options{}, approvalsTOML, nil)
	id := s.apply(t, "wangwu", 2, "文档协作")
	waitFor(t, 10*time.Second, "both cards", func() bool { return s.card(t, "zhangsan", id) != "" && s.card(t, "zhaoliu", id) != "" })
	var wg sync.WaitGroup
	for _, u := range []string{"zhangsan", "zhaoliu"} {
		wg.Add(1)
		// Both click before either card is updated; delivered directly, so neither is refused as a click on
		// a card already closed by the other's decision.
		task := s.card(t, u, id)
		go func() { defer wg.Done(); s.deliverClick(t, u, task, "approval:approve:"+id) }()
	}
	wg.Wait()
	waitFor(t, 10*time.Second, "one decision and both cards updated", func() bool {
		return len(s.updates("zhangsan")) == 1 && len(s.updates("zhaoliu")) == 1 &&
			(contains(s.contents("zhangsan"), "already approved") || contains(s.contents("zhaoliu"), "already approved"))
	})
	decisions := 0
	for _, c := range s.detailCalls(id) {
		if c["approval_status"] == 3.0 {
			decisions++
		}
	}
	if decisions != 1 {
		t.Fatalf("set_approval_detail with status 3 was called %d times; want exactly 1", decisions)
	}
	if n := len(s.emu.CallsTo("security/vip/submit_batch_add_job")); n != 1 {
		t.Fatalf("allocation jobs = %d; want 1", n)
	}
}

func TestApprovals_rejectAsksForReason(t *testing.T) {
	t.Parallel()
	s := startStackWith(t, emulator.Options{}, approvalsTOML, nil)
	id := s.apply(t, "sunqi", 3, "网盘空间")
	waitFor(t, 10*time.Second, "the card", func() bool { return s.card(t, "zhangsan", id) != "" })
	s.click(t, "zhangsan", id, "reject")
	waitFor(t, 10*time.Second, "the question", func() bool { return contains(s.contents("zhangsan"), "Why reject") })
	if got := s.say(t, "zhangsan", "预算不足 budget"); !contains(got, "yes") {
		t.Fatalf("after the reason: %q; want the confirmation", got)
	}
	s.say(t, "zhangsan", "yes")
	waitFor(t, 10*time.Second, "the rejection", func() bool {
		return contains(s.contents("sunqi"), "rejected") && len(s.updates("zhaoliu")) == 1
	})
	calls := s.detailCalls(id)
	if last := calls[len(calls)-1]; last["approval_status"] != 2.0 {
		t.Fatalf("last request = %v; want status 2", last)
	}
	if !contains(s.contents("sunqi"), "预算不足 budget") {
		t.Fatalf("the applicant was not told the reason: %q", s.contents("sunqi"))
	}
	if n := len(s.emu.CallsTo("security/vip/submit_batch_add_job")); n != 0 {
		t.Fatalf("a rejection allocated an account (%d jobs)", n)
	}
}

func TestApprovals_applicantCannotDecide(t *testing.T) {
	t.Parallel()
	s := startStackWith(t, emulator.Options{}, approvalsTOML, nil)
	// zhaoliu is an approver, but not for her own application: only zhangsan gets a card.
	id := s.apply(t, "zhaoliu", 4, "会议")
	waitFor(t, 10*time.Second, "the card", func() bool { return s.card(t, "zhangsan", id) != "" })
	if s.card(t, "zhaoliu", id) != "" {
		t.Fatal("the applicant got a card for her own application")
	}
	// A forged click (no card was ever sent to her) is refused all the same, and audited.
	res, err := s.emu.Deliver(t.Context(), s.emu.TemplateCardEvent("zhaoliu", emulator.CardEvent{EventKey: "approval:approve:" + id,
		TaskID: "forged", CardType: "button_interaction"}))
	if err != nil || res.Status != 200 {
		t.Fatal(res, err)
	}
	waitFor(t, 10*time.Second, "the refusal", func() bool { return contains(s.contents("zhaoliu"), "cannot decide your own") })
	if n := len(s.detailCalls(id)); n != 1 {
		t.Fatalf("set_approval_detail calls = %d; want only the take-over", n)
	}
	entries, _ := s.app.db.ListAudit(t.Context(), db.AuditFilter{Actor: "zhaoliu", Decision: "denied"})
	if len(entries) != 1 {
		t.Fatalf("audit = %+v; want the refusal", entries)
	}
	// Someone without order.approve is refused too.
	res, _ = s.emu.Deliver(t.Context(), s.emu.TemplateCardEvent("wangwu", emulator.CardEvent{EventKey: "approval:approve:" + id,
		TaskID: "forged2", CardType: "button_interaction"}))
	waitFor(t, 10*time.Second, "the refusal", func() bool { return contains(s.contents("wangwu"), "order.approve") })
}

func TestApprovals_takeOverAfterRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	emu := wecomtest.NewServer(t, emulator.Options{CallbackURL: "http://" + addr + "/wecom/callback", Token: testToken, EncodingAESKey: testAESKey})
	start := func(ln net.Listener, extra string) (*stack, func()) {
		cfg := testConfigExtra(t, addr, emu.URL, filepath.Join(dir, "bot.db"), extra)
		a, err := newApp(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
		if err != nil {
			t.Fatal(err)
		}
		a.processor.Poll, a.sender.Poll = 20*time.Millisecond, 20*time.Millisecond
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- a.run(ctx, ln) }()
		return &stack{app: a, emu: emu, cfg: cfg, addr: addr}, func() { cancel(); <-done }
	}
	// The first run stores the event but goes down before calling WeCom: with no approvers it cannot take
	// the application over, and stops.
	s1, stop1 := start(ln, "")
	id := s1.apply(t, "lisi", 1, "restart test")
	waitFor(t, 10*time.Second, "the event to be stored", func() bool {
		a, _ := s1.app.db.GetApplication(t.Context(), id)
		return a != nil
	})
	stop1()
	if n := len(s1.detailCalls(id)); n != 0 {
		t.Fatalf("set_approval_detail called %d times before the restart", n)
	}
	ln2, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	s2, stop2 := start(ln2, approvalsTOML)
	defer stop2()
	waitFor(t, 20*time.Second, "the take-over after the restart", func() bool { return s2.card(t, "zhangsan", id) != "" })
	time.Sleep(500 * time.Millisecond)
	if n := len(s2.detailCalls(id)); n != 1 {
		t.Fatalf("set_approval_detail called %d times; want exactly once", n)
	}
}

func TestApprovals_reminder(t *testing.T) {
	t.Parallel()
	s := startStackWith(t, emulator.Options{}, strings.Replace(approvalsTOML, `"4h"`, `"1s"`, 1), nil)
	id := s.apply(t, "wangwu", 1, "reminder test")
	waitFor(t, 10*time.Second, "a reminder", func() bool {
		return contains(s.contents("zhangsan"), "Reminder: application") && contains(s.contents("zhaoliu"), "Reminder: application")
	})
	if !contains(s.contents("zhangsan"), id) {
		t.Fatalf("reminder does not name the application: %q", s.contents("zhangsan"))
	}
}

func TestApprovals_finishedInWeCom(t *testing.T) {
	t.Parallel()
	s := startStackWith(t, emulator.Options{}, approvalsTOML, nil)
	id := s.apply(t, "wangwu", 1, "finish test")
	waitFor(t, 10*time.Second, "the cards", func() bool { return s.card(t, "zhangsan", id) != "" && s.card(t, "zhaoliu", id) != "" })
	// An admin rejects it in the console: WeCom sends finish_vip_account_approval with FinishType 1.
	s.control(t, "event", map[string]any{"from": "sys", "event": "finish_vip_account_approval", "apply_id": id, "finish_type": 1})
	waitFor(t, 10*time.Second, "the cards to close", func() bool {
		return len(s.updates("zhangsan")) == 1 && len(s.updates("zhaoliu")) == 1
	})
	if u := s.updates("zhangsan")[0]; !strings.Contains(u, "管理员驳回") {
		t.Fatalf("card update = %s; want it to say an admin rejected it", u)
	}
	app, err := s.app.db.GetApplication(t.Context(), id)
	if err != nil || app.State != db.AppClosed || app.FinishType != 1 {
		t.Fatalf("application = %+v, %v; want closed with finish type 1", app, err)
	}
	// A click made before the update is told it was closed, and nothing reaches WeCom.
	s.lateClick(t, "zhangsan", s.card(t, "zhangsan", id), "approval:approve:"+id)
	waitFor(t, 10*time.Second, "the answer", func() bool { return contains(s.contents("zhangsan"), "closed in WeCom") })
	if n := len(s.detailCalls(id)); n != 1 {
		t.Fatalf("set_approval_detail calls = %d; want only the take-over", n)
	}
}

func TestApprovals_page(t *testing.T) {
	t.Parallel()
	s := startStackWith(t, emulator.Options{}, approvalsTOML+`url = "https://bot.example.com/approvals/{apply_id}"`+"\n", nil)
	id := s.apply(t, "lisi", 2, "共享文档 <script>alert(1)</script>")
	waitFor(t, 10*time.Second, "the take-over", func() bool { return s.card(t, "zhangsan", id) != "" })
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page := "http://" + s.addr + "/approvals/" + id
	// Without a code the page sends the browser through WeCom OAuth, back to the configured URL.
	resp, err := noRedirect.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	nonce := resp.Cookies() // the state is bound to this browser's nonce cookie
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc.Host != "open.weixin.qq.com" ||
		loc.Query().Get("redirect_uri") != "https://bot.example.com/approvals/"+id || loc.Query().Get("scope") != "snsapi_base" {
		t.Fatalf("GET page = %d, Location %v; want a redirect to WeCom OAuth back to the page", resp.StatusCode, loc)
	}
	state := loc.Query().Get("state")
	open := func(user, st string) (int, string) {
		code, _ := s.control(t, "oauth-code", map[string]any{"userid": user})["code"].(string)
		req, _ := http.NewRequest("GET", page+"?code="+url.QueryEscape(code)+"&state="+st, nil)
		for _, c := range nonce {
			req.AddCookie(c)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := open("zhaoliu", state); code != 200 || !strings.Contains(body, "waiting for an approver") ||
		!strings.Contains(body, "&lt;script&gt;") || strings.Contains(body, "<script>alert") {
		t.Fatalf("approver's page = %d %s; want the application, its reason escaped", code, body)
	}
	if code, _ := open("lisi", state); code != 200 {
		t.Fatalf("applicant's page = %d; want 200", code)
	}
	if code, _ := open("wangwu", state); code != http.StatusForbidden {
		t.Fatalf("an outsider's page = %d; want 403", code)
	}
	if code, _ := open("zhaoliu", "forged"); code != http.StatusBadRequest {
		t.Fatalf("forged state = %d; want 400", code)
	}
}
