package emulator

// The sample organisation and its seeded records, shared by tests and the demo: members, departments, tags
// and customers (seedOrg), group chats, and the admin-side data (seedAdmin, with seed_security.go and
// seed_hr.go). The handlers that serve them live in the files named after the client's areas.

import (
	"math/rand/v2"
	"time"
)

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

// seedChats adds the sample group chats: one this app created, one created by someone else (86008 for it).
func seedChats(st *extState) {
	for _, c := range []*chat{
		{ID: "secops", Name: "安全值班群", Owner: "zhangsan", Members: []string{"zhangsan", "wujiu"}, ByApp: true},
		{ID: "notours", Name: "研发闲聊", Owner: "lisi", Members: []string{"lisi", "wangwu"}},
	} {
		st.chats[c.ID] = c
		st.chatIDs = append(st.chatIDs, c.ID)
	}
}

// seedAdmin builds the sample admin data. Everything is placed relative to now so that "the last 7 days" always
// has data, and generated from a fixed seed so that every run sees the same rows.
func seedAdmin(o *Org, now time.Time) *adminState {
	now = now.Truncate(time.Second)
	rng := rand.New(rand.NewPCG(20240517, 98920))
	a := &adminState{
		vipUsers: []string{"zhangsan", "lisi"},
		vipSeats: defaultVIPSeats,
		vipJobs:  map[string]*vipJob{},
		staff:    map[string]*staffRecord{},
		rng:      rng,
	}
	seedDevices(a, now)
	seedMemberLogs(a, o, now, rng)
	seedAdminLogs(a, now, rng)
	seedFileRecords(a, now, rng)
	seedScreenRecords(a, o, now, rng)
	seedServerDomainIP(a)
	seedApplications(a, now)
	a.hrGroups = hrFieldConfig()
	seedStaff(a, o, now)
	seedTmpIDs(a)
	return a
}

func seedApplications(a *adminState, now time.Time) {
	day := 24 * time.Hour
	add := func(user string, bt int, reason string, age time.Duration, typ, status int, approvalID string, finish int) {
		app := a.newApplication(user, bt, reason, now.Add(-age))
		app.ApprovalType, app.ApprovalStatus, app.FinishType = typ, status, finish
		if approvalID != "" {
			app.ApprovalID = approvalID
			app.ApprovalURL = "https://oa.example.com/approval/" + approvalID
			app.DetailCalls = 1
			app.Nodes = []ApprovalNode{{CompletedApprovers: []string{"zhangsan"}, NodeApvStatus: min(status, 3),
				NodeApvRel: 2, ApvUpdateTime: now.Add(-age + time.Hour).Unix()}}
		}
	}
	// History: applications from before any API flow, no process information.
	reasons := []string{"需要更大的邮箱容量", "需要文档高级权限", "我有很多客户资料要管理，需要更多微盘空间", "需要举办大型会议"}
	users := []string{"lisi", "wangwu", "zhaoliu", "sunqi", "wujiu", "zhangsan"}
	for i := range 10 {
		bt := 1 + i%4
		add(users[i%len(users)], bt, reasons[bt-1], time.Duration(60-3*i)*day, 0, 0, "", 0)
	}
	add("zhangsan", 2, "需要文档高级权限", 20*day, 1, 4, "", 1)             // 自定义审批, rejected by an admin
	add("lisi", 3, reasons[2], 10*day, 2, 5, "SP-2024-0001", 2)     // API flow, account allocated
	add("wangwu", 2, "需要文档水印功能", 6*day, 2, 2, "SP-2024-0002", 0)    // API flow, approvers rejected
	add("wujiu", 3, "需要更多微盘空间", 30*time.Hour, 0, 0, "", 0)          // never taken over: window over
	add("sunqi", 1, "需要邮件归档", 3*time.Hour, 2, 1, "SP-2024-0003", 0) // API flow, in progress
	add("zhaoliu", 4, "需要举办全员大会", 2*time.Hour, 0, 0, "", 0)         // fresh: the bot may take it over
}

func seedServerDomainIP(a *adminState) {
	// Entries follow SKIT's CgibinSecurityGetServerDomainIpResponse sample and DOC/100079.
	web := []int{443, 80}
	a.domains = []serverDomain{
		{"i.work.weixin.qq.com", "work.weixin.qq.com", "TCP", web, 1, "企业微信客户端长连接，消息收发等功能;企业微信客户端短连接，登录、拉组织架构等功能"},
		{"live.work.weixin.qq.com", "work.weixin.qq.com", "TCP", web, 0, "企业微信直播"},
		{"wework.qpic.cn", "qpic.cn", "TCP", web, 1, "图片、头像等资源下载"},
		{"qyapi.weixin.qq.com", "weixin.qq.com", "TCP", []int{443}, 1, "企业微信开放接口"},
	}
	a.ips = []serverIP{
		{"115.238.203.109", "TCP", web, 0, "企业微信客户端HTTPDNS解析"},
		{"115.238.203.110", "TCP", web, 1, "企业微信客户端HTTPDNS解析"},
		{"182.254.11.176", "TCP", []int{443}, 1, "企业微信开放接口"},
	}
}

func seedTmpIDs(a *adminState) {
	a.tmpIDs = map[string]tmpExternalID{
		// Customers met in meetings, forms and docs (user_type 1 → external_userid).
		"ouTMPmeetChen000000000000001": {BusinessType: 1, UserType: 1, ExternalUserID: "wmAAAchenkehu0000000000000001"},
		"ouTMPmeetLin0000000000000002": {BusinessType: 1, UserType: 1, ExternalUserID: "wmAAAlinhuoban000000000000002"},
		"ouTMPformChen000000000000003": {BusinessType: 2, UserType: 1, ExternalUserID: "wmAAAchenkehu0000000000000001"},
		// Members of other corps (user_types 2-4 → corpid + userid).
		"ouTMPmeetHulian0000000000004": {BusinessType: 1, UserType: 2, CorpID: "wwPARTNERcorp000001", UserID: "liuqiang"},
		"ouTMPdocChain00000000000005":  {BusinessType: 3, UserType: 3, CorpID: "wwUPSTREAMcorp00002", UserID: "chenwei"},
		"ouTMPmeetCircle0000000000006": {BusinessType: 1, UserType: 4, CorpID: "wwCIRCLEcorp0000003", UserID: "zhouyi"},
	}
}
