package people_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/commands/commandtest"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"
)

func TestPeopleOrder_listAndShow(t *testing.T) {
	t.Parallel()
	h := newHarness(t, noApprovers)
	pending := seededApp(t, h, "sunqi", 1)

	// The bot's own record is the list: WeCom has no query for every application (DOC/99883).
	wants(t, "empty record", h.Say("zhaoliu", "/order list"), "Pending applications", "None.",
		"From the bot's record", "/order list --user USERID")
	if n := len(h.Emu.CallsTo("advanced_feature/get_apply_id_list")); n != 0 {
		t.Fatalf("/order list called get_apply_id_list %d times; WeCom refuses it without business_type and userid", n)
	}
	first := apply(t, h, "wangwu", 2, "文档水印")
	second := apply(t, h, "lisi", 1, "邮件归档")
	waitFor(t, 10*time.Second, "the applications recorded", func() bool {
		return len(h.Say("zhaoliu", "/order list --status all")) == 1 &&
			contains(h.Say("zhaoliu", "/order list --status all"), second)
	})
	got := h.Say("zhaoliu", "/order list")
	wants(t, "/order list", got, "Pending applications", "`"+second+"` · `lisi` · mail (邮件) · received, not yet taken over",
		"`"+first+"` · `wangwu` · docs (文档)", "1–2 of 2, newest first", "From the bot's record")
	if strings.Index(got[0], second) > strings.Index(got[0], first) {
		t.Errorf("newest first: %q", got[0])
	}
	got = h.Say("zhaoliu", "/order list --type docs")
	wants(t, "--type docs", got, "Pending applications for docs (文档)", first, "1–1 of 1")
	if contains(got, second) {
		t.Errorf("--type docs shows the mail application: %q", got)
	}
	wants(t, "approved", h.Say("zhaoliu", "/order list --status approved"), "Approved applications", "None.")

	// --user asks WeCom about one member, for every product: business_type and userid both sent.
	got = h.Say("zhaoliu", "/order list --user sunqi")
	wants(t, "--user sunqi", got, "Pending applications by `sunqi`", "`"+pending.ApplyID+"` · mail (邮件) · awaiting approver",
		"需要邮件归档", "1–1 of 1", "From WeCom (advanced_feature/get_apply_id_list for `sunqi`)")
	calls := h.Emu.CallsTo("advanced_feature/get_apply_id_list")
	if len(calls) != 4 {
		t.Fatalf("%d get_apply_id_list calls for --user; want one per product (4)", len(calls))
	}
	for i, c := range calls {
		b := decodeCall(t, c)
		if c.ErrCode != 0 || b["userid"] != "sunqi" || b["business_type"] != float64(i+1) || b["limit"] != 200.0 {
			t.Fatalf("get_apply_id_list call %d: %v (errcode %d); want userid sunqi, business_type %d, limit 200", i, b, c.ErrCode, i+1)
		}
	}
	if n := len(h.Emu.CallsTo("advanced_feature/get_approval_info")); n != 3 {
		t.Fatalf("%d detail calls; want one per application of sunqi's (3)", n)
	}
	// sunqi's pending application predates the bot's flow: deciding it is not suggested, and refused at once
	// if tried, before any preview (issue 10).
	if contains(got, "/order approve ID") {
		t.Errorf("--user sunqi suggests deciding an application the bot cannot decide: %q", got)
	}
	if got := h.Say("zhaoliu", "/order show "+pending.ApplyID); contains(got, "Decide with") || !contains(got, "decided in WeCom's admin console") {
		t.Errorf("/order show of it = %q; want no offer to decide, and where it is decided", got)
	}
	refused := h.Say("zhaoliu", "/order approve "+pending.ApplyID)
	wants(t, "approve one not taken over", refused, "is not one the bot took over", "/order show "+pending.ApplyID)
	if contains(refused, "yes") {
		t.Errorf("a refusal asked for a yes: %q", refused)
	}
	got = h.Say("zhaoliu", "/order list --user sunqi --status all --type mail")
	if b := lastBody(t, h, "advanced_feature/get_apply_id_list"); b["business_type"] != 1.0 || b["userid"] != "sunqi" {
		t.Fatalf("get_apply_id_list body = %v; want business_type 1 for sunqi", b)
	}
	wants(t, "--type mail", got, "Applications by `sunqi` for mail (邮件)", pending.ApplyID, "1–1 of 1")
	wants(t, "bad --user", h.Say("zhaoliu", "/order list --user 'a b'"), "is not a userid")
	wants(t, "unknown --user", h.Say("zhaoliu", "/order list --user ghost"), "errcode 60111")

	got = h.Say("zhaoliu", "/order show "+pending.ApplyID)
	if b := lastBody(t, h, "advanced_feature/get_approval_info"); b["apply_id"] != pending.ApplyID {
		t.Fatalf("get_approval_info body = %v", b)
	}
	wants(t, "/order show", got, "applicant: `sunqi`", "for: mail (邮件)", "reason: 需要邮件归档",
		"status: awaiting approver (审批人审批中)", "flow: corp OpenAPI (企业openapi)", "approval id: `SP-2024-0003`",
		"decided in WeCom's admin console") // not in the bot's flow: no /order approve|reject offered (issue 10)
	wants(t, "unknown id", h.Say("zhaoliu", "/order show nosuch"), "WeCom did not accept application id `nosuch`", "40058", "不合法的参数")
	if got := h.Say("zhaoliu", "/order show nosuch"); contains(got, "knows no") || contains(got, "finished") {
		t.Errorf("the 40058 reply claims more than WeCom's docs say: %q", got)
	}
	wants(t, "no permission", h.Say("lisi", "/order list"), "not allowed", "order.read")

	h.Emu.Fail("advanced_feature/get_apply_id_list", 48002, 1)
	wants(t, "48002", h.Say("zhaoliu", "/order list --user sunqi"), "errcode 48002", "可调用接口的应用")
}

func TestPeopleOrder_approveThroughTheFlow(t *testing.T) {
	t.Parallel()
	h := newHarness(t, approvers)
	id := apply(t, h, "sunqi", 1, "需要邮件归档")
	waitTakenOver(t, h, id)
	// In the bot's flow, so /order show offers the decision.
	wants(t, "show", h.Say("zhaoliu", "/order show "+id), "Decide with `/order approve "+id+"`")

	got := h.Say("zhaoliu", "/order approve "+id+" looks fine")
	wants(t, "preview", got, "You are about to **approve** application `"+id+"`", "applicant: `sunqi`", "for: mail (邮件)",
		"their reason: 需要邮件归档", "gives `sunqi` an advanced-feature account", "Your remark, kept in the audit trail: looks fine", "yes")
	if b := lastBody(t, h, "advanced_feature/get_approval_info"); b["apply_id"] != id {
		t.Fatalf("preview read %v", b)
	}
	got = h.Say("zhaoliu", "yes")
	calls := detailCalls(h, id)
	if len(calls) != 2 {
		t.Fatalf("set_approval_detail calls = %d; want the take-over and the decision", len(calls))
	}
	d := calls[1]
	node := d["process_list"].(map[string]any)["node_list"].([]any)[0].(map[string]any)
	if d["approval_status"] != 3.0 || d["approval_id"] != "wecombot-"+id || !strings.HasPrefix(d["approval_url"].(string), "http") ||
		fmt.Sprint(node["completed_approvers"]) != "[zhaoliu]" || node["node_apv_status"] != 3.0 || node["node_apv_rel"] != 2.0 ||
		time.Since(time.Unix(int64(node["apv_update_time"].(float64)), 0)) > time.Minute {
		t.Fatalf("decision = %v; want status 3 by zhaoliu in one 或签 node, now", d)
	}
	if b := lastBody(t, h, "security/vip/submit_batch_add_job"); fmt.Sprint(b["userid_list"]) != "[sunqi]" {
		t.Fatalf("allocation = %v", b)
	}
	wants(t, "approval", got, "approved", "allocated")
	if app, _ := h.Emu.Application(id); app.ApprovalStatus != 3 || !slices.Contains(h.Emu.VIPUsers(), "sunqi") {
		t.Fatalf("WeCom: status %d, vip users %v", app.ApprovalStatus, h.Emu.VIPUsers())
	}
	if dd := decisions(t, h, "order approve"); len(dd) < 2 || dd[0] != "zhaoliu:ok" || dd[1] != "zhaoliu:proposed" {
		t.Fatalf("audit = %v", dd)
	}
	// Decided: a second approval is refused before confirmation, from WeCom's status.
	wants(t, "second approval", h.Say("zhangsan", "/order approve "+id), "is already approved by approver (审批人已同意)")

	// Reconcile reads WeCom back (the engine writes the "interrupted by a restart" header above it).
	c := command(t, h, "order approve")
	r, err := c.Reconcile(t.Context(), invocation(c, "zhaoliu", map[string][]string{"id": {id}}))
	if err != nil {
		t.Fatal(err)
	}
	wants(t, "reconcile", []string{replies.Markdown(r.Markdown)},
		"reports application `"+id+"` as: approved by approver (审批人已同意)", "`sunqi` holds an advanced-feature account")
}

func TestPeopleOrder_rejectAsksForReason(t *testing.T) {
	t.Parallel()
	h := newHarness(t, approvers)
	id := apply(t, h, "wangwu", 2, "文档水印")
	waitTakenOver(t, h, id)
	wants(t, "no reason", h.Say("zhangsan", "/order reject "+id), "Why is it rejected?")
	got := h.Say("zhangsan", "no budget this quarter")
	wants(t, "preview", got, "reject application", "applicant: wangwu", "Your reason, kept in the audit trail: no budget this quarter")
	got = h.Say("zhangsan", "yes")
	wants(t, "rejection", got, "rejected")
	calls := detailCalls(h, id)
	if last := calls[len(calls)-1]; last["approval_status"] != 2.0 {
		t.Fatalf("last request = %v; want status 2", last)
	}
	if n := len(h.Emu.CallsTo("security/vip/submit_batch_add_job")); n != 0 {
		t.Fatalf("a rejection allocated an account (%d jobs)", n)
	}
	entries, _ := h.DB.ListAudit(t.Context(), db.AuditFilter{Command: "order reject", Decision: db.DecisionOK})
	if len(entries) != 1 || entries[0].Args["reason"] != "no budget this quarter" {
		t.Fatalf("audit = %+v; want the reason recorded", entries)
	}
}

func TestPeopleOrder_refusals(t *testing.T) {
	t.Parallel()
	h := newHarness(t, approvers)
	own := apply(t, h, "zhaoliu", 4, "全员大会")
	waitTakenOver(t, h, own)
	wants(t, "own application", h.Say("zhaoliu", "/order approve "+own), "you cannot decide your own application")
	wants(t, "no order.approve", h.Say("wujiu", "/order approve "+own), "not allowed", "order.approve")
	rejected := seededApp(t, h, "wangwu", 2)
	wants(t, "already rejected", h.Say("zhangsan", "/order reject "+rejected.ApplyID+" again"), "is already rejected by approver")
	history := seededApp(t, h, "zhaoliu", 0)
	wants(t, "not in the flow", h.Say("zhangsan", "/order approve "+history.ApplyID), "is not awaiting a decision")
	if n := len(detailCalls(h, own)); n != 1 {
		t.Fatalf("refused decisions reached WeCom (%d calls)", n)
	}
}

// Every command answers WeCom's 48002 (the app is not in the API's 「可调用接口的应用」 list) with the hint.
func TestPeople_errcode48002EveryCommand(t *testing.T) {
	t.Parallel()
	h := newHarness(t, approvers)
	id := apply(t, h, "wangwu", 2, "文档水印")
	waitTakenOver(t, h, id)
	for _, c := range []struct {
		line, path string
		confirm    bool
	}{
		{"/vip list", "security/vip/list", false},
		{"/vip add sunqi", "security/vip/submit_batch_add_job", true},
		{"/vip remove lisi", "security/vip/submit_batch_del_job", true},
		{"/whois lisi", "user/get", false},
		{"/convert open woAAAzhangsanOPEN --agent 2000001", "batch/openuserid_to_userid", false},
		{"/convert tmp ouTMPmeetHulian0000000000004 --type meeting --user-type partner", "idconvert/convert_tmp_external_userid", false},
		{"/convert service-external wmSVClinhuoban00000000000002 --agent 2000001", "externalcontact/from_service_external_userid", false},
		{"/staff fields", "hr/get_fields", false}, // first: the field list is not cached yet
		{"/staff lisi", "hr/get_staff_info", false},
		{"/staff set lisi 工位=C-1-01", "hr/update_staff_info", true},
		{"/order list --user wangwu", "advanced_feature/get_apply_id_list", false},
		{"/order show " + id, "advanced_feature/get_approval_info", false},
		{"/order approve " + id, "advanced_feature/get_approval_info", false},
		{"/order reject " + id + " no budget", "advanced_feature/set_approval_detail", true},
	} {
		h.Emu.Fail(c.path, 48002, 1)
		got := h.Say("zhangsan", c.line)
		if c.confirm {
			wants(t, c.line+" preview", got, "yes")
			got = h.Say("zhangsan", "yes")
		}
		wants(t, c.line, got, "errcode 48002 on "+c.path, "可调用接口的应用")
		if calls := h.Emu.CallsTo(c.path); len(calls) == 0 || calls[len(calls)-1].ErrCode != 48002 {
			t.Fatalf("%s: the fault on %s was not hit", c.line, c.path)
		}
	}
	entries, _ := h.DB.ListAudit(t.Context(), db.AuditFilter{Command: "vip add", Decision: db.DecisionFailed})
	if len(entries) != 1 || entries[0].ErrCode != 48002 {
		t.Fatalf("audit = %+v; want the failed /vip add with errcode 48002", entries)
	}
	// The decision was released: 40058 from WeCom on a later try reads as a refused decision.
	h.Emu.Fail("advanced_feature/set_approval_detail", 40058, 1)
	h.Say("zhangsan", "/order reject "+id+" no budget")
	got := h.Say("zhangsan", "yes")
	wants(t, "40058 on the decision", got, "WeCom refused the decision on application `"+id+"` (errcode 40058, 不合法的参数", "/order show "+id)
	if contains(got, "withdrawn") || contains(got, "24 hours") {
		t.Errorf("the 40058 reply guesses at causes WeCom's docs do not give: %q", got)
	}
}

// waitTakenOver waits until the approval flow has taken the application over: WeCom has the
// set_approval_detail and the bot's record says taken (it is written just after the call returns).
func waitTakenOver(t *testing.T, h *commandtest.Harness, id string) {
	t.Helper()
	waitFor(t, 10*time.Second, "the take-over", func() bool {
		rec, err := h.DB.GetApplication(t.Context(), id)
		return len(detailCalls(h, id)) == 1 && err == nil && rec != nil && rec.State == db.AppTaken
	})
}
