package approvals

import (
	"regexp"
	"strings"
	"testing"

	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/i18n/i18ntest"
)

// englishLeft is the English left in a Chinese reply (i18ntest.EnglishLeft), joined; "" when none.
func englishLeft(s string) string { return strings.Join(i18ntest.EnglishLeft(s), " | ") }

// TestChinese_takeOverAndDecide: with members reading Chinese, the applicant's notes, the approvers' cards
// and the decider's answer are Chinese, with no English sentence left.
func TestChinese_takeOverAndDecide(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{zh: true})
	id := h.apply("lisi", 1, "需要发送大附件")
	h.takeOver()
	c := contents(bodies(t, h.outbox(ref(id)+":received")))
	if !strings.Contains(c, "已收到") || !strings.Contains(c, "`zhangsan` 或 `zhaoliu`") || englishLeft(c) != "" {
		t.Fatalf("zh received note = %q", c)
	}
	if !strings.Contains(c, "（邮件）") || strings.Contains(c, "mail") { // the product in the reader's language alone
		t.Fatalf("zh received note names the product as %q; want （邮件）", c)
	}
	card := ""
	for _, m := range h.outbox(ref(id)) {
		card += string(m.Body)
	}
	if !strings.Contains(card, "lisi 申请高级功能账号") || strings.Contains(card, "Approve") {
		t.Fatalf("zh card = %s", card)
	}
	ctx := i18n.With(t.Context(), i18n.Zh)
	out, err := h.svc.Decide(ctx, id, "zhangsan", false, "不需要")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "已驳回") || englishLeft(out) != "" {
		t.Fatalf("zh decider answer = %q", out)
	}
	told := contents(bodies(t, h.outbox(ref(id)+":applicant")))
	if !strings.Contains(told, "驳回") || !strings.Contains(told, "原因：不需要") || englishLeft(told) != "" {
		t.Fatalf("zh applicant note = %q", told)
	}
	if _, err := h.svc.Decide(ctx, id, "zhaoliu", true, ""); err == nil || !strings.Contains(i18n.For(i18n.Zh).Error(err), "已由 zhangsan") {
		t.Fatalf("zh conflict = %v", err)
	}
}

// TestChinese_page: a viewer who reads Chinese gets the page in Chinese, with <html lang="zh-CN">; English
// viewers keep lang="en".
func TestChinese_page(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{zh: true})
	id := h.applyTaken("lisi", 2, "共享文档")
	state, cookies := h.startLogin(id)
	rec := h.comeBack(id, h.code("zhaoliu"), state, cookies)
	page := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(page, `<html lang="zh-CN">`) || !strings.Contains(page, "待审批") ||
		!strings.Contains(page, "/order approve "+id) || strings.Contains(page, "Applicant") {
		t.Fatalf("zh page = %d %s", rec.Code, page)
	}
	if e := englishLeft(regexp.MustCompile(`<[^>]*>|\{[^}]*\}`).ReplaceAllString(page, " ")); e != "" && !strings.Contains(e, "font") {
		t.Errorf("zh page has English %q", e)
	}

	en := newHarness(t, harnessOptions{})
	id = en.applyTaken("lisi", 2, "共享文档")
	state, cookies = en.startLogin(id)
	if page := en.comeBack(id, en.code("zhaoliu"), state, cookies).Body.String(); !strings.Contains(page, `<html lang="en">`) {
		t.Fatalf("en page = %s", page)
	}
}
