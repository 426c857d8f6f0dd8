package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot"
	"github.com/wecombot/wecombot/wecom/emulator"
)

// Access control against the emulator's directory: userids compare as WeCom compares them (ignoring case),
// and a member named outright keeps their roles when a tag or department lookup fails.

// TestAccess_userIDsIgnoreCase: WeCom's userids are case-insensitive (user/create: 不区分大小写). ZhangSan is
// the admin zhangsan of access.admins and gets the tag-based roles too (tags list zhangsan); a role naming WangWu
// is wangwu's.
func TestAccess_userIDsIgnoreCase(t *testing.T) {
	t.Parallel()
	s := startStackWith(t, emulator.Options{}, `
[access.roles.helpdesk]
members = ["WangWu"]
permissions = ["audit.read"]
`, nil)
	for _, who := range []string{"zhangsan", "ZhangSan", "ZHANGSAN"} {
		c, err := s.app.engine.Access.Resolve(t.Context(), who)
		if err != nil {
			t.Fatalf("Resolve(%s): %v", who, err)
		}
		if !c.Admin || !slices.Contains(c.Roles, "approvers") || !slices.Contains(c.Roles, "security") || c.UserID != who {
			t.Errorf("Resolve(%s) = %+v; want the admin with the approvers and security roles (tags 审批人, 安全管理员)", who, c)
		}
	}
	c, err := s.app.engine.Access.Resolve(t.Context(), "wangwu")
	if err != nil || !slices.Contains(c.Roles, "helpdesk") {
		t.Errorf("Resolve(wangwu) = %+v, %v; want the helpdesk role given to WangWu", c, err)
	}
}

// TestAccess_applicantCannotDecideOwnAnyCase: the applicant lisi cannot decide their own application as LiSi,
// and LiSi listed as an approver gets no card for lisi's application.
func TestAccess_applicantCannotDecideOwnAnyCase(t *testing.T) {
	t.Parallel()
	s := startStackWith(t, emulator.Options{}, `
[approvals]
approvers = ["LiSi", "tag:审批人"]
url = "https://bot.example.com/approvals/{apply_id}"
[access.roles.lisi]
members = ["LiSi"]
permissions = ["order.*"]
`, nil)
	id := s.apply(t, "lisi", 2, "需要文档高级权限")
	waitFor(t, 10*time.Second, "the take-over", func() bool { return len(s.detailCalls(id)) == 1 })
	var body struct {
		ProcessList struct {
			NodeList []struct {
				CurrentApprovers []string `json:"current_approvers"`
			} `json:"node_list"`
		} `json:"process_list"`
	}
	raw, _ := json.Marshal(s.detailCalls(id)[0])
	json.Unmarshal(raw, &body)
	if got := body.ProcessList.NodeList[0].CurrentApprovers; slices.ContainsFunc(got, func(u string) bool { return strings.EqualFold(u, "lisi") }) {
		t.Errorf("take-over approvers = %v; the applicant lisi (listed as LiSi) must not approve their own application", got)
	}
	_, err := s.app.approvals.Decide(t.Context(), id, "LiSi", true, "")
	if bot.ErrorCode(err) != bot.EFORBIDDEN {
		t.Fatalf("Decide by LiSi on lisi's application: %v; want EFORBIDDEN", err)
	}
	if n := len(s.detailCalls(id)); n != 1 {
		t.Fatalf("set_approval_detail calls = %d; the applicant's own decision must not reach WeCom", n)
	}
}

// TestAccess_explicitMembersSurviveFailedLookups: with tag/get failing, zhangsan (named in access.admins) is
// still an admin and lisi (named in a role) keeps that role; roles that need the tag are not granted, and the
// member is told the lookup failed.
func TestAccess_explicitMembersSurviveFailedLookups(t *testing.T) {
	t.Parallel()
	s := startStackWith(t, emulator.Options{}, `
[access.roles.helpdesk]
members = ["tag:安全管理员", "lisi"]
permissions = ["audit.read"]
`, nil)
	s.emu.Fail("tag/get", 60011, 1000)
	c, err := s.app.engine.Access.Resolve(t.Context(), "zhangsan")
	if err == nil || !c.Admin {
		t.Fatalf("Resolve(zhangsan) with tag/get failing = %+v, %v; want the admin, and the lookup error", c, err)
	}
	if slices.Contains(c.Roles, "approvers") || !slices.Contains(c.Unchecked, "approvers") {
		t.Errorf("Resolve(zhangsan) = %+v; the tag-based approvers role must be denied and reported unchecked", c)
	}
	c, err = s.app.engine.Access.Resolve(t.Context(), "lisi")
	if err == nil || !slices.Contains(c.Roles, "helpdesk") || !c.Can("audit.read") {
		t.Fatalf("Resolve(lisi) = %+v, %v; want the helpdesk role that names lisi outright", c, err)
	}
	// Through the engine: the admin runs an admin command; a member whose role needs the tag is told why not.
	if got := s.say(t, "zhangsan", "/audit"); !contains(got, "Audit trail") && !contains(got, "No audit entries") {
		t.Errorf("/audit by the admin with tag/get failing = %q; want it to run", got)
	}
	if got := s.say(t, "lisi", "/audit"); contains(got, "could not check") {
		t.Errorf("/audit by lisi = %q; want it to run (helpdesk names lisi)", got)
	}
	if got := s.say(t, "zhaoliu", "/order list"); !contains(got, "could not check your roles") {
		t.Errorf("/order list by zhaoliu (approver through tag 审批人) = %q; want the lookup failure explained", got)
	}
	if got := s.say(t, "zhaoliu", "/whoami"); !contains(got, "Not checked just now") {
		t.Errorf("/whoami by zhaoliu = %q; want the unchecked roles named", got)
	}
}
