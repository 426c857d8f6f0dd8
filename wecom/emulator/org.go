package emulator

import (
	"slices"
	"strings"
	"time"
)

// Org is the emulated corporation's state: the sample organisation shared by tests and the demo. All access
// goes through Server.mu.
type Org struct {
	Members          []*Member
	Departments      []*Department
	Tags             []*Tag
	ExternalContacts []*ExternalContact

	admin *adminState // security, vip, applications, roster: see admin_seed.go
}

// Member is a corp member (通讯录成员).
type Member struct {
	UserID     string
	Name       string
	Department []int
	Position   string
	Mobile     string
	Email      string
	Gender     string // "1" male, "2" female, "0" unknown (WeCom sends a string)
	Status     int    // 1 activated, 2 disabled, 4 not activated, 5 quit
	OpenUserID string // as seen by the third-party app OpenUserIDAgent (batch/openuserid_to_userid)
	// Visible is false for members outside the app's visibility: APIs naming them answer 60011.
	Visible bool
}

// Department is a department; ID 1 is the root.
type Department struct {
	ID       int
	Name     string
	NameEn   string
	ParentID int
	Order    int
	Leaders  []string
}

// Tag is a member tag (标签).
type Tag struct {
	ID       int
	Name     string
	UserIDs  []string
	PartyIDs []int
}

// ExternalContact is a customer (外部联系人).
type ExternalContact struct {
	ExternalUserID string
	Name           string
	Type           int // 1 WeChat user, 2 WeCom user
	CorpName       string
	Gender         int
	FollowUsers    []string // members who added this contact
	// ServiceExternalUserID is the id a service-provider app (OpenUserIDAgent) sees
	// (externalcontact/from_service_external_userid).
	ServiceExternalUserID string
}

// OpenUserIDAgent is the agentid of the third-party/代开发 app whose open_userids and service external_userids
// the sample organisation knows (source_agentid in batch/openuserid_to_userid).
const OpenUserIDAgent = 2000001

// seedOrg builds the sample organisation. now anchors every time-stamped record (logs, applications).
func seedOrg(now time.Time) *Org {
	o := &Org{
		Departments: []*Department{
			{ID: 1, Name: "示例科技", NameEn: "Example Tech", Order: 100000000},
			{ID: 2, Name: "研发部", NameEn: "R&D", ParentID: 1, Order: 99999000, Leaders: []string{"lisi"}},
			{ID: 3, Name: "安全部", NameEn: "Security", ParentID: 1, Order: 99998000, Leaders: []string{"zhangsan"}},
			{ID: 4, Name: "人事部", NameEn: "HR", ParentID: 1, Order: 99997000, Leaders: []string{"zhaoliu"}},
			{ID: 5, Name: "平台组", NameEn: "Platform", ParentID: 2, Order: 99996000},
		},
		Members: []*Member{
			{UserID: "zhangsan", Name: "张三", Department: []int{1, 3}, Position: "安全负责人", Mobile: "13800000001",
				Email: "zhangsan@example.com", Gender: "1", Status: 1, OpenUserID: "woAAAzhangsanOPEN", Visible: true},
			{UserID: "lisi", Name: "李四", Department: []int{2}, Position: "研发经理", Mobile: "13800000002",
				Email: "lisi@example.com", Gender: "1", Status: 1, OpenUserID: "woAAAlisiOPENxxxx", Visible: true},
			{UserID: "wangwu", Name: "王五", Department: []int{5}, Position: "工程师", Mobile: "13800000003",
				Email: "wangwu@example.com", Gender: "1", Status: 1, OpenUserID: "woAAAwangwuOPENxx", Visible: true},
			{UserID: "zhaoliu", Name: "赵六", Department: []int{4}, Position: "HRBP", Mobile: "13800000004",
				Email: "zhaoliu@example.com", Gender: "2", Status: 1, OpenUserID: "woAAAzhaoliuOPENx", Visible: true},
			{UserID: "sunqi", Name: "孙七", Department: []int{2}, Position: "测试工程师", Mobile: "13800000005",
				Email: "sunqi@example.com", Gender: "2", Status: 1, OpenUserID: "woAAAsunqiOPENxxx", Visible: true},
			{UserID: "wujiu", Name: "吴九", Department: []int{3}, Position: "安全工程师", Mobile: "13800000006",
				Email: "wujiu@example.com", Gender: "1", Status: 1, OpenUserID: "woAAAwujiuOPENxxx", Visible: true},
			{UserID: "zhouba", Name: "周八", Department: []int{4}, Position: "财务", Mobile: "13800000007",
				Email: "zhouba@example.com", Gender: "2", Status: 1, OpenUserID: "woAAAzhoubaOPENxx", Visible: false},
		},
		Tags: []*Tag{
			{ID: 1, Name: "安全管理员", UserIDs: []string{"zhangsan", "wujiu"}},
			{ID: 2, Name: "审批人", UserIDs: []string{"zhangsan", "zhaoliu"}},
			{ID: 3, Name: "值班", PartyIDs: []int{3}},
		},
		ExternalContacts: []*ExternalContact{
			{ExternalUserID: "wmAAAchenkehu0000000000000001", Name: "陈客户", Type: 1, Gender: 1,
				FollowUsers: []string{"lisi"}, ServiceExternalUserID: "wmSVCchenkehu000000000000001"},
			{ExternalUserID: "wmAAAlinhuoban000000000000002", Name: "林伙伴", Type: 2, CorpName: "合作伙伴有限公司",
				Gender: 2, FollowUsers: []string{"zhangsan", "wangwu"}, ServiceExternalUserID: "wmSVClinhuoban00000000000002"},
		},
	}
	o.admin = seedAdmin(o, now)
	return o
}

// member returns the member with userid id, or nil.
func (o *Org) member(id string) *Member {
	for _, m := range o.Members {
		if strings.EqualFold(m.UserID, id) { // userids are case-insensitive (user/create: 不区分大小写)
			return m
		}
	}
	return nil
}

// department returns the department with the id, or nil.
func (o *Org) department(id int) *Department {
	for _, d := range o.Departments {
		if d.ID == id {
			return d
		}
	}
	return nil
}

// tag returns the tag with the id, or nil.
func (o *Org) tag(id int) *Tag {
	for _, t := range o.Tags {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// externalContact returns the external contact with the id, or nil.
func (o *Org) externalContact(id string) *ExternalContact {
	for _, e := range o.ExternalContacts {
		if e.ExternalUserID == id {
			return e
		}
	}
	return nil
}

// subDepartments returns id and every department below it.
func (o *Org) subDepartments(id int) []int {
	out := []int{id}
	for i := 0; i < len(out); i++ {
		for _, d := range o.Departments {
			if d.ParentID == out[i] && !slices.Contains(out, d.ID) {
				out = append(out, d.ID)
			}
		}
	}
	return out
}

// WithOrg runs f with the emulator's state locked, for tests that seed or inspect it directly.
func (s *Server) WithOrg(f func(o *Org)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s.org)
}
