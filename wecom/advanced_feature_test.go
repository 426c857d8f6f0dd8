package wecom

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAdvancedSetApprovalDetail(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	// wecom-protocol.md §5.5 (DOC/99880).
	handle(t, mux, "advanced_feature/set_approval_detail", "POST", `{"apply_id":"ApplyId","approval_id":"APPROVALID",
		"approval_status":1,"approval_url":"https://bot.example.com/a/1","process_list":{"node_list":[
		{"current_approvers":["LEADER1"],"completed_approvers":["LEADER0"],"node_apv_status":1,"node_apv_rel":1,
		 "apv_update_time":1715741759}]}}`, nil, `{"errcode":0,"errmsg":"ok"}`)
	err := c.AdvancedFeature.SetApprovalDetail(t.Context(), &ApprovalDetail{
		ApplyID: "ApplyId", ApprovalID: "APPROVALID", ApprovalStatus: ApprovalInProgress,
		ApprovalURL: "https://bot.example.com/a/1",
		ProcessList: ApprovalProcess{NodeList: []ApprovalNode{{CurrentApprovers: []string{"LEADER1"},
			CompletedApprovers: []string{"LEADER0"}, NodeApvStatus: ApprovalInProgress, NodeApvRel: NodeAllMustApprove,
			ApvUpdateTime: 1715741759}}},
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAdvancedSetApprovalDetail_validation(t *testing.T) {
	t.Parallel()
	set := func(d *ApprovalDetail) func(c *Client) error {
		return func(c *Client) error { return c.AdvancedFeature.SetApprovalDetail(t.Context(), d) }
	}
	node := func(mod func(*ApprovalNode)) *ApprovalDetail {
		n := ApprovalNode{NodeApvStatus: NodeNotReached, NodeApvRel: NodeSequential}
		mod(&n)
		return &ApprovalDetail{ApplyID: "a", ApprovalID: "b", ApprovalStatus: ApprovalApproved,
			ProcessList: ApprovalProcess{NodeList: []ApprovalNode{n}}}
	}
	runValidation(t, "advanced_feature/set_approval_detail", []validationCase{
		{"nil", "apply_id", set(nil)},
		{"no apply_id", "apply_id", set(&ApprovalDetail{ApprovalID: "b", ApprovalStatus: 1})},
		{"no approval_id", "approval_id", set(&ApprovalDetail{ApplyID: "a", ApprovalStatus: 1})},
		{"bad status", "approval_status", set(&ApprovalDetail{ApplyID: "a", ApprovalID: "b", ApprovalStatus: 102})},
		{"101 approvers", "process_list.node_list[0].current_approvers",
			set(node(func(n *ApprovalNode) { n.CurrentApprovers = make([]string, 101) }))},
		{"bad node status", "process_list.node_list[0].node_apv_status",
			set(node(func(n *ApprovalNode) { n.NodeApvStatus = 0 }))},
		{"bad node relation", "process_list.node_list[0].node_apv_rel",
			set(node(func(n *ApprovalNode) { n.NodeApvRel = 4 }))},
	})
}

func TestAdvancedListApplyIDs(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	// wecom-protocol.md §5.5 (DOC/99883).
	handle(t, mux, "advanced_feature/get_apply_id_list", "POST",
		`{"business_type":1,"userid":"zhangsan","limit":10,"cursor":"CURSOR","req_type":1}`, nil,
		`{"errcode":0,"errmsg":"ok","next_cursor":"CURSOR2","apply_id_list":["APPLY_ID1"],"has_more":true}`)
	got, err := c.AdvancedFeature.ListApplyIDs(t.Context(), &ListApplyIDsOptions{BusinessType: BusinessMail,
		UserID: "zhangsan", Limit: 10, Cursor: "CURSOR", ReqType: ApplyAPI})
	if err != nil {
		t.Fatal(err)
	}
	want := &ApplyIDPage{ApplyIDs: []string{"APPLY_ID1"}, HasMore: true, NextCursor: "CURSOR2"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ListApplyIDs mismatch (-want +got):\n%s", diff)
	}
}

func TestAdvancedAllApplyIDs(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("/cgi-bin/advanced_feature/get_apply_id_list", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "POST")
		var body map[string]any
		readJSON(t, r, &body)
		if body["business_type"] != 3.0 {
			t.Errorf("business_type = %v; want 3", body["business_type"])
		}
		cursor, _ := body["cursor"].(string)
		next := map[string]string{"": "c2", "c2": "c3", "c3": ""}[cursor]
		fmt.Fprintf(w, `{"errcode":0,"errmsg":"ok","has_more":%t,"next_cursor":%q,"apply_id_list":["x%s"]}`,
			next != "", next, cursor)
	})
	got, err := Collect(c.AdvancedFeature.AllApplyIDs(t.Context(), ListApplyIDsOptions{BusinessType: BusinessDrive, UserID: "lisi"}), 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"x", "xc2", "xc3"}, got); diff != "" {
		t.Errorf("AllApplyIDs mismatch (-want +got):\n%s", diff)
	}
}

func TestAdvancedListApplyIDs_validation(t *testing.T) {
	t.Parallel()
	list := func(o *ListApplyIDsOptions) func(c *Client) error {
		return func(c *Client) error { _, err := c.AdvancedFeature.ListApplyIDs(t.Context(), o); return err }
	}
	runValidation(t, "advanced_feature/get_apply_id_list", []validationCase{
		{"no business_type", "business_type", list(&ListApplyIDsOptions{UserID: "lisi"})},
		{"business_type 5", "business_type", list(&ListApplyIDsOptions{BusinessType: 5, UserID: "lisi"})},
		{"no userid", "userid", list(&ListApplyIDsOptions{BusinessType: BusinessMail})},
		{"nil options", "business_type", list(nil)},
		{"limit 201", "limit", list(&ListApplyIDsOptions{BusinessType: BusinessMail, UserID: "lisi", Limit: 201})},
		{"req_type 3", "req_type", list(&ListApplyIDsOptions{BusinessType: BusinessMail, UserID: "lisi", ReqType: 3})},
	})
}

func TestAdvancedGetApprovalInfo(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	// wecom-protocol.md §5.5 (DOC/99885).
	handle(t, mux, "advanced_feature/get_approval_info", "POST", `{"apply_id":"APPLY_ID"}`, nil,
		`{"errcode":0,"errmsg":"ok","approval_info":{"applicant":"USERID","create_time":1715741759,"business_type":1,
		  "approval_id":"APPROVAL_ID","apply_id":"APPLY_ID","approval_url":"https://bot.example.com/a/1",
		  "approval_status":0,"approval_type":1,"request_reason":"需要大附件"}}`)
	got, err := c.AdvancedFeature.GetApprovalInfo(t.Context(), "APPLY_ID")
	if err != nil {
		t.Fatal(err)
	}
	want := &Application{Applicant: "USERID", CreateTime: 1715741759, BusinessType: BusinessMail,
		ApprovalID: "APPROVAL_ID", ApplyID: "APPLY_ID", ApprovalURL: "https://bot.example.com/a/1",
		ApprovalStatus: ApplicationHistory, ApprovalType: ApprovalCustom, RequestReason: "需要大附件"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GetApprovalInfo mismatch (-want +got):\n%s", diff)
	}
}

func TestAdvancedGetApprovalInfo_validation(t *testing.T) {
	t.Parallel()
	runValidation(t, "advanced_feature/get_approval_info", []validationCase{
		{"no id", "apply_id", func(c *Client) error { _, err := c.AdvancedFeature.GetApprovalInfo(t.Context(), ""); return err }},
	})
}

func TestAdvancedEnums(t *testing.T) {
	t.Parallel()
	testEnums(t, []enumCase{
		{BusinessMail, "mail (邮件)"},
		{BusinessDocs, "docs (文档)"},
		{BusinessDrive, "drive (微盘)"},
		{BusinessMeetings, "meetings (会议)"},
		{BusinessType(5), "BusinessType(5)"},
		{FinishAdminRejected, "rejected by admin (管理员驳回)"},
		{FinishAllocated, "account allocated (高级账号分配)"},
		{FinishMemberWithdrew, "withdrawn by member (成员删除申请)"},
		{ApprovalInProgress, "in progress (审批中)"},
		{ApprovalWithdrawn, "withdrawn (已撤销)"},
		{NodeNotReached, "not reached yet (未到流程)"},
		{NodeAnyMayApprove, "any may approve (或签)"},
		{ApplicationAllocatedByAdmin, "allocated by admin (管理员已分配)"},
		{ApplicationHistory, "historical record (历史记录)"},
		{ApprovalOpenAPI, "corp OpenAPI (企业openapi)"},
	})
}
