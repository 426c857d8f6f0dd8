package emulator

import (
	"slices"
	"testing"
)

var admValueKeys = map[int64]string{1: "value_string", 2: "value_uint64", 3: "value_uint32", 4: "value_int64",
	5: "value_mobile", 6: "value_file"}

func TestAdminHRGetFields(t *testing.T) {
	e := newAdmEnv(t)
	r := e.ok(e.get("hr/get_fields"))
	admWantKeys(t, "get_fields", r, "errcode", "errmsg", "group_list")
	fields := map[int64]admResp{}
	for _, g := range r.list("group_list") {
		grp := admObj(t, g)
		admWantKeys(t, "group", grp, "group_id", "group_name", "field_list")
		for _, f := range grp.list("field_list") {
			fo := admObj(t, f)
			if fo.num("field_type") == 2 {
				admWantKeys(t, "option field", fo, "fieldid", "field_name", "field_type", "value_type", "is_must", "option_list")
				for _, o := range fo.list("option_list") {
					admWantKeys(t, "option", admObj(t, o), "id", "value")
				}
			} else {
				// "仅当field_type字段为2时返回" option_list.
				admWantKeys(t, "field", fo, "fieldid", "field_name", "field_type", "value_type", "is_must")
			}
			fields[fo.num("fieldid")] = fo
		}
	}
	for id, want := range map[int64][2]int64{ // fieldid → field_type, value_type
		11001: {1, 1}, 11004: {2, 3}, 11005: {3, 4}, 11006: {1, 1}, 11012: {1, 1}, 12004: {2, 3},
		11003: {1, 5}, 19001: {4, 6}, 19002: {5, 6}, 19003: {6, 6}, 20001: {1, 1},
	} {
		f, ok := fields[id]
		if !ok {
			t.Errorf("field %d missing", id)
			continue
		}
		if f.num("field_type") != want[0] || f.num("value_type") != want[1] {
			t.Errorf("field %d: %v, want field_type %d value_type %d", id, f, want[0], want[1])
		}
	}
	if must, _ := fields[11001]["is_must"].(bool); !must {
		t.Error("11001 姓名 should be required")
	}
	// DOC/99131: GET only.
	e.wantCode(e.post("hr/get_fields", map[string]any{}), 40058)
}

// admStaffInfo calls hr/get_staff_info and returns field_info.
func admStaffInfo(e *admEnv, body map[string]any) []admResp {
	e.t.Helper()
	r := e.ok(e.post("hr/get_staff_info", body))
	admWantKeys(e.t, "get_staff_info", r, "errcode", "errmsg", "field_info")
	var out []admResp
	for _, v := range r.list("field_info") {
		fi := admObj(e.t, v)
		if fi.num("result") == 1 {
			// Exactly the value member named by value_type.
			admWantKeys(e.t, "field_info", fi, "fieldid", "sub_idx", "result", "value_type", admValueKeys[fi.num("value_type")])
		} else {
			admWantKeys(e.t, "field_info", fi, "fieldid", "sub_idx", "result")
		}
		out = append(out, fi)
	}
	return out
}

func TestAdminHRGetStaffInfo(t *testing.T) {
	e := newAdmEnv(t)
	infos := admStaffInfo(e, map[string]any{"userid": "zhaoliu", "fieldids": []map[string]any{
		{"fieldid": 11004, "sub_idx": 0},
		{"fieldid": 11003},
		{"fieldid": 19001},
		{"fieldid": 14001, "sud_idx": 0}, // DOC/99132's sample spells it sud_idx
		{"fieldid": 99999},
		{"fieldid": 14001, "sub_idx": 5},
		{"fieldid": 11001, "sub_idx": 1}, // not a repeatable field
		{"fieldid": 12018},
	}})
	wantResults := []int64{1, 1, 1, 1, 3, 3, 3, 1}
	if len(infos) != len(wantResults) {
		t.Fatalf("field_info %v", infos)
	}
	for i, fi := range infos {
		if fi.num("result") != wantResults[i] {
			t.Errorf("field_info[%d] = %v, want result %d", i, fi, wantResults[i])
		}
	}
	if infos[0].num("value_uint32") != 2 { // 赵六 is 女
		t.Errorf("性别: %v", infos[0])
	}
	if m := infos[1].obj("value_mobile"); m.str("value_country_code") != "86" || m.str("value_mobile") != "13800000004" {
		t.Errorf("手机: %v", infos[1])
	}
	if f := infos[2].obj("value_file"); len(f.list("media_id")) != 2 {
		t.Errorf("身份证照片: %v", infos[2])
	}
	if infos[3].str("value_string") == "" || infos[3].num("value_type") != 1 {
		t.Errorf("学校: %v", infos[3])
	}
	if infos[7].num("value_uint64") == 0 || infos[7].num("value_type") != 2 {
		t.Errorf("入职日期: %v", infos[7])
	}

	all := admStaffInfo(e, map[string]any{"userid": "zhangsan", "get_all": true, "fieldids": []map[string]any{{"fieldid": 99999}}})
	seen := map[[2]int64]bool{}
	for _, fi := range all {
		if fi.num("result") != 1 {
			t.Errorf("get_all returned %v", fi)
		}
		seen[[2]int64{fi.num("fieldid"), fi.num("sub_idx")}] = true
	}
	for _, k := range [][2]int64{{11001, 0}, {11006, 0}, {12004, 0}, {20002, 0}, {14001, 0}, {14001, 1}, {17003, 0}} {
		if !seen[k] {
			t.Errorf("get_all lacks field %d sub_idx %d", k[0], k[1])
		}
	}
	if seen[[2]int64{99999, 0}] {
		t.Error("get_all should ignore fieldids")
	}

	e.wantCode(e.post("hr/get_staff_info", map[string]any{"fieldids": []map[string]any{{"fieldid": 11001}}}), 40058)
	e.wantCode(e.post("hr/get_staff_info", map[string]any{"userid": "lisi"}), 40058)
	e.wantCode(e.post("hr/get_staff_info", map[string]any{"userid": "lisi", "get_all": false, "fieldids": []any{}}), 40058)
	e.wantCode(e.post("hr/get_staff_info", map[string]any{"userid": "ghost", "get_all": true}), 60111)
	e.wantCode(e.post("hr/get_staff_info", map[string]any{"userid": "zhouba", "get_all": true}), 60011)
}

// admHRField reads one field of a member back.
func admHRField(e *admEnv, userid string, fieldid, subIdx int) admResp {
	e.t.Helper()
	return admStaffInfo(e, map[string]any{"userid": userid, "fieldids": []map[string]any{{"fieldid": fieldid, "sub_idx": subIdx}}})[0]
}

func TestAdminHRUpdateStaffInfo(t *testing.T) {
	e := newAdmEnv(t)
	r := e.ok(e.post("hr/update_staff_info", map[string]any{"userid": "lisi", "update_items": []map[string]any{
		{"fieldid": 11020, "sub_idx": 0, "value_string": "lisi@new.example.net"},
		{"fieldid": 11006, "value_string": "18"},                 // 年龄: read-only
		{"fieldid": 11012, "value_string": "1年"},                 // 社会工龄: read-only
		{"fieldid": 12004, "value_uint32": 3},                    // 员工状态: read-only
		{"fieldid": 11004, "value_string": "男"},                  // an option takes value_uint32
		{"fieldid": 11004, "value_uint32": 9},                    // not one of the options
		{"fieldid": 11001},                                       // clearing a required field
		{"fieldid": 99999, "value_string": "x"},                  // no such field
		{"fieldid": 14001, "sub_idx": 7, "value_string": "北京大学"}, // no 8th education entry
		{"fieldid": 11005, "value_uint64": 631152000},            // 出生日期 is an int64 field
		{"fieldid": 11005, "value_int64": -31536000},             // born 1969: fine
		{"fieldid": 17003, "sud_idx": 0, "value_mobile": map[string]any{ // DOC/99133 spells both ways
			"value_mobile_country_code": "852", "value_mobile": "61234567"}},
		{"fieldid": 20001, "value_string": "B-2-07", "value_uint32": 1},                    // two values at once
		{"fieldid": 19002, "value_file": map[string]any{"media_id": []string{"m1", "m2"}}}, // 单文件 holds one
		{"fieldid": 19003, "value_file": map[string]any{"media_id": []string{"m1", "m2"}}},
	}}))
	admWantKeys(t, "update_staff_info", r, "errcode", "errmsg", "update_results", "remove_results", "insert_result")
	want := []int64{1, 5, 5, 5, 2, 2, 4, 3, 3, 2, 1, 1, 2, 2, 1}
	res := r.list("update_results")
	if len(res) != len(want) {
		t.Fatalf("update_results %v", res)
	}
	for i, v := range res {
		o := admObj(t, v)
		admWantKeys(t, "update result", o, "fieldid", "sub_idx", "result")
		if o.num("result") != want[i] {
			t.Errorf("update_results[%d] = %v, want result %d", i, o, want[i])
		}
	}
	if got := admHRField(e, "lisi", 11020, 0).str("value_string"); got != "lisi@new.example.net" {
		t.Errorf("个人邮箱 read back %q", got)
	}
	if got := admHRField(e, "lisi", 11001, 0).str("value_string"); got != "李四" {
		t.Errorf("姓名 was cleared: %q", got)
	}
	if m := admHRField(e, "lisi", 17003, 0).obj("value_mobile"); m.str("value_country_code") != "852" || m.str("value_mobile") != "61234567" {
		t.Errorf("紧急联系人电话 read back %v", m)
	}
	if got := admHRField(e, "lisi", 11005, 0).num("value_int64"); got != -31536000 {
		t.Errorf("出生日期 read back %d", got)
	}
	// Clearing an optional field empties it.
	e.ok(e.post("hr/update_staff_info", map[string]any{"userid": "lisi", "update_items": []map[string]any{{"fieldid": 20001}}}))
	if got := admHRField(e, "lisi", 20001, 0).str("value_string"); got != "" {
		t.Errorf("cleared 工位 reads %q", got)
	}
}

func TestAdminHRRemoveAndInsert(t *testing.T) {
	e := newAdmEnv(t)
	// zhangsan (seed index 0) has two education entries and one emergency contact.
	edu := func() []string {
		var out []string
		for _, fi := range admStaffInfo(e, map[string]any{"userid": "zhangsan", "get_all": true}) {
			if fi.num("fieldid") == 14001 {
				out = append(out, fi.str("value_string"))
			}
		}
		return out
	}
	before := edu()
	if len(before) != 2 {
		t.Fatalf("seeded education entries %v", before)
	}
	r := e.ok(e.post("hr/update_staff_info", map[string]any{"userid": "zhangsan",
		"remove_items": []map[string]any{
			{"group_type": 1, "sub_idx": 1}, {"group_type": 1, "sub_idx": 0}, // both, by the indexes seen
			{"group_type": 2, "sub_idx": 0}, // no 工作经历 group configured
			{"group_type": 4, "sub_idx": 3}, // no 4th contact
		},
		"insert_items": []map[string]any{
			{"group_type": 4, "item": []map[string]any{
				{"fieldid": 17001, "sub_idx": 0, "value_string": "孙悟空"},
				{"fieldid": 17002, "sub_idx": 0, "value_uint32": 4},
				{"fieldid": 17003, "sub_idx": 0, "value_mobile": map[string]any{"value_country_code": "86", "value_mobile": "13912345678"}},
				{"fieldid": 17004, "sub_idx": 0, "value_string": "娜美克星"},
			}},
			{"group_type": 4, "item": []map[string]any{{"fieldid": 17001, "value_string": "没有电话"}}}, // required 17003 missing
			{"group_type": 4, "item": []map[string]any{{"fieldid": 14001, "value_string": "错组"}}},   // field of another group
			{"group_type": 3, "item": []map[string]any{{"fieldid": 16001, "value_string": "x"}}},    // group not configured
		},
	}))
	rem := r.list("remove_results")
	for i, want := range []int64{1, 1, 3, 3} {
		o := admObj(t, rem[i])
		admWantKeys(t, "remove result", o, "group_type", "sub_idx", "result")
		if o.num("result") != want {
			t.Errorf("remove_results[%d] = %v, want %d", i, o, want)
		}
	}
	if got := edu(); len(got) != 0 {
		t.Errorf("education entries after removing both: %v", got)
	}
	// The doc's sample names the insertion results insert_result (its text says insert_results).
	if _, ok := r["insert_results"]; ok {
		t.Error("answer has insert_results")
	}
	ins := r.list("insert_result")
	for i, want := range [][2]int64{{1, 1}, {-1, 4}, {-1, 2}, {-1, 3}} { // idx, result
		o := admObj(t, ins[i])
		admWantKeys(t, "insert result", o, "group_type", "idx", "result")
		if o.num("idx") != want[0] || o.num("result") != want[1] {
			t.Errorf("insert_result[%d] = %v, want idx %d result %d", i, o, want[0], want[1])
		}
	}
	if got := admHRField(e, "zhangsan", 17001, 1).str("value_string"); got != "孙悟空" {
		t.Errorf("inserted contact reads %q", got)
	}
	if got := admHRField(e, "zhangsan", 17003, 1).obj("value_mobile").str("value_mobile"); got != "13912345678" {
		t.Errorf("inserted contact phone %q", got)
	}
}

func TestAdminHRUpdateValidation(t *testing.T) {
	e := newAdmEnv(t)
	e.wantCode(e.post("hr/update_staff_info", map[string]any{"userid": "lisi"}), 40058)
	e.wantCode(e.post("hr/update_staff_info", map[string]any{"userid": "lisi", "update_items": []any{},
		"remove_items": []any{}, "insert_items": []any{}}), 40058)
	one := []map[string]any{{"fieldid": 11020, "value_string": "x"}}
	e.wantCode(e.post("hr/update_staff_info", map[string]any{"update_items": one}), 40058)
	e.wantCode(e.post("hr/update_staff_info", map[string]any{"userid": "ghost", "update_items": one}), 60111)
	e.wantCode(e.post("hr/update_staff_info", map[string]any{"userid": "zhouba", "update_items": one}), 60011)
	e.wantCode(e.get("hr/update_staff_info"), 40058)
	// Values of the wrong JSON type are a malformed body, as in WeCom.
	if c := e.post("hr/update_staff_info", map[string]any{"userid": "lisi", "update_items": []map[string]any{
		{"fieldid": 11004, "value_uint32": -1}}}).code(); c == 0 {
		t.Error("negative uint32 accepted")
	}
	// Each of the three lists alone is enough.
	r := e.ok(e.post("hr/update_staff_info", map[string]any{"userid": "wangwu", "remove_items": []map[string]any{{"group_type": 1, "sub_idx": 0}}}))
	if got := admObj(t, r.list("remove_results")[0]).num("result"); got != 1 || len(r.list("update_results")) != 0 {
		t.Errorf("remove only: %v", r)
	}
	if !slices.Equal(admKeys(r), []string{"errcode", "errmsg", "insert_result", "remove_results", "update_results"}) {
		t.Errorf("keys %v", admKeys(r))
	}
}
