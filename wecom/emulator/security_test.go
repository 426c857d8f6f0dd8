package emulator

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

var admDeviceRequired = []string{"device_code", "system", "source", "status"}
var admDeviceOptional = []string{"mac_addr", "motherboard_uuid", "harddisk_uuid", "domain", "pc_name", "seq_no",
	"last_login_time", "last_login_userid", "confirm_timestamp", "confirm_userid", "approved_userid"}

// admWalkDevices pages through security/trustdevice/list and returns every device object.
func admWalkDevices(e *admEnv, typ, limit int) []admResp {
	e.t.Helper()
	var out []admResp
	cursor := ""
	for page := 0; page < 100; page++ {
		r := e.ok(e.post("security/trustdevice/list", map[string]any{"type": typ, "limit": limit, "cursor": cursor}))
		admWantKeys(e.t, "trustdevice/list", r, "errcode", "errmsg", "device_list", "next_cursor")
		list := r.list("device_list")
		if len(list) > limit {
			e.t.Fatalf("page of %d devices, limit %d", len(list), limit)
		}
		for _, d := range list {
			out = append(out, admObj(e.t, d))
		}
		if cursor = r.str("next_cursor"); cursor == "" {
			return out
		}
	}
	e.t.Fatal("device list never ended")
	return nil
}

func TestAdminTrustDeviceListPagesEveryDeviceOnce(t *testing.T) {
	e := newAdmEnv(t)
	for typ := 1; typ <= 3; typ++ {
		var want []string
		e.withAdmin(func(_ *Org, a *adminState) {
			for _, d := range a.devices {
				if d.Type == typ {
					want = append(want, d.Code)
				}
			}
		})
		devs := admWalkDevices(e, typ, 2)
		var got []string
		for _, d := range devs {
			admWantKeysWithin(t, "device", d, admDeviceRequired, admDeviceOptional)
			got = append(got, d.str("device_code"))
			status := d.num("status")
			masked := false
			for _, m := range admStrs(d.list("mac_addr")) {
				masked = masked || strings.Contains(m, "*")
			}
			// DOC/98920: identifiers of devices in status 2/4/6 are masked, the others are not.
			if wantMask := status == 2 || status == 4 || status == 6; masked != wantMask {
				t.Errorf("device %s status %d: mac_addr %v masked=%v", d.str("device_code"), status, d["mac_addr"], masked)
			}
			if d.str("system") == "Mac" && d.str("seq_no") == "" {
				t.Errorf("Mac device %s without seq_no", d.str("device_code"))
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("type %d: paged %v, want %v", typ, got, want)
		}
		if len(want) < 3 {
			t.Errorf("type %d: only %d seeded devices", typ, len(want))
		}
	}
}

func TestAdminTrustDeviceSeedCoversEveryStatus(t *testing.T) {
	e := newAdmEnv(t)
	statuses, types, systems, users := map[int]bool{}, map[int]bool{}, map[string]bool{}, map[string]bool{}
	pending := 0
	e.withAdmin(func(_ *Org, a *adminState) {
		if len(a.devices) < 12 {
			t.Errorf("%d devices seeded, want at least 12", len(a.devices))
		}
		for _, d := range a.devices {
			statuses[d.Status], types[d.Type], systems[d.System] = true, true, true
			if d.LastLoginUserID != "" {
				users[d.LastLoginUserID] = true
			}
			if d.Status == 3 || d.Status == 4 {
				pending++
			}
			if d.System == "Windows" && (d.PCName == "" || d.MotherboardUUID == "" || len(d.HarddiskUUID) == 0 || d.Domain == "") {
				t.Errorf("Windows device %s lacks identifiers: %+v", d.Code, d)
			}
		}
	})
	for s := 1; s <= 6; s++ {
		if !statuses[s] {
			t.Errorf("no device in status %d", s)
		}
	}
	if len(types) != 3 || !systems["Windows"] || !systems["Mac"] {
		t.Errorf("types %v systems %v", types, systems)
	}
	if pending < 3 {
		t.Errorf("%d devices awaiting approval, want a few", pending)
	}
	for _, u := range []string{"zhangsan", "lisi", "wangwu", "zhaoliu", "sunqi", "wujiu"} {
		if !users[u] {
			t.Errorf("no device last used by %s", u)
		}
	}
}

func TestAdminTrustDeviceListValidation(t *testing.T) {
	e := newAdmEnv(t)
	other := e.ok(e.post("security/trustdevice/list", map[string]any{"type": 2, "limit": 1})).str("next_cursor")
	for _, tc := range []struct {
		name string
		body map[string]any
		code int
	}{
		{"type missing", map[string]any{"limit": 10}, 40058},
		{"type 4", map[string]any{"type": 4}, 40058},
		{"limit 101", map[string]any{"type": 1, "limit": 101}, 40058},
		{"limit negative", map[string]any{"type": 1, "limit": -1}, 40058},
		{"garbage cursor", map[string]any{"type": 1, "cursor": "not-a-cursor"}, 50100},
		{"cursor of another type", map[string]any{"type": 1, "cursor": other}, 50100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			e.wantCode(e.post("security/trustdevice/list", tc.body), tc.code)
		})
	}
	// limit omitted means 100: every type-1 device in one page.
	e.t = t
	r := e.ok(e.post("security/trustdevice/list", map[string]any{"type": 1}))
	if r.str("next_cursor") != "" || len(r.list("device_list")) == 0 {
		t.Errorf("default limit: %v", r)
	}
}

func TestAdminTrustDeviceImport(t *testing.T) {
	e := newAdmEnv(t)
	var seededMAC, seededSeq, seededMACCode, seededSeqCode string
	e.withAdmin(func(_ *Org, a *adminState) {
		for _, d := range a.devices {
			if d.System == "Windows" && seededMAC == "" {
				seededMAC, seededMACCode = d.MacAddr[0], d.Code
			}
			if d.System == "Mac" && seededSeq == "" {
				seededSeq, seededSeqCode = d.SeqNo, d.Code
			}
		}
	})
	r := e.ok(e.post("security/trustdevice/import", map[string]any{"device_list": []map[string]any{
		{"system": "Windows", "mac_addr": []string{"AA:BB:CC:00:11:22"}, "motherboard_uuid": "MB1",
			"harddisk_uuid": []string{"HD1"}, "domain": "CORP", "pc_name": "PC-NEW-1"},
		{"system": "Mac", "seq_no": "NEWSEQ00001", "mac_addr": []string{"aa-bb-cc-00-11-33"}},
		{"system": "Windows", "mac_addr": []string{strings.ToLower(seededMAC)}},
		{"system": "Mac", "seq_no": seededSeq},
		{"system": "Linux", "mac_addr": []string{"AA:BB:CC:00:11:44"}},
		{"system": "Windows", "pc_name": "NO-MAC"},
		{"system": "Mac", "mac_addr": []string{"AA:BB:CC:00:11:55"}},
		{"system": "Windows", "mac_addr": []string{"not-a-mac"}},
		{"system": "Windows", "mac_addr": []string{"AA:BB:CC:00:11:22"}}, // repeats the first device
	}}))
	admWantKeys(t, "import", r, "errcode", "errmsg", "result")
	res := r.list("result")
	wantStatus := []int{1, 1, 2, 2, 3, 4, 4, 4, 2}
	if len(res) != len(wantStatus) {
		t.Fatalf("result %v", res)
	}
	var newCodes []string
	for i, v := range res {
		o := admObj(t, v)
		if o.num("device_index") != int64(i+1) || o.num("status") != int64(wantStatus[i]) {
			t.Errorf("result[%d] = %v, want index %d status %d", i, o, i+1, wantStatus[i])
		}
		if wantStatus[i] == 1 {
			admWantKeys(t, "import ok", o, "device_index", "device_code", "status")
			newCodes = append(newCodes, o.str("device_code"))
		} else if _, has := o["device_code"]; has {
			t.Errorf("result[%d]: device_code on a failed import: %v", i, o)
		}
	}
	if dup := admObj(t, res[2]).str("duplicated_device_code"); dup != seededMACCode {
		t.Errorf("duplicate Windows names %q, want %q", dup, seededMACCode)
	}
	if dup := admObj(t, res[3]).str("duplicated_device_code"); dup != seededSeqCode {
		t.Errorf("duplicate Mac names %q, want %q", dup, seededSeqCode)
	}
	if dup := admObj(t, res[8]).str("duplicated_device_code"); dup != newCodes[0] {
		t.Errorf("in-request duplicate names %q, want %q", dup, newCodes[0])
	}
	// Imported devices are trusted enterprise devices, imported by an admin, not yet logged in.
	found := 0
	for _, d := range admWalkDevices(e, 1, 100) {
		if slices.Contains(newCodes, d.str("device_code")) {
			found++
			if d.num("status") != 1 || d.num("source") != 2 {
				t.Errorf("imported device %v, want status 1 source 2", d)
			}
			if d.str("system") == "Mac" && (d.str("seq_no") != "NEWSEQ00001" || admStrs(d.list("mac_addr"))[0] != "AA:BB:CC:00:11:33") {
				t.Errorf("imported Mac %v", d)
			}
		}
	}
	if found != 2 {
		t.Errorf("found %d imported devices in the list, want 2", found)
	}
}

func TestAdminTrustDeviceImportLimits(t *testing.T) {
	e := newAdmEnv(t)
	many := make([]map[string]any, 101)
	for i := range many {
		many[i] = map[string]any{"system": "Windows", "mac_addr": []string{fmt.Sprintf("AA:BB:CC:00:%02X:%02X", i/256, i%256)}}
	}
	e.wantCode(e.post("security/trustdevice/import", map[string]any{"device_list": many}), 40058)
	e.wantCode(e.post("security/trustdevice/import", map[string]any{"device_list": []any{}}), 40058)
	e.wantCode(e.post("security/trustdevice/import", map[string]any{}), 40058)
	e.wantCode(e.get("security/trustdevice/import"), 40058) // POST-only API called with GET
	// 100 is allowed.
	r := e.ok(e.post("security/trustdevice/import", map[string]any{"device_list": many[:100]}))
	if n := len(r.list("result")); n != 100 {
		t.Errorf("%d results for 100 devices", n)
	}
	tooManyMACs := make([]string, 101)
	for i := range tooManyMACs {
		tooManyMACs[i] = fmt.Sprintf("AA:BB:CD:00:%02X:%02X", i/256, i%256)
	}
	r = e.ok(e.post("security/trustdevice/import", map[string]any{"device_list": []map[string]any{
		{"system": "Windows", "mac_addr": tooManyMACs}}}))
	if st := admObj(t, r.list("result")[0]).num("status"); st != 4 {
		t.Errorf("101 MACs on one device: status %d, want 4", st)
	}
}

// admCodesWhere returns the device codes whose status is one of those given.
func admCodesWhere(e *admEnv, statuses ...int) []string {
	var out []string
	e.withAdmin(func(_ *Org, a *adminState) {
		for _, d := range a.devices {
			if slices.Contains(statuses, d.Status) {
				out = append(out, d.Code)
			}
		}
	})
	return out
}

func TestAdminTrustDeviceApproveAndReject(t *testing.T) {
	e := newAdmEnv(t)
	s3, s4, s5 := admCodesWhere(e, 3), admCodesWhere(e, 4), admCodesWhere(e, 5)
	if len(s3) < 2 || len(s4) < 2 || len(s5) == 0 {
		t.Fatalf("seed: status 3 %v, 4 %v, 5 %v", s3, s4, s5)
	}
	r := e.ok(e.post("security/trustdevice/approve", map[string]any{
		"device_code_list": []string{s3[0], s4[0], s5[0], "nosuch1"}}))
	admWantKeys(t, "approve", r, "errcode", "errmsg", "success_list", "fail_list")
	if got := admStrs(r.list("success_list")); !slices.Equal(got, []string{s3[0], s4[0]}) {
		t.Errorf("success_list %v", got)
	}
	// A device already trusted (status 5) and an unknown code cannot be approved.
	if got := admStrs(r.list("fail_list")); !slices.Equal(got, []string{s5[0], "nosuch1"}) {
		t.Errorf("fail_list %v", got)
	}
	status := func(typ int, code string) int64 {
		for _, d := range admWalkDevices(e, typ, 100) {
			if d.str("device_code") == code {
				return d.num("status")
			}
		}
		return -1
	}
	if st := status(1, s3[0]); st != 5 {
		t.Errorf("approved enterprise claim: status %d in type 1, want 5", st)
	}
	if st := status(3, s4[0]); st != 6 {
		t.Errorf("approved personal claim: status %d in type 3, want 6", st)
	}
	r = e.ok(e.post("security/trustdevice/reject", map[string]any{"device_code_list": []string{s3[1], s4[1], s3[0]}}))
	if got := admStrs(r.list("success_list")); !slices.Equal(got, []string{s3[1], s4[1]}) {
		t.Errorf("reject success_list %v", got)
	}
	if got := admStrs(r.list("fail_list")); !slices.Equal(got, []string{s3[0]}) {
		t.Errorf("reject fail_list %v (an approved device can no longer be rejected)", got)
	}
	for _, c := range []string{s3[1], s4[1]} {
		if st := status(2, c); st != 2 {
			t.Errorf("rejected %s: status %d in type 2, want 2", c, st)
		}
	}
	// Nothing is pending twice.
	r = e.ok(e.post("security/trustdevice/approve", map[string]any{"device_code_list": []string{s3[1]}}))
	if len(r.list("success_list")) != 0 {
		t.Errorf("approving a rejected device: %v", r)
	}
}

func TestAdminTrustDeviceCodeListLimits(t *testing.T) {
	e := newAdmEnv(t)
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf("code%03d", i)
	}
	for _, path := range []string{"security/trustdevice/approve", "security/trustdevice/reject"} {
		e.wantCode(e.post(path, map[string]any{"device_code_list": many}), 40058)
		e.wantCode(e.post(path, map[string]any{"device_code_list": []string{}}), 40058)
		e.ok(e.post(path, map[string]any{"device_code_list": many[:100]}))
	}
	e.wantCode(e.post("security/trustdevice/delete", map[string]any{"type": 1, "device_code_list": many}), 40058)
	e.wantCode(e.post("security/trustdevice/delete", map[string]any{"device_code_list": many[:1]}), 40058)
	e.wantCode(e.post("security/trustdevice/delete", map[string]any{"type": 1}), 40058)
}

func TestAdminTrustDeviceGetByUserAndDelete(t *testing.T) {
	e := newAdmEnv(t)
	var want []string
	e.withAdmin(func(_ *Org, a *adminState) {
		for _, d := range a.devices {
			if d.Type == 1 && d.LastLoginUserID == "zhangsan" {
				want = append(want, d.Code)
			}
		}
	})
	r := e.ok(e.post("security/trustdevice/get_by_user", map[string]any{"last_login_userid": "zhangsan", "type": 1}))
	admWantKeys(t, "get_by_user", r, "errcode", "errmsg", "device_list")
	var got []string
	for _, d := range r.list("device_list") {
		o := admObj(t, d)
		admWantKeysWithin(t, "device", o, admDeviceRequired, admDeviceOptional)
		got = append(got, o.str("device_code"))
	}
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("get_by_user zhangsan: %v, want %v", got, want)
	}
	if l := e.ok(e.post("security/trustdevice/get_by_user", map[string]any{"last_login_userid": "lisi", "type": 2})).list("device_list"); l == nil || len(l) != 0 {
		t.Errorf("lisi has no unknown device: %v", l)
	}
	e.wantCode(e.post("security/trustdevice/get_by_user", map[string]any{"last_login_userid": "nosuchuser", "type": 1}), 60111)
	e.wantCode(e.post("security/trustdevice/get_by_user", map[string]any{"last_login_userid": "zhouba", "type": 1}), 60011)
	e.wantCode(e.post("security/trustdevice/get_by_user", map[string]any{"type": 1}), 40058)
	e.wantCode(e.post("security/trustdevice/get_by_user", map[string]any{"last_login_userid": "zhangsan"}), 40058)

	// delete removes only devices of the type named.
	e.ok(e.post("security/trustdevice/delete", map[string]any{"type": 3, "device_code_list": want}))
	if n := len(e.ok(e.post("security/trustdevice/get_by_user", map[string]any{"last_login_userid": "zhangsan", "type": 1})).list("device_list")); n != len(want) {
		t.Errorf("delete with the wrong type removed devices: %d left, want %d", n, len(want))
	}
	r = e.ok(e.post("security/trustdevice/delete", map[string]any{"type": 1, "device_code_list": want}))
	admWantKeys(t, "delete", r, "errcode", "errmsg")
	if n := len(e.ok(e.post("security/trustdevice/get_by_user", map[string]any{"last_login_userid": "zhangsan", "type": 1})).list("device_list")); n != 0 {
		t.Errorf("%d devices left after delete", n)
	}
}

// admWindow is a request body for the operation logs.
func admWindow(start, end time.Time, extra map[string]any) map[string]any {
	b := map[string]any{"start_time": start.Unix(), "end_time": end.Unix()}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

// admWalkLog pages through a cursor-paged log API and returns every record; it checks has_more/next_cursor on the
// way: next_cursor is there exactly while has_more.
func admWalkLog(e *admEnv, path string, body map[string]any, limit int) []admResp {
	e.t.Helper()
	var out []admResp
	cursor := ""
	for page := 0; page < 1000; page++ {
		b := map[string]any{"limit": limit, "cursor": cursor}
		for k, v := range body {
			b[k] = v
		}
		r := e.ok(e.post(path, b))
		if r.list("record_list") == nil {
			e.t.Fatalf("%s: no record_list: %v", path, r)
		}
		if n := len(r.list("record_list")); n > limit {
			e.t.Fatalf("%s: %d records, limit %d", path, n, limit)
		}
		for _, v := range r.list("record_list") {
			out = append(out, admObj(e.t, v))
		}
		more, _ := r["has_more"].(bool)
		_, hasNext := r["next_cursor"]
		if more != hasNext {
			e.t.Fatalf("%s: has_more %v with next_cursor present=%v", path, more, hasNext)
		}
		if !more {
			return out
		}
		cursor = r.str("next_cursor")
	}
	e.t.Fatalf("%s: pages never ended", path)
	return nil
}

func TestAdminMemberOperLogPagesEveryRecordOnce(t *testing.T) {
	e := newAdmEnv(t)
	start, end := e.now().Add(-7*24*time.Hour), e.now().Add(-time.Second)
	var want []string
	e.withAdmin(func(o *Org, a *adminState) {
		for _, r := range a.memberLogs {
			if !r.Time.Before(start) && !r.Time.After(end) && o.admVisible(r.UserID) {
				want = append(want, fmt.Sprint(r.Time.Unix(), r.UserID, r.OperType, r.DetailInfo))
			}
		}
	})
	if len(want) < 40 {
		t.Fatalf("only %d member log rows in the last 7 days", len(want))
	}
	recs := admWalkLog(e, "security/member_oper_log/list", admWindow(start, end, nil), 7)
	var got []string
	for _, r := range recs {
		admWantKeys(t, "member log record", r, "time", "userid", "oper_type", "detail_info", "ip")
		if r.str("userid") == "zhouba" {
			t.Errorf("record of a member outside the app's visibility: %v", r)
		}
		if !strings.HasSuffix(r.str("ip"), ".*") {
			t.Errorf("member log ip %q not masked", r.str("ip"))
		}
		got = append(got, fmt.Sprint(r.num("time"), r.str("userid"), r.num("oper_type"), r.str("detail_info")))
	}
	if !slices.Equal(got, want) {
		t.Errorf("paged %d records, want %d (in order, each once)", len(got), len(want))
	}
	// Without a limit, one page of up to 400.
	r := e.ok(e.post("security/member_oper_log/list", admWindow(start, end, nil)))
	if more, _ := r["has_more"].(bool); more || len(r.list("record_list")) != len(want) {
		t.Errorf("default limit: has_more=%v, %d records", r["has_more"], len(r.list("record_list")))
	}
}

func TestAdminMemberOperLogFilters(t *testing.T) {
	e := newAdmEnv(t)
	start, end := e.now().Add(-7*24*time.Hour), e.now().Add(-time.Second)
	for _, u := range admWalkLog(e, "security/member_oper_log/list", admWindow(start, end, map[string]any{"userid": "lisi"}), 400) {
		if u.str("userid") != "lisi" {
			t.Errorf("userid filter leaked %v", u)
		}
	}
	// The seed has new-device logins (4), locked devices (21) and added contacts (1) somewhere in 40 days.
	for _, op := range []int{1, 4, 21} {
		n := 0
		for d := 0; d < 35; d += 7 {
			to := e.now().Add(-time.Duration(d)*24*time.Hour - time.Second)
			for _, r := range admWalkLog(e, "security/member_oper_log/list",
				admWindow(to.Add(-7*24*time.Hour), to, map[string]any{"oper_type": op}), 400) {
				if r.num("oper_type") != int64(op) {
					t.Errorf("oper_type filter %d leaked %v", op, r)
				}
				n++
			}
		}
		if n == 0 {
			t.Errorf("no member log of oper_type %d", op)
		}
	}
	e.wantCode(e.post("security/member_oper_log/list", admWindow(start, end, map[string]any{"oper_type": 10})), 40058)
	e.wantCode(e.post("security/member_oper_log/list", admWindow(start, end, map[string]any{"userid": "nosuchuser"})), 60111)
	e.wantCode(e.post("security/member_oper_log/list", admWindow(start, end, map[string]any{"userid": "zhouba"})), 60011)
}

func TestAdminOperLogValidation(t *testing.T) {
	e := newAdmEnv(t)
	now := e.now()
	end := now.Add(-time.Second) // end_time must be earlier than now (DOC/100178, 100179)
	day := 24 * time.Hour
	other := e.ok(e.post("security/member_oper_log/list", map[string]any{
		"start_time": now.Add(-3 * day).Unix(), "end_time": end.Unix(), "limit": 1})).str("next_cursor")
	for _, path := range []string{"security/member_oper_log/list", "security/admin_oper_log/list"} {
		for _, tc := range []struct {
			name string
			body map[string]any
			code int
		}{
			{"span over 7 days", admWindow(end.Add(-7*day-time.Second), end, nil), 40058},
			{"span exactly 7 days", admWindow(end.Add(-7*day), end, nil), 0},
			{"start older than 180 days", admWindow(now.Add(-181*day), now.Add(-175*day), nil), 40058},
			{"start 179 days ago", admWindow(now.Add(-179*day), now.Add(-175*day), nil), 0},
			{"end before start", admWindow(now.Add(-day), now.Add(-2*day), nil), 40058},
			{"end equals start", admWindow(now.Add(-day), now.Add(-day), nil), 40058},
			{"end in the future", admWindow(now.Add(-day), now.Add(time.Minute), nil), 40058},
			{"end equals now", admWindow(now.Add(-day), now, nil), 40058},
			{"end a second before now", admWindow(now.Add(-day), end, nil), 0},
			{"start missing", map[string]any{"end_time": now.Unix()}, 40058},
			{"end missing", map[string]any{"start_time": now.Add(-day).Unix()}, 40058},
			{"limit 401", admWindow(now.Add(-day), end, map[string]any{"limit": 401}), 40058},
			{"limit negative", admWindow(now.Add(-day), end, map[string]any{"limit": -1}), 40058},
			{"limit 400", admWindow(now.Add(-day), end, map[string]any{"limit": 400}), 0},
			{"garbage cursor", admWindow(now.Add(-day), end, map[string]any{"cursor": "%%%"}), 50100},
			{"cursor of another window", admWindow(now.Add(-day), end, map[string]any{"cursor": other}), 50100},
		} {
			t.Run(path+"/"+tc.name, func(t *testing.T) {
				e.t = t
				e.wantCode(e.post(path, tc.body), tc.code)
			})
		}
	}
}

func TestAdminMemberOperLogRateLimit(t *testing.T) {
	e := newAdmEnv(t)
	body := admWindow(e.now().Add(-time.Hour), e.now().Add(-time.Second), nil)
	for i := range 600 {
		if r := e.post("security/member_oper_log/list", body); r.code() != 0 {
			t.Fatalf("call %d: %v", i+1, r)
		}
	}
	// DOC/100178: "接口调用频率限制为600次/分钟".
	e.clock.advance(50 * time.Second)
	e.wantCode(e.post("security/member_oper_log/list", body), 45009)
	// Over the limit, the API is blocked for 60 s (DOC/90454 "屏蔽60s"), though the sliding minute has room
	// after 10 s more.
	e.clock.advance(30 * time.Second)
	e.wantCode(e.post("security/member_oper_log/list", admWindow(e.now().Add(-time.Hour), e.now().Add(-time.Second), nil)), 45009)
	e.clock.advance(31 * time.Second)
	e.ok(e.post("security/member_oper_log/list", admWindow(e.now().Add(-time.Hour), e.now().Add(-time.Second), nil)))
	// Another API is not blocked.
	e.ok(e.post("security/admin_oper_log/list", admWindow(e.now().Add(-time.Hour), e.now().Add(-time.Second), nil)))
}

func TestAdminAdminOperLog(t *testing.T) {
	e := newAdmEnv(t)
	start, end := e.now().Add(-7*24*time.Hour), e.now().Add(-time.Second)
	var want int
	e.withAdmin(func(o *Org, a *adminState) {
		for _, r := range a.adminLogs {
			// Not filtered by the app's visibility, unlike the member log (DOC/100179).
			if !r.Time.Before(start) && !r.Time.After(end) {
				want++
			}
		}
	})
	recs := admWalkLog(e, "security/admin_oper_log/list", admWindow(start, end, nil), 5)
	if len(recs) != want || want < 15 {
		t.Errorf("paged %d admin records, want %d (≥15)", len(recs), want)
	}
	seen := map[string]bool{}
	ops := map[int64]bool{}
	invisible := 0
	for _, r := range recs {
		admWantKeys(t, "admin log record", r, "time", "userid", "oper_type", "detail_type", "detail_info", "ip")
		key := fmt.Sprint(r.num("time"), r.str("userid"), r.str("detail_info"))
		if seen[key] {
			t.Errorf("record served twice: %v", r)
		}
		seen[key] = true
		ops[r.num("oper_type")] = true
		if r.str("userid") == "zhouba" {
			invisible++
		}
	}
	if invisible == 0 {
		t.Errorf("no record of zhouba (outside the app's visibility): the admin log is not filtered by visibility")
	}
	if !ops[2] {
		t.Errorf("no 权限管理变更 (oper_type 2) in a week of admin logs: %v", ops)
	}
	for _, r := range admWalkLog(e, "security/admin_oper_log/list", admWindow(start, end, map[string]any{"oper_type": 2}), 400) {
		if r.num("oper_type") != 2 {
			t.Errorf("oper_type filter leaked %v", r)
		}
	}
	e.ok(e.post("security/admin_oper_log/list", admWindow(start, end, map[string]any{"userid": "zhouba"})))
	e.wantCode(e.post("security/admin_oper_log/list", admWindow(start, end, map[string]any{"userid": "nobody"})), 60111)
}

func TestAdminInjectedRecordsAreServed(t *testing.T) {
	e := newAdmEnv(t)
	at := e.now().Add(-time.Minute)
	e.s.AddMemberOperRecord(MemberOperRecord{Time: at, UserID: "wangwu", OperType: 4, DetailInfo: "新设备登录：injected", IP: "1.2.3.*"})
	e.s.AddAdminOperRecord(AdminOperRecord{Time: at, UserID: "zhangsan", OperType: 2, DetailType: 9, DetailInfo: "injected", IP: "1.2.3.4"})
	e.s.AddFileOperRecord(FileOperRecord{Time: at, UserID: "lisi", OperType: 103, OperSource: 404, FileInfo: "injected.pdf"})
	r := e.ok(e.post("security/member_oper_log/list", admWindow(at, e.now().Add(-time.Second), map[string]any{"userid": "wangwu"})))
	if l := r.list("record_list"); len(l) == 0 || admObj(t, l[len(l)-1]).str("detail_info") != "新设备登录：injected" {
		t.Errorf("injected member record not served: %v", r)
	}
	r = e.ok(e.post("security/admin_oper_log/list", admWindow(at, e.now().Add(-time.Second), map[string]any{"oper_type": 2})))
	if l := r.list("record_list"); len(l) == 0 || admObj(t, l[len(l)-1]).num("detail_type") != 9 {
		t.Errorf("injected admin record not served: %v", r)
	}
	r = e.ok(e.post("security/get_file_oper_record", map[string]any{"start_time": at.Unix(), "end_time": e.now().Unix(),
		"operation": map[string]any{"type": 103, "source": 404}}))
	if l := r.list("record_list"); len(l) == 0 || admObj(t, l[len(l)-1]).str("file_info") != "injected.pdf" {
		t.Errorf("injected file record not served: %v", r)
	}
}

var admFileRecordKeys = []string{"time", "userid", "external_user", "operation", "file_info", "file_size", "file_md5",
	"applicant_name", "device_type", "device_code"}

func TestAdminFileOperRecordPagesEveryRecordOnce(t *testing.T) {
	e := newAdmEnv(t)
	start, end := e.now().Add(-14*24*time.Hour), e.now()
	var want int
	e.withAdmin(func(o *Org, a *adminState) {
		for _, r := range a.fileRecords {
			if !r.Time.Before(start) && !r.Time.After(end) && (r.UserID == "" || o.admVisible(r.UserID)) {
				want++
			}
		}
	})
	recs := admWalkLog(e, "security/get_file_oper_record", admWindow(start, end, nil), 9)
	if len(recs) != want || want < 50 {
		t.Fatalf("paged %d file records, want %d (≥50)", len(recs), want)
	}
	external, withDevice := 0, 0
	seen := map[string]bool{}
	for _, r := range recs {
		admWantKeysWithin(t, "file record", r, []string{"time", "operation", "file_info"}, admFileRecordKeys)
		_, hasUser := r["userid"]
		_, hasExt := r["external_user"]
		if hasUser == hasExt {
			t.Errorf("record needs exactly one of userid and external_user: %v", r)
		}
		if hasExt {
			external++
			admWantKeysWithin(t, "external_user", r.obj("external_user"), []string{"type", "name"}, []string{"corp_name"})
		}
		if _, ok := r["device_code"]; ok {
			withDevice++
		}
		if r.str("userid") == "zhouba" {
			t.Errorf("record of a member outside the app's visibility: %v", r)
		}
		key := fmt.Sprint(r)
		if seen[key] {
			t.Errorf("record served twice: %v", r)
		}
		seen[key] = true
	}
	if external == 0 || withDevice == 0 {
		t.Errorf("%d external and %d device records: the seed should have both", external, withDevice)
	}
	for _, r := range admWalkLog(e, "security/get_file_oper_record", admWindow(start, end, map[string]any{
		"userid_list": []string{"lisi", "wangwu"}, "operation": map[string]any{"type": 103, "source": 401}}), 1000) {
		op := r.obj("operation")
		if u := r.str("userid"); (u != "lisi" && u != "wangwu") || op.num("type") != 103 || op.num("source") != 401 {
			t.Errorf("filter leaked %v", r)
		}
	}
}

func TestAdminFileOperRecordValidation(t *testing.T) {
	e := newAdmEnv(t)
	now := e.now()
	day := 24 * time.Hour
	many := make([]string, 101)
	for i := range many {
		many[i] = "zhangsan"
	}
	other := e.ok(e.post("security/get_file_oper_record", admWindow(now.Add(-2*day), now, map[string]any{"limit": 1}))).str("next_cursor")
	// Errcodes 701100-701105 are the ones DOC/90313 lists for this API.
	for _, tc := range []struct {
		name string
		body map[string]any
		code int
	}{
		{"span over 14 days", admWindow(now.Add(-14*day-time.Second), now, nil), 701100},
		{"span exactly 14 days", admWindow(now.Add(-14*day), now, nil), 0},
		{"end before start", admWindow(now, now.Add(-day), nil), 701100},
		{"start missing", map[string]any{"end_time": now.Unix()}, 701100},
		{"limit 1001", admWindow(now.Add(-day), now, map[string]any{"limit": 1001}), 701101},
		{"limit 1000", admWindow(now.Add(-day), now, map[string]any{"limit": 1000}), 0},
		{"101 userids", admWindow(now.Add(-day), now, map[string]any{"userid_list": many}), 701102},
		{"100 userids", admWindow(now.Add(-day), now, map[string]any{"userid_list": many[:100]}), 0},
		{"negative type", admWindow(now.Add(-day), now, map[string]any{"operation": map[string]any{"type": -1}}), 701103},
		{"unknown source", admWindow(now.Add(-day), now, map[string]any{"operation": map[string]any{"type": 101, "source": 999}}), 701104},
		{"garbage cursor", admWindow(now.Add(-day), now, map[string]any{"cursor": "zzz"}), 701105},
		{"cursor of another window", admWindow(now.Add(-day), now, map[string]any{"cursor": other}), 701105},
		{"unknown userid", admWindow(now.Add(-day), now, map[string]any{"userid_list": []string{"nosuchuser"}}), 60111},
		{"invisible userid", admWindow(now.Add(-day), now, map[string]any{"userid_list": []string{"zhouba"}}), 60011},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			e.wantCode(e.post("security/get_file_oper_record", tc.body), tc.code)
		})
	}
}

func TestAdminScreenOperRecord(t *testing.T) {
	e := newAdmEnv(t)
	start, end := e.now().Add(-14*24*time.Hour), e.now()
	var want int
	e.withAdmin(func(o *Org, a *adminState) {
		for _, r := range a.screenRecords {
			if !r.Time.Before(start) && !r.Time.After(end) && o.admVisible(r.UserID) {
				want++
			}
		}
	})
	recs := admWalkLog(e, "security/get_screen_oper_record", admWindow(start, end, nil), 4)
	if len(recs) != want || want < 20 {
		t.Fatalf("paged %d screen records, want %d (≥20)", len(recs), want)
	}
	for _, r := range recs {
		admWantKeys(t, "screen record", r, "time", "userid", "department_id", "screen_shot_type", "screen_shot_content", "system")
		if st := r.num("screen_shot_type"); st < 1 || st > 6 {
			t.Errorf("screen_shot_type %d", st)
		}
	}
	for _, r := range admWalkLog(e, "security/get_screen_oper_record", admWindow(start, end, map[string]any{
		"screen_shot_type": 4, "department_id_list": []int{2, 3}}), 1000) {
		if r.num("screen_shot_type") != 4 || (r.num("department_id") != 2 && r.num("department_id") != 3) {
			t.Errorf("filter leaked %v", r)
		}
	}
	many := make([]string, 101)
	for i := range many {
		many[i] = "lisi"
	}
	for _, tc := range []struct {
		name string
		body map[string]any
		code int
	}{
		{"span over 14 days", admWindow(end.Add(-15*24*time.Hour), end, nil), 40058},
		{"type 7", admWindow(start, end, map[string]any{"screen_shot_type": 7}), 40058},
		{"101 userids", admWindow(start, end, map[string]any{"userid_list": many}), 40058},
		{"limit 1001", admWindow(start, end, map[string]any{"limit": 1001}), 40058},
		{"unknown department", admWindow(start, end, map[string]any{"department_id_list": []int{99}}), 60003},
		{"invisible userid", admWindow(start, end, map[string]any{"userid_list": []string{"zhouba"}}), 60011},
		{"garbage cursor", admWindow(start, end, map[string]any{"cursor": "x"}), 50100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			e.wantCode(e.post("security/get_screen_oper_record", tc.body), tc.code)
		})
	}
}

func TestAdminServerDomainIP(t *testing.T) {
	e := newAdmEnv(t)
	r := e.ok(e.get("security/get_server_domain_ip"))
	admWantKeys(t, "get_server_domain_ip", r, "errcode", "errmsg", "domain_list", "ip_list")
	if len(r.list("domain_list")) == 0 || len(r.list("ip_list")) == 0 {
		t.Fatalf("empty lists: %v", r)
	}
	for _, d := range r.list("domain_list") {
		// "universal_domian" is WeCom's own spelling (DOC/100079).
		admWantKeys(t, "domain", admObj(t, d), "domain", "universal_domian", "protocol", "port", "is_necessary", "description")
	}
	for _, ip := range r.list("ip_list") {
		admWantKeys(t, "ip", admObj(t, ip), "ip", "protocol", "port", "is_necessary", "description")
	}
	e.wantCode(e.post("security/get_server_domain_ip", map[string]any{}), 40058)
}
