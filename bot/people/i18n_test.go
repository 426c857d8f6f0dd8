package people_test

import (
	"strings"
	"testing"

	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/i18n/i18ntest"
)

// The people desk in Chinese: each command family run by a member who reads Chinese (the router puts the
// language in ctx), its reply checked for Chinese text and for leftover English sentences.

// noEnglish fails when a reply read in Chinese holds a run of 4 or more ASCII words outside code spans, URLs,
// commands and font tags: a sentence left in English.
func noEnglish(t *testing.T, what string, got []string) {
	t.Helper()
	for _, g := range got {
		if m := i18ntest.EnglishLeft(g); len(m) > 0 {
			t.Errorf("%s in Chinese holds English %q:\n%s", what, m, g)
		}
	}
}

// zhWants is wants plus noEnglish.
func zhWants(t *testing.T, what string, got []string, pieces ...string) {
	t.Helper()
	wants(t, what, got, pieces...)
	noEnglish(t, what, got)
}

func TestPeopleZh_vip(t *testing.T) {
	t.Parallel()
	h := newHarness(t, noApprovers)
	zhWants(t, "/vip list", h.SayIn(i18n.Zh, "zhaoliu", "/vip list"), "高级功能账号", "持有高级功能账号。", "`lisi` 李四")

	got := h.SayIn(i18n.Zh, "zhangsan", "/vip add wangwu lisi")
	zhWants(t, "/vip add preview", got, "你即将为", "wangwu: 没有账号，将分配一个", "lisi: 已有账号") // the card's rows
	got = h.SayIn(i18n.Zh, "zhangsan", "yes")
	zhWants(t, "/vip add", got, "高级功能账号：分配", "`wangwu` — 已分配", "`lisi` — 已有账号：不变", "1 名已分配，1 名不变")

	// A no-op says so, unchanged (不变), without asking for a yes.
	got = h.SayIn(i18n.Zh, "zhangsan", "/vip add lisi")
	zhWants(t, "/vip add no-op", got, "无需操作", "`lisi` 已有账号：不变")
	if h.Asked("zhangsan") {
		t.Fatalf("/vip add no-op = %q; nothing to confirm, yet it waits for a yes", got)
	}
	got = h.SayIn(i18n.Zh, "zhangsan", "/vip remove sunqi")
	zhWants(t, "/vip remove no-op", got, "`sunqi` 没有账号：不变")
	if h.Asked("zhangsan") {
		t.Fatalf("/vip remove no-op = %q; nothing to confirm, yet it waits for a yes", got)
	}

	got = h.SayIn(i18n.Zh, "zhangsan", "/vip remove lisi")
	zhWants(t, "/vip remove preview", got, "你即将收回", "lisi: 有账号，将被收回")
	if !h.Asked("zhangsan") {
		t.Fatalf("/vip remove preview = %q; want it to wait for a yes", got)
	}
}

func TestPeopleZh_staff(t *testing.T) {
	t.Parallel()
	h := newHarness(t, noApprovers)
	zhWants(t, "/staff fields", h.SayIn(i18n.Zh, "zhaoliu", "/staff fields"), "花名册字段", "性别 `11004` — 选项：男、女",
		"姓名 `11001` — 文本，必填", "年龄 `11006` — 文本 （只读）", "只读字段不能用 /staff set 修改")
	zhWants(t, "/staff lisi", h.SayIn(i18n.Zh, "zhaoliu", "/staff lisi"), "`lisi` 的花名册", "工号: EMP0002", "更多：")
	zhWants(t, "/staff --all", h.SayIn(i18n.Zh, "zhaoliu", "/staff lisi --all"), "### 教育经历", "身份证照片: 2 个文件")
	zhWants(t, "unknown field", h.SayIn(i18n.Zh, "zhaoliu", "/staff lisi 入职日"), "花名册中没有字段 `入职日`", "你是不是想找 入职日期")

	got := h.SayIn(i18n.Zh, "zhaoliu", "/staff set lisi 工位=B-2-01 职位=经理")
	zhWants(t, "/staff set preview", got, "你即将修改 lisi 的花名册", "工位: A-4-11 → B-2-01", "职位: 经理 (不变)")
	got = h.SayIn(i18n.Zh, "zhaoliu", "yes")
	zhWants(t, "/staff set", got, "`lisi` 的花名册", "已修改", "1 个字段：1 个已修改。")

	// Nothing to change: said at once, unchanged (不变), without asking.
	got = h.SayIn(i18n.Zh, "zhaoliu", "/staff set lisi 职位=经理")
	zhWants(t, "/staff set no-op", got, "无需修改", "职位: 经理", "不变")
	if h.Asked("zhaoliu") {
		t.Fatalf("/staff set no-op = %q; nothing to confirm, yet it waits for a yes", got)
	}
	zhWants(t, "bad value", h.SayIn(i18n.Zh, "zhaoliu", "/staff set lisi 入职日期=tomorrow"), "入职日期：该字段为日期")
}

func TestPeopleZh_whois(t *testing.T) {
	t.Parallel()
	h := newHarness(t, noApprovers)
	zhWants(t, "/whois lisi", h.SayIn(i18n.Zh, "wujiu", "/whois lisi"), "李四 — 成员", "研发部（负责人）", "状态：已激活",
		"花名册：", "按 userid 识别。")
	zhWants(t, "/whois external", h.SayIn(i18n.Zh, "zhangsan", "/whois wmAAAlinhuoban000000000000002"), "林伙伴 — 外部联系人",
		"类型：企业微信用户", "添加人：")
	zhWants(t, "/whois tmp", h.SayIn(i18n.Zh, "zhangsan", "/whois ouTMPmeetChen000000000000001"), "来自会议的 tmp_external_userid")
}

func TestPeopleZh_order(t *testing.T) {
	t.Parallel()
	h := newHarness(t, approvers)
	zhWants(t, "/order list empty", h.SayIn(i18n.Zh, "zhaoliu", "/order list"), "待审批的申请", "无。", "机器人对企业微信推送申请的记录")
	id := apply(t, h, "sunqi", 1, "需要邮件归档")
	waitTakenOver(t, h, id)
	got := h.SayIn(i18n.Zh, "zhaoliu", "/order list")
	zhWants(t, "/order list", got, "`"+id+"` · `sunqi` · 邮件 · 待审批", "最新的在前", "审批请用 /order approve ID")
	zhWants(t, "/order show", h.SayIn(i18n.Zh, "zhaoliu", "/order show "+id), "申请 `"+id+"`", "申请人：`sunqi`", "产品：邮件",
		"状态：审批人审批中", "审批请用 `/order approve "+id+"`")
	zhWants(t, "/order list --user", h.SayIn(i18n.Zh, "zhaoliu", "/order list --user sunqi --status all"), "`sunqi` 提交的申请")

	got = h.SayIn(i18n.Zh, "zhaoliu", "/order approve "+id+" 预算已批")
	// One card: the list as its rows ("key: value"), the rest as its text.
	zhWants(t, "/order approve preview", got, "你即将通过申请 "+id, "申请人: sunqi", "产品: 邮件",
		"申请理由: 需要邮件归档", "通过结果将报送企业微信", "你的备注（记入审计记录）：预算已批")
	got = h.SayIn(i18n.Zh, "zhaoliu", "/order reject "+id+" 本季度没有预算")
	zhWants(t, "/order reject preview", got, "你即将驳回申请", "驳回结果将报送企业微信。你的理由（记入审计记录）：本季度没有预算")
	if strings.Contains(strings.Join(i18n.Missed(), "\n"), "application") {
		t.Errorf("ids asked for in Chinese without a translation: %q", i18n.Missed())
	}
}

func TestPeopleZh_convert(t *testing.T) {
	t.Parallel()
	h := newHarness(t, noApprovers)
	zhWants(t, "/convert open", h.SayIn(i18n.Zh, "zhangsan", "/convert open woAAAzhangsanOPEN woNOPE --agent 2000001"),
		"open_userid → userid（agent 2000001）", "`woAAAzhangsanOPEN` → `zhangsan`", "`woNOPE` — 无效", "2 个 id：1 个已转换，1 个未转换。")
	zhWants(t, "wrong agent", h.SayIn(i18n.Zh, "zhangsan", "/convert open woAAAzhangsanOPEN --agent 99"), "错误码 40056", "请检查 --agent")
	zhWants(t, "/convert tmp", h.SayIn(i18n.Zh, "zhangsan", "/convert tmp ouTMPmeetChen000000000000001 ouBAD --type meeting"),
		"来自会议的 tmp_external_userid", "→ external_userid `wmAAAchenkehu0000000000000001` — 客户", "`ouBAD` — 无效：不是本应用从会议获取的")
	zhWants(t, "/whois no match", h.SayIn(i18n.Zh, "zhangsan", "/whois nosuchuser"), "没有匹配", "没有成员使用该 userid（60111）")
}
