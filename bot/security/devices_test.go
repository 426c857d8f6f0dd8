package security_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

func TestSecurityDevices_list(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, tc := range []struct {
		line     string
		wantType int
		want     []string
		notWant  []string
	}{
		{"/devices", 1, []string{"Trusted enterprise devices (可信企业设备)", "**5** devices",
			"3 confirmed trusted enterprise device (已确认为可信企业设备)", "2 imported, not logged in yet (已导入未登录)",
			"Windows PC-SEC-001", "张三 (`zhangsan`), last login", "Mac C02XK1ABJGH5", "no login yet"}, []string{"LAPTOP-ZL-HOME"}},
		{"/devices unknown", 2, []string{"Unknown devices (未知设备)", "**6** devices", "Windows DESKTOP-7QK2M",
			"awaiting invitation (待邀请)"}, nil},
		{"/devices pending", 2, []string{"awaiting an admin's decision", "**4** devices", "Windows LAPTOP-ZL-HOME",
			"applied by `zhaoliu`", "Windows SUNQI-PC", "awaiting admin confirmation as personal device (待管理员确认为个人设备)",
			"/devices approve CODE"}, []string{"DESKTOP-7QK2M", "WIN-GUEST-09"}},
		{"/devices personal", 3, []string{"Trusted personal devices (可信个人设备)", "**3** devices", "Windows ZHANGSAN-HOME",
			"confirmed trusted personal device (已确认为可信个人设备)"}, []string{"showing"}}, // all on one page: no footer
	} {
		n := len(h.Emu.CallsTo("security/trustdevice/list"))
		got := h.Say("wujiu", tc.line) // wujiu holds devices.* through the 安全管理员 tag
		calls := callsSince(h, "security/trustdevice/list", n)
		if len(calls) != 1 {
			t.Fatalf("%s: %d list calls; want 1", tc.line, len(calls))
		}
		var body struct {
			Type   int    `json:"type"`
			Cursor string `json:"cursor"`
			Limit  int    `json:"limit"`
		}
		decode(t, calls[0], &body)
		if body.Type != tc.wantType || body.Cursor != "" || body.Limit < 0 || body.Limit > 100 {
			t.Fatalf("%s: request %s; want type %d, first page", tc.line, calls[0].Body, tc.wantType)
		}
		says(t, got, tc.want...)
		saysNot(t, got, tc.notWant...)
		saysNot(t, got, "{", "device_code") // never raw JSON
	}
	if d := auditDecisions(t, h, "wujiu", "devices"); len(d) != 4 || d[0] != db.DecisionOK {
		t.Fatalf("audit of /devices = %v; want 4 ok (device lists are audited)", d)
	}
}

func TestSecurityDevices_pagesAndCursor(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	// 150 more trusted devices: the list takes two pages of 100, the reply eight of 20.
	for batch := 0; batch < 2; batch++ {
		var devs []wecom.DeviceImport
		for i := 0; i < 75; i++ {
			devs = append(devs, wecom.DeviceImport{System: "Windows", PCName: fmt.Sprintf("BULK-%d-%02d", batch, i),
				MacAddr: []string{fmt.Sprintf("02:00:00:00:%02X:%02X", batch, i)}})
		}
		if _, err := h.Client.Security.ImportDevices(t.Context(), devs); err != nil {
			t.Fatal(err)
		}
	}
	n := len(h.Emu.CallsTo("security/trustdevice/list"))
	got := h.Say("zhangsan", "/devices")
	calls := callsSince(h, "security/trustdevice/list", n)
	if len(calls) != 2 {
		t.Fatalf("%d list calls; want 2 (155 devices, 100 a page)", len(calls))
	}
	var second struct {
		Type   int    `json:"type"`
		Cursor string `json:"cursor"`
	}
	decode(t, calls[1], &second)
	if second.Type != 1 || second.Cursor == "" {
		t.Fatalf("second request %s; want type 1 with the first page's cursor", calls[1].Body)
	}
	says(t, got, "**155** devices", "showing 1–20 of 155 — /devices --page 2")
	got = h.Say("zhangsan", "/devices trusted --page 8")
	says(t, got, "showing 141–155 of 155")
	saysNot(t, got, "--page 9")
	got = h.Say("zhangsan", "/devices --page 9")
	says(t, got, "page 9 is past the end: 155 in all (8 pages)")
}

func TestSecurityDevices_refused(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, tc := range []struct{ user, line, perm string }{
		{"lisi", "/devices", "devices.read"},
		{"lisi", "/devices user lisi", "devices.read"},
		{"zhaoliu", "/devices pending", "devices.read"}, // approvers and hr: no device permission
		{"lisi", "/devices approve 49nNtYq", "devices.write"},
		{"sunqi", "/devices reject 49nNtYq", "devices.write"},
		{"wangwu", "/devices delete 49nNtYq --type trusted", "devices.write"},
		{"zhaoliu", "/devices import mac C02XK1ABJGH5", "devices.write"},
	} {
		got := h.Say(tc.user, tc.line)
		says(t, got, "not allowed to run", tc.perm)
	}
	for _, path := range []string{"security/trustdevice/list", "security/trustdevice/approve", "security/trustdevice/import"} {
		if n := len(h.Emu.CallsTo(path)); n != 0 {
			t.Errorf("%d calls to %s for refused members; want none", n, path)
		}
	}
	if d := auditDecisions(t, h, "lisi", "devices approve"); len(d) != 1 || d[0] != db.DecisionDenied {
		t.Fatalf("lisi's refused approve audited as %v; want [denied]", d)
	}
}

func TestSecurityDevices_errors(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.Emu.Fail("security/trustdevice/list", 48002, 1)
	got := h.Say("zhangsan", "/devices")
	says(t, got, "errcode 48002", "「安全与管理 - 设备管理 - 可调用接口的应用」")
	// 45009 is a blocked quota (DOC/90454), not a blip: no retries; the member is told when to try again, and
	// the bot does not call the API again meanwhile.
	h.Emu.Fail("security/trustdevice/list", 45009, 1)
	n := len(h.Emu.CallsTo("security/trustdevice/list"))
	got = h.Say("zhangsan", "/devices")
	says(t, got, "WeCom's rate limit for this API (security/trustdevice/list) is exhausted; try again after")
	got = h.Say("zhangsan", "/devices")
	says(t, got, "is exhausted; try again after")
	if calls := callsSince(h, "security/trustdevice/list", n); len(calls) != 1 || calls[0].ErrCode != 45009 {
		t.Fatalf("list calls after a 45009: %d; want the one refused", len(calls))
	}
	// Input is checked before WeCom is asked.
	got = h.Say("zhangsan", "/devices everything")
	says(t, got, `"everything" is not one of the lists: trusted, unknown, personal or pending`)
	if len(h.Emu.CallsTo("security/trustdevice/list")) != n+1 {
		t.Fatalf("a bad list name reached WeCom")
	}
}

func TestSecurityDevicesUser(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	n := len(h.Emu.CallsTo("security/trustdevice/get_by_user"))
	got := h.Say("zhangsan", "/devices user zhangsan")
	calls := callsSince(h, "security/trustdevice/get_by_user", n)
	var types []int
	for _, c := range calls {
		var body struct {
			UserID string `json:"last_login_userid"`
			Type   int    `json:"type"`
		}
		decode(t, c, &body)
		if body.UserID != "zhangsan" {
			t.Fatalf("request %s; want last_login_userid zhangsan", c.Body)
		}
		types = append(types, body.Type)
	}
	if !slices.Equal(types, []int{1, 2, 3}) {
		t.Fatalf("types asked = %v; want all three lists", types)
	}
	says(t, got, "Devices `zhangsan` last logged in on", "2 devices", "Windows PC-SEC-001", "Windows ZHANGSAN-HOME",
		"**Unknown devices (未知设备)**: none")

	n = len(h.Emu.CallsTo("security/trustdevice/get_by_user"))
	got = h.Say("zhangsan", "/devices user sunqi --type unknown")
	calls = callsSince(h, "security/trustdevice/get_by_user", n)
	if len(calls) != 1 || !strings.Contains(string(calls[0].Body), `"type":2`) {
		t.Fatalf("--type unknown asked %v", calls)
	}
	says(t, got, "Windows DESKTOP-7QK2M", "Windows SUNQI-PC")

	got = h.Say("zhangsan", "/devices user lisi --type unknown")
	says(t, got, "`lisi` last logged in on no device on the unknown devices (未知设备) list")

	// WeCom's member errors name the member.
	got = h.Say("zhangsan", "/devices user zhouba")
	says(t, got, "errcode 60011", "`zhouba` is outside this app's visibility")
	got = h.Say("zhangsan", "/devices user nosuchuser")
	says(t, got, "errcode 60111", "there is no member `nosuchuser`")
	n = len(h.Emu.CallsTo("security/trustdevice/get_by_user"))
	got = h.Say("zhangsan", "/devices user 张三")
	says(t, got, `"张三" is not a valid userid`)
	h.Emu.Fail("security/trustdevice/get_by_user", 48002, 1)
	got = h.Say("zhangsan", "/devices user lisi")
	says(t, got, "errcode 48002", "可调用接口的应用")
	if len(h.Emu.CallsTo("security/trustdevice/get_by_user")) != n+1 {
		t.Fatalf("an invalid userid reached WeCom")
	}
}

func TestSecurityDevicesApprove(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c3 := device(t, h, wecom.DeviceUnknown, "LAPTOP-ZL-HOME").DeviceCode // status 3, zhaoliu's
	c4 := device(t, h, wecom.DeviceUnknown, "SUNQI-PC").DeviceCode       // status 4, sunqi's
	c2 := device(t, h, wecom.DeviceUnknown, "DESKTOP-7QK2M").DeviceCode  // status 2: not awaiting a decision

	got := h.Say("zhangsan", fmt.Sprintf("/devices approve %s %s %s %s", c3, c4, c2, c3))
	says(t, got, "Approve 2 devices", "1 of the 3 codes will fail", c3, "`zhaoliu`", "becomes a trusted enterprise device",
		c4, "`sunqi`", "becomes a trusted personal device", c2, "not awaiting confirmation: WeCom will refuse it", "Reply **yes**")
	if n := len(h.Emu.CallsTo("security/trustdevice/approve")); n != 0 {
		t.Fatalf("approve called %d times before confirmation", n)
	}
	got = h.Say("zhangsan", "yes")
	calls := h.Emu.CallsTo("security/trustdevice/approve")
	if len(calls) != 1 {
		t.Fatalf("approve called %d times; want once", len(calls))
	}
	var body struct {
		Codes []string `json:"device_code_list"`
	}
	decode(t, calls[0], &body)
	if diff := cmp.Diff([]string{c3, c4, c2}, body.Codes); diff != "" {
		t.Fatalf("device_code_list (-want +got; repeats dropped):\n%s", diff)
	}
	says(t, got, "Approved 2 of 3 devices", "confirmed trusted enterprise device (已确认为可信企业设备)",
		"confirmed trusted personal device (已确认为可信个人设备)", "not approved", "awaiting invitation (待邀请)")
	if d, typ, _ := deviceByCode(t, h, c3); typ != wecom.DeviceTrustedCorp || d.Status != wecom.DeviceConfirmedCorp {
		t.Fatalf("after approve, %s is on list %d with status %d; want trusted enterprise, 5", c3, typ, d.Status)
	}
	if d, typ, _ := deviceByCode(t, h, c4); typ != wecom.DeviceTrustedPersonal || d.Status != wecom.DeviceConfirmedPersonal {
		t.Fatalf("after approve, %s is on list %d with status %d; want trusted personal, 6", c4, typ, d.Status)
	}
	// One of the three was refused: the run is audited as partial, naming it, not as ok (issue 10).
	if d := auditDecisions(t, h, "zhangsan", "devices approve"); !slices.Equal(d, []string{db.DecisionPartial, db.DecisionProposed}) {
		t.Fatalf("audit = %v; want [partial proposed]", d)
	}
	if e, _ := h.DB.ListAudit(t.Context(), db.AuditFilter{Actor: "zhangsan", Command: "devices approve", Decision: db.DecisionPartial}); len(e) != 1 ||
		!strings.Contains(e[0].Result, "1 failed: "+c2+":") || strings.Contains(e[0].Result, c3) {
		t.Fatalf("partial audit = %+v; want the refused %s named, and only it", e, c2)
	}

	// Nothing left to approve: refused at the preview, no confirmation asked, WeCom not called.
	got = h.Say("zhangsan", "/devices approve "+c3+" "+c2+" NoSuch1")
	says(t, got, "Nothing to approve", "no device with this code")
	saysNot(t, got, "Reply **yes**")
	says(t, h.Say("zhangsan", "yes"), "Nothing is waiting")
	if n := len(h.Emu.CallsTo("security/trustdevice/approve")); n != 1 {
		t.Fatalf("approve called %d times; want still 1", n)
	}
	// Codes are checked before anything is read.
	got = h.Say("zhangsan", "/devices approve bad/code")
	says(t, got, `"bad/code" is not a valid code`)
}

func TestSecurityDevicesReject(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	mac := device(t, h, wecom.DeviceUnknown, "C02YL9QWJG5H").DeviceCode // status 3, wangwu's Mac
	got := h.Say("wujiu", "/devices reject "+mac)
	says(t, got, "Reject 1 device", "`wangwu`", "its application is refused")
	got = h.Say("wujiu", "yes")
	calls := h.Emu.CallsTo("security/trustdevice/reject")
	if len(calls) != 1 {
		t.Fatalf("reject called %d times", len(calls))
	}
	var body struct {
		Codes []string `json:"device_code_list"`
	}
	decode(t, calls[0], &body)
	if !slices.Equal(body.Codes, []string{mac}) {
		t.Fatalf("device_code_list = %v; want [%s]", body.Codes, mac)
	}
	says(t, got, "Rejected 1 of 1 device", "rejected", "awaiting invitation (待邀请)")
	if d, typ, _ := deviceByCode(t, h, mac); typ != wecom.DeviceUnknown || d.Status != wecom.DeviceAwaitingInvitation {
		t.Fatalf("after reject: list %d status %d; want unknown, awaiting invitation", typ, d.Status)
	}
	if d := auditDecisions(t, h, "wujiu", "devices reject"); !slices.Equal(d, []string{db.DecisionOK, db.DecisionProposed}) {
		t.Fatalf("audit = %v", d)
	}
}

func TestSecurityDevicesDecide_errors(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := device(t, h, wecom.DeviceUnknown, "LAPTOP-ZL-HOME").DeviceCode
	h.Emu.Fail("security/trustdevice/approve", 48002, 1)
	h.Say("zhangsan", "/devices approve "+c)
	got := h.Say("zhangsan", "yes")
	says(t, got, "/devices approve failed", "errcode 48002", "「安全与管理 - 设备管理 - 可调用接口的应用」")
	entries, _ := h.DB.ListAudit(t.Context(), db.AuditFilter{Command: "devices approve", Limit: 1})
	if len(entries) != 1 || entries[0].Decision != db.DecisionFailed || entries[0].ErrCode != 48002 {
		t.Fatalf("audit = %+v; want failed with errcode 48002", entries)
	}
	h.Emu.Fail("security/trustdevice/reject", 40058, 1)
	h.Say("zhangsan", "/devices reject "+c)
	got = h.Say("zhangsan", "yes")
	says(t, got, "/devices reject failed", "errcode 40058", "WeCom rejected a parameter")
	// 45009 on the approve is not retried: the member is told when to try again, and nothing changed.
	h.Emu.Fail("security/trustdevice/approve", 45009, 1)
	nApprove := len(h.Emu.CallsTo("security/trustdevice/approve"))
	h.Say("zhangsan", "/devices approve "+c)
	got = h.Say("zhangsan", "yes")
	says(t, got, "/devices approve failed", "WeCom's rate limit for this API (security/trustdevice/approve) is exhausted; try again after")
	if d, _, _ := deviceByCode(t, h, c); d.Status == wecom.DeviceConfirmedCorp {
		t.Fatalf("approved despite the 45009")
	}
	if calls := h.Emu.CallsTo("security/trustdevice/approve")[nApprove:]; len(calls) != 1 || calls[0].ErrCode != 45009 {
		t.Fatalf("approve calls after the fault: %+v; want the one 45009, not retried", calls)
	}
}

func TestSecurityDevicesDelete(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	p := device(t, h, wecom.DeviceTrustedPersonal, "ZHAOLIU-LAPTOP").DeviceCode
	trusted := device(t, h, wecom.DeviceTrustedCorp, "PC-HR-002").DeviceCode
	n := len(h.Emu.CallsTo("security/trustdevice/list"))
	got := h.Say("zhangsan", "/devices delete "+p)
	says(t, got, "--type is required", "trusted, unknown or personal")
	if len(h.Emu.CallsTo("security/trustdevice/list")) != n {
		t.Fatalf("a delete without --type read the lists")
	}
	got = h.Say("zhangsan", "/devices delete "+trusted+" --type personal")
	says(t, got, "Nothing to delete", "not on this list")

	got = h.Say("zhangsan", "/devices delete "+p+" --type personal")
	says(t, got, "Delete 1 device from the trusted personal devices (可信个人设备) list", "`zhaoliu`", "no longer trusted")
	got = h.Say("zhangsan", "yes")
	calls := h.Emu.CallsTo("security/trustdevice/delete")
	if len(calls) != 1 {
		t.Fatalf("delete called %d times", len(calls))
	}
	var body struct {
		Type  int      `json:"type"`
		Codes []string `json:"device_code_list"`
	}
	decode(t, calls[0], &body)
	if body.Type != 3 || !slices.Equal(body.Codes, []string{p}) {
		t.Fatalf("delete request %s; want type 3, [%s]", calls[0].Body, p)
	}
	says(t, got, "Deleted 1 of 1 device", "gone")
	if _, _, ok := deviceByCode(t, h, p); ok {
		t.Fatalf("%s still listed after delete", p)
	}
	if d := auditDecisions(t, h, "zhangsan", "devices delete"); !slices.Equal(d, []string{db.DecisionOK, db.DecisionProposed}) {
		t.Fatalf("audit = %v", d)
	}

	h.Emu.Fail("security/trustdevice/delete", 48002, 1)
	h.Say("zhangsan", "/devices delete "+trusted+" --type trusted")
	got = h.Say("zhangsan", "yes")
	says(t, got, "/devices delete failed", "errcode 48002", "可调用接口的应用")
	if _, _, ok := deviceByCode(t, h, trusted); !ok {
		t.Fatalf("a refused delete removed the device")
	}
}

func TestSecurityDevicesImport(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	got := h.Say("zhangsan", "/devices import windows 50:81:40:29:aa:01,50-81-40-29-AA-02 --pc-name PC-NEW-01 --domain CORP")
	says(t, got, "Import 1 Windows PC as trusted enterprise devices", "`50:81:40:29:AA:01`", "`50:81:40:29:AA:02`", "`PC-NEW-01`", "`CORP`")
	if n := len(h.Emu.CallsTo("security/trustdevice/import")); n != 0 {
		t.Fatalf("import called before confirmation")
	}
	got = h.Say("zhangsan", "yes")
	calls := h.Emu.CallsTo("security/trustdevice/import")
	if len(calls) != 1 {
		t.Fatalf("import called %d times", len(calls))
	}
	var body struct {
		DeviceList []map[string]any `json:"device_list"`
	}
	decode(t, calls[0], &body)
	want := []map[string]any{{"system": "Windows", "mac_addr": []any{"50:81:40:29:AA:01", "50:81:40:29:AA:02"}, "pc_name": "PC-NEW-01", "domain": "CORP"}}
	if diff := cmp.Diff(want, body.DeviceList); diff != "" {
		t.Fatalf("device_list (-want +got):\n%s", diff)
	}
	says(t, got, "Imported 1 of 1 device", "imported (成功)</font> as")
	d := device(t, h, wecom.DeviceTrustedCorp, "PC-NEW-01")
	says(t, got, d.DeviceCode)
	if d.Status != wecom.DeviceImportedNotLoggedIn {
		t.Fatalf("imported device status %d; want 1", d.Status)
	}

	// Two Macs, one of them already known: per-device outcomes in words.
	existing := device(t, h, wecom.DeviceTrustedCorp, "C02XK1ABJGH5").DeviceCode
	h.Say("zhangsan", "/devices import mac C02XK1ABJGH5 c02new00x1y2")
	got = h.Say("zhangsan", "yes")
	calls = h.Emu.CallsTo("security/trustdevice/import")
	body.DeviceList = nil
	decode(t, calls[len(calls)-1], &body)
	want = []map[string]any{{"system": "Mac", "seq_no": "C02XK1ABJGH5"}, {"system": "Mac", "seq_no": "C02NEW00X1Y2"}}
	if diff := cmp.Diff(want, body.DeviceList); diff != "" {
		t.Fatalf("device_list (-want +got):\n%s", diff)
	}
	says(t, got, "Imported 1 of 2 devices", "already imported (重复导入)</font>: it is `"+existing+"`", "imported (成功)</font> as")

	// Checked before anything is asked.
	n := len(h.Emu.CallsTo("security/trustdevice/import"))
	says(t, h.Say("zhangsan", "/devices import windows 50:81:40:29:AA"), "not a MAC address")
	says(t, h.Say("zhangsan", "/devices import windows 02:00:00:00:00:01 02:00:00:00:00:02 --pc-name X"),
		"--pc-name describes one device")
	says(t, h.Say("zhangsan", "/devices import mac C02XK1ABJGH5 C02NEW00X1Y3 --mac 02:00:00:00:00:01"), "--mac describes one device")
	says(t, h.Say("zhangsan", "/devices import mac bad-serial!"), "is not a valid serial")
	if len(h.Emu.CallsTo("security/trustdevice/import")) != n {
		t.Fatalf("invalid imports reached WeCom")
	}

	h.Emu.Fail("security/trustdevice/import", 48002, 1)
	h.Say("zhangsan", "/devices import mac C02NEW00X1Y9 --mac 02:00:00:00:00:09")
	got = h.Say("zhangsan", "yes")
	says(t, got, "/devices import mac failed", "errcode 48002", "可调用接口的应用")
	h.Emu.Fail("security/trustdevice/import", 40058, 1)
	h.Say("zhangsan", "/devices import mac C02NEW00X1Y9")
	says(t, h.Say("zhangsan", "yes"), "errcode 40058")
	if d := auditDecisions(t, h, "zhangsan", "devices import mac"); len(d) != 6 || d[0] != db.DecisionFailed {
		t.Fatalf("audit of /devices import mac = %v; want proposed/ok/proposed/failed/proposed/failed, newest first", d)
	}
}

// TestSecurityDevices_reconcile replays a confirmed command whose intent was recorded before a crash: the bot
// reads the devices back and reports, and does not call WeCom's mutating API again.
func TestSecurityDevices_reconcile(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := device(t, h, wecom.DeviceUnknown, "LAPTOP-ZL-HOME").DeviceCode
	h.Say("zhangsan", "/devices approve "+c)
	interrupt(t, h, "zhangsan", "devices approve")
	got := h.Say("zhangsan", "yes")
	says(t, got, "interrupted by a restart, so it was not repeated", c, "still awaiting a decision: not approved",
		"Send `/devices approve` again")
	if n := len(h.Emu.CallsTo("security/trustdevice/approve")); n != 0 {
		t.Fatalf("approve called %d times during reconciliation", n)
	}

	p := device(t, h, wecom.DeviceTrustedPersonal, "ZHANGSAN-HOME").DeviceCode
	h.Say("zhangsan", "/devices delete "+p+" --type personal")
	interrupt(t, h, "zhangsan", "devices delete")
	got = h.Say("zhangsan", "yes")
	says(t, got, "interrupted by a restart", "still there", "Windows ZHANGSAN-HOME")
	if n := len(h.Emu.CallsTo("security/trustdevice/delete")); n != 0 {
		t.Fatalf("delete called during reconciliation")
	}

	// An import that did happen before the crash is found on the list.
	h.Say("zhangsan", "/devices import mac C02REC0NC1LE")
	h.Say("zhangsan", "yes")
	h.Say("zhangsan", "/devices import mac C02REC0NC1LE C02REC0NC1LF")
	interrupt(t, h, "zhangsan", "devices import mac")
	got = h.Say("zhangsan", "yes")
	imported := device(t, h, wecom.DeviceTrustedCorp, "C02REC0NC1LE").DeviceCode
	says(t, got, "/devices import mac was interrupted by a restart", imported, "not on the list", "重复导入")
	if n := len(h.Emu.CallsTo("security/trustdevice/import")); n != 1 {
		t.Fatalf("import called %d times; want only the first, confirmed run", n)
	}
	entries, _ := h.DB.ListAudit(t.Context(), db.AuditFilter{Command: "devices import mac", Limit: 1})
	if len(entries) != 1 || !strings.Contains(entries[0].Result, "interrupted") {
		t.Fatalf("audit = %+v; want the reconciliation recorded", entries)
	}
}

// TestSecurityDevices_chineseNames: /设备 待确认 is /devices pending, word for word.
func TestSecurityDevices_chineseNames(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	en := h.Say("zhangsan", "/devices pending")
	zh := h.Say("zhangsan", "/设备 待确认")
	if len(en) == 0 || strings.Join(en, "\n") != strings.Join(zh, "\n") {
		t.Fatalf("/设备 待确认 = %q; want what /devices pending answers: %q", zh, en)
	}
	says(t, h.Say("zhangsan", "/help 设备 通过"), "/devices approve", "Also: /设备 通过")
}
