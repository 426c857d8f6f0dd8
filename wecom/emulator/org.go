package emulator

// The emulated corp's data model: the directory (Org), the admin-side state beside it and the lookups the
// handlers share. The sample data is seeded in seed.go and seed_*.go.

import (
	"math/rand/v2"
	"slices"
	"strings"
)

// Org is the emulated corporation's state: the sample organisation shared by tests and the demo. All access
// goes through Server.mu.
type Org struct {
	Members          []*Member
	Departments      []*Department
	Tags             []*Tag
	ExternalContacts []*ExternalContact

	admin *adminState // security, vip, applications, roster, id conversion
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

// memberFold finds a member by userid, ignoring case as WeCom does ("不区分大小写").
func (o *Org) memberFold(id string) *Member {
	for _, m := range o.Members {
		if strings.EqualFold(m.UserID, id) {
			return m
		}
	}
	return nil
}

// Bounds on what the emulator keeps, so that a long demo or a runaway test cannot grow it without limit.
const (
	maxAdminLogRows    = 100_000 // per log kind; the oldest rows are dropped first
	maxTrustDevices    = 10_000
	maxVIPJobs         = 1_000 // older jobs are forgotten and then answer 40088, like a cleaned-up job
	maxApplications    = 10_000
	maxStaffGroupItems = 20 // instances of one repeatable roster group per member
)

// adminState is everything the admin APIs read and change. Guarded by Server.mu like the rest of Org.
type adminState struct {
	devices []*trustDevice // in creation order, which is the order security/trustdevice/list pages in

	memberLogs    []MemberOperRecord // each slice sorted by Time, then insertion
	adminLogs     []AdminOperRecord
	fileRecords   []FileOperRecord
	screenRecords []ScreenOperRecord

	domains []serverDomain
	ips     []serverIP

	vipUsers []string // userids holding a 高级功能 account, in allocation order (security/vip/list order)
	vipSeats int
	vipJobs  map[string]*vipJob
	jobOrder []string // jobids oldest first, to evict beyond maxVIPJobs
	jobSeq   int

	apps    []*ApplicationState // in creation order (get_apply_id_list order)
	appSeq  int
	idEpoch int64 // Options.ApplyIDEpoch

	hrGroups []hrGroup
	staff    map[string]*staffRecord // userid → roster values

	tmpIDs map[string]tmpExternalID // tmp_external_userid → what it converts to

	rng *rand.Rand // seeded, so generated ids (device codes, jobids) repeat from run to run
}

// admCheckUser answers for a userid named directly in a request: 60111 when no such member, 60011 when the
// member is outside the app's visibility (DOC/90313).
func (o *Org) admCheckUser(id string) *apiError {
	m := o.member(id)
	if m == nil {
		return errf(60111, "userid not found: %s", id)
	}
	if !m.Visible {
		return errf(60011, "no privilege to access/modify contact/party/agent, userid %s is out of the app's visibility", id)
	}
	return nil
}

// admVisible reports whether records about userid may be returned: WeCom filters out everything about members
// outside the app's visibility ("应用可见范围外用户相关的数据会被过滤掉", DOC/98079).
func (o *Org) admVisible(id string) bool {
	m := o.member(id)
	return m != nil && m.Visible
}

// admContactVisible reports whether a customer is reachable by this app: one of its followers must be inside
// the app's visibility ("客户的跟进人…需要同时在access_token和source_agentid所对应应用的可见范围内").
func (o *Org) admContactVisible(e *ExternalContact) bool {
	return slices.ContainsFunc(e.FollowUsers, o.admVisible)
}
