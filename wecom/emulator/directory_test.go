package emulator_test

import (
	"net/url"
	"slices"
	"strconv"
	"testing"
)

// ids returns field k of each object in a JSON list, as strings.
func ids(list any, k string) []string {
	var out []string
	for _, o := range list.([]any) {
		switch v := o.(map[string]any)[k].(type) {
		case string:
			out = append(out, v)
		case float64:
			out = append(out, strconv.FormatFloat(v, 'f', -1, 64))
		}
	}
	return out
}

func TestUserGet(t *testing.T) {
	ts, tok := emu(t, testOptions())
	r := call(t, ts, "GET", "user/get", tok, url.Values{"userid": {"zhangsan"}})
	wantCode(t, r, 0)
	if r.str("userid") != "zhangsan" || r.str("name") != "张三" || r.str("position") != "安全负责人" ||
		r.str("mobile") != "13800000001" || r.str("gender") != "1" || r.str("email") != "zhangsan@example.com" ||
		r["status"].(float64) != 1 || r["main_department"].(float64) != 1 {
		t.Errorf("user/get zhangsan = %v", r)
	}
	dept := r["department"].([]any)
	lead := r["is_leader_in_dept"].([]any)
	if len(dept) != 2 || dept[1].(float64) != 3 || lead[0].(float64) != 0 || lead[1].(float64) != 1 {
		t.Errorf("department %v, is_leader_in_dept %v; want [1 3], [0 1] (leads department 3)", dept, lead)
	}
	if _, ok := r["open_userid"]; ok {
		t.Error("open_userid is for third-party apps only")
	}
	wantCode(t, call(t, ts, "GET", "user/get", tok, url.Values{"userid": {"ZhangSan"}}), 0) // case-insensitive
	wantCode(t, call(t, ts, "GET", "user/get", tok, url.Values{"userid": {"nobody"}}), 60111)
	wantCode(t, call(t, ts, "GET", "user/get", tok, nil), 60111)
	wantCode(t, call(t, ts, "GET", "user/get", tok, url.Values{"userid": {"zhouba"}}), 60011)
	wantCode(t, call(t, ts, "POST", "user/get", tok, `{}`), 40058) // wrong method
}

func TestDepartments(t *testing.T) {
	ts, tok := emu(t, testOptions())
	r := call(t, ts, "GET", "department/list", tok, nil)
	wantCode(t, r, 0)
	if got := ids(r["department"], "id"); !slices.Equal(got, []string{"1", "2", "3", "4", "5"}) {
		t.Errorf("department/list = %v; want all 5", got)
	}
	r = call(t, ts, "GET", "department/list", tok, url.Values{"id": {"2"}})
	wantCode(t, r, 0)
	if got := ids(r["department"], "id"); !slices.Equal(got, []string{"2", "5"}) {
		t.Errorf("department/list id=2 = %v; want [2 5] (the department and its subtree)", got)
	}
	d := r["department"].([]any)[0].(map[string]any)
	if d["name"] != "研发部" || d["name_en"] != "R&D" || d["parentid"].(float64) != 1 || d["order"].(float64) != 99999000 {
		t.Errorf("department 2 = %v", d)
	}
	wantCode(t, call(t, ts, "GET", "department/list", tok, url.Values{"id": {"99"}}), 60123)
	wantCode(t, call(t, ts, "GET", "department/list", tok, url.Values{"id": {"x"}}), 60123)

	r = call(t, ts, "GET", "department/get", tok, url.Values{"id": {"3"}})
	wantCode(t, r, 0)
	d = r["department"].(map[string]any)
	if d["name"] != "安全部" || len(d["department_leader"].([]any)) != 1 || d["department_leader"].([]any)[0] != "zhangsan" {
		t.Errorf("department/get 3 = %v", d)
	}
	wantCode(t, call(t, ts, "GET", "department/get", tok, nil), 40058)
	wantCode(t, call(t, ts, "GET", "department/get", tok, url.Values{"id": {"42"}}), 60123)

	r = call(t, ts, "GET", "user/simplelist", tok, url.Values{"department_id": {"2"}})
	wantCode(t, r, 0)
	if got := ids(r["userlist"], "userid"); !slices.Equal(got, []string{"lisi", "sunqi"}) {
		t.Errorf("simplelist 2 = %v; want [lisi sunqi]", got)
	}
	r = call(t, ts, "GET", "user/simplelist", tok, url.Values{"department_id": {"2"}, "fetch_child": {"1"}})
	if got := ids(r["userlist"], "userid"); !slices.Equal(got, []string{"lisi", "wangwu", "sunqi"}) {
		t.Errorf("simplelist 2 recursive = %v; want [lisi wangwu sunqi]", got)
	}
	r = call(t, ts, "GET", "user/simplelist", tok, url.Values{"department_id": {"4"}})
	if got := ids(r["userlist"], "userid"); !slices.Equal(got, []string{"zhaoliu"}) {
		t.Errorf("simplelist 4 = %v; want [zhaoliu] (zhouba is outside the app's visibility)", got)
	}
	wantCode(t, call(t, ts, "GET", "user/simplelist", tok, nil), 40058)
	wantCode(t, call(t, ts, "GET", "user/simplelist", tok, url.Values{"department_id": {"77"}}), 60123)
}

func TestTags(t *testing.T) {
	ts, tok := emu(t, testOptions())
	r := call(t, ts, "GET", "tag/list", tok, nil)
	wantCode(t, r, 0)
	if got := ids(r["taglist"], "tagname"); !slices.Equal(got, []string{"安全管理员", "审批人", "值班"}) {
		t.Errorf("tag/list = %v", got)
	}
	r = call(t, ts, "GET", "tag/get", tok, url.Values{"tagid": {"1"}})
	wantCode(t, r, 0)
	if r.str("tagname") != "安全管理员" || !slices.Equal(ids(r["userlist"], "userid"), []string{"zhangsan", "wujiu"}) ||
		len(r["partylist"].([]any)) != 0 {
		t.Errorf("tag/get 1 = %v", r)
	}
	r = call(t, ts, "GET", "tag/get", tok, url.Values{"tagid": {"3"}})
	if p := r["partylist"].([]any); len(p) != 1 || p[0].(float64) != 3 {
		t.Errorf("tag/get 3 partylist = %v; want [3]", p)
	}
	wantCode(t, call(t, ts, "GET", "tag/get", tok, url.Values{"tagid": {"99"}}), 40068)
	wantCode(t, call(t, ts, "GET", "tag/get", tok, nil), 40068)
}
