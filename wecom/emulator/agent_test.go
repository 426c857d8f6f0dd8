package emulator_test

import (
	"net/url"
	"testing"

	"github.com/wecombot/wecombot/wecom/emulator"
)

func TestAgentGet(t *testing.T) {
	t.Parallel()
	get := func(t *testing.T, opts emulator.Options, agentid string) (result, func(string) int) {
		ts, tok := emu(t, opts)
		r := call(t, ts, "GET", "agent/get", tok, url.Values{"agentid": {agentid}})
		userGet := func(u string) int {
			return call(t, ts, "GET", "user/get", tok, url.Values{"userid": {u}}).code()
		}
		return r, userGet
	}
	t.Run("seeded visibility", func(t *testing.T) {
		t.Parallel()
		opts := testOptions()
		opts.RedirectDomain = "bot.example.com"
		r, _ := get(t, opts, "1000002")
		wantCode(t, r, 0)
		users := r["allow_userinfos"].(map[string]any)["user"].([]any)
		if len(users) != 6 {
			t.Errorf("allow_userinfos = %v; want the 6 visible sample members", users)
		}
		for _, u := range users {
			if u.(map[string]any)["userid"] == "zhouba" {
				t.Errorf("zhouba (outside the visibility) listed in %v", users)
			}
		}
		if r.str("redirect_domain") != "bot.example.com" || r["agentid"].(float64) != 1000002 {
			t.Errorf("agent/get = %v", r)
		}
		if p := r["allow_partys"].(map[string]any)["partyid"].([]any); len(p) != 0 {
			t.Errorf("allow_partys = %v; want []", p)
		}
	})
	t.Run("configured visibility", func(t *testing.T) {
		t.Parallel()
		opts := testOptions()
		// lisi by name, 安全部 (3: zhangsan, wujiu), tag 审批人 (2: zhangsan, zhaoliu); not wangwu, sunqi, zhouba.
		opts.Visibility = &emulator.Visibility{UserIDs: []string{"lisi"}, PartyIDs: []int{3}, TagIDs: []int{2}}
		r, userGet := get(t, opts, "1000002")
		wantCode(t, r, 0)
		if p := r["allow_partys"].(map[string]any)["partyid"].([]any); len(p) != 1 || p[0].(float64) != 3 {
			t.Errorf("allow_partys = %v; want [3]", p)
		}
		if tg := r["allow_tags"].(map[string]any)["tagid"].([]any); len(tg) != 1 || tg[0].(float64) != 2 {
			t.Errorf("allow_tags = %v; want [2]", tg)
		}
		for u, want := range map[string]int{"lisi": 0, "zhangsan": 0, "wujiu": 0, "zhaoliu": 0,
			"wangwu": 60011, "sunqi": 60011, "zhouba": 60011} {
			if got := userGet(u); got != want {
				t.Errorf("user/get %s: errcode %d; want %d", u, got, want)
			}
		}
	})
	t.Run("another app", func(t *testing.T) {
		t.Parallel()
		r, _ := get(t, testOptions(), "1000003")
		wantCode(t, r, 301002)
	})
	t.Run("bad agentid", func(t *testing.T) {
		t.Parallel()
		r, _ := get(t, testOptions(), "x")
		wantCode(t, r, 40056)
	})
}
