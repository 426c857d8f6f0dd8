package wecom

import (
	"context"
	"fmt"
	"iter"
	"time"
)

// AdvancedFeatureService takes over members' applications for advanced-feature accounts (高级功能 - 成员申请管理):
// the app reports its own approval flow's state to WeCom. The app must be in 「高级功能-管理-成员申请管理-可调用接口的应用」;
// 代开发 and third-party apps are not supported.
type AdvancedFeatureService service

// Limits of advanced_feature/*.
const (
	MaxApproversPerNode = 100
	MaxApplyIDPageLimit = 200
	// ApprovalTakeOverWindow is how long after submit_vip_account_approval SetApprovalDetail may take the
	// application over (DOC/99860).
	ApprovalTakeOverWindow = 24 * time.Hour
)

// BusinessType is the product an advanced-feature account is for.
type BusinessType int

// Business types.
const (
	BusinessMail     BusinessType = 1
	BusinessDocs     BusinessType = 2
	BusinessDrive    BusinessType = 3
	BusinessMeetings BusinessType = 4
)

var businessTypeNames = map[BusinessType]string{
	BusinessMail:     "mail (邮件)",
	BusinessDocs:     "docs (文档)",
	BusinessDrive:    "drive (微盘)",
	BusinessMeetings: "meetings (会议)",
}

func (t BusinessType) String() string { return enumName("BusinessType", t, businessTypeNames) }

// FinishType is how an application ended (the finish_vip_account_approval callback's FinishType).
type FinishType int

// Finish types.
const (
	FinishAdminRejected  FinishType = 1
	FinishAllocated      FinishType = 2
	FinishMemberWithdrew FinishType = 3
)

var finishTypeNames = map[FinishType]string{
	FinishAdminRejected:  "rejected by admin (管理员驳回)",
	FinishAllocated:      "account allocated (高级账号分配)",
	FinishMemberWithdrew: "withdrawn by member (成员删除申请)",
}

func (t FinishType) String() string { return enumName("FinishType", t, finishTypeNames) }

// ApprovalStatus is the state of the app's own approval, as reported with SetApprovalDetail; node statuses use
// it too, plus NodeNotReached.
type ApprovalStatus int

// Approval statuses.
const (
	ApprovalInProgress ApprovalStatus = 1
	ApprovalRejected   ApprovalStatus = 2
	ApprovalApproved   ApprovalStatus = 3
	ApprovalWithdrawn  ApprovalStatus = 101
	NodeNotReached     ApprovalStatus = 102 // node_apv_status only
)

var approvalStatusNames = map[ApprovalStatus]string{
	ApprovalInProgress: "in progress (审批中)",
	ApprovalRejected:   "rejected (已驳回)",
	ApprovalApproved:   "approved (已同意)",
	ApprovalWithdrawn:  "withdrawn (已撤销)",
	NodeNotReached:     "not reached yet (未到流程)",
}

func (s ApprovalStatus) String() string { return enumName("ApprovalStatus", s, approvalStatusNames) }

// NodeRelation is how a node's approvers decide.
type NodeRelation int

// Node relations.
const (
	NodeAllMustApprove NodeRelation = 1
	NodeAnyMayApprove  NodeRelation = 2
	NodeSequential     NodeRelation = 3
)

var nodeRelationNames = map[NodeRelation]string{
	NodeAllMustApprove: "all must approve (会签)",
	NodeAnyMayApprove:  "any may approve (或签)",
	NodeSequential:     "in turn (依次审批)",
}

func (r NodeRelation) String() string { return enumName("NodeRelation", r, nodeRelationNames) }

// ApprovalDetail is the state of the app's approval of one application. Send every node on each change; an
// ApprovalID stays bound to its ApplyID.
type ApprovalDetail struct {
	ApplyID        string          `json:"apply_id"`
	ApprovalID     string          `json:"approval_id"`
	ApprovalStatus ApprovalStatus  `json:"approval_status"`
	ApprovalURL    string          `json:"approval_url,omitempty"`
	ProcessList    ApprovalProcess `json:"process_list"`
}

// ApprovalProcess is the approval flow.
type ApprovalProcess struct {
	NodeList []ApprovalNode `json:"node_list"`
}

// ApprovalNode is one step of the flow; at most 100 approvers in each list.
type ApprovalNode struct {
	CurrentApprovers   []string       `json:"current_approvers"`
	CompletedApprovers []string       `json:"completed_approvers"`
	NodeApvStatus      ApprovalStatus `json:"node_apv_status"`
	NodeApvRel         NodeRelation   `json:"node_apv_rel"`
	ApvUpdateTime      int64          `json:"apv_update_time"`
}

// SetApprovalDetail reports the app's approval state for an application. Call it within 24 hours of the
// submit_vip_account_approval callback, or WeCom hands the application back to its own flow.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/99880
//
//meta:operation POST /cgi-bin/advanced_feature/set_approval_detail
func (s *AdvancedFeatureService) SetApprovalDetail(ctx context.Context, d *ApprovalDetail) error {
	const op = "advanced_feature/set_approval_detail"
	if d == nil {
		return invalid(op, "apply_id", "required")
	}
	if err := required(op, "apply_id", d.ApplyID); err != nil {
		return err
	}
	if err := required(op, "approval_id", d.ApprovalID); err != nil {
		return err
	}
	switch d.ApprovalStatus {
	case ApprovalInProgress, ApprovalRejected, ApprovalApproved, ApprovalWithdrawn:
	default:
		return invalid(op, "approval_status", fmt.Sprintf("%d is not 1, 2, 3 or 101", int(d.ApprovalStatus)))
	}
	for i, n := range d.ProcessList.NodeList {
		field := fmt.Sprintf("process_list.node_list[%d]", i)
		if err := checkCount(op, field+".current_approvers", len(n.CurrentApprovers), 0, MaxApproversPerNode); err != nil {
			return err
		}
		if err := checkCount(op, field+".completed_approvers", len(n.CompletedApprovers), 0, MaxApproversPerNode); err != nil {
			return err
		}
		if _, ok := approvalStatusNames[n.NodeApvStatus]; !ok {
			return invalid(op, field+".node_apv_status", fmt.Sprintf("%d is not 1, 2, 3, 101 or 102", int(n.NodeApvStatus)))
		}
		if _, ok := nodeRelationNames[n.NodeApvRel]; !ok {
			return invalid(op, field+".node_apv_rel", fmt.Sprintf("%d is not 1, 2 or 3", int(n.NodeApvRel)))
		}
	}
	return s.client.post(ctx, op, d, nil)
}

// ApplyReqType filters applications by who handles them.
type ApplyReqType int

// Request types.
const (
	ApplyAll    ApplyReqType = 0
	ApplyAPI    ApplyReqType = 1 // taken over through this API
	ApplyNonAPI ApplyReqType = 2
)

// ListApplyIDsOptions selects applications: BusinessType and UserID are required. Limit is 1..200, 0 for
// WeCom's default (100).
type ListApplyIDsOptions struct {
	BusinessType BusinessType
	UserID       string
	ReqType      ApplyReqType
	Cursor       string
	Limit        int
}

// ApplyIDPage is one page of application ids.
type ApplyIDPage struct {
	ApplyIDs   []string `json:"apply_id_list"`
	HasMore    bool     `json:"has_more"`
	NextCursor string   `json:"next_cursor"`
}

// ListApplyIDs fetches one page of application ids.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/99883
//
//meta:operation POST /cgi-bin/advanced_feature/get_apply_id_list
func (s *AdvancedFeatureService) ListApplyIDs(ctx context.Context, opts *ListApplyIDsOptions) (*ApplyIDPage, error) {
	const op = "advanced_feature/get_apply_id_list"
	if opts == nil {
		opts = &ListApplyIDsOptions{}
	}
	// Both are required (DOC/99883): WeCom lists one member's applications for one product at a time.
	if opts.BusinessType < BusinessMail || opts.BusinessType > BusinessMeetings {
		return nil, invalid(op, "business_type", fmt.Sprintf("required: 1-4, got %d", int(opts.BusinessType)))
	}
	if err := required(op, "userid", opts.UserID); err != nil {
		return nil, err
	}
	if err := checkLimit(op, opts.Limit, MaxApplyIDPageLimit); err != nil {
		return nil, err
	}
	if opts.ReqType < ApplyAll || opts.ReqType > ApplyNonAPI {
		return nil, invalid(op, "req_type", fmt.Sprintf("%d is not 0, 1 or 2", int(opts.ReqType)))
	}
	in := struct {
		BusinessType BusinessType `json:"business_type"`
		UserID       string       `json:"userid"`
		Limit        int          `json:"limit,omitempty"`
		Cursor       string       `json:"cursor,omitempty"`
		ReqType      ApplyReqType `json:"req_type,omitempty"`
	}{opts.BusinessType, opts.UserID, opts.Limit, opts.Cursor, opts.ReqType}
	var out ApplyIDPage
	if err := s.client.query(ctx, op, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AllApplyIDs walks every page of application ids (opts.Cursor is ignored).
func (s *AdvancedFeatureService) AllApplyIDs(ctx context.Context, opts ListApplyIDsOptions) iter.Seq2[string, error] {
	return All(ctx, func(ctx context.Context, cursor string) ([]string, string, bool, error) {
		o := opts
		o.Cursor = cursor
		p, err := s.ListApplyIDs(ctx, &o)
		if err != nil {
			return nil, "", false, err
		}
		return p.ApplyIDs, p.NextCursor, p.HasMore, nil
	})
}

// ApplicationStatus is an application's state as get_approval_info reports it (other values than
// ApprovalStatus).
type ApplicationStatus int

// Application statuses.
const (
	ApplicationHistory          ApplicationStatus = 0
	ApplicationPending          ApplicationStatus = 1
	ApplicationRejected         ApplicationStatus = 2
	ApplicationApproved         ApplicationStatus = 3
	ApplicationRejectedByAdmin  ApplicationStatus = 4
	ApplicationAllocatedByAdmin ApplicationStatus = 5
)

var applicationStatusNames = map[ApplicationStatus]string{
	ApplicationHistory:          "historical record (历史记录)",
	ApplicationPending:          "awaiting approver (审批人审批中)",
	ApplicationRejected:         "rejected by approver (审批人驳回)",
	ApplicationApproved:         "approved by approver (审批人已同意)",
	ApplicationRejectedByAdmin:  "rejected by admin (管理员驳回)",
	ApplicationAllocatedByAdmin: "allocated by admin (管理员已分配)",
}

func (s ApplicationStatus) String() string {
	return enumName("ApplicationStatus", s, applicationStatusNames)
}

// ApprovalType is which flow handles an application.
type ApprovalType int

// Approval types.
const (
	ApprovalDefault ApprovalType = 0
	ApprovalCustom  ApprovalType = 1
	ApprovalOpenAPI ApprovalType = 2
)

var approvalTypeNames = map[ApprovalType]string{
	ApprovalDefault: "default application (默认申请)",
	ApprovalCustom:  "custom approval (自定义审批)",
	ApprovalOpenAPI: "corp OpenAPI (企业openapi)",
}

func (t ApprovalType) String() string { return enumName("ApprovalType", t, approvalTypeNames) }

// Application is a member's application for an advanced-feature account.
type Application struct {
	Applicant      string            `json:"applicant"`
	CreateTime     int64             `json:"create_time"`
	BusinessType   BusinessType      `json:"business_type"`
	ApprovalID     string            `json:"approval_id"`
	ApplyID        string            `json:"apply_id"`
	ApprovalURL    string            `json:"approval_url"`
	ApprovalStatus ApplicationStatus `json:"approval_status"`
	ApprovalType   ApprovalType      `json:"approval_type"`
	RequestReason  string            `json:"request_reason"`
}

// GetApprovalInfo fetches one member application for an advanced-feature account.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/99885
//
//meta:operation POST /cgi-bin/advanced_feature/get_approval_info
func (s *AdvancedFeatureService) GetApprovalInfo(ctx context.Context, applyID string) (*Application, error) {
	const op = "advanced_feature/get_approval_info"
	if err := required(op, "apply_id", applyID); err != nil {
		return nil, err
	}
	in := struct {
		ApplyID string `json:"apply_id"`
	}{applyID}
	var out struct {
		Info Application `json:"approval_info"`
	}
	if err := s.client.query(ctx, op, in, &out); err != nil {
		return nil, err
	}
	return &out.Info, nil
}
