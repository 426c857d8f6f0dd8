package emulator

// Admin-side state of the emulated corp: trusted devices, security logs, 高级功能 accounts and member
// applications, the HR roster and the ID-conversion tables. The endpoints live in admin_security.go,
// admin_vip.go, admin_advanced.go, admin_hr.go and admin_idconvert.go; this file holds the state, the seed and
// the helpers they share.

import (
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Bounds on what the emulator keeps, so that a long demo or a runaway test cannot grow it without limit.
const (
	maxAdminLogRows    = 100_000 // per log kind; the oldest rows are dropped first
	maxTrustDevices    = 10_000
	maxVIPJobs         = 1_000 // older jobs are forgotten and then answer 40088, like a cleaned-up job
	maxApplications    = 10_000
	maxStaffGroupItems = 20 // instances of one repeatable roster group per member
)

// defaultVIPSeats is the size of the emulated 高级功能 licence pool; SetVIPSeats changes it.
const defaultVIPSeats = 10

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

	apps   []*ApplicationState // in creation order (get_apply_id_list order)
	appSeq int

	hrGroups []hrGroup
	staff    map[string]*staffRecord // userid → roster values

	tmpIDs map[string]tmpExternalID // tmp_external_userid → what it converts to

	rng *rand.Rand // seeded, so generated ids (device codes, jobids) repeat from run to run
}

// MemberOperRecord is one row of security/member_oper_log/list (DOC/100178).
type MemberOperRecord struct {
	Time       time.Time
	UserID     string
	OperType   int // 1 添加外部联系人 … 4 新设备登录 … 21 锁定设备
	DetailInfo string
	IP         string // WeCom masks the last octet here ("183.40.88.*")
}

// AdminOperRecord is one row of security/admin_oper_log/list (DOC/100179).
type AdminOperRecord struct {
	Time       time.Time
	UserID     string
	OperType   int // 2 权限管理变更, 3 成员与部门变更, 7 其它, 8 应用变更, 11, 12, 13
	DetailType int
	DetailInfo string
	IP         string
}

// FileOperRecord is one row of security/get_file_oper_record (DOC/98079). Exactly one of UserID and
// ExternalUser is set.
type FileOperRecord struct {
	Time          time.Time
	UserID        string
	ExternalUser  *FileExternalUser
	OperType      int // 101 上传, 103 下载, 112 转发到企业微信, 113 通过链接下载, 10001/10002 通过/拒绝下载申请
	OperSource    int // 401 聊天 402 邮件 403 文档 404 微盘 405 日程; 0 when the type has none
	FileInfo      string
	FileSize      int64
	FileMD5       string
	ApplicantName string
	DeviceType    int
	DeviceCode    string
}

// FileExternalUser is the external_user of a file record: type 1 WeChat user, 2 WeCom user of another corp.
type FileExternalUser struct {
	Type     int
	Name     string
	CorpName string
}

// ScreenOperRecord is one row of security/get_screen_oper_record (DOC/100128; shape from SKIT's
// CgibinSecurityGetScreenOperateRecordResponse sample).
type ScreenOperRecord struct {
	Time              time.Time
	UserID            string
	DepartmentID      int
	ScreenShotType    int // 1 聊天 2 通讯录 3 邮件 4 文件 5 日程 6 其他
	ScreenShotContent string
	System            string
}

type serverDomain struct {
	Domain          string `json:"domain"`
	UniversalDomain string `json:"universal_domian"` // WeCom's own spelling (DOC/100079)
	Protocol        string `json:"protocol"`
	Port            []int  `json:"port"`
	IsNecessary     int    `json:"is_necessary"`
	Description     string `json:"description"`
}

type serverIP struct {
	IP          string `json:"ip"`
	Protocol    string `json:"protocol"`
	Port        []int  `json:"port"`
	IsNecessary int    `json:"is_necessary"`
	Description string `json:"description"`
}

// tmpExternalID is what one tmp_external_userid converts to (idconvert/convert_tmp_external_userid): an
// external contact for user_type 1, a member of another corp for user_types 2-4.
type tmpExternalID struct {
	BusinessType   int // 1 会议 2 收集表 3 智能表/文档: the API that handed it out
	UserType       int
	ExternalUserID string
	CorpID         string
	UserID         string
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

func seedDevices(a *adminState, now time.Time) {
	ago := func(d time.Duration) int64 { return now.Add(-d).Unix() }
	win := func(pc string, macs ...string) *trustDevice {
		return &trustDevice{System: "Windows", MacAddr: macs, MotherboardUUID: "MB-" + pc + "-4C4C4544",
			HarddiskUUID: []string{"HD-" + pc + "-S3Z9NB0K"}, Domain: "EXAMPLE", PCName: pc}
	}
	mac := func(seq string, macs ...string) *trustDevice {
		return &trustDevice{System: "Mac", SeqNo: seq, MacAddr: macs}
	}
	add := func(d *trustDevice, typ, status, source int, user string, login time.Duration) {
		d.Type, d.Status, d.Source = typ, status, source
		if user != "" {
			d.LastLoginUserID, d.LastLoginTime = user, ago(login)
		}
		a.addDevice(d)
	}
	// 可信企业设备 (type 1): imported (1) or confirmed (5).
	d := win("PC-SEC-001", "50:81:40:29:33:CA", "36:27:51:DF:6E:80")
	add(d, 1, 5, 2, "zhangsan", 2*time.Hour)
	d = win("PC-RD-014", "50:81:40:29:34:01")
	d.ConfirmUserID, d.ConfirmTimestamp, d.ApprovedUserID = "lisi", ago(20*24*time.Hour), "zhangsan"
	add(d, 1, 5, 1, "lisi", 30*time.Minute)
	d = mac("C02XK1ABJGH5", "a4:83:e7:11:22:33")
	d.ConfirmUserID, d.ConfirmTimestamp, d.ApprovedUserID = "wangwu", ago(12*24*time.Hour), "wujiu"
	add(d, 1, 5, 3, "wangwu", 5*time.Hour)
	add(win("PC-HR-002", "50:81:40:29:35:10"), 1, 1, 2, "", 0)
	add(mac("FVFZQ2ABCD12", "a4:83:e7:44:55:66"), 1, 1, 2, "", 0)
	// 未知设备 (type 2): awaiting invitation (2) or an admin's decision (3 enterprise, 4 personal).
	add(win("DESKTOP-7QK2M", "00:1a:2b:3c:4d:5e"), 2, 2, 0, "sunqi", 26*time.Hour)
	d = win("LAPTOP-ZL-HOME", "00:1a:2b:3c:4d:6f")
	d.ConfirmUserID, d.ConfirmTimestamp = "zhaoliu", ago(3*time.Hour)
	add(d, 2, 3, 3, "zhaoliu", 3*time.Hour)
	d = mac("C02YL9QWJG5H", "a4:83:e7:77:88:99")
	d.ConfirmUserID, d.ConfirmTimestamp = "wangwu", ago(9*time.Hour)
	add(d, 2, 3, 3, "wangwu", 9*time.Hour)
	d = win("SUNQI-PC", "00:1a:2b:3c:4d:70")
	d.ConfirmUserID, d.ConfirmTimestamp = "sunqi", ago(50*time.Minute)
	add(d, 2, 4, 3, "sunqi", 50*time.Minute)
	d = mac("FVFX81HHQ05D", "a4:83:e7:aa:bb:cc")
	d.ConfirmUserID, d.ConfirmTimestamp = "wujiu", ago(6*time.Hour)
	add(d, 2, 4, 3, "wujiu", 6*time.Hour)
	add(win("WIN-GUEST-09", "00:1a:2b:3c:4d:81"), 2, 2, 0, "wujiu", 4*24*time.Hour)
	// 可信个人设备 (type 3): confirmed personal (6).
	d = mac("C02ZP0LIMD6M", "a4:83:e7:dd:ee:ff")
	d.ConfirmUserID, d.ConfirmTimestamp, d.ApprovedUserID = "lisi", ago(30*24*time.Hour), "zhangsan"
	add(d, 3, 6, 1, "lisi", 8*time.Hour)
	d = win("ZHANGSAN-HOME", "00:1a:2b:3c:4d:92")
	d.ConfirmUserID, d.ConfirmTimestamp, d.ApprovedUserID = "zhangsan", ago(15*24*time.Hour), "wujiu"
	add(d, 3, 6, 3, "zhangsan", 14*time.Hour)
	d = win("ZHAOLIU-LAPTOP", "00:1a:2b:3c:4d:a3")
	d.ConfirmUserID, d.ConfirmTimestamp, d.ApprovedUserID = "zhaoliu", ago(5*24*time.Hour), "zhangsan"
	add(d, 3, 6, 3, "zhaoliu", 2*24*time.Hour)
}

// addDevice gives d a fresh 7-character device_code (WeCom's look, e.g. "49nNtYq") and stores it.
func (a *adminState) addDevice(d *trustDevice) {
	const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	for {
		b := make([]byte, 7)
		for i := range b {
			b[i] = alphabet[a.rng.IntN(len(alphabet))]
		}
		if a.device(string(b)) == nil {
			d.Code = string(b)
			break
		}
	}
	a.devices = append(a.devices, d)
}

// device returns the device with the code, or nil.
func (a *adminState) device(code string) *trustDevice {
	for _, d := range a.devices {
		if d.Code == code {
			return d
		}
	}
	return nil
}

// admSeedTimes returns n times spread over the day that ends `day` days before now, none later than a minute
// before now, so that a window ending at now always contains all of them.
func admSeedTimes(now time.Time, day, n int, rng *rand.Rand) []time.Time {
	end := now.Add(-time.Duration(day) * 24 * time.Hour)
	if day == 0 {
		end = now.Add(-time.Minute)
	}
	out := make([]time.Time, n)
	for i := range out {
		out[i] = end.Add(-time.Duration(rng.Int64N(int64(24*time.Hour - time.Minute)))).Truncate(time.Second)
	}
	return out
}

// seedLogDays is how far back the generated logs reach: beyond one 7-day and one 14-day window, well inside
// WeCom's 180-day horizon.
const seedLogDays = 40

func seedMemberLogs(a *adminState, o *Org, now time.Time, rng *rand.Rand) {
	users := []string{"zhangsan", "lisi", "wangwu", "zhaoliu", "sunqi", "wujiu", "zhouba"}
	devices := []string{"Windows PC-RD-014", "Mac C02XK1ABJGH5", "Windows DESKTOP-7QK2M", "iPhone 15", "Android Mate60"}
	contacts := []string{"陈客户", "林伙伴（合作伙伴有限公司）", "王经理（星河贸易）", "刘总（远景咨询）"}
	type tmpl struct {
		op     int
		weight int
		detail func(u string) string
	}
	pick := func(list []string) string { return list[rng.IntN(len(list))] }
	tmpls := []tmpl{
		{1, 5, func(string) string { return "添加外部联系人：" + pick(contacts) }},
		{2, 1, func(string) string { return "删除外部联系人：" + pick(contacts) }},
		{3, 1, func(string) string { return "标记企业客户：" + pick(contacts) }},
		{4, 6, func(string) string { return "新设备登录：" + pick(devices) }},
		{5, 1, func(string) string { return "更换手机号：138****" + strconv.Itoa(1000+rng.IntN(9000)) }},
		{6, 1, func(string) string { return "绑定微信号" }},
		{8, 1, func(string) string { return "邀请成员：" + pick([]string{"钱十", "郑一", "冯二"}) }},
		{11, 1, func(u string) string { return "修改昵称：" + u + "_" + strconv.Itoa(rng.IntN(100)) }},
		{13, 3, func(string) string { return "副设备登录：" + pick([]string{"iPad", "Mac", "Windows"}) }},
		{15, 1, func(string) string { return "确认高级功能订单" }},
		{16, 1, func(string) string { return "应用变更：安全助手" }},
		{21, 2, func(string) string { return "锁定设备：" + pick(devices) }},
	}
	total := 0
	for _, t := range tmpls {
		total += t.weight
	}
	for day := range seedLogDays {
		for _, at := range admSeedTimes(now, day, 6+rng.IntN(5), rng) {
			n := rng.IntN(total)
			t := tmpls[0]
			for _, c := range tmpls {
				if n < c.weight {
					t = c
					break
				}
				n -= c.weight
			}
			u := pick(users)
			name := u
			if m := o.member(u); m != nil {
				name = m.Name
			}
			a.addMemberLog(MemberOperRecord{Time: at, UserID: u, OperType: t.op, DetailInfo: t.detail(name),
				IP: fmt.Sprintf("183.40.%d.*", 10+rng.IntN(200))})
		}
	}
}

func seedAdminLogs(a *adminState, now time.Time, rng *rand.Rand) {
	admins := []string{"zhangsan", "wujiu", "zhaoliu", "zhouba"}
	type tmpl struct {
		op, detailType int
		detail         string
	}
	tmpls := []tmpl{
		{2, 1, "添加管理员：wujiu（分级管理员-安全管理）"},
		{2, 2, "修改管理员权限：zhaoliu 增加「人事助手」管理权限"},
		{3, 1, "新增成员：钱十（研发部）"},
		{3, 2, "修改成员：孙七 部门由「研发部」调整为「平台组」"},
		{3, 3, "删除成员：郑一"},
		{7, 1, "导出通讯录"},
		{8, 1, "修改应用可见范围：安全助手"},
		{8, 2, "重置应用Secret：安全助手"},
		{11, 1, "修改聊天管理设置：开启消息水印"},
		{12, 1, "修改企业简称"},
		{13, 1, "分配离职成员客户：郑一 → 李四"},
	}
	for day := range seedLogDays {
		for _, at := range admSeedTimes(now, day, 3+rng.IntN(3), rng) {
			t := tmpls[rng.IntN(len(tmpls))]
			a.addAdminLog(AdminOperRecord{Time: at, UserID: admins[rng.IntN(len(admins))], OperType: t.op,
				DetailType: t.detailType, DetailInfo: t.detail,
				IP: fmt.Sprintf("61.40.%d.%d", rng.IntN(256), 1+rng.IntN(254))})
		}
	}
}

func seedFileRecords(a *adminState, now time.Time, rng *rand.Rand) {
	users := []string{"zhangsan", "lisi", "wangwu", "zhaoliu", "sunqi", "wujiu", "zhouba"}
	files := []string{"2024Q3财报.xlsx", "客户名单.csv", "架构设计.pdf", "合同-合作伙伴.docx", "薪酬方案.pptx"}
	types := []int{101, 101, 103, 103, 103, 112, 113, 10001, 10002}
	externals := []FileExternalUser{{Type: 1, Name: "陈客户"}, {Type: 2, Name: "林伙伴", CorpName: "合作伙伴有限公司"}}
	var deviceCodes []string
	for _, d := range a.devices {
		if d.Type == 1 {
			deviceCodes = append(deviceCodes, d.Code)
		}
	}
	for day := range seedLogDays {
		for _, at := range admSeedTimes(now, day, 4+rng.IntN(5), rng) {
			f := files[rng.IntN(len(files))]
			r := FileOperRecord{Time: at, OperType: types[rng.IntN(len(types))], OperSource: 401 + rng.IntN(5),
				FileInfo: f, FileSize: 10_000 + rng.Int64N(5_000_000), FileMD5: fmt.Sprintf("%032x", rng.Uint64())}
			switch r.OperType {
			case 113, 10001, 10002:
				// Link downloads and download applications come from outside the corp.
				ext := externals[rng.IntN(len(externals))]
				r.ExternalUser = &ext
				r.FileInfo = "通过" + users[rng.IntN(6)] + "的链接下载了" + f
				if r.OperType != 113 {
					r.OperSource, r.ApplicantName = 0, ext.Name
				}
			default:
				r.UserID = users[rng.IntN(len(users))]
				if r.OperType == 103 && len(deviceCodes) > 0 {
					r.DeviceType, r.DeviceCode = 1, deviceCodes[rng.IntN(len(deviceCodes))]
				}
			}
			a.addFileRecord(r)
		}
	}
}

func seedScreenRecords(a *adminState, o *Org, now time.Time, rng *rand.Rand) {
	users := []string{"zhangsan", "lisi", "wangwu", "zhaoliu", "sunqi", "wujiu", "zhouba"}
	contents := map[int][]string{
		1: {"聊天"}, 2: {"通讯录"}, 3: {"邮件"}, 4: {"文件（防泄露文件：架构设计.pdf）", "文件（防泄露文件：客户名单.csv）"},
		5: {"日程"}, 6: {"其他"},
	}
	systems := []string{"Windows", "Mac", "iOS", "Android", "iPad"}
	for day := range seedLogDays {
		for _, at := range admSeedTimes(now, day, 2+rng.IntN(3), rng) {
			u := users[rng.IntN(len(users))]
			dept := 1
			if m := o.member(u); m != nil && len(m.Department) > 0 {
				dept = m.Department[len(m.Department)-1]
			}
			typ := 1 + rng.IntN(6)
			a.addScreenRecord(ScreenOperRecord{Time: at, UserID: u, DepartmentID: dept, ScreenShotType: typ,
				ScreenShotContent: contents[typ][rng.IntN(len(contents[typ]))], System: systems[rng.IntN(len(systems))]})
		}
	}
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

// Sorted insertion keeps each log ordered by time (ties in insertion order), which is the order pages are
// served in; appending beyond the bound drops the oldest rows.

func (a *adminState) addMemberLog(r MemberOperRecord) {
	a.memberLogs = admInsertSorted(a.memberLogs, r, func(x MemberOperRecord) time.Time { return x.Time })
}

func (a *adminState) addAdminLog(r AdminOperRecord) {
	a.adminLogs = admInsertSorted(a.adminLogs, r, func(x AdminOperRecord) time.Time { return x.Time })
}

func (a *adminState) addFileRecord(r FileOperRecord) {
	a.fileRecords = admInsertSorted(a.fileRecords, r, func(x FileOperRecord) time.Time { return x.Time })
}

func (a *adminState) addScreenRecord(r ScreenOperRecord) {
	a.screenRecords = admInsertSorted(a.screenRecords, r, func(x ScreenOperRecord) time.Time { return x.Time })
}

func admInsertSorted[T any](list []T, r T, at func(T) time.Time) []T {
	t := at(r)
	i, _ := slices.BinarySearchFunc(list, t, func(x T, t time.Time) int {
		if at(x).After(t) {
			return 1
		}
		return -1 // equal times sort before the new row, keeping insertion order among ties
	})
	list = slices.Insert(list, i, r)
	if len(list) > maxAdminLogRows {
		list = slices.Delete(list, 0, len(list)-maxAdminLogRows)
	}
	return list
}

// AddMemberOperRecord appends a member operation record (security/member_oper_log/list), e.g. a new-device
// login that a test expects the bot to alert on.
func (s *Server) AddMemberOperRecord(r MemberOperRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.org.admin.addMemberLog(r)
}

// AddAdminOperRecord appends an admin operation record (security/admin_oper_log/list).
func (s *Server) AddAdminOperRecord(r AdminOperRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.org.admin.addAdminLog(r)
}

// AddFileOperRecord appends a file operation record (security/get_file_oper_record).
func (s *Server) AddFileOperRecord(r FileOperRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.org.admin.addFileRecord(r)
}

// registerAdminAPIs registers the security, 高级功能, roster and ID-conversion APIs.
func (s *Server) registerAdminAPIs() {
	// Device management, DOC/98920.
	s.handle("POST", "security/trustdevice/import", s.trustDeviceImport)
	s.handle("POST", "security/trustdevice/list", s.trustDeviceList)
	s.handle("POST", "security/trustdevice/get_by_user", s.trustDeviceGetByUser)
	s.handle("POST", "security/trustdevice/delete", s.trustDeviceDelete)
	s.handle("POST", "security/trustdevice/approve", s.trustDeviceApprove)
	s.handle("POST", "security/trustdevice/reject", s.trustDeviceReject)
	// Logs. DOC/100178: "接口调用频率限制为600次/分钟"; the admin log is documented the same way by SDKs only.
	s.handleLimited("POST", "security/member_oper_log/list", 600, s.memberOperLogList)
	s.handleLimited("POST", "security/admin_oper_log/list", 600, s.adminOperLogList)
	s.handle("POST", "security/get_file_oper_record", s.getFileOperRecord)
	s.handle("POST", "security/get_screen_oper_record", s.getScreenOperRecord)
	s.handle("GET", "security/get_server_domain_ip", s.getServerDomainIP)
	// 高级功能账号, DOC/99503, 99505, 99506.
	s.handle("POST", "security/vip/submit_batch_add_job", s.vipSubmitBatchAddJob)
	s.handle("POST", "security/vip/batch_add_job_result", s.vipBatchAddJobResult)
	s.handle("POST", "security/vip/submit_batch_del_job", s.vipSubmitBatchDelJob)
	s.handle("POST", "security/vip/batch_del_job_result", s.vipBatchDelJobResult)
	s.handle("POST", "security/vip/list", s.vipList)
	// Member applications, DOC/99880, 99883, 99885.
	s.handle("POST", "advanced_feature/set_approval_detail", s.setApprovalDetail)
	s.handle("POST", "advanced_feature/get_apply_id_list", s.getApplyIDList)
	s.handle("POST", "advanced_feature/get_approval_info", s.getApprovalInfo)
	// Roster, DOC/99131-99133.
	s.handle("GET", "hr/get_fields", s.hrGetFields)
	s.handle("POST", "hr/get_staff_info", s.hrGetStaffInfo)
	s.handle("POST", "hr/update_staff_info", s.hrUpdateStaffInfo)
	// ID conversion, DOC/95884 and DOC/98729.
	s.handle("POST", "batch/openuserid_to_userid", s.openUserIDToUserID)
	s.handle("POST", "externalcontact/from_service_external_userid", s.fromServiceExternalUserID)
	s.handle("POST", "idconvert/convert_tmp_external_userid", s.convertTmpExternalUserID)
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

// Cursors are opaque to clients. Ours carry the list they belong to, a fingerprint of the query's filters and
// the offset of the next row, so a cursor replayed against a different query is refused instead of silently
// paging the wrong list.

func admFingerprint(parts ...any) uint64 {
	h := fnv.New64a()
	fmt.Fprint(h, parts...)
	return h.Sum64()
}

func admCursor(kind string, fp uint64, offset int) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%s.%x.%d", kind, fp, offset))
}

// admParseCursor returns the offset a cursor points at; "" is the first page.
func admParseCursor(kind string, fp uint64, cursor string) (int, bool) {
	if cursor == "" {
		return 0, true
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return 0, false
	}
	parts := strings.Split(string(b), ".")
	if len(parts) != 3 || parts[0] != kind || parts[1] != strconv.FormatUint(fp, 16) {
		return 0, false
	}
	off, err := strconv.Atoi(parts[2])
	if err != nil || off < 0 {
		return 0, false
	}
	return off, true
}

// admPage is one page of a filtered list: rows [start, end), and the cursor of the rest when there is more.
type admPage struct {
	start, end int
	hasMore    bool
	next       string
}

// admPaginate cuts a page of limit rows out of total, starting where cursor points. A cursor past the end
// yields an empty last page rather than an error: the rows it pointed at may have been deleted since.
func admPaginate(kind string, fp uint64, cursor string, total, limit int, badCursor *apiError) (admPage, *apiError) {
	off, ok := admParseCursor(kind, fp, cursor)
	if !ok {
		return admPage{}, badCursor
	}
	start := min(off, total)
	end := min(start+limit, total)
	p := admPage{start: start, end: end, hasMore: end < total}
	if p.hasMore {
		p.next = admCursor(kind, fp, end)
	}
	return p, nil
}

// admErrBadCursor is WeCom's "分页查询的游标无效" (DOC/90313).
func admErrBadCursor() *apiError { return errf(50100, "invalid cursor") }

// admMask hides the middle of an identifier the way WeCom masks serials and UUIDs of personal devices.
func admMask(s string) string {
	r := []rune(s)
	if len(r) <= 4 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:2]) + strings.Repeat("*", len(r)-4) + string(r[len(r)-2:])
}

// admMaskMAC keeps the vendor prefix and last byte of a MAC address: "50:81:**:**:**:CA".
func admMaskMAC(mac string) string {
	parts := strings.FieldsFunc(mac, func(r rune) bool { return r == ':' || r == '-' })
	if len(parts) != 6 {
		return admMask(mac)
	}
	return strings.Join([]string{parts[0], parts[1], "**", "**", "**", parts[5]}, ":")
}
