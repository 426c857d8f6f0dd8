package emulator_test

import (
	"net/url"
	"testing"

	"github.com/wecombot/wecombot/wecom/emulator"
	"github.com/wecombot/wecombot/wecom/wecomtest"
)

// The emulator refuses what WeCom refuses (DOC/96909): a 101st ticket fetch by the app within the hour (45009),
// ticket/get without type=agent_config.
func TestJSTickets_limits(t *testing.T) {
	t.Parallel()
	ts := wecomtest.NewServer(t, emulator.Options{})
	tok := ts.AccessToken(t)
	for i := 0; i < 100; i++ {
		r := call(t, ts, "GET", "get_jsapi_ticket", tok, nil)
		wantCode(t, r, 0)
		if r.str("ticket") == "" || r["expires_in"] != float64(7200) {
			t.Fatalf("get_jsapi_ticket = %v; want a ticket for 7200 s", r)
		}
	}
	wantCode(t, call(t, ts, "GET", "get_jsapi_ticket", tok, nil), 45009)
	wantCode(t, call(t, ts, "GET", "ticket/get", tok, nil), 40058)
	wantCode(t, call(t, ts, "GET", "ticket/get", tok, url.Values{"type": {"jsapi"}}), 40058)
	wantCode(t, call(t, ts, "GET", "ticket/get", tok, url.Values{"type": {"agent_config"}}), 0)
	wantCode(t, call(t, ts, "GET", "get_jsapi_ticket", "", nil), 41001)
}
