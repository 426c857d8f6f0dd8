package main

// End-to-end tests of the security desk (/devices, /oplog, /domainip): each runs the command through the real
// stack against the emulator and checks both what WeCom received and what the member read.

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wecombot/wecombot/bot/security"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
	"github.com/wecombot/wecombot/wecom/emulator"
)

// secCalls returns the calls to path made since the first n.
func secCalls(s *stack, path string, n int) []emulator.Call {
	calls := s.emu.CallsTo(path)
	if n > len(calls) {
		return nil
	}
	return calls[n:]
}

// secBody decodes a call's JSON body into v, failing the test if it is not JSON.
func secBody(t *testing.T, c emulator.Call, v any) {
	t.Helper()
	if err := json.Unmarshal(c.Body, v); err != nil {
		t.Fatalf("%s body %s: %v", c.Path, c.Body, err)
	}
}

// secWant fails unless every sub is in the replies.
func secWant(t *testing.T, got []string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !contains(got, sub) {
			t.Fatalf("reply lacks %q:\n%s", sub, strings.Join(got, "\n---\n"))
		}
	}
}

// secWantNot fails if any sub is in the replies.
func secWantNot(t *testing.T, got []string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if contains(got, sub) {
			t.Fatalf("reply has %q:\n%s", sub, strings.Join(got, "\n---\n"))
		}
	}
}

// secDevices reads a device list straight from the emulator (through the app's client).
func secDevices(t *testing.T, s *stack, typ wecom.DeviceType) []wecom.Device {
	t.Helper()
	devs, err := wecom.Collect(s.app.client.Security.AllDevices(t.Context(), typ), 0)
	if err != nil {
		t.Fatal(err)
	}
	return devs
}

// secDevice finds a device by its PC name or (unmasked) serial number.
func secDevice(t *testing.T, s *stack, typ wecom.DeviceType, name string) wecom.Device {
	t.Helper()
	for _, d := range secDevices(t, s, typ) {
		if d.PCName == name || d.SeqNo == name {
			return d
		}
	}
	t.Fatalf("no device %q on list %d", name, typ)
	return wecom.Device{}
}

// secDeviceByCode finds a device on any list; ok is false when it is on none.
func secDeviceByCode(t *testing.T, s *stack, code string) (wecom.Device, wecom.DeviceType, bool) {
	t.Helper()
	for _, typ := range []wecom.DeviceType{1, 2, 3} {
		for _, d := range secDevices(t, s, typ) {
			if d.DeviceCode == code {
				return d, typ, true
			}
		}
	}
	return wecom.Device{}, 0, false
}

// secAuditDecisions lists the decisions of the audit entries for exactly command, newest first.
func secAuditDecisions(t *testing.T, s *stack, actor, command string) []string {
	t.Helper()
	entries, err := s.app.db.ListAudit(t.Context(), db.AuditFilter{Actor: actor, Command: command, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.Command == command {
			out = append(out, e.Decision)
		}
	}
	return out
}

// secInterrupt records an open intent for the next callback the bot will store, as a run cut off by a crash
// after its intent was committed leaves behind: the engine must reconcile instead of calling WeCom.
func secInterrupt(t *testing.T, s *stack, actor, command string) {
	t.Helper()
	var next int64
	if err := s.app.db.SQL().QueryRow(`SELECT COALESCE(MAX(id), 0) + 1 FROM inbox`).Scan(&next); err != nil {
		t.Fatal(err)
	}
	prior, err := s.app.db.BeginIntent(t.Context(), &db.Intent{InboxID: next, Actor: actor, Command: command, Args: "{}"})
	if err != nil || prior != nil {
		t.Fatalf("BeginIntent: %v, %v", prior, err)
	}
}

// ---- /devices ----

func TestSecurityDevices_list(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	for _, tc := range []struct {
		line     string
		wantType int
		want     []string
		notWant  []string
	}{
		{"/devices", 1, []string{"Trusted enterprise devices (可信企业设备)", "**5** devices",
			"3 confirmed trusted enterprise device (已确认为可信企业设备)", "2 imported, not logged in yet (已导入未登录)",
			"Windows PC-SEC-001", "`zhangsan`, last login", "Mac C02XK1ABJGH5", "no login yet"}, []string{"LAPTOP-ZL-HOME"}},
		{"/devices unknown", 2, []string{"Unknown devices (未知设备)", "**6** devices", "Windows DESKTOP-7QK2M",
			"awaiting invitation (待邀请)"}, nil},
		{"/devices pending", 2, []string{"awaiting an admin's decision", "**4** devices", "Windows LAPTOP-ZL-HOME",
			"applied by `zhaoliu`", "Windows SUNQI-PC", "awaiting admin confirmation as personal device (待管理员确认为个人设备)",
			"/devices approve CODE"}, []string{"DESKTOP-7QK2M", "WIN-GUEST-09"}},
		{"/devices personal", 3, []string{"Trusted personal devices (可信个人设备)", "**3** devices", "Windows ZHANGSAN-HOME",
			"confirmed trusted personal device (已确认为可信个人设备)"}, []string{"showing"}}, // all on one page: no footer
	} {
		n := len(s.emu.CallsTo("security/trustdevice/list"))
		got := s.say(t, "wujiu", tc.line) // wujiu holds devices.* through the 安全管理员 tag
		calls := secCalls(s, "security/trustdevice/list", n)
		if len(calls) != 1 {
			t.Fatalf("%s: %d list calls; want 1", tc.line, len(calls))
		}
		var body struct {
			Type   int    `json:"type"`
			Cursor string `json:"cursor"`
			Limit  int    `json:"limit"`
		}
		secBody(t, calls[0], &body)
		if body.Type != tc.wantType || body.Cursor != "" || body.Limit < 0 || body.Limit > 100 {
			t.Fatalf("%s: request %s; want type %d, first page", tc.line, calls[0].Body, tc.wantType)
		}
		secWant(t, got, tc.want...)
		secWantNot(t, got, tc.notWant...)
		secWantNot(t, got, "{", "device_code") // never raw JSON
	}
	if d := secAuditDecisions(t, s, "wujiu", "devices"); len(d) != 4 || d[0] != db.DecisionOK {
		t.Fatalf("audit of /devices = %v; want 4 ok (device lists are audited)", d)
	}
}

func TestSecurityDevices_pagesAndCursor(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	// 150 more trusted devices: the list takes two pages of 100, the reply eight of 20.
	for batch := 0; batch < 2; batch++ {
		var devs []wecom.DeviceImport
		for i := 0; i < 75; i++ {
			devs = append(devs, wecom.DeviceImport{System: "Windows", PCName: fmt.Sprintf("BULK-%d-%02d", batch, i),
				MacAddr: []string{fmt.Sprintf("02:00:00:00:%02X:%02X", batch, i)}})
		}
		if _, err := s.app.client.Security.ImportDevices(t.Context(), devs); err != nil {
			t.Fatal(err)
		}
	}
	n := len(s.emu.CallsTo("security/trustdevice/list"))
	got := s.say(t, "zhangsan", "/devices")
	calls := secCalls(s, "security/trustdevice/list", n)
	if len(calls) != 2 {
		t.Fatalf("%d list calls; want 2 (155 devices, 100 a page)", len(calls))
	}
	var second struct {
		Type   int    `json:"type"`
		Cursor string `json:"cursor"`
	}
	secBody(t, calls[1], &second)
	if second.Type != 1 || second.Cursor == "" {
		t.Fatalf("second request %s; want type 1 with the first page's cursor", calls[1].Body)
	}
	secWant(t, got, "**155** devices", "showing 1–20 of 155 — /devices --page 2")
	got = s.say(t, "zhangsan", "/devices trusted --page 8")
	secWant(t, got, "showing 141–155 of 155")
	secWantNot(t, got, "--page 9")
	got = s.say(t, "zhangsan", "/devices --page 9")
	secWant(t, got, "page 9 is past the end: 155 in all (8 pages)")
}

func TestSecurityDevices_refused(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	for _, tc := range []struct{ user, line, perm string }{
		{"lisi", "/devices", "devices.read"},
		{"lisi", "/devices user lisi", "devices.read"},
		{"zhaoliu", "/devices pending", "devices.read"}, // approvers and hr: no device permission
		{"lisi", "/devices approve 49nNtYq", "devices.write"},
		{"sunqi", "/devices reject 49nNtYq", "devices.write"},
		{"wangwu", "/devices delete 49nNtYq --type trusted", "devices.write"},
		{"zhaoliu", "/devices import mac C02XK1ABJGH5", "devices.write"},
	} {
		got := s.say(t, tc.user, tc.line)
		secWant(t, got, "not allowed to run", tc.perm)
	}
	for _, path := range []string{"security/trustdevice/list", "security/trustdevice/approve", "security/trustdevice/import"} {
		if n := len(s.emu.CallsTo(path)); n != 0 {
			t.Errorf("%d calls to %s for refused members; want none", n, path)
		}
	}
	if d := secAuditDecisions(t, s, "lisi", "devices approve"); len(d) != 1 || d[0] != db.DecisionDenied {
		t.Fatalf("lisi's refused approve audited as %v; want [denied]", d)
	}
}

func TestSecurityDevices_errors(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	s.emu.Fail("security/trustdevice/list", 48002, 1)
	got := s.say(t, "zhangsan", "/devices")
	secWant(t, got, "errcode 48002", "「安全与管理 - 设备管理 - 可调用接口的应用」")
	// 45009 is a blocked quota (DOC/90454), not a blip: no retries; the member is told when to try again, and
	// the bot does not call the API again meanwhile.
	s.emu.Fail("security/trustdevice/list", 45009, 1)
	n := len(s.emu.CallsTo("security/trustdevice/list"))
	got = s.say(t, "zhangsan", "/devices")
	secWant(t, got, "WeCom's rate limit for this API (security/trustdevice/list) is exhausted; try again after")
	got = s.say(t, "zhangsan", "/devices")
	secWant(t, got, "is exhausted; try again after")
	if calls := secCalls(s, "security/trustdevice/list", n); len(calls) != 1 || calls[0].ErrCode != 45009 {
		t.Fatalf("list calls after a 45009: %d; want the one refused", len(calls))
	}
	// Input is checked before WeCom is asked.
	got = s.say(t, "zhangsan", "/devices everything")
	secWant(t, got, `"everything" is not a valid list`)
	if len(s.emu.CallsTo("security/trustdevice/list")) != n+1 {
		t.Fatalf("a bad list name reached WeCom")
	}
}

func TestSecurityDevicesUser(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	n := len(s.emu.CallsTo("security/trustdevice/get_by_user"))
	got := s.say(t, "zhangsan", "/devices user zhangsan")
	calls := secCalls(s, "security/trustdevice/get_by_user", n)
	var types []int
	for _, c := range calls {
		var body struct {
			UserID string `json:"last_login_userid"`
			Type   int    `json:"type"`
		}
		secBody(t, c, &body)
		if body.UserID != "zhangsan" {
			t.Fatalf("request %s; want last_login_userid zhangsan", c.Body)
		}
		types = append(types, body.Type)
	}
	if !slices.Equal(types, []int{1, 2, 3}) {
		t.Fatalf("types asked = %v; want all three lists", types)
	}
	secWant(t, got, "Devices `zhangsan` last logged in on", "2 devices", "Windows PC-SEC-001", "Windows ZHANGSAN-HOME",
		"**Unknown devices (未知设备)**: none")

	n = len(s.emu.CallsTo("security/trustdevice/get_by_user"))
	got = s.say(t, "zhangsan", "/devices user sunqi --type unknown")
	calls = secCalls(s, "security/trustdevice/get_by_user", n)
	if len(calls) != 1 || !strings.Contains(string(calls[0].Body), `"type":2`) {
		t.Fatalf("--type unknown asked %v", calls)
	}
	secWant(t, got, "Windows DESKTOP-7QK2M", "Windows SUNQI-PC")

	got = s.say(t, "zhangsan", "/devices user lisi --type unknown")
	secWant(t, got, "`lisi` last logged in on no device on the unknown devices (未知设备) list")

	// WeCom's member errors name the member.
	got = s.say(t, "zhangsan", "/devices user zhouba")
	secWant(t, got, "errcode 60011", "`zhouba` is outside this app's visibility")
	got = s.say(t, "zhangsan", "/devices user nosuchuser")
	secWant(t, got, "errcode 60111", "there is no member `nosuchuser`")
	n = len(s.emu.CallsTo("security/trustdevice/get_by_user"))
	got = s.say(t, "zhangsan", "/devices user 张三")
	secWant(t, got, `"张三" is not a valid userid`)
	s.emu.Fail("security/trustdevice/get_by_user", 48002, 1)
	got = s.say(t, "zhangsan", "/devices user lisi")
	secWant(t, got, "errcode 48002", "可调用接口的应用")
	if len(s.emu.CallsTo("security/trustdevice/get_by_user")) != n+1 {
		t.Fatalf("an invalid userid reached WeCom")
	}
}

func TestSecurityDevicesApprove(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	c3 := secDevice(t, s, wecom.DeviceUnknown, "LAPTOP-ZL-HOME").DeviceCode // status 3, zhaoliu's
	c4 := secDevice(t, s, wecom.DeviceUnknown, "SUNQI-PC").DeviceCode       // status 4, sunqi's
	c2 := secDevice(t, s, wecom.DeviceUnknown, "DESKTOP-7QK2M").DeviceCode  // status 2: not awaiting a decision

	got := s.say(t, "zhangsan", fmt.Sprintf("/devices approve %s %s %s %s", c3, c4, c2, c3))
	secWant(t, got, "Approve 2 devices", "1 of the 3 codes will fail", c3, "`zhaoliu`", "becomes a trusted enterprise device",
		c4, "`sunqi`", "becomes a trusted personal device", c2, "not awaiting confirmation: WeCom will refuse it", "Reply **yes**")
	if n := len(s.emu.CallsTo("security/trustdevice/approve")); n != 0 {
		t.Fatalf("approve called %d times before confirmation", n)
	}
	got = s.say(t, "zhangsan", "yes")
	calls := s.emu.CallsTo("security/trustdevice/approve")
	if len(calls) != 1 {
		t.Fatalf("approve called %d times; want once", len(calls))
	}
	var body struct {
		Codes []string `json:"device_code_list"`
	}
	secBody(t, calls[0], &body)
	if diff := cmp.Diff([]string{c3, c4, c2}, body.Codes); diff != "" {
		t.Fatalf("device_code_list (-want +got; repeats dropped):\n%s", diff)
	}
	secWant(t, got, "Approved 2 of 3 devices", "confirmed trusted enterprise device (已确认为可信企业设备)",
		"confirmed trusted personal device (已确认为可信个人设备)", "not approved", "awaiting invitation (待邀请)")
	if d, typ, _ := secDeviceByCode(t, s, c3); typ != wecom.DeviceTrustedCorp || d.Status != wecom.DeviceConfirmedCorp {
		t.Fatalf("after approve, %s is on list %d with status %d; want trusted enterprise, 5", c3, typ, d.Status)
	}
	if d, typ, _ := secDeviceByCode(t, s, c4); typ != wecom.DeviceTrustedPersonal || d.Status != wecom.DeviceConfirmedPersonal {
		t.Fatalf("after approve, %s is on list %d with status %d; want trusted personal, 6", c4, typ, d.Status)
	}
	if d := secAuditDecisions(t, s, "zhangsan", "devices approve"); !slices.Equal(d, []string{db.DecisionOK, db.DecisionProposed}) {
		t.Fatalf("audit = %v; want [ok proposed]", d)
	}

	// Nothing left to approve: refused at the preview, no confirmation asked, WeCom not called.
	got = s.say(t, "zhangsan", "/devices approve "+c3+" "+c2+" NoSuch1")
	secWant(t, got, "Nothing to approve", "no device with this code")
	secWantNot(t, got, "Reply **yes**")
	secWant(t, s.say(t, "zhangsan", "yes"), "Nothing is waiting")
	if n := len(s.emu.CallsTo("security/trustdevice/approve")); n != 1 {
		t.Fatalf("approve called %d times; want still 1", n)
	}
	// Codes are checked before anything is read.
	got = s.say(t, "zhangsan", "/devices approve bad/code")
	secWant(t, got, `"bad/code" is not a valid code`)
}

func TestSecurityDevicesReject(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	mac := secDevice(t, s, wecom.DeviceUnknown, "C02YL9QWJG5H").DeviceCode // status 3, wangwu's Mac
	got := s.say(t, "wujiu", "/devices reject "+mac)
	secWant(t, got, "Reject 1 device", "`wangwu`", "its application is refused")
	got = s.say(t, "wujiu", "yes")
	calls := s.emu.CallsTo("security/trustdevice/reject")
	if len(calls) != 1 {
		t.Fatalf("reject called %d times", len(calls))
	}
	var body struct {
		Codes []string `json:"device_code_list"`
	}
	secBody(t, calls[0], &body)
	if !slices.Equal(body.Codes, []string{mac}) {
		t.Fatalf("device_code_list = %v; want [%s]", body.Codes, mac)
	}
	secWant(t, got, "Rejected 1 of 1 device", "rejected", "awaiting invitation (待邀请)")
	if d, typ, _ := secDeviceByCode(t, s, mac); typ != wecom.DeviceUnknown || d.Status != wecom.DeviceAwaitingInvitation {
		t.Fatalf("after reject: list %d status %d; want unknown, awaiting invitation", typ, d.Status)
	}
	if d := secAuditDecisions(t, s, "wujiu", "devices reject"); !slices.Equal(d, []string{db.DecisionOK, db.DecisionProposed}) {
		t.Fatalf("audit = %v", d)
	}
}

func TestSecurityDevicesDecide_errors(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	c := secDevice(t, s, wecom.DeviceUnknown, "LAPTOP-ZL-HOME").DeviceCode
	s.emu.Fail("security/trustdevice/approve", 48002, 1)
	s.say(t, "zhangsan", "/devices approve "+c)
	got := s.say(t, "zhangsan", "yes")
	secWant(t, got, "/devices approve failed", "errcode 48002", "「安全与管理 - 设备管理 - 可调用接口的应用」")
	entries, _ := s.app.db.ListAudit(t.Context(), db.AuditFilter{Command: "devices approve", Limit: 1})
	if len(entries) != 1 || entries[0].Decision != db.DecisionFailed || entries[0].ErrCode != 48002 {
		t.Fatalf("audit = %+v; want failed with errcode 48002", entries)
	}
	s.emu.Fail("security/trustdevice/reject", 40058, 1)
	s.say(t, "zhangsan", "/devices reject "+c)
	got = s.say(t, "zhangsan", "yes")
	secWant(t, got, "/devices reject failed", "errcode 40058", "WeCom rejected a parameter")
	// 45009 on the approve is not retried: the member is told when to try again, and nothing changed.
	s.emu.Fail("security/trustdevice/approve", 45009, 1)
	nApprove := len(s.emu.CallsTo("security/trustdevice/approve"))
	s.say(t, "zhangsan", "/devices approve "+c)
	got = s.say(t, "zhangsan", "yes")
	secWant(t, got, "/devices approve failed", "WeCom's rate limit for this API (security/trustdevice/approve) is exhausted; try again after")
	if d, _, _ := secDeviceByCode(t, s, c); d.Status == wecom.DeviceConfirmedCorp {
		t.Fatalf("approved despite the 45009")
	}
	if calls := s.emu.CallsTo("security/trustdevice/approve")[nApprove:]; len(calls) != 1 || calls[0].ErrCode != 45009 {
		t.Fatalf("approve calls after the fault: %+v; want the one 45009, not retried", calls)
	}
}

func TestSecurityDevicesDelete(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	p := secDevice(t, s, wecom.DeviceTrustedPersonal, "ZHAOLIU-LAPTOP").DeviceCode
	trusted := secDevice(t, s, wecom.DeviceTrustedCorp, "PC-HR-002").DeviceCode
	n := len(s.emu.CallsTo("security/trustdevice/list"))
	got := s.say(t, "zhangsan", "/devices delete "+p)
	secWant(t, got, "--type is required", "trusted, unknown or personal")
	if len(s.emu.CallsTo("security/trustdevice/list")) != n {
		t.Fatalf("a delete without --type read the lists")
	}
	got = s.say(t, "zhangsan", "/devices delete "+trusted+" --type personal")
	secWant(t, got, "Nothing to delete", "not on this list")

	got = s.say(t, "zhangsan", "/devices delete "+p+" --type personal")
	secWant(t, got, "Delete 1 device from the trusted personal devices (可信个人设备) list", "`zhaoliu`", "no longer trusted")
	got = s.say(t, "zhangsan", "yes")
	calls := s.emu.CallsTo("security/trustdevice/delete")
	if len(calls) != 1 {
		t.Fatalf("delete called %d times", len(calls))
	}
	var body struct {
		Type  int      `json:"type"`
		Codes []string `json:"device_code_list"`
	}
	secBody(t, calls[0], &body)
	if body.Type != 3 || !slices.Equal(body.Codes, []string{p}) {
		t.Fatalf("delete request %s; want type 3, [%s]", calls[0].Body, p)
	}
	secWant(t, got, "Deleted 1 of 1 device", "gone")
	if _, _, ok := secDeviceByCode(t, s, p); ok {
		t.Fatalf("%s still listed after delete", p)
	}
	if d := secAuditDecisions(t, s, "zhangsan", "devices delete"); !slices.Equal(d, []string{db.DecisionOK, db.DecisionProposed}) {
		t.Fatalf("audit = %v", d)
	}

	s.emu.Fail("security/trustdevice/delete", 48002, 1)
	s.say(t, "zhangsan", "/devices delete "+trusted+" --type trusted")
	got = s.say(t, "zhangsan", "yes")
	secWant(t, got, "/devices delete failed", "errcode 48002", "可调用接口的应用")
	if _, _, ok := secDeviceByCode(t, s, trusted); !ok {
		t.Fatalf("a refused delete removed the device")
	}
}

func TestSecurityDevicesImport(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	got := s.say(t, "zhangsan", "/devices import windows 50:81:40:29:aa:01,50-81-40-29-AA-02 --pc-name PC-NEW-01 --domain CORP")
	secWant(t, got, "Import 1 Windows PC as trusted enterprise devices", "`50:81:40:29:AA:01`", "`50:81:40:29:AA:02`", "`PC-NEW-01`", "`CORP`")
	if n := len(s.emu.CallsTo("security/trustdevice/import")); n != 0 {
		t.Fatalf("import called before confirmation")
	}
	got = s.say(t, "zhangsan", "yes")
	calls := s.emu.CallsTo("security/trustdevice/import")
	if len(calls) != 1 {
		t.Fatalf("import called %d times", len(calls))
	}
	var body struct {
		DeviceList []map[string]any `json:"device_list"`
	}
	secBody(t, calls[0], &body)
	want := []map[string]any{{"system": "Windows", "mac_addr": []any{"50:81:40:29:AA:01", "50:81:40:29:AA:02"}, "pc_name": "PC-NEW-01", "domain": "CORP"}}
	if diff := cmp.Diff(want, body.DeviceList); diff != "" {
		t.Fatalf("device_list (-want +got):\n%s", diff)
	}
	secWant(t, got, "Imported 1 of 1 device", "imported (成功)</font> as")
	d := secDevice(t, s, wecom.DeviceTrustedCorp, "PC-NEW-01")
	secWant(t, got, d.DeviceCode)
	if d.Status != wecom.DeviceImportedNotLoggedIn {
		t.Fatalf("imported device status %d; want 1", d.Status)
	}

	// Two Macs, one of them already known: per-device outcomes in words.
	existing := secDevice(t, s, wecom.DeviceTrustedCorp, "C02XK1ABJGH5").DeviceCode
	s.say(t, "zhangsan", "/devices import mac C02XK1ABJGH5 c02new00x1y2")
	got = s.say(t, "zhangsan", "yes")
	calls = s.emu.CallsTo("security/trustdevice/import")
	body.DeviceList = nil
	secBody(t, calls[len(calls)-1], &body)
	want = []map[string]any{{"system": "Mac", "seq_no": "C02XK1ABJGH5"}, {"system": "Mac", "seq_no": "C02NEW00X1Y2"}}
	if diff := cmp.Diff(want, body.DeviceList); diff != "" {
		t.Fatalf("device_list (-want +got):\n%s", diff)
	}
	secWant(t, got, "Imported 1 of 2 devices", "already imported (重复导入)</font>: it is `"+existing+"`", "imported (成功)</font> as")

	// Checked before anything is asked.
	n := len(s.emu.CallsTo("security/trustdevice/import"))
	secWant(t, s.say(t, "zhangsan", "/devices import windows 50:81:40:29:AA"), "not a MAC address")
	secWant(t, s.say(t, "zhangsan", "/devices import windows 02:00:00:00:00:01 02:00:00:00:00:02 --pc-name X"),
		"--pc-name describes one device")
	secWant(t, s.say(t, "zhangsan", "/devices import mac C02XK1ABJGH5 C02NEW00X1Y3 --mac 02:00:00:00:00:01"), "--mac describes one device")
	secWant(t, s.say(t, "zhangsan", "/devices import mac bad-serial!"), "is not a valid serial")
	if len(s.emu.CallsTo("security/trustdevice/import")) != n {
		t.Fatalf("invalid imports reached WeCom")
	}

	s.emu.Fail("security/trustdevice/import", 48002, 1)
	s.say(t, "zhangsan", "/devices import mac C02NEW00X1Y9 --mac 02:00:00:00:00:09")
	got = s.say(t, "zhangsan", "yes")
	secWant(t, got, "/devices import mac failed", "errcode 48002", "可调用接口的应用")
	s.emu.Fail("security/trustdevice/import", 40058, 1)
	s.say(t, "zhangsan", "/devices import mac C02NEW00X1Y9")
	secWant(t, s.say(t, "zhangsan", "yes"), "errcode 40058")
	if d := secAuditDecisions(t, s, "zhangsan", "devices import mac"); len(d) != 6 || d[0] != db.DecisionFailed {
		t.Fatalf("audit of /devices import mac = %v; want proposed/ok/proposed/failed/proposed/failed, newest first", d)
	}
}

// TestSecurityDevices_reconcile replays a confirmed command whose intent was recorded before a crash: the bot
// reads the devices back and reports, and does not call WeCom's mutating API again.
func TestSecurityDevices_reconcile(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	c := secDevice(t, s, wecom.DeviceUnknown, "LAPTOP-ZL-HOME").DeviceCode
	s.say(t, "zhangsan", "/devices approve "+c)
	secInterrupt(t, s, "zhangsan", "devices approve")
	got := s.say(t, "zhangsan", "yes")
	secWant(t, got, "interrupted by a restart, so it was not repeated", c, "still awaiting a decision: not approved",
		"Send `/devices approve` again")
	if n := len(s.emu.CallsTo("security/trustdevice/approve")); n != 0 {
		t.Fatalf("approve called %d times during reconciliation", n)
	}

	p := secDevice(t, s, wecom.DeviceTrustedPersonal, "ZHANGSAN-HOME").DeviceCode
	s.say(t, "zhangsan", "/devices delete "+p+" --type personal")
	secInterrupt(t, s, "zhangsan", "devices delete")
	got = s.say(t, "zhangsan", "yes")
	secWant(t, got, "interrupted by a restart", "still there", "Windows ZHANGSAN-HOME")
	if n := len(s.emu.CallsTo("security/trustdevice/delete")); n != 0 {
		t.Fatalf("delete called during reconciliation")
	}

	// An import that did happen before the crash is found on the list.
	s.say(t, "zhangsan", "/devices import mac C02REC0NC1LE")
	s.say(t, "zhangsan", "yes")
	s.say(t, "zhangsan", "/devices import mac C02REC0NC1LE C02REC0NC1LF")
	secInterrupt(t, s, "zhangsan", "devices import mac")
	got = s.say(t, "zhangsan", "yes")
	imported := secDevice(t, s, wecom.DeviceTrustedCorp, "C02REC0NC1LE").DeviceCode
	secWant(t, got, "/devices import mac was interrupted by a restart", imported, "not on the list", "重复导入")
	if n := len(s.emu.CallsTo("security/trustdevice/import")); n != 1 {
		t.Fatalf("import called %d times; want only the first, confirmed run", n)
	}
	entries, _ := s.app.db.ListAudit(t.Context(), db.AuditFilter{Command: "devices import mac", Limit: 1})
	if len(entries) != 1 || !strings.Contains(entries[0].Result, "interrupted") {
		t.Fatalf("audit = %+v; want the reconciliation recorded", entries)
	}
}

// ---- /oplog ----

// secMemberTruth reads the member log over [start, end] straight from the emulator in its own disjoint
// windows, as the truth to compare a reply with.
func secMemberTruth(t *testing.T, s *stack, start, end int64, user string, typ int) []wecom.MemberOperLog {
	t.Helper()
	var out []wecom.MemberOperLog
	for lo := start; lo <= end; {
		hi := min(lo+5*24*3600, end)
		qlo := lo
		if hi == lo {
			qlo = lo - 1 // WeCom wants end_time > start_time
		}
		recs, err := wecom.Collect(s.app.client.Security.AllMemberOperLogs(t.Context(),
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

type secLogReq struct {
	StartTime int64  `json:"start_time"`
	EndTime   int64  `json:"end_time"`
	OperType  int    `json:"oper_type"`
	UserID    string `json:"userid"`
	Cursor    string `json:"cursor"`
	Limit     int    `json:"limit"`
}

// secWindows decodes the log calls and checks they tile one range newest first, each at most span; it
// returns the range.
func secWindows(t *testing.T, calls []emulator.Call, span time.Duration) (start, end int64, reqs []secLogReq) {
	t.Helper()
	for _, c := range calls {
		var r secLogReq
		secBody(t, c, &r)
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

func secCount(n int, one string) string {
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
	s := startStack(t, emulator.Options{}, nil)
	before := time.Now().Unix()
	got := s.say(t, "wujiu", "/oplog member --user lisi --type new-device-login --since 3d")
	calls := s.emu.CallsTo("security/member_oper_log/list")
	start, end, reqs := secWindows(t, calls, 7*24*time.Hour)
	if len(reqs) != 1 || reqs[0].UserID != "lisi" || reqs[0].OperType != 4 || reqs[0].Limit != 400 {
		t.Fatalf("requests %+v; want one window for lisi, oper_type 4, limit 400", reqs)
	}
	// end_time is "小于当前时间" (DOC/100178): the last second before now.
	if end-start != 3*24*3600-1 || end < before-1 || end >= time.Now().Unix() {
		t.Fatalf("window [%d, %d]; want 3 days ending just before now", start, end)
	}
	truth := secMemberTruth(t, s, start, end, "lisi", 4)
	if len(truth) == 0 {
		secWant(t, got, "No member operation records from", "member `lisi`", "logged in on a new device (新设备登录)")
	} else {
		secWant(t, got, "## Member operation log", "member `lisi`", secCount(len(truth), "record"),
			fmt.Sprintf("• %d logged in on a new device (新设备登录)", len(truth)), truth[len(truth)-1].DetailInfo)
	}

	// A month: five 7-day windows; every record once; counts by type in words; the newest first.
	n := len(s.emu.CallsTo("security/member_oper_log/list"))
	got = s.say(t, "wujiu", "/oplog member --since 30d")
	start, end, reqs = secWindows(t, secCalls(s, "security/member_oper_log/list", n), 7*24*time.Hour)
	if len(reqs) != 5 || end-start != 30*24*3600-1 { // ending the second before now
		t.Fatalf("%d windows over [%d, %d]; want 5 over 30 days", len(reqs), start, end)
	}
	truth = secMemberTruth(t, s, start, end, "", 0)
	newest := truth[len(truth)-1]
	byType := map[wecom.MemberOperType]int{}
	for _, r := range truth {
		byType[r.OperType]++
	}
	secWant(t, got, secCount(len(truth), "record"), "**Latest:**", newest.DetailInfo, "showing 1–20 of "+fmt.Sprint(len(truth))+" — /oplog member --since 30d --page 2")
	for typ, c := range byType {
		secWant(t, got, fmt.Sprintf("• %d %s", c, typ))
	}
	secWantNot(t, got, "record_list", "oper_type")
	got = s.say(t, "wujiu", "/oplog member --since 30d --page 2")
	secWant(t, got, "**Page 2, newest first:**", "showing 21–40 of "+fmt.Sprint(len(truth)))

	// --from/--to: whole days in the corp's zone.
	n = len(s.emu.CallsTo("security/member_oper_log/list"))
	from := time.Now().In(shanghaiZone(t)).AddDate(0, 0, -10).Format("2006-01-02")
	to := time.Now().In(shanghaiZone(t)).AddDate(0, 0, -2).Format("2006-01-02")
	s.say(t, "wujiu", "/oplog member --type 21 --from "+from+" --to "+to)
	start, end, reqs = secWindows(t, secCalls(s, "security/member_oper_log/list", n), 7*24*time.Hour)
	wantStart, _ := time.ParseInLocation("2006-01-02", from, shanghaiZone(t))
	wantEnd, _ := time.ParseInLocation("2006-01-02", to, shanghaiZone(t))
	if start != wantStart.Unix() || end != wantEnd.AddDate(0, 0, 1).Unix()-1 || reqs[0].OperType != 21 {
		t.Fatalf("range [%d, %d] type %d; want [%d, %d] (whole days), type 21", start, end, reqs[0].OperType, wantStart.Unix(), wantEnd.AddDate(0, 0, 1).Unix()-1)
	}
	if d := secAuditDecisions(t, s, "wujiu", "oplog member"); len(d) != 4 || d[0] != db.DecisionOK {
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
	s := startStack(t, emulator.Options{}, nil)
	// Beyond WeCom's 180 days: a clear message and no call.
	got := s.say(t, "zhangsan", "/oplog member --since 200d")
	secWant(t, got, "WeCom keeps the member operation log for 180 days", "--since 180d")
	got = s.say(t, "zhangsan", "/oplog admin --from 2020-01-01")
	secWant(t, got, "admin operation log for 180 days")
	// The edge itself is fine: 26 windows, the oldest just inside the horizon.
	got = s.say(t, "zhangsan", "/oplog member --since 180d --type lock-device")
	secWantNot(t, got, "errcode")
	if n := len(s.emu.CallsTo("security/member_oper_log/list")); n != 26 {
		t.Fatalf("%d calls for 180 days; want 26 windows", n)
	}
	for _, line := range []string{"/oplog member --type bogus", "/oplog member --type 10", "/oplog member --user 'li si'",
		"/oplog member --since 3d --from 2026-01-01", "/oplog member --to 2026-01-01"} {
		got := s.say(t, "zhangsan", line)
		secWantNot(t, got, "errcode", "Member operation log")
	}
	if n := len(s.emu.CallsTo("security/member_oper_log/list")); n != 26 {
		t.Fatalf("invalid input reached WeCom (%d calls)", n)
	}

	// More than 5,000 records: stops there, says so, and shows the newest.
	now := time.Now().Truncate(time.Second)
	for i := 0; i < 5100; i++ {
		s.emu.AddMemberOperRecord(emulator.MemberOperRecord{Time: now.Add(-time.Hour - time.Duration(i)*time.Second),
			UserID: "wangwu", OperType: 4, DetailInfo: fmt.Sprintf("新设备登录：bulk %d", i), IP: "10.0.0.*"})
	}
	n := len(s.emu.CallsTo("security/member_oper_log/list"))
	got = s.say(t, "zhangsan", "/oplog member --user wangwu --since 1d")
	secWant(t, got, "More than 5,000 records", "Narrow with --user, --type or a shorter range", "**5,000** records")
	if calls := len(secCalls(s, "security/member_oper_log/list", n)); calls != 13 {
		t.Fatalf("%d calls; want 13 pages of 400 (stopping after 5,000)", calls)
	}
}

func TestSecurityOplogMember_errors(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	s.emu.Fail("security/member_oper_log/list", 48002, 1)
	got := s.say(t, "zhangsan", "/oplog member --since 3d")
	secWant(t, got, "errcode 48002", "「使用分析」", "「可调用接口的应用」")
	got = s.say(t, "zhangsan", "/oplog member --user zhouba")
	secWant(t, got, "errcode 60011", "`zhouba` is outside this app's visibility")
	got = s.say(t, "zhangsan", "/oplog member --user nobody")
	secWant(t, got, "errcode 60111", "no member `nobody`")
	s.emu.Fail("security/member_oper_log/list", 45009, 1)
	n := len(s.emu.CallsTo("security/member_oper_log/list"))
	got = s.say(t, "zhangsan", "/oplog member --since 3d")
	secWant(t, got, "WeCom's rate limit for this API (security/member_oper_log/list) is exhausted; try again after")
	var codes []int
	for _, c := range secCalls(s, "security/member_oper_log/list", n) {
		codes = append(codes, c.ErrCode)
	}
	if !slices.Equal(codes, []int{45009}) {
		t.Fatalf("errcodes = %v; want [45009], not retried", codes)
	}
	entries, _ := s.app.db.ListAudit(t.Context(), db.AuditFilter{Command: "oplog member", Decision: db.DecisionFailed})
	if len(entries) != 4 || entries[len(entries)-1].ErrCode != 48002 || entries[0].ErrCode != 45009 {
		t.Fatalf("failed reads audited as %+v; want 4, the first with errcode 48002, the last 45009", entries)
	}
}

func TestSecurityOplogAdmin(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	got := s.say(t, "zhangsan", "/oplog admin --type permission-change --since 10d")
	start, end, reqs := secWindows(t, s.emu.CallsTo("security/admin_oper_log/list"), 7*24*time.Hour)
	if len(reqs) != 2 || reqs[0].OperType != 2 || reqs[1].OperType != 2 || end-start != 10*24*3600-1 {
		t.Fatalf("requests %+v; want 2 windows over 10 days with oper_type 2", reqs)
	}
	recs, err := wecom.Collect(s.app.client.Security.AllAdminOperLogs(t.Context(),
		wecom.OperLogOptions{StartTime: start, EndTime: start + 7*24*3600 - 1, OperType: 2}), 0)
	if err != nil {
		t.Fatal(err)
	}
	more, err := wecom.Collect(s.app.client.Security.AllAdminOperLogs(t.Context(),
		wecom.OperLogOptions{StartTime: start + 7*24*3600, EndTime: end, OperType: 2}), 0)
	if err != nil {
		t.Fatal(err)
	}
	recs = append(recs, more...)
	if len(recs) == 0 {
		secWant(t, got, "No admin operation records")
	} else {
		secWant(t, got, "## Admin operation log", secCount(len(recs), "record"),
			fmt.Sprintf("• %d permission change (权限管理变更)", len(recs)), recs[len(recs)-1].DetailInfo, "IP "+recs[len(recs)-1].IP)
	}

	n := len(s.emu.CallsTo("security/admin_oper_log/list"))
	s.say(t, "zhangsan", "/oplog admin --user zhangsan --since 1d")
	_, _, reqs = secWindows(t, secCalls(s, "security/admin_oper_log/list", n), 7*24*time.Hour)
	if reqs[0].UserID != "zhangsan" || reqs[0].OperType != 0 {
		t.Fatalf("request %+v; want userid zhangsan and no type", reqs[0])
	}
	s.emu.Fail("security/admin_oper_log/list", 48002, 1)
	secWant(t, s.say(t, "zhangsan", "/oplog admin"), "errcode 48002", "admin operation log's 「API」 panel", "可调用接口的应用")
	secWant(t, s.say(t, "lisi", "/oplog admin"), "not allowed to run /oplog admin", "oplog.read")
}

func TestSecurityOplogFiles(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	s.say(t, "zhangsan", "/oplog files --op download --source drive --user lisi,wangwu,lisi --since 20d")
	calls := s.emu.CallsTo("security/get_file_oper_record")
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
	secBody(t, calls[0], &r0)
	secBody(t, calls[1], &r1)
	if !slices.Equal(r0.UserIDs, []string{"lisi", "wangwu"}) || r0.Operation == nil || r0.Operation.Type != 103 ||
		r0.Operation.Source != 404 || r0.Limit != 1000 || r0.EndTime-r0.StartTime != 14*24*3600 ||
		r1.EndTime != r0.StartTime || r0.EndTime-r1.StartTime != 20*24*3600-1 {
		t.Fatalf("requests %s, %s; want lisi,wangwu, operation 103/404, limit 1000, 14 + 6 days", calls[0].Body, calls[1].Body)
	}

	n := len(s.emu.CallsTo("security/get_file_oper_record"))
	got := s.say(t, "zhangsan", "/oplog files --op download --since 14d")
	calls = secCalls(s, "security/get_file_oper_record", n)
	var r fileReq
	secBody(t, calls[0], &r)
	if r.UserIDs != nil || r.Operation == nil || r.Operation.Type != 103 || r.Operation.Source != 0 {
		t.Fatalf("request %s; want operation type 103 only", calls[0].Body)
	}
	truth, err := wecom.Collect(s.app.client.Security.AllFileOperRecords(t.Context(),
		wecom.FileOperRecordOptions{StartTime: r.StartTime, EndTime: r.EndTime, Operation: &wecom.FileOperation{Type: 103}}), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(truth) == 0 {
		t.Fatalf("the seeded corp has no downloads in 14 days")
	}
	newest := truth[len(truth)-1]
	secWant(t, got, "## File operation records", secCount(len(truth), "record"), fmt.Sprintf("• %d download (下载)", len(truth)),
		newest.FileInfo, "`"+newest.UserID+"`", "download (下载) in "+newest.Operation.Source.String())

	// Outsiders and download applications read in words too.
	got = s.say(t, "zhangsan", "/oplog files --op link-download --since 30d")
	secWant(t, got, "download via link (通过链接下载)")
	secWantNot(t, got, "FileOperType(")

	s.emu.Fail("security/get_file_oper_record", 48002, 1)
	secWant(t, s.say(t, "zhangsan", "/oplog files"), "errcode 48002", "「文件防泄漏 - 可调用接口的应用」")
	s.emu.Fail("security/get_file_oper_record", 701100, 1)
	secWant(t, s.say(t, "zhangsan", "/oplog files --since 100d"), "errcode 701100", "90 days")
	secWant(t, s.say(t, "zhangsan", "/oplog files --user zhouba"), "errcode 60011", "`zhouba`")
	n = len(s.emu.CallsTo("security/get_file_oper_record"))
	secWant(t, s.say(t, "zhangsan", "/oplog files --source disk"), "--source must be one of chat, doc, drive, mail, schedule")
	secWant(t, s.say(t, "zhangsan", "/oplog files --op teleport"), "--op \"teleport\" is not one WeCom knows", "link-download")
	if len(s.emu.CallsTo("security/get_file_oper_record")) != n {
		t.Fatalf("invalid filters reached WeCom")
	}
	secWant(t, s.say(t, "zhaoliu", "/oplog files"), "not allowed to run /oplog files", "oplog.read")
}

func TestSecurityOplogScreen(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	s.say(t, "zhangsan", "/oplog screen --type file --user lisi,wangwu --dept 2,5 --since 20d")
	calls := s.emu.CallsTo("security/get_screen_oper_record")
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
	secBody(t, calls[0], &req)
	if req.ScreenShotType != 4 || !slices.Equal(req.UserIDs, []string{"lisi", "wangwu"}) || !slices.Equal(req.DepartmentIDs, []int{2, 5}) ||
		req.Limit != 1000 || req.EndTime-req.StartTime != 14*24*3600 {
		t.Fatalf("request %s; want type 4, lisi,wangwu, depts 2,5, limit 1000, 14 days", calls[0].Body)
	}

	n := len(s.emu.CallsTo("security/get_screen_oper_record"))
	got := s.say(t, "zhangsan", "/oplog screen --since 10d")
	secBody(t, secCalls(s, "security/get_screen_oper_record", n)[0], &req)
	truth, err := wecom.Collect(s.app.client.Security.AllScreenOperRecords(t.Context(),
		wecom.ScreenOperRecordOptions{StartTime: req.StartTime, EndTime: req.EndTime}), 0)
	if err != nil || len(truth) == 0 {
		t.Fatalf("truth: %d records, %v", len(truth), err)
	}
	newest := truth[len(truth)-1]
	secWant(t, got, "## Screenshot records", secCount(len(truth), "record"), "`"+newest.UserID+"`",
		"screenshot of "+newest.ScreenShotType.String(), newest.System)

	s.emu.Fail("security/get_screen_oper_record", 48002, 1)
	secWant(t, s.say(t, "zhangsan", "/oplog screen"), "errcode 48002", "「截屏/录屏管理 - 可调用接口的应用」")
	secWant(t, s.say(t, "zhangsan", "/oplog screen --user zhouba"), "errcode 60011", "`zhouba`")
	secWant(t, s.say(t, "zhangsan", "/oplog screen --dept 99"), "errcode 60003", "no such department")
	secWant(t, s.say(t, "zhangsan", "/oplog screen --dept two"), "not a department id")
	secWant(t, s.say(t, "lisi", "/oplog screen"), "not allowed to run /oplog screen", "oplog.read")
}

// ---- /domainip ----

func TestSecurityDomainIP(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	got := s.say(t, "wujiu", "/domainip")
	for _, path := range []string{"security/get_server_domain_ip", "get_api_domain_ip", "getcallbackip"} {
		calls := s.emu.CallsTo(path)
		if len(calls) != 1 || calls[0].Method != "GET" || len(calls[0].Body) != 0 {
			t.Fatalf("%s: %+v; want one GET without a body", path, calls)
		}
	}
	secWant(t, got, "## WeCom domains and IPs", "First look", "**Domains** (4)", "`i.work.weixin.qq.com` · TCP 443, 80 · ",
		`"warning">required</font>`, "`live.work.weixin.qq.com` · TCP 443, 80 · ", `"comment">optional</font> · 企业微信直播`, "**IPs** (3)", "`115.238.203.110`",
		"**API host IPs** (3", "`198.51.100.0/24`", "**Callback IPs** (3")
	secWantNot(t, got, "universal_domian", "is_necessary")
	body, at, ok, err := s.app.db.LatestSnapshot(t.Context(), security.SnapshotDomainIP)
	if err != nil || !ok || time.Since(at) > time.Minute {
		t.Fatalf("no snapshot stored: %v %v", ok, err)
	}
	var stored security.DomainIPSnapshot
	if err := json.Unmarshal(body, &stored); err != nil || len(stored.Domains) != 4 || len(stored.IPs) != 3 || len(stored.APIIPs) != 3 {
		t.Fatalf("stored snapshot %s: %v", body, err)
	}

	got = s.say(t, "wujiu", "/domainip")
	secWant(t, got, "No change", "since "+at.In(shanghaiZone(t)).Format("2006-01-02 15:04")+": WeCom's list is the one stored then")
	var kept int
	if err := s.app.db.SQL().QueryRow(`SELECT COUNT(*) FROM snapshots WHERE kind = ?`, security.SnapshotDomainIP).Scan(&kept); err != nil || kept != 1 {
		t.Fatalf("%d snapshots after an unchanged look, %v; want 1 (only changes are stored)", kept, err)
	}

	// Make the stored snapshot differ from what WeCom says now: WeCom "added" a domain and an IP, "removed"
	// an old domain and API IP, and changed a domain's ports.
	old := stored
	old.Domains = slices.Clone(stored.Domains)
	old.Domains = slices.DeleteFunc(old.Domains, func(d wecom.ServerDomain) bool { return d.Domain == "wework.qpic.cn" })
	old.Domains = append(old.Domains, wecom.ServerDomain{Domain: "old.work.weixin.qq.com", Protocol: "TCP", Port: []int{443}, IsNecessary: 1})
	for i := range old.Domains {
		if old.Domains[i].Domain == "qyapi.weixin.qq.com" {
			old.Domains[i].Port = []int{443, 8080}
		}
	}
	old.IPs = slices.DeleteFunc(slices.Clone(stored.IPs), func(ip wecom.ServerIP) bool { return ip.IP == "115.238.203.110" })
	old.APIIPs = append(slices.Clone(stored.APIIPs), "203.0.113.7")
	oldBody, _ := json.Marshal(old)
	if err := s.app.db.SaveSnapshot(t.Context(), security.SnapshotDomainIP, oldBody); err != nil {
		t.Fatal(err)
	}
	got = s.say(t, "wujiu", "/domainip")
	secWant(t, got, "Changes since the list stored", "added</font> domain `wework.qpic.cn`", "removed</font> domain `old.work.weixin.qq.com`",
		"changed</font> domain `qyapi.weixin.qq.com`", "added</font> IP `115.238.203.110`", "removed</font> API host IP `203.0.113.7`")
	secWantNot(t, got, "callback IP `", "No change")
	body, _, _, _ = s.app.db.LatestSnapshot(t.Context(), security.SnapshotDomainIP)
	var latest security.DomainIPSnapshot
	json.Unmarshal(body, &latest)
	if diff := cmp.Diff(stored, latest); diff != "" {
		t.Fatalf("the newest snapshot is not what WeCom answered (-first +latest):\n%s", diff)
	}
}

func TestSecurityDomainIP_errors(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	s.emu.Fail("security/get_server_domain_ip", 48002, 1)
	got := s.say(t, "zhangsan", "/domainip")
	secWant(t, got, "errcode 48002", "「我的企业 - 设置 - 域名IP - 可调用API的应用」", "可调用接口的应用")
	if _, _, ok, _ := s.app.db.LatestSnapshot(t.Context(), security.SnapshotDomainIP); ok {
		t.Fatalf("a failed /domainip stored a snapshot")
	}
	s.emu.Fail("getcallbackip", -1, 4)
	got = s.say(t, "zhangsan", "/domainip")
	secWant(t, got, "errcode -1 on getcallbackip", "Try again in a minute")
	for _, u := range []string{"lisi", "zhaoliu"} {
		secWant(t, s.say(t, u, "/domainip"), "not allowed to run /domainip", "domainip.read")
	}
	// 45009 blocks the API (DOC/90454): not retried, and the member learns when to try again.
	n := len(s.emu.CallsTo("get_api_domain_ip"))
	s.emu.Fail("get_api_domain_ip", 45009, 1)
	got = s.say(t, "zhangsan", "/domainip")
	secWant(t, got, "WeCom's rate limit for this API (get_api_domain_ip) is exhausted; try again after")
	if calls := s.emu.CallsTo("get_api_domain_ip")[n:]; len(calls) != 1 || calls[0].ErrCode != 45009 {
		t.Fatalf("get_api_domain_ip calls %+v; want the one 45009", calls)
	}
}

func TestSecurityDiffDomainIP(t *testing.T) {
	t.Parallel()
	dom := func(name string, ports []int, need int) wecom.ServerDomain {
		return wecom.ServerDomain{Domain: name, Protocol: "TCP", Port: ports, IsNecessary: need, Description: "d " + name}
	}
	ip := func(addr string, ports []int, need int) wecom.ServerIP {
		return wecom.ServerIP{IP: addr, Protocol: "TCP", Port: ports, IsNecessary: need}
	}
	base := &security.DomainIPSnapshot{
		Domains:     []wecom.ServerDomain{dom("a.qq.com", []int{443, 80}, 1), dom("b.qq.com", []int{443}, 0)},
		IPs:         []wecom.ServerIP{ip("1.1.1.1", []int{443}, 1)},
		APIIPs:      []string{"2.2.2.2", "3.3.3.3"},
		CallbackIPs: []string{"4.4.4.4"},
	}
	for _, tc := range []struct {
		name     string
		old, new *security.DomainIPSnapshot
		want     security.DomainIPDiff
	}{
		{"same", base, base, security.DomainIPDiff{}},
		{"ports reordered and descriptions changed are no change", base, &security.DomainIPSnapshot{
			Domains: []wecom.ServerDomain{{Domain: "b.qq.com", Protocol: "tcp", Port: []int{443}, Description: "new text"}, dom("a.qq.com", []int{80, 443}, 1)},
			IPs:     base.IPs, APIIPs: []string{"3.3.3.3", "2.2.2.2"}, CallbackIPs: base.CallbackIPs,
		}, security.DomainIPDiff{}},
		{"first snapshot: all added", nil, base, security.DomainIPDiff{
			Domains: security.ListDiff{Added: []string{"a.qq.com", "b.qq.com"}}, IPs: security.ListDiff{Added: []string{"1.1.1.1"}},
			APIIPs: security.ListDiff{Added: []string{"2.2.2.2", "3.3.3.3"}}, CallbackIPs: security.ListDiff{Added: []string{"4.4.4.4"}},
		}},
		{"added, removed, changed", base, &security.DomainIPSnapshot{
			Domains:     []wecom.ServerDomain{dom("a.qq.com", []int{443}, 1), dom("c.qq.com", []int{443}, 1), dom("b.qq.com", []int{443}, 1)},
			IPs:         []wecom.ServerIP{ip("1.1.1.1", []int{443}, 1), ip("5.5.5.5", []int{443}, 0)},
			APIIPs:      []string{"3.3.3.3"},
			CallbackIPs: []string{"4.4.4.4", "6.6.6.6"},
		}, security.DomainIPDiff{
			Domains: security.ListDiff{Added: []string{"c.qq.com"}, Changed: []string{"a.qq.com", "b.qq.com"}},
			IPs:     security.ListDiff{Added: []string{"5.5.5.5"}}, APIIPs: security.ListDiff{Removed: []string{"2.2.2.2"}},
			CallbackIPs: security.ListDiff{Added: []string{"6.6.6.6"}},
		}},
		{"a domain listed per protocol", &security.DomainIPSnapshot{Domains: []wecom.ServerDomain{dom("a.qq.com", []int{443}, 1),
			{Domain: "a.qq.com", Protocol: "UDP", Port: []int{8000}, IsNecessary: 1}}},
			&security.DomainIPSnapshot{Domains: []wecom.ServerDomain{dom("a.qq.com", []int{443}, 1)}},
			security.DomainIPDiff{Domains: security.ListDiff{Changed: []string{"a.qq.com"}}}},
	} {
		got := security.DiffDomainIP(tc.old, tc.new)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: DiffDomainIP (-want +got):\n%s", tc.name, diff)
		}
		if got.Empty() != (tc.name == "same" || strings.HasPrefix(tc.name, "ports reordered")) {
			t.Errorf("%s: Empty() = %v", tc.name, got.Empty())
		}
	}
	md := security.DiffDomainIP(base, &security.DomainIPSnapshot{Domains: base.Domains[:1], IPs: base.IPs, APIIPs: base.APIIPs,
		CallbackIPs: []string{"4.4.4.4", "7.7.7.7"}}).Markdown()
	if !strings.Contains(md, "removed</font> domain `b.qq.com`") || !strings.Contains(md, "added</font> callback IP `7.7.7.7`") {
		t.Errorf("Markdown() = %q", md)
	}
	if got := security.DiffDomainIP(base, base).Markdown(); got != "" {
		t.Errorf("Markdown() of no change = %q; want empty", got)
	}
}

// TestAdminDesk_eightAnswers is issue 5's smoke test: an admin sends eight commands across the desks and gets
// eight answers, and the emulator saw the real endpoints called.
func TestAdminDesk_eightAnswers(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	for _, c := range []struct{ line, api string }{
		{"/devices unknown", "security/trustdevice/list"},
		{"/oplog member --since 3d", "security/member_oper_log/list"},
		{"/oplog admin --since 3d", "security/admin_oper_log/list"},
		{"/oplog files --since 3d", "security/get_file_oper_record"},
		{"/domainip", "security/get_server_domain_ip"},
		{"/vip list", "security/vip/list"},
		{"/staff fields", "hr/get_fields"},
		{"/order list --user sunqi", "advanced_feature/get_apply_id_list"},
	} {
		got := s.say(t, "zhangsan", c.line)
		if len(got) == 0 || strings.TrimSpace(got[0]) == "" {
			t.Errorf("%s: no answer", c.line)
			continue
		}
		if contains(got, "not allowed") || contains(got, "errcode") || contains(got, "Internal error") {
			t.Errorf("%s: answered %q", c.line, got)
		}
		calls := s.emu.CallsTo(c.api)
		if len(calls) == 0 || calls[len(calls)-1].ErrCode != 0 {
			t.Errorf("%s: the emulator saw no successful %s call", c.line, c.api)
		}
	}
}
