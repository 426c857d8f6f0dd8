package security_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/commands/commandtest"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
	"github.com/wecombot/wecombot/wecom/emulator"
)

// memberTruth reads the member log over [start, end] straight from the emulator in its own disjoint
// windows, as the truth to compare a reply with.
func memberTruth(t *testing.T, h *commandtest.Harness, start, end int64, user string, typ int) []wecom.MemberOperLog {
	t.Helper()
	var out []wecom.MemberOperLog
	for lo := start; lo <= end; {
		hi := min(lo+5*24*3600, end)
		qlo := lo
		if hi == lo {
			qlo = lo - 1 // WeCom wants end_time > start_time
		}
		recs, err := wecom.Collect(h.Client.Security.AllMemberOperLogs(t.Context(),
			wecom.OperLogOptions{StartTime: qlo, EndTime: hi, UserID: user, OperType: typ}), 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if r.Time >= lo && r.Time <= hi {
				out = append(out, r)
			}
		}
		lo = hi + 1
	}
	return out
}

type logReq struct {
	StartTime int64  `json:"start_time"`
	EndTime   int64  `json:"end_time"`
	OperType  int    `json:"oper_type"`
	UserID    string `json:"userid"`
	Cursor    string `json:"cursor"`
	Limit     int    `json:"limit"`
}

// windows decodes the log calls and checks they tile one range newest first, each at most span; it
// returns the range.
func windows(t *testing.T, calls []emulator.Call, span time.Duration) (start, end int64, reqs []logReq) {
	t.Helper()
	for _, c := range calls {
		var r logReq
		decode(t, c, &r)
		if r.Cursor != "" { // a later page of the same window
			continue
		}
		reqs = append(reqs, r)
	}
	for i, r := range reqs {
		if r.EndTime <= r.StartTime || time.Duration(r.EndTime-r.StartTime)*time.Second > span {
			t.Fatalf("window %d = [%d, %d]: empty or longer than %v", i, r.StartTime, r.EndTime, span)
		}
		if i > 0 && r.EndTime != reqs[i-1].StartTime {
			t.Fatalf("windows %d and %d do not meet: %+v then %+v", i-1, i, reqs[i-1], r)
		}
	}
	return reqs[len(reqs)-1].StartTime, reqs[0].EndTime, reqs
}

func count(n int, one string) string {
	if n == 1 {
		return "**1** " + one
	}
	s := fmt.Sprint(n)
	if n >= 1000 {
		s = fmt.Sprintf("%d,%03d", n/1000, n%1000)
	}
	return "**" + s + "** " + one + "s"
}

func TestSecurityOplogMember(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	before := time.Now().Unix()
	got := h.Say("wujiu", "/oplog member --user lisi --type new-device-login --since 3d")
	calls := h.Emu.CallsTo("security/member_oper_log/list")
	start, end, reqs := windows(t, calls, 7*24*time.Hour)
	if len(reqs) != 1 || reqs[0].UserID != "lisi" || reqs[0].OperType != 4 || reqs[0].Limit != 400 {
		t.Fatalf("requests %+v; want one window for lisi, oper_type 4, limit 400", reqs)
	}
	// end_time is "小于当前时间" (DOC/100178): the last second before now.
	if end-start != 3*24*3600-1 || end < before-1 || end >= time.Now().Unix() {
		t.Fatalf("window [%d, %d]; want 3 days ending just before now", start, end)
	}
	truth := memberTruth(t, h, start, end, "lisi", 4)
	if len(truth) == 0 {
		says(t, got, "No member operation records from", "member `lisi`", "logged in on a new device (新设备登录)")
	} else {
		// The detail without the label the kind already shows (WeCom writes "新设备登录：…").
		detail := strings.TrimPrefix(truth[len(truth)-1].DetailInfo, "新设备登录：")
		says(t, got, "## Member operation log", "member `lisi`", count(len(truth), "record"),
			fmt.Sprintf("• %d logged in on a new device (新设备登录)", len(truth)), "(新设备登录) · "+detail)
		if contains(got, "(新设备登录) · 新设备登录") {
			t.Fatalf("the label is doubled: %q", got)
		}
	}

	// A month: five 7-day windows; every record once; counts by type in words; the newest first.
	n := len(h.Emu.CallsTo("security/member_oper_log/list"))
	got = h.Say("wujiu", "/oplog member --since 30d")
	start, end, reqs = windows(t, callsSince(h, "security/member_oper_log/list", n), 7*24*time.Hour)
	if len(reqs) != 5 || end-start != 30*24*3600-1 { // ending the second before now
		t.Fatalf("%d windows over [%d, %d]; want 5 over 30 days", len(reqs), start, end)
	}
	truth = memberTruth(t, h, start, end, "", 0)
	newest := truth[len(truth)-1]
	byType := map[wecom.MemberOperType]int{}
	for _, r := range truth {
		byType[r.OperType]++
	}
	// The newest record's detail, less the label its kind shows already ("锁定设备：…" under 锁定设备).
	label := newest.OperType.String()
	if i := strings.LastIndex(label, "("); i >= 0 {
		label = strings.TrimSuffix(label[i+1:], ")")
	}
	newestDetail := strings.TrimLeft(strings.TrimPrefix(newest.DetailInfo, label), "：")
	says(t, got, count(len(truth), "record"), "**Latest:**", newestDetail, "showing 1–20 of "+fmt.Sprint(len(truth))+" — /oplog member --since 30d --page 2")
	for typ, c := range byType {
		says(t, got, fmt.Sprintf("• %d %s", c, typ))
	}
	saysNot(t, got, "record_list", "oper_type")
	got = h.Say("wujiu", "/oplog member --since 30d --page 2")
	says(t, got, "**Page 2, newest first:**", "showing 21–40 of "+fmt.Sprint(len(truth)))

	// --from/--to: whole days in the corp's zone.
	n = len(h.Emu.CallsTo("security/member_oper_log/list"))
	from := time.Now().In(shanghaiZone(t)).AddDate(0, 0, -10).Format("2006-01-02")
	to := time.Now().In(shanghaiZone(t)).AddDate(0, 0, -2).Format("2006-01-02")
	h.Say("wujiu", "/oplog member --type 21 --from "+from+" --to "+to)
	start, end, reqs = windows(t, callsSince(h, "security/member_oper_log/list", n), 7*24*time.Hour)
	wantStart, _ := time.ParseInLocation("2006-01-02", from, shanghaiZone(t))
	wantEnd, _ := time.ParseInLocation("2006-01-02", to, shanghaiZone(t))
	if start != wantStart.Unix() || end != wantEnd.AddDate(0, 0, 1).Unix()-1 || reqs[0].OperType != 21 {
		t.Fatalf("range [%d, %d] type %d; want [%d, %d] (whole days), type 21", start, end, reqs[0].OperType, wantStart.Unix(), wantEnd.AddDate(0, 0, 1).Unix()-1)
	}
	if d := auditDecisions(t, h, "wujiu", "oplog member"); len(d) != 4 || d[0] != db.DecisionOK {
		t.Fatalf("audit of /oplog member = %v; want 4 ok (log reads are audited)", d)
	}
}

func shanghaiZone(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestSecurityOplogMember_limits(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	// Beyond WeCom's 180 days: a clear message and no call.
	got := h.Say("zhangsan", "/oplog member --since 200d")
	says(t, got, "WeCom keeps the member operation log for 180 days", "--since 180d")
	got = h.Say("zhangsan", "/oplog admin --from 2020-01-01")
	says(t, got, "admin operation log for 180 days")
	// The edge itself is fine: 26 windows, the oldest just inside the horizon.
	got = h.Say("zhangsan", "/oplog member --since 180d --type lock-device")
	saysNot(t, got, "errcode")
	if n := len(h.Emu.CallsTo("security/member_oper_log/list")); n != 26 {
		t.Fatalf("%d calls for 180 days; want 26 windows", n)
	}
	for _, line := range []string{"/oplog member --type bogus", "/oplog member --type 10", "/oplog member --user 'li si'",
		"/oplog member --since 3d --from 2026-01-01", "/oplog member --to 2026-01-01"} {
		got := h.Say("zhangsan", line)
		saysNot(t, got, "errcode", "Member operation log")
	}
	if n := len(h.Emu.CallsTo("security/member_oper_log/list")); n != 26 {
		t.Fatalf("invalid input reached WeCom (%d calls)", n)
	}

	// More than 5,000 records: stops there, says so, and shows the newest.
	now := time.Now().Truncate(time.Second)
	for i := 0; i < 5100; i++ {
		h.Emu.AddMemberOperRecord(emulator.MemberOperRecord{Time: now.Add(-time.Hour - time.Duration(i)*time.Second),
			UserID: "wangwu", OperType: 4, DetailInfo: fmt.Sprintf("新设备登录：bulk %d", i), IP: "10.0.0.*"})
	}
	n := len(h.Emu.CallsTo("security/member_oper_log/list"))
	got = h.Say("zhangsan", "/oplog member --user wangwu --since 1d")
	says(t, got, "More than 5,000 records", "Narrow with --user, --type or a shorter range", "**5,000** records")
	if calls := len(callsSince(h, "security/member_oper_log/list", n)); calls != 13 {
		t.Fatalf("%d calls; want 13 pages of 400 (stopping after 5,000)", calls)
	}
}

func TestSecurityOplogMember_errors(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.Emu.Fail("security/member_oper_log/list", 48002, 1)
	got := h.Say("zhangsan", "/oplog member --since 3d")
	says(t, got, "errcode 48002", "「使用分析」", "「可调用接口的应用」")
	got = h.Say("zhangsan", "/oplog member --user zhouba")
	says(t, got, "errcode 60011", "`zhouba` is outside this app's visibility")
	got = h.Say("zhangsan", "/oplog member --user nobody")
	says(t, got, "errcode 60111", "no member `nobody`")
	h.Emu.Fail("security/member_oper_log/list", 45009, 1)
	n := len(h.Emu.CallsTo("security/member_oper_log/list"))
	got = h.Say("zhangsan", "/oplog member --since 3d")
	says(t, got, "WeCom's rate limit for this API (security/member_oper_log/list) is exhausted; try again after")
	var codes []int
	for _, c := range callsSince(h, "security/member_oper_log/list", n) {
		codes = append(codes, c.ErrCode)
	}
	if !slices.Equal(codes, []int{45009}) {
		t.Fatalf("errcodes = %v; want [45009], not retried", codes)
	}
	entries, _ := h.DB.ListAudit(t.Context(), db.AuditFilter{Command: "oplog member", Decision: db.DecisionFailed})
	if len(entries) != 4 || entries[len(entries)-1].ErrCode != 48002 || entries[0].ErrCode != 45009 {
		t.Fatalf("failed reads audited as %+v; want 4, the first with errcode 48002, the last 45009", entries)
	}
}

func TestSecurityOplogAdmin(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	got := h.Say("zhangsan", "/oplog admin --type permission-change --since 10d")
	start, end, reqs := windows(t, h.Emu.CallsTo("security/admin_oper_log/list"), 7*24*time.Hour)
	if len(reqs) != 2 || reqs[0].OperType != 2 || reqs[1].OperType != 2 || end-start != 10*24*3600-1 {
		t.Fatalf("requests %+v; want 2 windows over 10 days with oper_type 2", reqs)
	}
	recs, err := wecom.Collect(h.Client.Security.AllAdminOperLogs(t.Context(),
		wecom.OperLogOptions{StartTime: start, EndTime: start + 7*24*3600 - 1, OperType: 2}), 0)
	if err != nil {
		t.Fatal(err)
	}
	more, err := wecom.Collect(h.Client.Security.AllAdminOperLogs(t.Context(),
		wecom.OperLogOptions{StartTime: start + 7*24*3600, EndTime: end, OperType: 2}), 0)
	if err != nil {
		t.Fatal(err)
	}
	recs = append(recs, more...)
	if len(recs) == 0 {
		says(t, got, "No admin operation records")
	} else {
		says(t, got, "## Admin operation log", count(len(recs), "record"),
			fmt.Sprintf("• %d permission change (权限管理变更)", len(recs)), recs[len(recs)-1].DetailInfo, "IP "+recs[len(recs)-1].IP)
	}

	n := len(h.Emu.CallsTo("security/admin_oper_log/list"))
	h.Say("zhangsan", "/oplog admin --user zhangsan --since 1d")
	_, _, reqs = windows(t, callsSince(h, "security/admin_oper_log/list", n), 7*24*time.Hour)
	if reqs[0].UserID != "zhangsan" || reqs[0].OperType != 0 {
		t.Fatalf("request %+v; want userid zhangsan and no type", reqs[0])
	}
	h.Emu.Fail("security/admin_oper_log/list", 48002, 1)
	says(t, h.Say("zhangsan", "/oplog admin"), "errcode 48002", "admin operation log's 「API」 panel", "可调用接口的应用")
	says(t, h.Say("lisi", "/oplog admin"), "not allowed to run /oplog admin", "oplog.read")
}

func TestSecurityOplogFiles(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.Say("zhangsan", "/oplog files --op download --source drive --user lisi,wangwu,lisi --since 20d")
	calls := h.Emu.CallsTo("security/get_file_oper_record")
	if len(calls) != 2 {
		t.Fatalf("%d calls; want 2 windows of 14 days for 20 days", len(calls))
	}
	type fileReq struct {
		StartTime int64                `json:"start_time"`
		EndTime   int64                `json:"end_time"`
		UserIDs   []string             `json:"userid_list"`
		Operation *wecom.FileOperation `json:"operation"`
		Limit     int                  `json:"limit"`
	}
	var r0, r1 fileReq
	decode(t, calls[0], &r0)
	decode(t, calls[1], &r1)
	if !slices.Equal(r0.UserIDs, []string{"lisi", "wangwu"}) || r0.Operation == nil || r0.Operation.Type != 103 ||
		r0.Operation.Source != 404 || r0.Limit != 1000 || r0.EndTime-r0.StartTime != 14*24*3600 ||
		r1.EndTime != r0.StartTime || r0.EndTime-r1.StartTime != 20*24*3600-1 {
		t.Fatalf("requests %s, %s; want lisi,wangwu, operation 103/404, limit 1000, 14 + 6 days", calls[0].Body, calls[1].Body)
	}

	n := len(h.Emu.CallsTo("security/get_file_oper_record"))
	got := h.Say("zhangsan", "/oplog files --op download --since 14d")
	calls = callsSince(h, "security/get_file_oper_record", n)
	var r fileReq
	decode(t, calls[0], &r)
	if r.UserIDs != nil || r.Operation == nil || r.Operation.Type != 103 || r.Operation.Source != 0 {
		t.Fatalf("request %s; want operation type 103 only", calls[0].Body)
	}
	truth, err := wecom.Collect(h.Client.Security.AllFileOperRecords(t.Context(),
		wecom.FileOperRecordOptions{StartTime: r.StartTime, EndTime: r.EndTime, Operation: &wecom.FileOperation{Type: 103}}), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(truth) == 0 {
		t.Fatalf("the seeded corp has no downloads in 14 days")
	}
	newest := truth[len(truth)-1]
	says(t, got, "## File operation records", count(len(truth), "record"), fmt.Sprintf("• %d download (下载)", len(truth)),
		newest.FileInfo, "`"+newest.UserID+"`", "download (下载) in "+newest.Operation.Source.String())

	// Outsiders and download applications read in words too.
	got = h.Say("zhangsan", "/oplog files --op link-download --since 30d")
	says(t, got, "download via link (通过链接下载)")
	saysNot(t, got, "FileOperType(")

	h.Emu.Fail("security/get_file_oper_record", 48002, 1)
	says(t, h.Say("zhangsan", "/oplog files"), "errcode 48002", "「文件防泄漏 - 可调用接口的应用」")
	h.Emu.Fail("security/get_file_oper_record", 701100, 1)
	says(t, h.Say("zhangsan", "/oplog files --since 100d"), "errcode 701100", "90 days")
	says(t, h.Say("zhangsan", "/oplog files --user zhouba"), "errcode 60011", "`zhouba`")
	n = len(h.Emu.CallsTo("security/get_file_oper_record"))
	says(t, h.Say("zhangsan", "/oplog files --source disk"), "--source must be one of chat, doc, drive, mail, schedule")
	says(t, h.Say("zhangsan", "/oplog files --op teleport"), "--op \"teleport\" is not one WeCom knows", "link-download")
	if len(h.Emu.CallsTo("security/get_file_oper_record")) != n {
		t.Fatalf("invalid filters reached WeCom")
	}
	says(t, h.Say("zhaoliu", "/oplog files"), "not allowed to run /oplog files", "oplog.read")
}

func TestSecurityOplogScreen(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.Say("zhangsan", "/oplog screen --type file --user lisi,wangwu --dept 2,5 --since 20d")
	calls := h.Emu.CallsTo("security/get_screen_oper_record")
	if len(calls) != 2 {
		t.Fatalf("%d calls; want 2 windows", len(calls))
	}
	var req struct {
		StartTime      int64    `json:"start_time"`
		EndTime        int64    `json:"end_time"`
		UserIDs        []string `json:"userid_list"`
		DepartmentIDs  []int    `json:"department_id_list"`
		ScreenShotType int      `json:"screen_shot_type"`
		Limit          int      `json:"limit"`
	}
	decode(t, calls[0], &req)
	if req.ScreenShotType != 4 || !slices.Equal(req.UserIDs, []string{"lisi", "wangwu"}) || !slices.Equal(req.DepartmentIDs, []int{2, 5}) ||
		req.Limit != 1000 || req.EndTime-req.StartTime != 14*24*3600 {
		t.Fatalf("request %s; want type 4, lisi,wangwu, depts 2,5, limit 1000, 14 days", calls[0].Body)
	}

	n := len(h.Emu.CallsTo("security/get_screen_oper_record"))
	got := h.Say("zhangsan", "/oplog screen --since 10d")
	decode(t, callsSince(h, "security/get_screen_oper_record", n)[0], &req)
	truth, err := wecom.Collect(h.Client.Security.AllScreenOperRecords(t.Context(),
		wecom.ScreenOperRecordOptions{StartTime: req.StartTime, EndTime: req.EndTime}), 0)
	if err != nil || len(truth) == 0 {
		t.Fatalf("truth: %d records, %v", len(truth), err)
	}
	newest := truth[len(truth)-1]
	says(t, got, "## Screenshot records", count(len(truth), "record"), "`"+newest.UserID+"`",
		"screenshot of "+newest.ScreenShotType.String(), newest.System)

	h.Emu.Fail("security/get_screen_oper_record", 48002, 1)
	says(t, h.Say("zhangsan", "/oplog screen"), "errcode 48002", "「截屏/录屏管理 - 可调用接口的应用」")
	says(t, h.Say("zhangsan", "/oplog screen --user zhouba"), "errcode 60011", "`zhouba`")
	says(t, h.Say("zhangsan", "/oplog screen --dept 99"), "errcode 60003", "no such department")
	says(t, h.Say("zhangsan", "/oplog screen --dept two"), "not a department id")
	says(t, h.Say("lisi", "/oplog screen"), "not allowed to run /oplog screen", "oplog.read")
}
