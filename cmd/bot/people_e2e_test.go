package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/access"
	"github.com/wecombot/wecombot/wecom/emulator"

	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"
)

// The people desk end to end: /vip, /whois and /convert, /staff and /order, through the bot and the emulator.
// Each test checks what WeCom received (wecom-protocol.md §5) and what the member read.

// peopleBody decodes a call's JSON body.
func peopleBody(t *testing.T, c emulator.Call) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(c.Body, &m); err != nil {
		t.Fatalf("%s body %q: %v", c.Path, c.Body, err)
	}
	return m
}

// peopleLast returns the body of the last call to path.
func peopleLast(t *testing.T, s *stack, path string) map[string]any {
	t.Helper()
	calls := s.emu.CallsTo(path)
	if len(calls) == 0 {
		t.Fatalf("no call to %s", path)
	}
	return peopleBody(t, calls[len(calls)-1])
}

// peopleQuery returns the query of the last GET to path.
func peopleQuery(t *testing.T, s *stack, path string) url.Values {
	t.Helper()
	calls := s.emu.CallsTo(path)
	if len(calls) == 0 {
		t.Fatalf("no call to %s", path)
	}
	q, _ := url.ParseQuery(calls[len(calls)-1].Query)
	return q
}

// peopleDecisions returns the audit decisions for a command, newest first.
func peopleDecisions(t *testing.T, s *stack, command string) []string {
	t.Helper()
	entries, err := s.app.db.ListAudit(t.Context(), db.AuditFilter{Command: command})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Actor+":"+e.Decision)
	}
	return out
}

var peopleFont = regexp.MustCompile(`</?font[^>]*>`)

// peopleWants fails unless every piece is in the replies, read without their colours.
func peopleWants(t *testing.T, what string, got []string, pieces ...string) {
	t.Helper()
	plain := make([]string, len(got))
	for i, g := range got {
		plain[i] = peopleFont.ReplaceAllString(g, "")
	}
	for _, p := range pieces {
		if !contains(plain, p) {
			t.Fatalf("%s = %q; want it to say %q", what, got, p)
		}
	}
}

// peopleSeededApp returns a seeded application by applicant and status.
func peopleSeededApp(t *testing.T, s *stack, applicant string, status int) emulator.ApplicationState {
	t.Helper()
	for _, a := range s.emu.Applications() {
		if a.Applicant == applicant && a.ApprovalStatus == status {
			return a
		}
	}
	t.Fatalf("no seeded application by %s with status %d", applicant, status)
	return emulator.ApplicationState{}
}

// peopleCommand returns a registered command, to run its functions directly (Reconcile).
func peopleCommand(t *testing.T, s *stack, path string) *commands.Command {
	t.Helper()
	c := s.app.registry.Lookup(path)
	if c == nil {
		t.Fatalf("no command /%s", path)
	}
	return c
}

func peopleInvocation(c *commands.Command, caller string, args map[string][]string) *commands.Invocation {
	return &commands.Invocation{Command: c, Caller: &access.Caller{UserID: caller, Admin: true}, Args: args,
		Flags: map[string]string{}, Now: time.Now()}
}

// --- /vip ---

func TestPeopleVIP_list(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	got := s.say(t, "zhaoliu", "/vip list") // approvers hold vip.read
	peopleWants(t, "/vip list", got, "2 members hold one", "`zhangsan` 张三", "`lisi` 李四")
	if contains(got, "showing") {
		t.Fatalf("/vip list = %q; a list that fits one page needs no paging footer", got)
	}
	body := peopleLast(t, s, "security/vip/list")
	if body["limit"] != 200.0 || body["cursor"] != nil {
		t.Fatalf("security/vip/list body = %v; want limit 200 and no cursor on the first page", body)
	}
}

func TestPeopleVIP_addConfirmsAllocatesAndAudits(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	got := s.say(t, "zhangsan", "/vip add wangwu nobody123 lisi wangwu")
	peopleWants(t, "preview", got, "3 members", "`wangwu` — has none; will get one", "`lisi` — already has one", "yes")
	if n := len(s.emu.CallsTo("security/vip/submit_batch_add_job")); n != 0 {
		t.Fatalf("submitted %d jobs before the confirmation", n)
	}
	got = s.say(t, "zhangsan", "yes")
	body := peopleLast(t, s, "security/vip/submit_batch_add_job")
	if fmt.Sprint(body["userid_list"]) != "[wangwu nobody123 lisi]" {
		t.Fatalf("submit body = %v; want the three userids once each", body)
	}
	res := peopleLast(t, s, "security/vip/batch_add_job_result")
	job, _ := res["jobid"].(string)
	if job == "" {
		t.Fatalf("job result body = %v; want the jobid", res)
	}
	peopleWants(t, "result", got, "`wangwu` — allocated", "`nobody123` — invalid userid", "`lisi` — allocated",
		"3 members: 2 allocated, 1 invalid userid", job)
	if u := s.emu.VIPUsers(); !slices.Contains(u, "wangwu") {
		t.Fatalf("vip users = %v; want wangwu", u)
	}
	if d := peopleDecisions(t, s, "vip add"); fmt.Sprint(d) != "[zhangsan:ok zhangsan:proposed]" {
		t.Fatalf("audit = %v", d)
	}
}

func TestPeopleVIP_noSeatLeftAndRemove(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	s.emu.SetVIPSeats(2)
	s.say(t, "zhangsan", "/vip add wangwu")
	got := s.say(t, "zhangsan", "yes")
	peopleWants(t, "add without a seat", got, "`wangwu` — failed", "no seat left", "1 failed")

	got = s.say(t, "zhangsan", "/vip remove lisi sunqi")
	peopleWants(t, "remove preview", got, "`lisi` — has one; it will be taken back", "`sunqi` — holds none")
	got = s.say(t, "zhangsan", "yes")
	if b := peopleLast(t, s, "security/vip/submit_batch_del_job"); fmt.Sprint(b["userid_list"]) != "[lisi sunqi]" {
		t.Fatalf("del job body = %v", b)
	}
	if len(s.emu.CallsTo("security/vip/batch_del_job_result")) == 0 {
		t.Fatal("the del job's result was never read")
	}
	peopleWants(t, "remove", got, "`lisi` — removed", "`sunqi` — failed", "1 removed, 1 failed")
	if u := s.emu.VIPUsers(); slices.Contains(u, "lisi") {
		t.Fatalf("vip users = %v; lisi still holds one", u)
	}
}

func TestPeopleVIP_refusedWithoutPermission(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	peopleWants(t, "lisi's /vip list", s.say(t, "lisi", "/vip list"), "not allowed", "vip.read")
	peopleWants(t, "zhaoliu's /vip add", s.say(t, "zhaoliu", "/vip add wangwu"), "not allowed", "vip.write")
	if n := len(s.emu.CallsTo("security/vip/list")) + len(s.emu.CallsTo("security/vip/submit_batch_add_job")); n != 0 {
		t.Fatalf("%d vip calls for refused commands", n)
	}
	if d := peopleDecisions(t, s, "vip"); fmt.Sprint(d) != "[zhaoliu:denied lisi:denied]" {
		t.Fatalf("audit = %v; want both refusals", d)
	}
	peopleWants(t, "bad userid", s.say(t, "zhangsan", "/vip add li!si"), `"li!si" is not a valid userid`)
}

func TestPeopleVIP_errcodes(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	s.emu.Fail("security/vip/list", 48002, 1)
	peopleWants(t, "48002", s.say(t, "zhangsan", "/vip list"), "errcode 48002", "可调用接口的应用")

	// A job result WeCom no longer knows (40088): the job was submitted, so the reply says so.
	s.say(t, "zhangsan", "/vip add wujiu")
	s.emu.Fail("security/vip/batch_add_job_result", 40088, 1)
	got := s.say(t, "zhangsan", "yes")
	peopleWants(t, "40088", got, "its result could not be read", "errcode 40088", "/vip list")

	// 45009 blocks the API for a minute (DOC/90454): not retried; the member is told when to try again.
	n := len(s.emu.CallsTo("security/vip/submit_batch_add_job"))
	s.say(t, "zhangsan", "/vip add sunqi")
	s.emu.Fail("security/vip/submit_batch_add_job", 45009, 1)
	got = s.say(t, "zhangsan", "yes")
	if calls := s.emu.CallsTo("security/vip/submit_batch_add_job")[n:]; len(calls) != 1 || calls[0].ErrCode != 45009 {
		t.Fatalf("submit calls = %+v; want the one 45009, not retried", calls)
	}
	peopleWants(t, "45009", got, "WeCom's rate limit for this API (security/vip/submit_batch_add_job) is exhausted; try again after")
}

func TestPeopleVIP_reconcileReadsTheListBack(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	c := peopleCommand(t, s, "vip add")
	r, err := c.Reconcile(t.Context(), peopleInvocation(c, "zhangsan", map[string][]string{"userid": {"lisi", "wangwu"}}))
	if err != nil {
		t.Fatal(err)
	}
	peopleWants(t, "reconcile", []string{replies.Markdown(r.Markdown)}, "`lisi` — has an account", "`wangwu` — has no account",
		"/vip add for the 1 member not done yet")
	if len(s.emu.CallsTo("security/vip/submit_batch_add_job")) != 0 {
		t.Fatal("reconcile submitted a job")
	}
}

// --- /whois and /convert ---

func TestPeopleWhois_member(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	got := s.say(t, "wujiu", "/whois lisi") // the security role holds whois.*
	peopleWants(t, "/whois lisi", got, "李四 — member", "研发经理", "研发部 (leader)", "activated", "EMP0002", "职位 经理",
		"员工状态 正式", "Read as userid")
	if q := peopleQuery(t, s, "user/get"); q.Get("userid") != "lisi" {
		t.Fatalf("user/get query = %v", q)
	}
	if c := s.emu.CallsTo("hr/get_fields"); len(c) != 1 || c[0].Method != "GET" {
		t.Fatalf("hr/get_fields calls = %+v; want one GET", c)
	}
	body := peopleLast(t, s, "hr/get_staff_info")
	var ids []float64
	for _, f := range body["fieldids"].([]any) {
		ids = append(ids, f.(map[string]any)["fieldid"].(float64))
	}
	if body["userid"] != "lisi" || fmt.Sprint(ids) != "[12024 12010 12004 12018]" {
		t.Fatalf("get_staff_info body = %v; want lisi's 工号, 职位, 员工状态, 入职日期", body)
	}
	if d := peopleDecisions(t, s, "whois"); fmt.Sprint(d) != "[wujiu:ok]" {
		t.Fatalf("audit = %v; want the read audited", d)
	}
}

func TestPeopleWhois_rosterNotConfigured(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	s.emu.Fail("hr/get_fields", 48002, 1)
	got := s.say(t, "zhangsan", "/whois zhaoliu")
	peopleWants(t, "/whois without roster access", got, "赵六 — member", "HRBP", "roster access is not configured", "可调用接口的应用")
}

func TestPeopleWhois_externalContact(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	got := s.say(t, "zhangsan", "/whois wmAAAlinhuoban000000000000002")
	peopleWants(t, "/whois external", got, "林伙伴 — external contact", "WeCom user (企业微信用户)", "合作伙伴有限公司",
		"added by 2 members", "`zhangsan`", "`wangwu`", "Read as external_userid")
	if q := peopleQuery(t, s, "externalcontact/get"); q.Get("external_userid") != "wmAAAlinhuoban000000000000002" {
		t.Fatalf("externalcontact/get query = %v", q)
	}
}

func TestPeopleWhois_tmpIDTriesTheTypes(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	got := s.say(t, "zhangsan", "/whois ouTMPmeetChen000000000000001")
	peopleWants(t, "/whois tmp customer", got, "陈客户 — external contact", "from a meeting (会议), user type customer (客户)",
		"wmAAAchenkehu0000000000000001", "Read as tmp_external_userid")
	body := peopleLast(t, s, "idconvert/convert_tmp_external_userid")
	if body["business_type"] != 1.0 || body["user_type"] != 1.0 ||
		fmt.Sprint(body["tmp_external_userid_list"]) != "[ouTMPmeetChen000000000000001]" {
		t.Fatalf("convert body = %v", body)
	}

	// A doc's upstream partner: meeting and form (4 user types each) come first, then doc 1, 2, 3.
	got = s.say(t, "zhangsan", "/whois ouTMPdocChain00000000000005")
	peopleWants(t, "/whois tmp partner", got, "Member of another corp", "wwUPSTREAMcorp00002", "`chenwei`", "upstream/downstream")
	calls := s.emu.CallsTo("idconvert/convert_tmp_external_userid")
	if n := len(calls); n != 1+11 {
		t.Fatalf("%d conversion calls; want 1 + 11", n)
	}
	if b := peopleBody(t, calls[len(calls)-1]); b["business_type"] != 3.0 || b["user_type"] != 3.0 {
		t.Fatalf("last conversion = %v; want business_type 3, user_type 3", b)
	}
	// --type narrows it to one product.
	s.say(t, "zhangsan", "/whois ouTMPformChen000000000000003 --type form --user-type customer")
	if n := len(s.emu.CallsTo("idconvert/convert_tmp_external_userid")); n != 13 {
		t.Fatalf("%d conversion calls; want one more", n)
	}
}

func TestPeopleWhois_openUserIDNeedsAgent(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	got := s.say(t, "zhangsan", "/whois woAAAlisiOPENxxxx")
	peopleWants(t, "open_userid without --agent", got, "matched nothing", "not an external contact", "add --agent SOURCE_AGENTID")
	got = s.say(t, "zhangsan", "/whois woAAAlisiOPENxxxx --agent 2000001")
	peopleWants(t, "open_userid", got, "李四 — member", "open_userid `woAAAlisiOPENxxxx` of agent 2000001 is userid `lisi`",
		"Read as open_userid")
	body := peopleLast(t, s, "batch/openuserid_to_userid")
	if fmt.Sprint(body["open_userid_list"]) != "[woAAAlisiOPENxxxx]" || body["source_agentid"] != 2000001.0 {
		t.Fatalf("openuserid_to_userid body = %v", body)
	}
}

func TestPeopleWhois_nothingAndErrcodes(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	peopleWants(t, "unknown userid", s.say(t, "zhangsan", "/whois nosuchuser"), "matched nothing", "no member has that userid (60111)")
	peopleWants(t, "outside visibility", s.say(t, "zhangsan", "/whois zhouba"), "errcode 60011", "visibility")
	s.emu.Fail("externalcontact/get", 48002, 1)
	peopleWants(t, "48002", s.say(t, "zhangsan", "/whois wmAAAchenkehu0000000000000001"), "errcode 48002", "可调用接口的应用")
	peopleWants(t, "bad id", s.say(t, "zhangsan", "/whois a/b"), `"a/b" is not a valid id`)
	peopleWants(t, "no permission", s.say(t, "lisi", "/whois zhangsan"), "not allowed", "whois.read")
	if d := peopleDecisions(t, s, "whois"); len(d) != 4 || d[0] != "lisi:denied" {
		t.Fatalf("audit = %v; want three reads and the refusal", d)
	}
}

func TestPeopleConvert_open(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	got := s.say(t, "zhangsan", "/convert open woAAAzhangsanOPEN woAAAzhoubaOPENxx woNOPE --agent 2000001")
	body := peopleLast(t, s, "batch/openuserid_to_userid")
	if fmt.Sprint(body["open_userid_list"]) != "[woAAAzhangsanOPEN woAAAzhoubaOPENxx woNOPE]" || body["source_agentid"] != 2000001.0 {
		t.Fatalf("body = %v", body)
	}
	peopleWants(t, "/convert open", got, "`woAAAzhangsanOPEN` → `zhangsan`", "`woAAAzhoubaOPENxx` — invalid", "`woNOPE` — invalid",
		"3 ids: 1 converted, 2 not")

	got = s.say(t, "zhangsan", "/convert open woAAAzhangsanOPEN")
	peopleWants(t, "without --agent", got, "--agent is required")
	got = s.say(t, "zhangsan", "/convert open woAAAzhangsanOPEN --agent 99")
	peopleWants(t, "wrong agent", got, "errcode 40056", "check --agent")
	if n := len(s.emu.CallsTo("batch/openuserid_to_userid")); n != 2 {
		t.Fatalf("%d calls; want none for the command without --agent", n)
	}
}

func TestPeopleConvert_tmp(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	got := s.say(t, "zhangsan", "/convert tmp ouTMPmeetChen000000000000001 ouTMPmeetHulian0000000000004 ouBAD --type meeting")
	calls := s.emu.CallsTo("idconvert/convert_tmp_external_userid")
	if len(calls) != 4 {
		t.Fatalf("%d calls; want one per user type", len(calls))
	}
	first, second := peopleBody(t, calls[0]), peopleBody(t, calls[1])
	if first["business_type"] != 1.0 || first["user_type"] != 1.0 || len(first["tmp_external_userid_list"].([]any)) != 3 ||
		second["user_type"] != 2.0 || fmt.Sprint(second["tmp_external_userid_list"]) != "[ouTMPmeetHulian0000000000004 ouBAD]" {
		t.Fatalf("calls = %v, %v; want all three ids as customers, then the two left as connected corps", first, second)
	}
	peopleWants(t, "/convert tmp", got, "`ouTMPmeetChen000000000000001` → external_userid `wmAAAchenkehu0000000000000001`",
		"`ouTMPmeetHulian0000000000004` → corp `wwPARTNERcorp000001`, userid `liuqiang`", "`ouBAD` — invalid",
		"3 ids: 2 converted, 1 not")

	peopleWants(t, "without --type", s.say(t, "zhangsan", "/convert tmp ouBAD"), "--type is required")

	// No 客户联系 permission: customers cannot be converted, the rest still are.
	s.emu.Fail("idconvert/convert_tmp_external_userid", 48002, 1)
	got = s.say(t, "zhangsan", "/convert tmp ouTMPmeetChen000000000000001 ouTMPmeetHulian0000000000004 --type meeting")
	peopleWants(t, "after 48002 for customers", got, "`ouTMPmeetChen000000000000001` — invalid", "userid `liuqiang`",
		"were not tried: WeCom answered 48002")
	s.emu.Fail("idconvert/convert_tmp_external_userid", 48002, 1)
	got = s.say(t, "zhangsan", "/convert tmp ouTMPmeetChen000000000000001 --type meeting --user-type customer")
	peopleWants(t, "48002 for the one type asked", got, "errcode 48002", "可调用接口的应用")
}

func TestPeopleConvert_serviceExternal(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	got := s.say(t, "wujiu", "/convert service-external wmSVClinhuoban00000000000002 --agent 2000001")
	body := peopleLast(t, s, "externalcontact/from_service_external_userid")
	if body["external_userid"] != "wmSVClinhuoban00000000000002" || body["source_agentid"] != 2000001.0 {
		t.Fatalf("body = %v", body)
	}
	peopleWants(t, "/convert service-external", got, "this app's: `wmAAAlinhuoban000000000000002` (林伙伴)")
	got = s.say(t, "wujiu", "/convert service-external wmSVCnobody000000000000000 --agent 2000001")
	peopleWants(t, "unknown id", got, "is invalid", "errcode 40096")
	peopleWants(t, "no permission", s.say(t, "zhaoliu", "/convert service-external wmSVCx --agent 1"), "not allowed", "whois.read")
}

// --- /staff ---

func TestPeopleStaff_fields(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	got := s.say(t, "zhaoliu", "/staff fields") // the hr role holds staff.*
	peopleWants(t, "/staff fields", got, "个人信息", "性别 `11004` — option (选项): 男, 女", "姓名 `11001` — text (文本), required",
		"年龄 `11006` — text (文本) (read-only)", "员工状态 `12004` — option (选项): 试用, 正式, 待离职 (read-only)", "紧急联系人")
	if c := s.emu.CallsTo("hr/get_fields"); len(c) != 1 || c[0].Method != "GET" {
		t.Fatalf("hr/get_fields calls = %+v; want one GET", c)
	}
}

func TestPeopleStaff_showAndFieldCache(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	got := s.say(t, "zhaoliu", "/staff lisi")
	peopleWants(t, "/staff lisi", got, "Roster of `lisi`", "姓名: 李四", "工号: EMP0002", "职位: 经理", "员工状态: 正式", "手机: +86 13800000002")
	body := peopleLast(t, s, "hr/get_staff_info")
	if body["userid"] != "lisi" || body["get_all"] != nil || len(body["fieldids"].([]any)) != 8 {
		t.Fatalf("body = %v; want lisi's eight summary fields", body)
	}

	got = s.say(t, "zhaoliu", "/staff lisi 入职日期 工位 紧急联系人.姓名")
	body = peopleLast(t, s, "hr/get_staff_info")
	if fmt.Sprint(body["fieldids"]) != "[map[fieldid:12018 sub_idx:0] map[fieldid:20001 sub_idx:0] map[fieldid:17001 sub_idx:0]]" {
		t.Fatalf("fieldids = %v", body["fieldids"])
	}
	peopleWants(t, "named fields", got, "工位: A-4-11", "姓名: 李家属")

	got = s.say(t, "zhaoliu", "/staff lisi --all")
	if b := peopleLast(t, s, "hr/get_staff_info"); b["get_all"] != true || b["fieldids"] != nil {
		t.Fatalf("--all body = %v", b)
	}
	peopleWants(t, "--all", got, "### 教育经历", "学校: 浙江大学", "### 紧急联系人", "身份证照片: 2 files")

	if n := len(s.emu.CallsTo("hr/get_fields")); n != 1 {
		t.Fatalf("hr/get_fields called %d times for three commands; want the list cached", n)
	}
	if d := peopleDecisions(t, s, "staff"); len(d) != 3 {
		t.Fatalf("audit = %v; want three reads", d)
	}

	before := len(s.emu.CallsTo("hr/get_staff_info"))
	peopleWants(t, "unknown field", s.say(t, "zhaoliu", "/staff lisi 入职日"), "no field `入职日`", "did you mean 入职日期?")
	if len(s.emu.CallsTo("hr/get_staff_info")) != before {
		t.Fatal("an unknown field name reached WeCom")
	}
}

func TestPeopleStaff_setConfirmsAndUpdates(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	got := s.say(t, "zhaoliu", "/staff set lisi 工位=B-2-01 职位=专员 入职日期=2020-03-01 手机=+86-13900000000")
	peopleWants(t, "preview", got, "change the roster (花名册) of `lisi`", "工位: A-4-11 → B-2-01", "职位: 经理 → 专员",
		"入职日期:", "→ 2020-03-01", "手机: +86 13800000002 → +86 13900000000", "yes")
	if n := len(s.emu.CallsTo("hr/update_staff_info")); n != 0 {
		t.Fatalf("updated before the confirmation (%d calls)", n)
	}
	got = s.say(t, "zhaoliu", "yes")
	updates := s.emu.CallsTo("hr/update_staff_info")
	joined := time.Date(2020, 3, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600)).Unix()
	want := fmt.Sprintf(`{"userid":"lisi","update_items":[{"fieldid":20001,"sub_idx":0,"value_string":"B-2-01"},`+
		`{"fieldid":12010,"sub_idx":0,"value_uint32":5},{"fieldid":12018,"sub_idx":0,"value_uint64":%d},`+
		`{"fieldid":11003,"sub_idx":0,"value_mobile":{"value_mobile":"13900000000","value_mobile_country_code":"86"}}]}`, joined)
	if len(updates) != 1 || string(updates[0].Body) != want {
		t.Fatalf("update calls = %d, body %s\nwant %s", len(updates), updates[0].Body, want)
	}
	peopleWants(t, "result", got, "工位: A-4-11 → B-2-01 — changed", "职位: 经理 → 专员 — changed", "4 fields: 4 changed")
	peopleWants(t, "read back", s.say(t, "zhaoliu", "/staff lisi 工位 职位 入职日期 手机"), "工位: B-2-01", "职位: 专员", "入职日期: 2020-03-01",
		"手机: +86 13900000000") // the country code arrived: update_items name it value_mobile_country_code (DOC/99133)
	if d := peopleDecisions(t, s, "staff set"); fmt.Sprint(d) != "[zhaoliu:ok zhaoliu:proposed]" {
		t.Fatalf("audit = %v", d)
	}

	// Reconcile after an interruption reads the values back.
	c := peopleCommand(t, s, "staff set")
	r, err := c.Reconcile(t.Context(), peopleInvocation(c, "zhaoliu", map[string][]string{"userid": {"lisi"}, "change": {"工位=B-2-01", "工号=X1"}}))
	if err != nil {
		t.Fatal(err)
	}
	peopleWants(t, "reconcile", []string{replies.Markdown(r.Markdown)}, "工位: B-2-01 (as requested)", "工号: EMP0002 (not the requested X1)",
		"1 field is not changed yet")
}

func TestPeopleStaff_setRefusedBeforeWeCom(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	peopleWants(t, "read-only", s.say(t, "zhaoliu", "/staff set lisi 年龄=30"), "年龄 is read-only")
	peopleWants(t, "read-only by id", s.say(t, "zhaoliu", "/staff set lisi 12004=1"), "12004 is read-only")
	if n := len(s.emu.Calls()); n > 0 {
		for _, c := range s.emu.Calls() {
			if strings.HasPrefix(c.Path, "hr/") {
				t.Fatalf("a read-only field reached WeCom: %s", c.Path)
			}
		}
	}
	peopleWants(t, "not an option", s.say(t, "zhaoliu", "/staff set lisi 职位=CEO"), "`CEO` is not one of its options: 总经理, 秘书, 经理, 工程师, 专员")
	peopleWants(t, "not a date", s.say(t, "zhaoliu", "/staff set lisi 入职日期=yesterday"), "it is a date; write it like 2024-03-01")
	peopleWants(t, "files", s.say(t, "zhaoliu", "/staff set lisi 身份证照片=x"), "cannot be set from chat")
	peopleWants(t, "mobile", s.say(t, "zhaoliu", "/staff set lisi 手机=call-me"), "not a mobile number")
	peopleWants(t, "shape", s.say(t, "zhaoliu", "/staff set lisi 工位"), "is not FIELD=VALUE")
	peopleWants(t, "twice", s.say(t, "zhaoliu", "/staff set lisi 工位=1 工位=2"), "工位 is given twice")
	if n := len(s.emu.CallsTo("hr/update_staff_info")); n != 0 || len(s.emu.CallsTo("hr/get_staff_info")) != 0 {
		t.Fatalf("refused changes reached WeCom (%d updates)", n)
	}
}

func TestPeopleStaff_errcodesAndPermissions(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	s.emu.Fail("hr/get_fields", 48002, 1)
	peopleWants(t, "48002", s.say(t, "zhaoliu", "/staff lisi"), "errcode 48002", "可调用接口的应用")
	peopleWants(t, "60011", s.say(t, "zhaoliu", "/staff zhouba"), "errcode 60011", "visibility")
	peopleWants(t, "60111", s.say(t, "zhaoliu", "/staff nosuchuser"), "errcode 60111", "no such userid")
	peopleWants(t, "60111 in a preview", s.say(t, "zhaoliu", "/staff set nosuchuser 工位=1"), "errcode 60111")
	peopleWants(t, "no staff.read", s.say(t, "lisi", "/staff lisi"), "not allowed", "staff.read")
	peopleWants(t, "no staff.write", s.say(t, "wujiu", "/staff set lisi 工位=1"), "not allowed", "staff.write")
	if d := peopleDecisions(t, s, "staff set"); len(d) != 1 || d[0] != "wujiu:denied" {
		t.Fatalf("audit = %v; want wujiu's refusal", d)
	}
}

// --- /order ---

func TestPeopleOrder_listAndShow(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	pending := peopleSeededApp(t, s, "sunqi", 1)

	// The bot's own record is the list: WeCom has no query for every application (DOC/99883).
	peopleWants(t, "empty record", s.say(t, "zhaoliu", "/order list"), "Pending applications", "None.",
		"From the bot's record", "/order list --user USERID")
	if n := len(s.emu.CallsTo("advanced_feature/get_apply_id_list")); n != 0 {
		t.Fatalf("/order list called get_apply_id_list %d times; WeCom refuses it without business_type and userid", n)
	}
	first := s.apply(t, "wangwu", 2, "文档水印")
	second := s.apply(t, "lisi", 1, "邮件归档")
	waitFor(t, 10*time.Second, "the applications recorded", func() bool {
		return len(s.say(t, "zhaoliu", "/order list --status all")) == 1 &&
			contains(s.say(t, "zhaoliu", "/order list --status all"), second)
	})
	got := s.say(t, "zhaoliu", "/order list")
	peopleWants(t, "/order list", got, "Pending applications", "`"+second+"` · `lisi` · mail (邮件) · received, not yet taken over",
		"`"+first+"` · `wangwu` · docs (文档)", "1–2 of 2, newest first", "From the bot's record")
	if strings.Index(got[0], second) > strings.Index(got[0], first) {
		t.Errorf("newest first: %q", got[0])
	}
	got = s.say(t, "zhaoliu", "/order list --type docs")
	peopleWants(t, "--type docs", got, "Pending applications for docs (文档)", first, "1–1 of 1")
	if contains(got, second) {
		t.Errorf("--type docs shows the mail application: %q", got)
	}
	peopleWants(t, "approved", s.say(t, "zhaoliu", "/order list --status approved"), "Approved applications", "None.")

	// --user asks WeCom about one member, for every product: business_type and userid both sent.
	got = s.say(t, "zhaoliu", "/order list --user sunqi")
	peopleWants(t, "--user sunqi", got, "Pending applications by `sunqi`", "`"+pending.ApplyID+"` · mail (邮件) · awaiting approver",
		"需要邮件归档", "1–1 of 1", "From WeCom (advanced_feature/get_apply_id_list for `sunqi`)", "/order approve ID")
	calls := s.emu.CallsTo("advanced_feature/get_apply_id_list")
	if len(calls) != 4 {
		t.Fatalf("%d get_apply_id_list calls for --user; want one per product (4)", len(calls))
	}
	for i, c := range calls {
		b := peopleBody(t, c)
		if c.ErrCode != 0 || b["userid"] != "sunqi" || b["business_type"] != float64(i+1) || b["limit"] != 200.0 {
			t.Fatalf("get_apply_id_list call %d: %v (errcode %d); want userid sunqi, business_type %d, limit 200", i, b, c.ErrCode, i+1)
		}
	}
	if n := len(s.emu.CallsTo("advanced_feature/get_approval_info")); n != 3 {
		t.Fatalf("%d detail calls; want one per application of sunqi's (3)", n)
	}
	got = s.say(t, "zhaoliu", "/order list --user sunqi --status all --type mail")
	if b := peopleLast(t, s, "advanced_feature/get_apply_id_list"); b["business_type"] != 1.0 || b["userid"] != "sunqi" {
		t.Fatalf("get_apply_id_list body = %v; want business_type 1 for sunqi", b)
	}
	peopleWants(t, "--type mail", got, "Applications by `sunqi` for mail (邮件)", pending.ApplyID, "1–1 of 1")
	peopleWants(t, "bad --user", s.say(t, "zhaoliu", "/order list --user 'a b'"), "is not a userid")
	peopleWants(t, "unknown --user", s.say(t, "zhaoliu", "/order list --user ghost"), "errcode 60111")

	got = s.say(t, "zhaoliu", "/order show "+pending.ApplyID)
	if b := peopleLast(t, s, "advanced_feature/get_approval_info"); b["apply_id"] != pending.ApplyID {
		t.Fatalf("get_approval_info body = %v", b)
	}
	peopleWants(t, "/order show", got, "applicant: `sunqi`", "for: mail (邮件)", "reason: 需要邮件归档",
		"status: awaiting approver (审批人审批中)", "flow: corp OpenAPI (企业openapi)", "approval id: `SP-2024-0003`",
		"/order reject "+pending.ApplyID+" REASON")
	peopleWants(t, "unknown id", s.say(t, "zhaoliu", "/order show nosuch"), "WeCom did not accept application id `nosuch`", "40058", "不合法的参数")
	if got := s.say(t, "zhaoliu", "/order show nosuch"); contains(got, "knows no") || contains(got, "finished") {
		t.Errorf("the 40058 reply claims more than WeCom's docs say: %q", got)
	}
	peopleWants(t, "no permission", s.say(t, "lisi", "/order list"), "not allowed", "order.read")

	s.emu.Fail("advanced_feature/get_apply_id_list", 48002, 1)
	peopleWants(t, "48002", s.say(t, "zhaoliu", "/order list --user sunqi"), "errcode 48002", "可调用接口的应用")
}

func TestPeopleOrder_approveThroughTheFlow(t *testing.T) {
	t.Parallel()
	s := startStackWith(t, emulator.Options{}, approvalsTOML, nil)
	id := s.apply(t, "sunqi", 1, "需要邮件归档")
	waitFor(t, 10*time.Second, "the take-over", func() bool { return len(s.detailCalls(id)) == 1 })

	got := s.say(t, "zhaoliu", "/order approve "+id+" looks fine")
	peopleWants(t, "preview", got, "You are about to **approve** application `"+id+"`", "applicant: `sunqi`", "for: mail (邮件)",
		"their reason: 需要邮件归档", "gives `sunqi` an advanced-feature account", "Your remark, kept in the audit trail: looks fine", "yes")
	if b := peopleLast(t, s, "advanced_feature/get_approval_info"); b["apply_id"] != id {
		t.Fatalf("preview read %v", b)
	}
	got = s.say(t, "zhaoliu", "yes")
	calls := s.detailCalls(id)
	if len(calls) != 2 {
		t.Fatalf("set_approval_detail calls = %d; want the take-over and the decision", len(calls))
	}
	d := calls[1]
	node := d["process_list"].(map[string]any)["node_list"].([]any)[0].(map[string]any)
	if d["approval_status"] != 3.0 || d["approval_id"] != "wecombot-"+id || !strings.HasPrefix(d["approval_url"].(string), "http") ||
		fmt.Sprint(node["completed_approvers"]) != "[zhaoliu]" || node["node_apv_status"] != 3.0 || node["node_apv_rel"] != 2.0 ||
		time.Since(time.Unix(int64(node["apv_update_time"].(float64)), 0)) > time.Minute {
		t.Fatalf("decision = %v; want status 3 by zhaoliu in one 或签 node, now", d)
	}
	if b := peopleLast(t, s, "security/vip/submit_batch_add_job"); fmt.Sprint(b["userid_list"]) != "[sunqi]" {
		t.Fatalf("allocation = %v", b)
	}
	peopleWants(t, "approval", got, "approved", "allocated")
	if app, _ := s.emu.Application(id); app.ApprovalStatus != 3 || !slices.Contains(s.emu.VIPUsers(), "sunqi") {
		t.Fatalf("WeCom: status %d, vip users %v", app.ApprovalStatus, s.emu.VIPUsers())
	}
	if dd := peopleDecisions(t, s, "order approve"); len(dd) < 2 || dd[0] != "zhaoliu:ok" || dd[1] != "zhaoliu:proposed" {
		t.Fatalf("audit = %v", dd)
	}
	// Decided: a second approval is refused before confirmation, from WeCom's status.
	peopleWants(t, "second approval", s.say(t, "zhangsan", "/order approve "+id), "is already approved by approver (审批人已同意)")

	// Reconcile reads WeCom back (the engine writes the "interrupted by a restart" header above it).
	c := peopleCommand(t, s, "order approve")
	r, err := c.Reconcile(t.Context(), peopleInvocation(c, "zhaoliu", map[string][]string{"id": {id}}))
	if err != nil {
		t.Fatal(err)
	}
	peopleWants(t, "reconcile", []string{replies.Markdown(r.Markdown)},
		"reports application `"+id+"` as: approved by approver (审批人已同意)", "`sunqi` holds an advanced-feature account")
}

func TestPeopleOrder_rejectAsksForReason(t *testing.T) {
	t.Parallel()
	s := startStackWith(t, emulator.Options{}, approvalsTOML, nil)
	id := s.apply(t, "wangwu", 2, "文档水印")
	waitFor(t, 10*time.Second, "the take-over", func() bool { return len(s.detailCalls(id)) == 1 })
	peopleWants(t, "no reason", s.say(t, "zhangsan", "/order reject "+id), "Why is it rejected?")
	got := s.say(t, "zhangsan", "no budget this quarter")
	peopleWants(t, "preview", got, "**reject** application", "applicant: `wangwu`", "Your reason, kept in the audit trail: no budget this quarter")
	got = s.say(t, "zhangsan", "yes")
	peopleWants(t, "rejection", got, "rejected")
	calls := s.detailCalls(id)
	if last := calls[len(calls)-1]; last["approval_status"] != 2.0 {
		t.Fatalf("last request = %v; want status 2", last)
	}
	if n := len(s.emu.CallsTo("security/vip/submit_batch_add_job")); n != 0 {
		t.Fatalf("a rejection allocated an account (%d jobs)", n)
	}
	entries, _ := s.app.db.ListAudit(t.Context(), db.AuditFilter{Command: "order reject", Decision: db.DecisionOK})
	if len(entries) != 1 || entries[0].Args["reason"] != "no budget this quarter" {
		t.Fatalf("audit = %+v; want the reason recorded", entries)
	}
}

func TestPeopleOrder_refusals(t *testing.T) {
	t.Parallel()
	s := startStackWith(t, emulator.Options{}, approvalsTOML, nil)
	own := s.apply(t, "zhaoliu", 4, "全员大会")
	waitFor(t, 10*time.Second, "the take-over", func() bool { return len(s.detailCalls(own)) == 1 })
	peopleWants(t, "own application", s.say(t, "zhaoliu", "/order approve "+own), "you cannot decide your own application")
	peopleWants(t, "no order.approve", s.say(t, "wujiu", "/order approve "+own), "not allowed", "order.approve")
	rejected := peopleSeededApp(t, s, "wangwu", 2)
	peopleWants(t, "already rejected", s.say(t, "zhangsan", "/order reject "+rejected.ApplyID+" again"), "is already rejected by approver")
	history := peopleSeededApp(t, s, "zhaoliu", 0)
	peopleWants(t, "not in the flow", s.say(t, "zhangsan", "/order approve "+history.ApplyID), "is not awaiting a decision")
	if n := len(s.detailCalls(own)); n != 1 {
		t.Fatalf("refused decisions reached WeCom (%d calls)", n)
	}
}

// Every command answers WeCom's 48002 (the app is not in the API's 「可调用接口的应用」 list) with the hint.
func TestPeople_errcode48002EveryCommand(t *testing.T) {
	t.Parallel()
	s := startStackWith(t, emulator.Options{}, approvalsTOML, nil)
	id := s.apply(t, "wangwu", 2, "文档水印")
	waitFor(t, 10*time.Second, "the take-over", func() bool { return len(s.detailCalls(id)) == 1 })
	for _, c := range []struct {
		line, path string
		confirm    bool
	}{
		{"/vip list", "security/vip/list", false},
		{"/vip add sunqi", "security/vip/submit_batch_add_job", true},
		{"/vip remove lisi", "security/vip/submit_batch_del_job", true},
		{"/whois lisi", "user/get", false},
		{"/convert open woAAAzhangsanOPEN --agent 2000001", "batch/openuserid_to_userid", false},
		{"/convert tmp ouTMPmeetHulian0000000000004 --type meeting --user-type partner", "idconvert/convert_tmp_external_userid", false},
		{"/convert service-external wmSVClinhuoban00000000000002 --agent 2000001", "externalcontact/from_service_external_userid", false},
		{"/staff fields", "hr/get_fields", false}, // first: the field list is not cached yet
		{"/staff lisi", "hr/get_staff_info", false},
		{"/staff set lisi 工位=C-1-01", "hr/update_staff_info", true},
		{"/order list --user wangwu", "advanced_feature/get_apply_id_list", false},
		{"/order show " + id, "advanced_feature/get_approval_info", false},
		{"/order approve " + id, "advanced_feature/get_approval_info", false},
		{"/order reject " + id + " no budget", "advanced_feature/set_approval_detail", true},
	} {
		s.emu.Fail(c.path, 48002, 1)
		got := s.say(t, "zhangsan", c.line)
		if c.confirm {
			peopleWants(t, c.line+" preview", got, "yes")
			got = s.say(t, "zhangsan", "yes")
		}
		peopleWants(t, c.line, got, "errcode 48002 on "+c.path, "可调用接口的应用")
		if calls := s.emu.CallsTo(c.path); len(calls) == 0 || calls[len(calls)-1].ErrCode != 48002 {
			t.Fatalf("%s: the fault on %s was not hit", c.line, c.path)
		}
	}
	entries, _ := s.app.db.ListAudit(t.Context(), db.AuditFilter{Command: "vip add", Decision: db.DecisionFailed})
	if len(entries) != 1 || entries[0].ErrCode != 48002 {
		t.Fatalf("audit = %+v; want the failed /vip add with errcode 48002", entries)
	}
	// The decision was released: 40058 from WeCom on a later try reads as a refused decision.
	s.emu.Fail("advanced_feature/set_approval_detail", 40058, 1)
	s.say(t, "zhangsan", "/order reject "+id+" no budget")
	got := s.say(t, "zhangsan", "yes")
	peopleWants(t, "40058 on the decision", got, "WeCom refused the decision on application `"+id+"` (errcode 40058, 不合法的参数", "/order show "+id)
	if contains(got, "withdrawn") || contains(got, "24 hours") {
		t.Errorf("the 40058 reply guesses at causes WeCom's docs do not give: %q", got)
	}
}
