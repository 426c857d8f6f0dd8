package people_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/wecom/emulator"
)

func TestPeopleStaff_fields(t *testing.T) {
	t.Parallel()
	h := newHarness(t, noApprovers)
	got := h.Say("zhaoliu", "/staff fields") // the hr role holds staff.*
	wants(t, "/staff fields", got, "个人信息", "性别 `11004` — option (选项): 男, 女", "姓名 `11001` — text (文本), required",
		"年龄 `11006` — text (文本) (read-only)", "员工状态 `12004` — option (选项): 试用, 正式, 待离职 (read-only)", "紧急联系人")
	if c := h.Emu.CallsTo("hr/get_fields"); len(c) != 1 || c[0].Method != "GET" {
		t.Fatalf("hr/get_fields calls = %+v; want one GET", c)
	}
}

func TestPeopleStaff_showAndFieldCache(t *testing.T) {
	t.Parallel()
	h := newHarness(t, noApprovers)
	got := h.Say("zhaoliu", "/staff lisi")
	wants(t, "/staff lisi", got, "Roster of `lisi`", "姓名: 李四", "工号: EMP0002", "职位: 经理", "员工状态: 正式", "手机: +86 13800000002")
	body := lastBody(t, h, "hr/get_staff_info")
	if body["userid"] != "lisi" || body["get_all"] != nil || len(body["fieldids"].([]any)) != 8 {
		t.Fatalf("body = %v; want lisi's eight summary fields", body)
	}

	got = h.Say("zhaoliu", "/staff lisi 入职日期 工位 紧急联系人.姓名")
	body = lastBody(t, h, "hr/get_staff_info")
	if fmt.Sprint(body["fieldids"]) != "[map[fieldid:12018 sub_idx:0] map[fieldid:20001 sub_idx:0] map[fieldid:17001 sub_idx:0]]" {
		t.Fatalf("fieldids = %v", body["fieldids"])
	}
	wants(t, "named fields", got, "工位: A-4-11", "姓名: 李家属")

	got = h.Say("zhaoliu", "/staff lisi --all")
	if b := lastBody(t, h, "hr/get_staff_info"); b["get_all"] != true || b["fieldids"] != nil {
		t.Fatalf("--all body = %v", b)
	}
	wants(t, "--all", got, "### 教育经历", "学校: 浙江大学", "### 紧急联系人", "身份证照片: 2 files")

	if n := len(h.Emu.CallsTo("hr/get_fields")); n != 1 {
		t.Fatalf("hr/get_fields called %d times for three commands; want the list cached", n)
	}
	if d := decisions(t, h, "staff"); len(d) != 3 {
		t.Fatalf("audit = %v; want three reads", d)
	}

	before := len(h.Emu.CallsTo("hr/get_staff_info"))
	wants(t, "unknown field", h.Say("zhaoliu", "/staff lisi 入职日"), "no field `入职日`", "did you mean 入职日期?")
	if len(h.Emu.CallsTo("hr/get_staff_info")) != before {
		t.Fatal("an unknown field name reached WeCom")
	}
}

func TestPeopleStaff_setConfirmsAndUpdates(t *testing.T) {
	t.Parallel()
	h := newHarness(t, noApprovers)
	got := h.Say("zhaoliu", "/staff set lisi 工位=B-2-01 职位=专员 入职日期=2020-03-01 手机=+86-13900000000")
	wants(t, "preview", got, "change the roster (花名册) of lisi", "工位: A-4-11 → B-2-01", "职位: 经理 → 专员",
		"入职日期:", "→ 2020-03-01", "手机: +86 13800000002 → +86 13900000000", "yes")
	if n := len(h.Emu.CallsTo("hr/update_staff_info")); n != 0 {
		t.Fatalf("updated before the confirmation (%d calls)", n)
	}
	got = h.Say("zhaoliu", "yes")
	updates := h.Emu.CallsTo("hr/update_staff_info")
	joined := time.Date(2020, 3, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600)).Unix()
	want := fmt.Sprintf(`{"userid":"lisi","update_items":[{"fieldid":20001,"sub_idx":0,"value_string":"B-2-01"},`+
		`{"fieldid":12010,"sub_idx":0,"value_uint32":5},{"fieldid":12018,"sub_idx":0,"value_uint64":%d},`+
		`{"fieldid":11003,"sub_idx":0,"value_mobile":{"value_mobile":"13900000000","value_mobile_country_code":"86"}}]}`, joined)
	if len(updates) != 1 || string(updates[0].Body) != want {
		t.Fatalf("update calls = %d, body %s\nwant %s", len(updates), updates[0].Body, want)
	}
	wants(t, "result", got, "工位: A-4-11 → B-2-01 — changed", "职位: 经理 → 专员 — changed", "4 fields: 4 changed")
	wants(t, "read back", h.Say("zhaoliu", "/staff lisi 工位 职位 入职日期 手机"), "工位: B-2-01", "职位: 专员", "入职日期: 2020-03-01",
		"手机: +86 13900000000") // the country code arrived: update_items name it value_mobile_country_code (DOC/99133)
	if d := decisions(t, h, "staff set"); fmt.Sprint(d) != "[zhaoliu:ok zhaoliu:proposed]" {
		t.Fatalf("audit = %v", d)
	}

	// Reconcile after an interruption reads the values back.
	c := command(t, h, "staff set")
	r, err := c.Reconcile(t.Context(), invocation(c, "zhaoliu", map[string][]string{"userid": {"lisi"}, "change": {"工位=B-2-01", "工号=X1"}}))
	if err != nil {
		t.Fatal(err)
	}
	wants(t, "reconcile", []string{replies.Markdown(r.Markdown)}, "工位: B-2-01 (as requested)", "工号: EMP0002 (not the requested X1)",
		"1 field is not changed yet")
}

// TestPeopleStaff_setUnchangedNotOffered: a value equal to the roster's current one is shown as unchanged and
// not sent; when nothing would change, the bot says so instead of asking for a yes (issue 10).
func TestPeopleStaff_setUnchangedNotOffered(t *testing.T) {
	t.Parallel()
	h := newHarness(t, noApprovers)
	got := h.Say("zhaoliu", "/staff set lisi 工位=A-4-11")
	wants(t, "all unchanged", got, "Nothing to change", "工位: A-4-11", "unchanged")
	if contains(got, "yes") {
		t.Fatalf("asked to confirm a no-op: %q", got)
	}
	got = h.Say("zhaoliu", "/staff set lisi 工位=A-4-11 职位=专员")
	wants(t, "one unchanged", got, "工位: A-4-11 (", "unchanged", "职位: 经理 → 专员", "yes")
	h.Say("zhaoliu", "yes")
	updates := h.Emu.CallsTo("hr/update_staff_info")
	if len(updates) != 1 || strings.Contains(string(updates[0].Body), "20001") || !strings.Contains(string(updates[0].Body), "12010") {
		t.Fatalf("update calls = %d %s; want one, with 职位 (12010) and without the unchanged 工位 (20001)", len(updates), updates[0].Body)
	}
}

func TestPeopleStaff_setRefusedBeforeWeCom(t *testing.T) {
	t.Parallel()
	h := newHarness(t, noApprovers)
	wants(t, "read-only", h.Say("zhaoliu", "/staff set lisi 年龄=30"), "年龄 is read-only")
	wants(t, "read-only by id", h.Say("zhaoliu", "/staff set lisi 12004=1"), "12004 is read-only")
	if n := len(h.Emu.Calls()); n > 0 {
		for _, c := range h.Emu.Calls() {
			if strings.HasPrefix(c.Path, "hr/") {
				t.Fatalf("a read-only field reached WeCom: %s", c.Path)
			}
		}
	}
	wants(t, "not an option", h.Say("zhaoliu", "/staff set lisi 职位=CEO"), "`CEO` is not one of its options: 总经理, 秘书, 经理, 工程师, 专员")
	wants(t, "not a date", h.Say("zhaoliu", "/staff set lisi 入职日期=yesterday"), "it is a date; write it like 2024-03-01")
	wants(t, "files", h.Say("zhaoliu", "/staff set lisi 身份证照片=x"), "cannot be set from chat")
	wants(t, "mobile", h.Say("zhaoliu", "/staff set lisi 手机=call-me"), "not a mobile number")
	wants(t, "shape", h.Say("zhaoliu", "/staff set lisi 工位"), "is not FIELD=VALUE")
	wants(t, "twice", h.Say("zhaoliu", "/staff set lisi 工位=1 工位=2"), "工位 is given twice")
	if n := len(h.Emu.CallsTo("hr/update_staff_info")); n != 0 || len(h.Emu.CallsTo("hr/get_staff_info")) != 0 {
		t.Fatalf("refused changes reached WeCom (%d updates)", n)
	}
}

func TestPeopleStaff_errcodesAndPermissions(t *testing.T) {
	t.Parallel()
	h := newHarness(t, noApprovers)
	h.Emu.Fail("hr/get_fields", 48002, 1)
	wants(t, "48002", h.Say("zhaoliu", "/staff lisi"), "errcode 48002", "可调用接口的应用")
	wants(t, "60011", h.Say("zhaoliu", "/staff zhouba"), "errcode 60011", "visibility")
	wants(t, "60111", h.Say("zhaoliu", "/staff nosuchuser"), "errcode 60111", "no such userid")
	wants(t, "60111 in a preview", h.Say("zhaoliu", "/staff set nosuchuser 工位=1"), "errcode 60111")
	wants(t, "no staff.read", h.Say("lisi", "/staff lisi"), "not allowed", "staff.read")
	wants(t, "no staff.write", h.Say("wujiu", "/staff set lisi 工位=1"), "not allowed", "staff.write")
	if d := decisions(t, h, "staff set"); len(d) != 1 || d[0] != "wujiu:denied" {
		t.Fatalf("audit = %v; want wujiu's refusal", d)
	}
}

// TestPeople_byName: a member's name works where a userid does (/staff 李四, /whois 李四); a name two members
// share is answered with both userids, and a name nobody has says so.
func TestPeople_byName(t *testing.T) {
	t.Parallel()
	h := newHarness(t, noApprovers)
	wants(t, "/staff 李四", h.Say("zhaoliu", "/staff 李四 工位"), "`lisi`", "工位")
	wants(t, "/whois 李四", h.Say("zhangsan", "/whois 李四"), "李四", "`lisi`")
	h.Emu.WithOrg(func(o *emulator.Org) {
		o.Members = append(o.Members, &emulator.Member{UserID: "lisi2", Name: "李四", Department: []int{1}, Visible: true})
	})
	wants(t, "two named 李四", h.Say("zhaoliu", "/staff 李四"), "2 members are named 李四", "`lisi`", "`lisi2`", "Which one?")
	wants(t, "nobody", h.Say("zhaoliu", "/staff 王二麻子"), "No member named 王二麻子")
}
