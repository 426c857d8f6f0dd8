package people_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"
)

func TestPeopleVIP_list(t *testing.T) {
	t.Parallel()
	h := newHarness(t, noApprovers)
	got := h.Say("zhaoliu", "/vip list") // approvers hold vip.read
	wants(t, "/vip list", got, "2 members hold one", "`zhangsan` 张三", "`lisi` 李四")
	if contains(got, "showing") {
		t.Fatalf("/vip list = %q; a list that fits one page needs no paging footer", got)
	}
	body := lastBody(t, h, "security/vip/list")
	if body["limit"] != 200.0 || body["cursor"] != nil {
		t.Fatalf("security/vip/list body = %v; want limit 200 and no cursor on the first page", body)
	}
}

func TestPeopleVIP_addConfirmsAllocatesAndAudits(t *testing.T) {
	t.Parallel()
	h := newHarness(t, noApprovers)
	got := h.Say("zhangsan", "/vip add wangwu nobody123 lisi wangwu")
	wants(t, "preview", got, "3 members", "wangwu: has none; will get one", "lisi: already has one", "yes")
	if len(got) != 1 { // one card: the members as its rows (issue 10: a confirmation is one message)
		t.Fatalf("the preview took %d messages: %q", len(got), got)
	}
	if n := len(h.Emu.CallsTo("security/vip/submit_batch_add_job")); n != 0 {
		t.Fatalf("submitted %d jobs before the confirmation", n)
	}
	got = h.Say("zhangsan", "yes")
	body := lastBody(t, h, "security/vip/submit_batch_add_job")
	// lisi already has one (the preview said so): the job is only for the members it would change.
	if fmt.Sprint(body["userid_list"]) != "[wangwu nobody123]" {
		t.Fatalf("submit body = %v; want wangwu and nobody123 once each, not lisi", body)
	}
	res := lastBody(t, h, "security/vip/batch_add_job_result")
	job, _ := res["jobid"].(string)
	if job == "" {
		t.Fatalf("job result body = %v; want the jobid", res)
	}
	wants(t, "result", got, "`wangwu` — allocated", "`nobody123` — invalid userid", "`lisi` — already has one: unchanged",
		"3 members: 1 allocated, 1 invalid userid, 1 unchanged", job)
	if u := h.Emu.VIPUsers(); !slices.Contains(u, "wangwu") {
		t.Fatalf("vip users = %v; want wangwu", u)
	}
	// nobody123 got nothing: the run is audited as partial, naming it (issue 10).
	if d := decisions(t, h, "vip add"); fmt.Sprint(d) != "[zhangsan:partial zhangsan:proposed]" {
		t.Fatalf("audit = %v", d)
	}
	if e, _ := h.DB.ListAudit(t.Context(), db.AuditFilter{Command: "vip add", Decision: db.DecisionPartial}); len(e) != 1 ||
		e[0].Result != "1 failed: nobody123: invalid userid" {
		t.Fatalf("partial audit = %+v; want nobody123 named", e)
	}
}

func TestPeopleVIP_noSeatLeftAndRemove(t *testing.T) {
	t.Parallel()
	h := newHarness(t, noApprovers)
	h.Emu.SetVIPSeats(2)
	h.Say("zhangsan", "/vip add wangwu")
	got := h.Say("zhangsan", "yes")
	wants(t, "add without a seat", got, "`wangwu` — failed", "no seat left", "1 failed")

	got = h.Say("zhangsan", "/vip remove lisi sunqi")
	wants(t, "remove preview", got, "lisi: has one; it will be taken back", "sunqi: holds none")
	got = h.Say("zhangsan", "yes")
	if b := lastBody(t, h, "security/vip/submit_batch_del_job"); fmt.Sprint(b["userid_list"]) != "[lisi]" {
		t.Fatalf("del job body = %v; want only lisi (sunqi holds none)", b)
	}
	if len(h.Emu.CallsTo("security/vip/batch_del_job_result")) == 0 {
		t.Fatal("the del job's result was never read")
	}
	// The preview said sunqi holds none; the outcome says the same (it used to report "failed").
	wants(t, "remove", got, "`lisi` — removed", "`sunqi` — holds none: unchanged", "1 removed, 1 unchanged")
	if u := h.Emu.VIPUsers(); slices.Contains(u, "lisi") {
		t.Fatalf("vip users = %v; lisi still holds one", u)
	}
}

// TestPeopleVIP_nothingToDoIsNotOffered: when every member is already as asked, the bot says so at once
// instead of previewing a job and asking for a yes that would change nothing (issue 10).
func TestPeopleVIP_nothingToDoIsNotOffered(t *testing.T) {
	t.Parallel()
	h := newHarness(t, noApprovers)
	got := h.Say("zhangsan", "/vip add lisi")
	wants(t, "add to a holder", got, "Nothing to do", "`lisi` — already has one: unchanged")
	if contains(got, "yes") {
		t.Fatalf("asked to confirm a no-op: %q", got)
	}
	got = h.Say("zhangsan", "/vip remove sunqi")
	wants(t, "remove from a non-holder", got, "Nothing to do", "`sunqi` — holds none: unchanged")
	if n := len(h.Emu.CallsTo("security/vip/submit_batch_add_job")) + len(h.Emu.CallsTo("security/vip/submit_batch_del_job")); n != 0 {
		t.Fatalf("%d jobs submitted for no-ops", n)
	}
	if conv, _ := h.DB.GetConversation(t.Context(), "zhangsan"); conv != nil {
		t.Fatalf("a confirmation is pending for a no-op: %+v", conv)
	}
}

func TestPeopleVIP_refusedWithoutPermission(t *testing.T) {
	t.Parallel()
	h := newHarness(t, noApprovers)
	wants(t, "lisi's /vip list", h.Say("lisi", "/vip list"), "not allowed", "vip.read")
	wants(t, "zhaoliu's /vip add", h.Say("zhaoliu", "/vip add wangwu"), "not allowed", "vip.write")
	if n := len(h.Emu.CallsTo("security/vip/list")) + len(h.Emu.CallsTo("security/vip/submit_batch_add_job")); n != 0 {
		t.Fatalf("%d vip calls for refused commands", n)
	}
	if d := decisions(t, h, "vip"); fmt.Sprint(d) != "[zhaoliu:denied lisi:denied]" {
		t.Fatalf("audit = %v; want both refusals", d)
	}
	wants(t, "bad userid", h.Say("zhangsan", "/vip add li!si"), `"li!si" is not a valid userid`)
}

func TestPeopleVIP_errcodes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, noApprovers)
	h.Emu.Fail("security/vip/list", 48002, 1)
	wants(t, "48002", h.Say("zhangsan", "/vip list"), "errcode 48002", "可调用接口的应用")

	// A job result WeCom no longer knows (40088): the job was submitted, so the reply says so.
	h.Say("zhangsan", "/vip add wujiu")
	h.Emu.Fail("security/vip/batch_add_job_result", 40088, 1)
	got := h.Say("zhangsan", "yes")
	wants(t, "40088", got, "its result could not be read", "errcode 40088", "/vip list")

	// 45009 blocks the API for a minute (DOC/90454): not retried; the member is told when to try again.
	n := len(h.Emu.CallsTo("security/vip/submit_batch_add_job"))
	h.Say("zhangsan", "/vip add sunqi")
	h.Emu.Fail("security/vip/submit_batch_add_job", 45009, 1)
	got = h.Say("zhangsan", "yes")
	if calls := h.Emu.CallsTo("security/vip/submit_batch_add_job")[n:]; len(calls) != 1 || calls[0].ErrCode != 45009 {
		t.Fatalf("submit calls = %+v; want the one 45009, not retried", calls)
	}
	wants(t, "45009", got, "WeCom's rate limit for this API (security/vip/submit_batch_add_job) is exhausted; try again after")
}

func TestPeopleVIP_reconcileReadsTheListBack(t *testing.T) {
	t.Parallel()
	h := newHarness(t, noApprovers)
	c := command(t, h, "vip add")
	r, err := c.Reconcile(t.Context(), invocation(c, "zhangsan", map[string][]string{"userid": {"lisi", "wangwu"}}))
	if err != nil {
		t.Fatal(err)
	}
	wants(t, "reconcile", []string{replies.Markdown(r.Markdown)}, "`lisi` — has an account", "`wangwu` — has no account",
		"/vip add for the 1 member not done yet")
	if len(h.Emu.CallsTo("security/vip/submit_batch_add_job")) != 0 {
		t.Fatal("reconcile submitted a job")
	}
}
