package people_test

import (
	"fmt"
	"testing"
)

func TestPeopleWhois_member(t *testing.T) {
	t.Parallel()
	h := newHarness(t, noApprovers)
	got := h.Say("wujiu", "/whois lisi") // the security role holds whois.*
	wants(t, "/whois lisi", got, "李四 — member", "研发经理", "研发部 (leader)", "activated", "EMP0002", "职位 经理",
		"员工状态 正式", "Read as userid")
	if q := lastQuery(t, h, "user/get"); q.Get("userid") != "lisi" {
		t.Fatalf("user/get query = %v", q)
	}
	if c := h.Emu.CallsTo("hr/get_fields"); len(c) != 1 || c[0].Method != "GET" {
		t.Fatalf("hr/get_fields calls = %+v; want one GET", c)
	}
	body := lastBody(t, h, "hr/get_staff_info")
	var ids []float64
	for _, f := range body["fieldids"].([]any) {
		ids = append(ids, f.(map[string]any)["fieldid"].(float64))
	}
	if body["userid"] != "lisi" || fmt.Sprint(ids) != "[12024 12010 12004 12018]" {
		t.Fatalf("get_staff_info body = %v; want lisi's 工号, 职位, 员工状态, 入职日期", body)
	}
	if d := decisions(t, h, "whois"); fmt.Sprint(d) != "[wujiu:ok]" {
		t.Fatalf("audit = %v; want the read audited", d)
	}
}

func TestPeopleWhois_rosterNotConfigured(t *testing.T) {
	t.Parallel()
	h := newHarness(t, noApprovers)
	h.Emu.Fail("hr/get_fields", 48002, 1)
	got := h.Say("zhangsan", "/whois zhaoliu")
	wants(t, "/whois without roster access", got, "赵六 — member", "HRBP", "roster access is not configured", "可调用接口的应用")
}

func TestPeopleWhois_externalContact(t *testing.T) {
	t.Parallel()
	h := newHarness(t, noApprovers)
	got := h.Say("zhangsan", "/whois wmAAAlinhuoban000000000000002")
	wants(t, "/whois external", got, "林伙伴 — external contact", "WeCom user (企业微信用户)", "合作伙伴有限公司",
		"added by 2 members", "`zhangsan`", "`wangwu`", "Read as external_userid")
	if q := lastQuery(t, h, "externalcontact/get"); q.Get("external_userid") != "wmAAAlinhuoban000000000000002" {
		t.Fatalf("externalcontact/get query = %v", q)
	}
}

func TestPeopleWhois_tmpIDTriesTheTypes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, noApprovers)
	got := h.Say("zhangsan", "/whois ouTMPmeetChen000000000000001")
	wants(t, "/whois tmp customer", got, "陈客户 — external contact", "from a meeting (会议), user type customer (客户)",
		"wmAAAchenkehu0000000000000001", "Read as tmp_external_userid")
	body := lastBody(t, h, "idconvert/convert_tmp_external_userid")
	if body["business_type"] != 1.0 || body["user_type"] != 1.0 ||
		fmt.Sprint(body["tmp_external_userid_list"]) != "[ouTMPmeetChen000000000000001]" {
		t.Fatalf("convert body = %v", body)
	}

	// A doc's upstream partner: meeting and form (4 user types each) come first, then doc 1, 2, 3.
	got = h.Say("zhangsan", "/whois ouTMPdocChain00000000000005")
	wants(t, "/whois tmp partner", got, "Member of another corp", "wwUPSTREAMcorp00002", "`chenwei`", "upstream/downstream")
	calls := h.Emu.CallsTo("idconvert/convert_tmp_external_userid")
	if n := len(calls); n != 1+11 {
		t.Fatalf("%d conversion calls; want 1 + 11", n)
	}
	if b := decodeCall(t, calls[len(calls)-1]); b["business_type"] != 3.0 || b["user_type"] != 3.0 {
		t.Fatalf("last conversion = %v; want business_type 3, user_type 3", b)
	}
	// --type narrows it to one product.
	h.Say("zhangsan", "/whois ouTMPformChen000000000000003 --type form --user-type customer")
	if n := len(h.Emu.CallsTo("idconvert/convert_tmp_external_userid")); n != 13 {
		t.Fatalf("%d conversion calls; want one more", n)
	}
}

func TestPeopleWhois_openUserIDNeedsAgent(t *testing.T) {
	t.Parallel()
	h := newHarness(t, noApprovers)
	got := h.Say("zhangsan", "/whois woAAAlisiOPENxxxx")
	wants(t, "open_userid without --agent", got, "matched nothing", "not an external contact", "add --agent SOURCE_AGENTID")
	got = h.Say("zhangsan", "/whois woAAAlisiOPENxxxx --agent 2000001")
	wants(t, "open_userid", got, "李四 — member", "open_userid `woAAAlisiOPENxxxx` of agent 2000001 is userid `lisi`",
		"Read as open_userid")
	body := lastBody(t, h, "batch/openuserid_to_userid")
	if fmt.Sprint(body["open_userid_list"]) != "[woAAAlisiOPENxxxx]" || body["source_agentid"] != 2000001.0 {
		t.Fatalf("openuserid_to_userid body = %v", body)
	}
}

func TestPeopleWhois_nothingAndErrcodes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, noApprovers)
	wants(t, "unknown userid", h.Say("zhangsan", "/whois nosuchuser"), "matched nothing", "no member has that userid (60111)")
	wants(t, "outside visibility", h.Say("zhangsan", "/whois zhouba"), "errcode 60011", "visibility")
	h.Emu.Fail("externalcontact/get", 48002, 1)
	wants(t, "48002", h.Say("zhangsan", "/whois wmAAAchenkehu0000000000000001"), "errcode 48002", "可调用接口的应用")
	wants(t, "bad id", h.Say("zhangsan", "/whois a/b"), `"a/b" is not a valid id`)
	wants(t, "no permission", h.Say("lisi", "/whois zhangsan"), "not allowed", "whois.read")
	if d := decisions(t, h, "whois"); len(d) != 4 || d[0] != "lisi:denied" {
		t.Fatalf("audit = %v; want three reads and the refusal", d)
	}
}

func TestPeopleConvert_open(t *testing.T) {
	t.Parallel()
	h := newHarness(t, noApprovers)
	got := h.Say("zhangsan", "/convert open woAAAzhangsanOPEN woAAAzhoubaOPENxx woNOPE --agent 2000001")
	body := lastBody(t, h, "batch/openuserid_to_userid")
	if fmt.Sprint(body["open_userid_list"]) != "[woAAAzhangsanOPEN woAAAzhoubaOPENxx woNOPE]" || body["source_agentid"] != 2000001.0 {
		t.Fatalf("body = %v", body)
	}
	wants(t, "/convert open", got, "`woAAAzhangsanOPEN` → `zhangsan`", "`woAAAzhoubaOPENxx` — invalid", "`woNOPE` — invalid",
		"3 ids: 1 converted, 2 not")

	got = h.Say("zhangsan", "/convert open woAAAzhangsanOPEN")
	wants(t, "without --agent", got, "--agent is required")
	got = h.Say("zhangsan", "/convert open woAAAzhangsanOPEN --agent 99")
	wants(t, "wrong agent", got, "errcode 40056", "check --agent")
	if n := len(h.Emu.CallsTo("batch/openuserid_to_userid")); n != 2 {
		t.Fatalf("%d calls; want none for the command without --agent", n)
	}
}

func TestPeopleConvert_tmp(t *testing.T) {
	t.Parallel()
	h := newHarness(t, noApprovers)
	got := h.Say("zhangsan", "/convert tmp ouTMPmeetChen000000000000001 ouTMPmeetHulian0000000000004 ouBAD --type meeting")
	calls := h.Emu.CallsTo("idconvert/convert_tmp_external_userid")
	if len(calls) != 4 {
		t.Fatalf("%d calls; want one per user type", len(calls))
	}
	first, second := decodeCall(t, calls[0]), decodeCall(t, calls[1])
	if first["business_type"] != 1.0 || first["user_type"] != 1.0 || len(first["tmp_external_userid_list"].([]any)) != 3 ||
		second["user_type"] != 2.0 || fmt.Sprint(second["tmp_external_userid_list"]) != "[ouTMPmeetHulian0000000000004 ouBAD]" {
		t.Fatalf("calls = %v, %v; want all three ids as customers, then the two left as connected corps", first, second)
	}
	wants(t, "/convert tmp", got, "`ouTMPmeetChen000000000000001` → external_userid `wmAAAchenkehu0000000000000001`",
		"`ouTMPmeetHulian0000000000004` → corp `wwPARTNERcorp000001`, userid `liuqiang`", "`ouBAD` — invalid",
		"3 ids: 2 converted, 1 not")

	wants(t, "without --type", h.Say("zhangsan", "/convert tmp ouBAD"), "--type is required")

	// No 客户联系 permission: customers cannot be converted, the rest still are.
	h.Emu.Fail("idconvert/convert_tmp_external_userid", 48002, 1)
	got = h.Say("zhangsan", "/convert tmp ouTMPmeetChen000000000000001 ouTMPmeetHulian0000000000004 --type meeting")
	wants(t, "after 48002 for customers", got, "`ouTMPmeetChen000000000000001` — invalid", "userid `liuqiang`",
		"were not tried: WeCom answered 48002")
	h.Emu.Fail("idconvert/convert_tmp_external_userid", 48002, 1)
	got = h.Say("zhangsan", "/convert tmp ouTMPmeetChen000000000000001 --type meeting --user-type customer")
	wants(t, "48002 for the one type asked", got, "errcode 48002", "可调用接口的应用")
}

func TestPeopleConvert_serviceExternal(t *testing.T) {
	t.Parallel()
	h := newHarness(t, noApprovers)
	got := h.Say("wujiu", "/convert service-external wmSVClinhuoban00000000000002 --agent 2000001")
	body := lastBody(t, h, "externalcontact/from_service_external_userid")
	if body["external_userid"] != "wmSVClinhuoban00000000000002" || body["source_agentid"] != 2000001.0 {
		t.Fatalf("body = %v", body)
	}
	wants(t, "/convert service-external", got, "this app's: `wmAAAlinhuoban000000000000002` (林伙伴)")
	got = h.Say("wujiu", "/convert service-external wmSVCnobody000000000000000 --agent 2000001")
	wants(t, "unknown id", got, "is invalid", "errcode 40096")
	wants(t, "no permission", h.Say("zhaoliu", "/convert service-external wmSVCx --agent 1"), "not allowed", "whois.read")
}
