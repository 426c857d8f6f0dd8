package emulator

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// admApprovalBody is a valid set_approval_detail request.
func admApprovalBody(applyID, approvalID string, status int) map[string]any {
	return map[string]any{
		"apply_id": applyID, "approval_id": approvalID, "approval_status": status,
		"approval_url": "https://bot.example.com/approvals/" + approvalID,
		"process_list": map[string]any{"node_list": []map[string]any{
			{"current_approvers": []string{"zhangsan", "wujiu"}, "completed_approvers": []string{},
				"node_apv_status": 1, "node_apv_rel": 2, "apv_update_time": 1715741759},
		}},
	}
}

func admApprovalInfo(e *admEnv, applyID string) admResp {
	e.t.Helper()
	r := e.ok(e.post("advanced_feature/get_approval_info", map[string]any{"apply_id": applyID}))
	admWantKeys(e.t, "get_approval_info", r, "errcode", "errmsg", "approval_info")
	info := r.obj("approval_info")
	admWantKeys(e.t, "approval_info", info, "applicant", "create_time", "business_type", "approval_id", "apply_id",
		"approval_url", "approval_status", "approval_type", "request_reason")
	return info
}

func TestAdminApprovalTakeover(t *testing.T) {
	e := newAdmEnv(t)
	id := e.s.createApplication("wangwu", 3, "需要更多微盘空间")
	info := admApprovalInfo(e, id)
	if info.str("applicant") != "wangwu" || info.num("business_type") != 3 || info.num("create_time") != e.now().Unix() ||
		info.str("request_reason") != "需要更多微盘空间" || info.num("approval_type") != 0 || info.str("approval_id") != "" {
		t.Fatalf("fresh application: %v", info)
	}
	e.advance(23 * time.Hour) // still inside the 24-hour window
	r := e.ok(e.post("advanced_feature/set_approval_detail", admApprovalBody(id, "BOT-1", 1)))
	admWantKeys(t, "set_approval_detail", r, "errcode", "errmsg")
	info = admApprovalInfo(e, id)
	if info.num("approval_status") != 1 || info.num("approval_type") != 2 || info.str("approval_id") != "BOT-1" ||
		info.str("approval_url") != "https://bot.example.com/approvals/BOT-1" {
		t.Errorf("after takeover: %v", info)
	}
	// Once taken over, progress can be reported after the window, e.g. an approval that took two days.
	e.advance(48 * time.Hour)
	body := admApprovalBody(id, "BOT-1", 3)
	body["process_list"] = map[string]any{"node_list": []map[string]any{
		{"completed_approvers": []string{"zhangsan"}, "node_apv_status": 3, "node_apv_rel": 2},
		{"current_approvers": []string{"wujiu"}, "node_status": 102, "node_apv_rel": 1}, // DOC/99880's spelling
	}}
	e.ok(e.post("advanced_feature/set_approval_detail", body))
	if st := admApprovalInfo(e, id).num("approval_status"); st != 3 {
		t.Errorf("approval_status %d after approval, want 3", st)
	}
	app, ok := e.s.Application(id)
	if !ok || app.DetailCalls != 2 || len(app.Nodes) != 2 || app.Nodes[1].NodeApvStatus != 102 ||
		!slices.Equal(app.Nodes[0].CompletedApprovers, []string{"zhangsan"}) {
		t.Errorf("Application(%s) = %+v, %v", id, app, ok)
	}
}

func TestAdminApprovalRefusedAfter24Hours(t *testing.T) {
	e := newAdmEnv(t)
	id := e.s.createApplication("zhaoliu", 4, "需要举办全员大会")
	e.advance(24*time.Hour + time.Second)
	// DOC/99860: not taken over within 24 hours, the application fell back to the default flow.
	e.wantCode(e.post("advanced_feature/set_approval_detail", admApprovalBody(id, "LATE-1", 1)), 40058)
	if info := admApprovalInfo(e, id); info.num("approval_type") == 2 || info.str("approval_id") != "" {
		t.Errorf("refused takeover left traces: %v", info)
	}
	// The seed has one such application too.
	var seeded string
	e.withAdmin(func(_ *Org, a *adminState) {
		for _, app := range a.apps {
			if app.Applicant == "wujiu" && app.ApprovalType == 0 && e.now().Sub(app.CreateTime) > 24*time.Hour &&
				e.now().Sub(app.CreateTime) < 4*24*time.Hour {
				seeded = app.ApplyID
			}
		}
	})
	if seeded == "" {
		t.Fatal("no seeded application past its window")
	}
	e.wantCode(e.post("advanced_feature/set_approval_detail", admApprovalBody(seeded, "LATE-2", 1)), 40058)
}

func TestAdminApprovalIDIsFixed(t *testing.T) {
	e := newAdmEnv(t)
	a := e.s.createApplication("sunqi", 1, "邮件")
	b := e.s.createApplication("wujiu", 2, "文档")
	e.ok(e.post("advanced_feature/set_approval_detail", admApprovalBody(a, "FIX-A", 1)))
	// "审批id和申请id是一一对应的，不可改变" (DOC/99880): neither side may be rebound.
	e.wantCode(e.post("advanced_feature/set_approval_detail", admApprovalBody(a, "FIX-OTHER", 1)), 40058)
	e.wantCode(e.post("advanced_feature/set_approval_detail", admApprovalBody(b, "FIX-A", 1)), 40058)
	e.ok(e.post("advanced_feature/set_approval_detail", admApprovalBody(a, "FIX-A", 2)))
	if info := admApprovalInfo(e, a); info.str("approval_id") != "FIX-A" || info.num("approval_status") != 2 {
		t.Errorf("info %v", info)
	}
}

func TestAdminApprovalValidation(t *testing.T) {
	e := newAdmEnv(t)
	id := e.s.createApplication("lisi", 2, "文档")
	with := func(k string, v any) map[string]any {
		b := admApprovalBody(id, "VAL-1", 1)
		b[k] = v
		return b
	}
	node := func(n map[string]any) map[string]any {
		return with("process_list", map[string]any{"node_list": []map[string]any{n}})
	}
	hundredOne := make([]string, 101)
	for i := range hundredOne {
		hundredOne[i] = "zhangsan"
	}
	for _, tc := range []struct {
		name string
		body map[string]any
		code int
	}{
		{"apply_id missing", with("apply_id", ""), 40058},
		{"apply_id unknown", with("apply_id", "ap-nosuch"), 40058},
		{"approval_id missing", with("approval_id", ""), 40058},
		{"approval_status 4", with("approval_status", 4), 40058},
		{"approval_status missing", with("approval_status", 0), 40058},
		{"url without scheme", with("approval_url", "www.qq.com"), 40058},
		{"process_list missing", with("process_list", nil), 40058},
		{"node_list empty", with("process_list", map[string]any{"node_list": []any{}}), 40058},
		{"node_apv_status 7", node(map[string]any{"current_approvers": []string{"zhangsan"}, "node_apv_status": 7, "node_apv_rel": 1}), 40058},
		{"node_apv_status missing", node(map[string]any{"current_approvers": []string{"zhangsan"}, "node_apv_rel": 1}), 40058},
		{"node_apv_rel 4", node(map[string]any{"current_approvers": []string{"zhangsan"}, "node_apv_status": 1, "node_apv_rel": 4}), 40058},
		{"no approvers", node(map[string]any{"node_apv_status": 1, "node_apv_rel": 1}), 40058},
		{"101 approvers", node(map[string]any{"current_approvers": hundredOne, "node_apv_status": 1, "node_apv_rel": 1}), 40058},
		{"100 approvers", node(map[string]any{"current_approvers": hundredOne[:100], "node_apv_status": 1, "node_apv_rel": 1}), 0},
		{"unknown approver", node(map[string]any{"current_approvers": []string{"ghost"}, "node_apv_status": 1, "node_apv_rel": 1}), 60111},
		{"invisible approver", node(map[string]any{"completed_approvers": []string{"zhouba"}, "node_apv_status": 3, "node_apv_rel": 1}), 60011},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			e.wantCode(e.post("advanced_feature/set_approval_detail", tc.body), tc.code)
		})
	}
}

func TestAdminApprovalOfFinishedApplication(t *testing.T) {
	e := newAdmEnv(t)
	id := e.s.createApplication("sunqi", 3, "微盘")
	e.ok(e.post("advanced_feature/set_approval_detail", admApprovalBody(id, "FIN-1", 3)))
	if !e.s.finishApplication(id, 2) {
		t.Fatal("finishApplication refused an open application")
	}
	if e.s.finishApplication(id, 1) {
		t.Error("finishApplication finished an application twice")
	}
	info := admApprovalInfo(e, id)
	if info.num("approval_status") != 5 {
		t.Errorf("approval_status %d after allocation, want 5 (管理员已分配)", info.num("approval_status"))
	}
	if !slices.Contains(e.s.VIPUsers(), "sunqi") {
		t.Errorf("allocation did not give sunqi an account: %v", e.s.VIPUsers())
	}
	e.wantCode(e.post("advanced_feature/set_approval_detail", admApprovalBody(id, "FIN-1", 2)), 40058)
	rej := e.s.createApplication("wujiu", 1, "邮件")
	e.s.finishApplication(rej, 1)
	if st := admApprovalInfo(e, rej).num("approval_status"); st != 4 {
		t.Errorf("admin-rejected application: status %d, want 4", st)
	}
}

// admApplyIDs walks advanced_feature/get_apply_id_list.
func admApplyIDs(e *admEnv, body map[string]any, limit int) []string {
	e.t.Helper()
	var out []string
	cursor := ""
	for range 100 {
		b := map[string]any{"limit": limit, "cursor": cursor}
		for k, v := range body {
			b[k] = v
		}
		r := e.ok(e.post("advanced_feature/get_apply_id_list", b))
		admWantKeys(e.t, "get_apply_id_list", r, "errcode", "errmsg", "next_cursor", "apply_id_list", "has_more")
		out = append(out, admStrs(r.list("apply_id_list"))...)
		if more, _ := r["has_more"].(bool); !more {
			return out
		}
		cursor = r.str("next_cursor")
	}
	e.t.Fatal("apply id list never ended")
	return nil
}

func TestAdminApplyIDList(t *testing.T) {
	e := newAdmEnv(t)
	e.s.createApplication("wangwu", 1, "邮件")
	e.s.createApplication("wangwu", 1, "再次申请")
	e.s.createApplication("wangwu", 2, "文档")
	// What WeCom lists for one member and one product, by req_type.
	pick := func(user string, bt, reqType int) []string {
		var out []string
		for _, a := range e.s.Applications() {
			api := a.ApprovalType == 2
			if a.Applicant != user || a.BusinessType != bt || (reqType == 1 && !api) || (reqType == 2 && api) {
				continue
			}
			out = append(out, a.ApplyID)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		body map[string]any
		want []string
	}{
		{"wangwu mail", map[string]any{"userid": "wangwu", "business_type": 1}, pick("wangwu", 1, 0)},
		{"req_type 0", map[string]any{"userid": "wangwu", "business_type": 1, "req_type": 0}, pick("wangwu", 1, 0)},
		{"non-API only", map[string]any{"userid": "wangwu", "business_type": 1, "req_type": 2}, pick("wangwu", 1, 2)},
		{"wangwu docs", map[string]any{"userid": "wangwu", "business_type": 2}, pick("wangwu", 2, 0)},
		{"userid case", map[string]any{"userid": "WangWu", "business_type": 2}, pick("wangwu", 2, 0)},
	} {
		if len(tc.want) == 0 {
			t.Fatalf("%s: the seed has none", tc.name)
		}
		if got := admApplyIDs(e, tc.body, 1); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	if got := admApplyIDs(e, map[string]any{"userid": "wangwu", "business_type": 1, "req_type": 1}, 3); len(got) != 0 {
		t.Errorf("API-only applications of wangwu: %v, want none", got)
	}
	// Default limit 100: everything in one page.
	r := e.ok(e.post("advanced_feature/get_apply_id_list", map[string]any{"userid": "wangwu", "business_type": 1}))
	if len(r.list("apply_id_list")) != 2 || r.str("next_cursor") != "" {
		t.Errorf("default limit: %v", r)
	}
	ok := func(m map[string]any) map[string]any {
		b := map[string]any{"userid": "wangwu", "business_type": 1}
		for k, v := range m {
			b[k] = v
		}
		return b
	}
	for _, tc := range []struct {
		name string
		body map[string]any
		code int
	}{
		// business_type and userid are both required (DOC/99883): no query lists every application.
		{"nothing", map[string]any{}, 40058},
		{"no business_type", map[string]any{"userid": "wangwu"}, 40058},
		{"no userid", map[string]any{"business_type": 1}, 41009},
		{"limit 201", ok(map[string]any{"limit": 201}), 40058},
		{"limit -1", ok(map[string]any{"limit": -1}), 40058},
		{"req_type 3", ok(map[string]any{"req_type": 3}), 40058},
		{"business_type 5", ok(map[string]any{"business_type": 5}), 40058},
		{"ghost", ok(map[string]any{"userid": "ghost"}), 60111},
		{"invisible", ok(map[string]any{"userid": "zhouba"}), 60011},
		{"bad cursor", ok(map[string]any{"cursor": "bogus"}), 50100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.wantCode(e.post("advanced_feature/get_apply_id_list", tc.body), tc.code)
		})
	}
}

func TestAdminApprovalInfoErrors(t *testing.T) {
	e := newAdmEnv(t)
	e.wantCode(e.post("advanced_feature/get_approval_info", map[string]any{"apply_id": "ap-nosuch"}), 40058)
	e.wantCode(e.post("advanced_feature/get_approval_info", map[string]any{}), 40058)
	if _, ok := e.s.Application("ap-nosuch"); ok {
		t.Error("Application found an unknown apply id")
	}
}

func TestAdminApplicationSeed(t *testing.T) {
	e := newAdmEnv(t)
	statuses, types, business := map[int]bool{}, map[int]bool{}, map[int]bool{}
	for _, a := range e.s.Applications() {
		statuses[a.ApprovalStatus], types[a.ApprovalType], business[a.BusinessType] = true, true, true
		info := admApprovalInfo(e, a.ApplyID)
		if info.num("approval_status") != int64(a.ApprovalStatus) || info.str("applicant") != a.Applicant {
			t.Errorf("info %v does not match %+v", info, a)
		}
	}
	for _, s := range []int{0, 1, 2, 4, 5} {
		if !statuses[s] {
			t.Errorf("no seeded application with approval_status %d", s)
		}
	}
	for i := 0; i <= 2; i++ {
		if !types[i] {
			t.Errorf("no seeded application with approval_type %d", i)
		}
	}
	for i := 1; i <= 4; i++ {
		if !business[i] {
			t.Errorf("no seeded application of business_type %d", i)
		}
	}
	// The fresh seeded application can be taken over by the bot.
	var fresh string
	for _, a := range e.s.Applications() {
		if a.ApprovalType == 0 && e.now().Sub(a.CreateTime) < 24*time.Hour {
			fresh = a.ApplyID
		}
	}
	if fresh == "" {
		t.Fatal("no fresh application in the seed")
	}
	e.ok(e.post("advanced_feature/set_approval_detail", admApprovalBody(fresh, fmt.Sprint("SEED-", fresh), 1)))
}
