package emulator_test

import (
	"net/url"
	"testing"
	"time"
)

func TestOAuth(t *testing.T) {
	clk := newClock()
	opts := testOptions()
	opts.Now = clk.Now
	ts, tok := emu(t, opts)

	// snsapi_base: the userid, no user_ticket.
	code, err := ts.IssueOAuthCode("lisi")
	if err != nil {
		t.Fatal(err)
	}
	r := call(t, ts, "GET", "auth/getuserinfo", tok, url.Values{"code": {code}})
	if r.str("userid") != "lisi" || r["user_ticket"] != nil {
		t.Fatalf("getuserinfo of a snsapi_base code = %v; want userid lisi and no user_ticket", r)
	}
	code, err = ts.IssueOAuthCodeScope("lisi", "snsapi_privateinfo")
	if err != nil {
		t.Fatal(err)
	}
	r = call(t, ts, "GET", "auth/getuserinfo", tok, url.Values{"code": {code}})
	wantCode(t, r, 0)
	ticket := r.str("user_ticket")
	if r.str("userid") != "lisi" || ticket == "" {
		t.Fatalf("getuserinfo = %v; want userid lisi and a user_ticket", r)
	}
	wantCode(t, call(t, ts, "GET", "auth/getuserinfo", tok, url.Values{"code": {code}}), 40029) // single use
	wantCode(t, call(t, ts, "GET", "auth/getuserinfo", tok, url.Values{"code": {"forged"}}), 40029)

	d := call(t, ts, "POST", "auth/getuserdetail", tok, map[string]any{"user_ticket": ticket})
	wantCode(t, d, 0)
	if d.str("userid") != "lisi" || d.str("mobile") != "13800000002" || d.str("email") != "lisi@example.com" || d.str("gender") != "1" {
		t.Errorf("getuserdetail = %v", d)
	}
	wantCode(t, call(t, ts, "POST", "auth/getuserdetail", tok, map[string]any{"user_ticket": "forged"}), 40058)

	// Codes last 5 minutes, tickets 1800 s.
	code, _ = ts.IssueOAuthCode("wangwu")
	clk.Advance(5 * time.Minute)
	wantCode(t, call(t, ts, "GET", "auth/getuserinfo", tok, url.Values{"code": {code}}), 40029)
	clk.Advance(1800*time.Second - 5*time.Minute)
	wantCode(t, call(t, ts, "POST", "auth/getuserdetail", tok, map[string]any{"user_ticket": ticket}), 40058)

	// A member outside the app's visibility gets a userid but no ticket.
	code, _ = ts.IssueOAuthCodeScope("zhouba", "snsapi_privateinfo")
	r = call(t, ts, "GET", "auth/getuserinfo", tok, url.Values{"code": {code}})
	if r.str("userid") != "zhouba" || r["user_ticket"] != nil {
		t.Errorf("getuserinfo for zhouba = %v; want userid without user_ticket", r)
	}
	// A customer gets openid and external_userid.
	code, err = ts.IssueOAuthCodeExternal("wmAAAchenkehu0000000000000001")
	if err != nil {
		t.Fatal(err)
	}
	r = call(t, ts, "GET", "auth/getuserinfo", tok, url.Values{"code": {code}})
	if r.str("openid") == "" || r.str("external_userid") != "wmAAAchenkehu0000000000000001" || r["userid"] != nil {
		t.Errorf("getuserinfo for a customer = %v", r)
	}
	if _, err := ts.IssueOAuthCode("ghost"); err == nil {
		t.Error("IssueOAuthCode(ghost) succeeded")
	}
}

func TestIPLists(t *testing.T) {
	ts, tok := emu(t, testOptions())
	for _, p := range []string{"get_api_domain_ip", "getcallbackip"} {
		r := call(t, ts, "GET", p, tok, nil)
		wantCode(t, r, 0)
		if l, ok := r["ip_list"].([]any); !ok || len(l) == 0 {
			t.Errorf("%s ip_list = %v", p, r["ip_list"])
		}
	}
}
