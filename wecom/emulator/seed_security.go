package emulator

// The seeded 安全管理 records: trusted devices, member and admin operation logs, file and screen records. All
// are placed relative to the emulator's start and drawn from a fixed seed, so every run sees the same rows.

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

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
