package emulator

// 高级功能 member applications (advanced_feature/*, DOC/99860 概述, 99880 set_approval_detail, 99883
// get_apply_id_list, 99885 get_approval_info). A member applies for an account (event
// submit_vip_account_approval, DOC/99876); an app configured for the API flow takes the application over with
// set_approval_detail within 24 hours — "若企业自建应用在收到'成员申请的提交回调'后的24小时内，未通过'设置审批单审批信息'
// 接口成功返回信息，则API流程设置失败，成员申请将恢复为设置接口之前的申请流程" (DOC/99860) — and then reports the
// approval's progress until an admin finishes it (event finish_vip_account_approval, DOC/99877).

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// routesAdvancedFeature registers the member application APIs, DOC/99880, 99883, 99885 (the client's
// wecom/advanced_feature.go).
func (s *Server) routesAdvancedFeature() {
	s.handle("POST", "advanced_feature/set_approval_detail", s.setApprovalDetail)
	s.handle("POST", "advanced_feature/get_apply_id_list", s.getApplyIDList)
	s.handle("POST", "advanced_feature/get_approval_info", s.getApprovalInfo)
}

// takeoverWindow is how long after submission set_approval_detail can first take an application over.
const takeoverWindow = 24 * time.Hour

// Bounds from DOC/99880 and DOC/99883: ≤100 approvers per node list; get_apply_id_list limit "默认100，最大200".
// WeCom documents no bound on the number of nodes; the emulator keeps one.
const (
	maxApproversPerNode = 100
	maxApprovalNodes    = 100
	defaultApplyLimit   = 100
	maxApplyLimit       = 200
)

// ApplicationState is one member application for a 高级功能 account as the emulator holds it.
type ApplicationState struct {
	ApplyID      string
	Applicant    string // userid
	BusinessType int    // 1 邮件 2 文档 3 微盘 4 会议
	Reason       string
	CreateTime   time.Time

	// ApprovalType is 0 默认申请, 1 自定义审批 or 2 企业openapi; it becomes 2 when set_approval_detail first
	// succeeds, and ApprovalID is then fixed: "审批id和申请id是一一对应的，不可改变".
	ApprovalType int
	ApprovalID   string
	ApprovalURL  string
	// ApprovalStatus is what get_approval_info reports: 0 历史的申请记录(无流程信息), 1 审批人审批中, 2 审批人驳回,
	// 3 审批人已同意, 4 管理员驳回, 5 管理员已分配. A set_approval_detail status is stored as sent, so 101 (已撤销),
	// which get_approval_info's list lacks, reads back as 101.
	ApprovalStatus int
	Nodes          []ApprovalNode
	DetailCalls    int // set_approval_detail calls accepted so far
	// FinishType is 0 while open, else the finish_vip_account_approval FinishType: 1 管理员驳回, 2 高级账号分配,
	// 3 成员删除申请.
	FinishType int
}

// ApprovalNode is one node of process_list.node_list.
type ApprovalNode struct {
	CurrentApprovers   []string
	CompletedApprovers []string
	NodeApvStatus      int // 1 审批中 2 已驳回 3 已同意 101 已撤销 102 未到流程
	NodeApvRel         int // 1 会签 2 或签 3 依次审批
	ApvUpdateTime      int64
}

func (a *ApplicationState) clone() ApplicationState {
	c := *a
	c.Nodes = make([]ApprovalNode, len(a.Nodes))
	for i, n := range a.Nodes {
		n.CurrentApprovers = slices.Clone(n.CurrentApprovers)
		n.CompletedApprovers = slices.Clone(n.CompletedApprovers)
		c.Nodes[i] = n
	}
	return c
}

// newApplication records an application created at t.
func (a *adminState) newApplication(applicant string, businessType int, reason string, t time.Time) *ApplicationState {
	a.appSeq++
	epoch := t.Unix()
	if a.idEpoch != 0 {
		epoch = a.idEpoch
	}
	app := &ApplicationState{ApplyID: fmt.Sprintf("ap%d%04d", epoch, a.appSeq%10000), Applicant: applicant,
		BusinessType: businessType, Reason: reason, CreateTime: t.Truncate(time.Second)}
	a.apps = append(a.apps, app)
	if len(a.apps) > maxApplications {
		a.apps = slices.Delete(a.apps, 0, len(a.apps)-maxApplications)
	}
	return app
}

// renumberApplications gives the seeded applications ids from epoch, and every later one too.
func (a *adminState) renumberApplications(epoch int64) {
	a.idEpoch = epoch
	for i, app := range a.apps {
		app.ApplyID = fmt.Sprintf("ap%d%04d", epoch, (i+1)%10000)
	}
}

func (a *adminState) application(id string) *ApplicationState {
	for _, app := range a.apps {
		if app.ApplyID == id {
			return app
		}
	}
	return nil
}

// createApplication records a new application, created now, and returns its ApplyId. The control API calls it
// when it delivers a submit_vip_account_approval event to the bot.
func (s *Server) createApplication(applicant string, businessType int, reason string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.org.admin.newApplication(applicant, businessType, reason, s.opts.Now()).ApplyID
}

// finishApplication closes an application the way an admin (or the applicant) does in WeCom's console, with a
// finish_vip_account_approval FinishType: 1 管理员驳回 → approval_status 4, 2 高级账号分配 → 5 and the applicant
// holds an account, 3 成员删除申请 (status unchanged). It reports whether the application exists and was still
// open. The control API calls it before delivering the finish event.
func (s *Server) finishApplication(applyID string, finishType int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	app := s.org.admin.application(applyID)
	if app == nil || app.FinishType != 0 || finishType < 1 || finishType > 3 {
		return false
	}
	app.FinishType = finishType
	switch finishType {
	case 1:
		app.ApprovalStatus = 4
	case 2:
		// The admin allocated the account: the applicant now holds one, seat permitting, as in the console.
		app.ApprovalStatus = 5
		a := s.org.admin
		if !slices.Contains(a.vipUsers, app.Applicant) && len(a.vipUsers) < a.vipSeats {
			a.vipUsers = append(a.vipUsers, app.Applicant)
		}
	}
	return true
}

// Application returns the application with the ApplyId.
func (s *Server) Application(applyID string) (ApplicationState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	app := s.org.admin.application(applyID)
	if app == nil {
		return ApplicationState{}, false
	}
	return app.clone(), true
}

// Applications returns every application, oldest first.
func (s *Server) Applications() []ApplicationState {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ApplicationState, 0, len(s.org.admin.apps))
	for _, app := range s.org.admin.apps {
		out = append(out, app.clone())
	}
	return out
}

// setApprovalDetail is POST advanced_feature/set_approval_detail (DOC/99880). WeCom documents no dedicated
// errcodes for it, so every refusal is 40058 with an errmsg saying why, except approvers that are not
// members (60111) or not visible to the app (60011).
func (s *Server) setApprovalDetail(c *apiCall) (obj, *apiError) {
	type node struct {
		CurrentApprovers   []string `json:"current_approvers"`
		CompletedApprovers []string `json:"completed_approvers"`
		NodeApvStatus      *int     `json:"node_apv_status"`
		NodeStatus         *int     `json:"node_status"` // DOC/99880's second sample node spells it so; accepted too
		NodeApvRel         int      `json:"node_apv_rel"`
		ApvUpdateTime      int64    `json:"apv_update_time"`
	}
	var req struct {
		ApplyID        string `json:"apply_id"`
		ApprovalID     string `json:"approval_id"`
		ApprovalStatus int    `json:"approval_status"`
		ApprovalURL    string `json:"approval_url"`
		ProcessList    *struct {
			NodeList []node `json:"node_list"`
		} `json:"process_list"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	switch {
	case req.ApplyID == "":
		return nil, errInvalidParam("apply_id is required")
	case req.ApprovalID == "":
		return nil, errInvalidParam("approval_id is required")
	case !slices.Contains([]int{1, 2, 3, 101}, req.ApprovalStatus):
		return nil, errInvalidParam("invalid approval_status %d, require 1, 2, 3 or 101", req.ApprovalStatus)
	case !strings.HasPrefix(req.ApprovalURL, "http://") && !strings.HasPrefix(req.ApprovalURL, "https://"):
		// "审批单跳转链接，须以http://或https://开头"
		return nil, errInvalidParam("approval_url must start with http:// or https://")
	case req.ProcessList == nil || len(req.ProcessList.NodeList) == 0:
		return nil, errInvalidParam("process_list.node_list is required")
	case len(req.ProcessList.NodeList) > maxApprovalNodes:
		return nil, errInvalidParam("process_list.node_list has %d nodes, at most %d", len(req.ProcessList.NodeList), maxApprovalNodes)
	}
	nodes := make([]ApprovalNode, 0, len(req.ProcessList.NodeList))
	for i, n := range req.ProcessList.NodeList {
		status := n.NodeApvStatus
		if status == nil {
			status = n.NodeStatus
		}
		switch {
		case status == nil || !slices.Contains([]int{1, 2, 3, 101, 102}, *status):
			return nil, errInvalidParam("node_list[%d]: invalid node_apv_status", i)
		case n.NodeApvRel < 1 || n.NodeApvRel > 3:
			return nil, errInvalidParam("node_list[%d]: invalid node_apv_rel %d, require 1-3", i, n.NodeApvRel)
		case len(n.CurrentApprovers) > maxApproversPerNode || len(n.CompletedApprovers) > maxApproversPerNode:
			return nil, errInvalidParam("node_list[%d]: at most %d approvers per list", i, maxApproversPerNode)
		case len(n.CurrentApprovers) == 0 && len(n.CompletedApprovers) == 0:
			// "待处理人列表和已处理人列表不可同时为空"
			return nil, errInvalidParam("node_list[%d]: current_approvers and completed_approvers are both empty", i)
		}
		nodes = append(nodes, ApprovalNode{CurrentApprovers: slices.Clone(n.CurrentApprovers),
			CompletedApprovers: slices.Clone(n.CompletedApprovers), NodeApvStatus: *status,
			NodeApvRel: n.NodeApvRel, ApvUpdateTime: n.ApvUpdateTime})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.org.admin
	app := a.application(req.ApplyID)
	if app == nil {
		return nil, errInvalidParam("invalid apply_id %s", req.ApplyID)
	}
	if app.ApprovalType != 2 && s.opts.Now().Sub(app.CreateTime) > takeoverWindow {
		return nil, errInvalidParam("apply_id %s was submitted more than 24 hours ago without being taken over; "+
			"it has fallen back to the default approval flow", req.ApplyID)
	}
	if app.FinishType != 0 {
		return nil, errInvalidParam("apply_id %s is already finished", req.ApplyID)
	}
	if app.ApprovalID != "" && app.ApprovalID != req.ApprovalID {
		return nil, errInvalidParam("apply_id %s is bound to approval_id %s, which cannot change", req.ApplyID, app.ApprovalID)
	}
	for _, other := range a.apps {
		if other != app && other.ApprovalID == req.ApprovalID {
			return nil, errInvalidParam("approval_id %s is already bound to apply_id %s", req.ApprovalID, other.ApplyID)
		}
	}
	for _, n := range nodes {
		for _, u := range slices.Concat(n.CurrentApprovers, n.CompletedApprovers) {
			if err := s.org.admCheckUser(u); err != nil {
				return nil, err
			}
		}
	}
	app.ApprovalType, app.ApprovalID, app.ApprovalURL = 2, req.ApprovalID, req.ApprovalURL
	app.ApprovalStatus, app.Nodes = req.ApprovalStatus, nodes
	app.DetailCalls++
	return obj{}, nil
}

// getApplyIDList is POST advanced_feature/get_apply_id_list (DOC/99883): {"business_type","userid","limit",
// "cursor","req_type"} → {"next_cursor","apply_id_list","has_more"}; req_type 0 all, 1 API applications only,
// 2 the others.
func (s *Server) getApplyIDList(c *apiCall) (obj, *apiError) {
	var req struct {
		BusinessType int    `json:"business_type"`
		UserID       string `json:"userid"`
		Limit        int    `json:"limit"`
		Cursor       string `json:"cursor"`
		ReqType      int    `json:"req_type"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	// business_type and userid are both 必须 (DOC/99883): WeCom has no query for every application.
	switch {
	case req.BusinessType == 0:
		return nil, errInvalidParam("business_type is required, 1-4")
	case req.UserID == "":
		return nil, errf(41009, "missing userid")
	case req.BusinessType < 1 || req.BusinessType > 4:
		return nil, errInvalidParam("invalid business_type %d, require 1-4", req.BusinessType)
	case req.ReqType < 0 || req.ReqType > 2:
		return nil, errInvalidParam("invalid req_type %d, require 0-2", req.ReqType)
	case req.Limit < 0 || req.Limit > maxApplyLimit:
		return nil, errInvalidParam("invalid limit %d, at most %d", req.Limit, maxApplyLimit)
	}
	if req.Limit == 0 {
		req.Limit = defaultApplyLimit
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.org.admCheckUser(req.UserID); err != nil {
		return nil, err
	}
	var ids []string
	for _, app := range s.org.admin.apps {
		api := app.ApprovalType == 2
		switch {
		case app.BusinessType != req.BusinessType,
			!strings.EqualFold(app.Applicant, req.UserID), // userids are case-insensitive in WeCom
			req.ReqType == 1 && !api,
			req.ReqType == 2 && api:
			continue
		}
		ids = append(ids, app.ApplyID)
	}
	fp := fingerprint(req.BusinessType, req.UserID, req.ReqType)
	rows, next, err := page(ids, "apply", fp, req.Cursor, req.Limit, errBadCursor())
	if err != nil {
		return nil, err
	}
	return obj{"next_cursor": next, "apply_id_list": rows, "has_more": next != ""}, nil
}

// getApprovalInfo is POST advanced_feature/get_approval_info (DOC/99885).
func (s *Server) getApprovalInfo(c *apiCall) (obj, *apiError) {
	var req struct {
		ApplyID string `json:"apply_id"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if req.ApplyID == "" {
		return nil, errInvalidParam("apply_id is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	app := s.org.admin.application(req.ApplyID)
	if app == nil {
		return nil, errInvalidParam("invalid apply_id %s", req.ApplyID)
	}
	return obj{"approval_info": obj{
		"applicant":       app.Applicant,
		"create_time":     app.CreateTime.Unix(),
		"business_type":   app.BusinessType,
		"approval_id":     app.ApprovalID,
		"apply_id":        app.ApplyID,
		"approval_url":    app.ApprovalURL,
		"approval_status": app.ApprovalStatus,
		"approval_type":   app.ApprovalType,
		"request_reason":  app.Reason,
	}}, nil
}
