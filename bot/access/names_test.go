package access_test

import (
	"testing"

	"github.com/wecombot/wecombot/bot/access"
	"github.com/wecombot/wecombot/wecom"
	"github.com/wecombot/wecombot/wecom/emulator"
	"github.com/wecombot/wecombot/wecom/wecomtest"
)

// TestNames_oneWalkServesEveryLookup: names for a list cost one walk of the address book, not a user/get per
// line; a second list within the hour costs nothing; Find reads afresh.
func TestNames_oneWalkServesEveryLookup(t *testing.T) {
	t.Parallel()
	emu := wecomtest.NewServer(t, emulator.Options{})
	o := emu.Options()
	c, err := wecom.NewClient(wecom.Config{CorpID: o.CorpID, Secret: o.Secret, AgentID: o.AgentID, BaseURL: emu.URL})
	if err != nil {
		t.Fatal(err)
	}
	n := access.NewNames(c)
	for _, u := range []string{"zhangsan", "lisi", "wangwu", "ZhangSan", "lisi"} {
		if n.Of(t.Context(), u) == "" {
			t.Fatalf("no name for %s", u)
		}
	}
	calls := func() (int, int, int) {
		return len(emu.CallsTo("department/list")), len(emu.CallsTo("user/simplelist")), len(emu.CallsTo("user/get"))
	}
	dl, sl, ug := calls()
	if dl != 1 || sl == 0 || ug != 0 {
		t.Fatalf("calls: department/list %d, user/simplelist %d, user/get %d; want one walk and no user/get", dl, sl, ug)
	}
	n.Of(t.Context(), "sunqi")
	if d2, s2, u2 := calls(); d2 != dl || s2 != sl || u2 != 0 {
		t.Fatalf("a later lookup called WeCom again: %d %d %d", d2, s2, u2)
	}
	if ids, err := n.Find(t.Context(), "李四", 5); err != nil || len(ids) != 1 || ids[0] != "lisi" {
		t.Fatalf("Find(李四) = %v, %v", ids, err)
	}
	if d3, _, _ := calls(); d3 != dl+1 {
		t.Fatalf("Find read the cached walk (department/list %d); want a fresh one", d3)
	}
}
