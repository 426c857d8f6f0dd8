package emulator_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wecombot/wecombot/wecom/emulator"
	"github.com/wecombot/wecombot/wecom/wecomtest"
)

var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// open GETs a sign-in link with a user agent and returns the status, the Location and the body.
func open(t *testing.T, link, ua string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", link, nil)
	req.Header.Set("User-Agent", ua)
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

const wxwork = "Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 wxwork/4.1.30 MicroMessenger/7.0.1 Language/zh"

func TestLogin_authorizePage(t *testing.T) {
	t.Parallel()
	opts := emulator.Options{RedirectDomain: "bot.example.com"}
	ts := wecomtest.NewServer(t, opts)
	o := ts.Options()
	link := func(mod func(url.Values)) string {
		q := url.Values{"appid": {o.CorpID}, "redirect_uri": {"https://bot.example.com/console/auth?next=%2Fconsole"},
			"response_type": {"code"}, "scope": {"snsapi_base"}, "state": {"abc123"}, "agentid": {"1000002"}}
		if mod != nil {
			mod(q)
		}
		return ts.URL + emulator.AuthorizePath + "?" + q.Encode() + "#wechat_redirect"
	}
	for name, mod := range map[string]func(url.Values){
		"wrong appid":              func(q url.Values) { q.Set("appid", "wwother") },
		"no response_type":         func(q url.Values) { q.Del("response_type") },
		"unknown scope":            func(q url.Values) { q.Set("scope", "snsapi_userinfo") },
		"privateinfo, no agentid":  func(q url.Values) { q.Set("scope", "snsapi_privateinfo"); q.Del("agentid") },
		"state with punctuation":   func(q url.Values) { q.Set("state", "a-b") },
		"untrusted redirect":       func(q url.Values) { q.Set("redirect_uri", "https://evil.example.net/steal") },
		"relative redirect":        func(q url.Values) { q.Set("redirect_uri", "/console/auth") },
		"trusted host, other port": func(q url.Values) { q.Set("redirect_uri", "https://bot.example.com:8443/console/auth") },
	} {
		if st, loc, _ := open(t, link(mod), wxwork); st != http.StatusBadRequest || loc != "" {
			t.Errorf("%s: %d, Location %q; want 400 and no redirect", name, st, loc)
		}
	}
	// A desktop browser is told to open the link in WeCom.
	if st, loc, body := open(t, link(nil), "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0"); st != 200 || loc != "" || !strings.Contains(body, "请在企业微信客户端打开") {
		t.Errorf("outside WeCom: %d %q %q; want the page saying to open it in WeCom", st, loc, body)
	}
	// Inside WeCom: a page to pick the member, whose link redirects with a code and the state.
	st, _, body := open(t, link(nil), wxwork)
	if st != 200 || !strings.Contains(body, `id="as-lisi"`) {
		t.Fatalf("the pick page: %d %q", st, body)
	}
	st, loc, _ := open(t, link(func(q url.Values) { q.Set("emulator_user", "lisi") }), wxwork)
	u, _ := url.Parse(loc)
	if st != http.StatusFound || u == nil || u.Host != "bot.example.com" || u.Path != "/console/auth" || u.Query().Get("state") != "abc123" ||
		u.Query().Get("next") != "/console" || u.Query().Get("code") == "" {
		t.Fatalf("signing in: %d Location %q; want a redirect back with code, state and the page's own query", st, loc)
	}
	tok := ts.AccessToken(t)
	r := call(t, ts, "GET", "auth/getuserinfo", tok, url.Values{"code": {u.Query().Get("code")}})
	if r.str("userid") != "lisi" || r["user_ticket"] != nil {
		t.Fatalf("getuserinfo = %v; want lisi, and no user_ticket for snsapi_base", r)
	}
	// snsapi_privateinfo yields a user_ticket.
	_, loc, _ = open(t, link(func(q url.Values) { q.Set("scope", "snsapi_privateinfo"); q.Set("emulator_user", "lisi") }), wxwork)
	u, _ = url.Parse(loc)
	if r := call(t, ts, "GET", "auth/getuserinfo", tok, url.Values{"code": {u.Query().Get("code")}}); r.str("user_ticket") == "" {
		t.Fatalf("getuserinfo of a snsapi_privateinfo code = %v; want a user_ticket", r)
	}
	// A member who does not exist cannot sign in.
	if st, loc, _ := open(t, link(func(q url.Values) { q.Set("emulator_user", "ghost") }), wxwork); st == http.StatusFound || loc != "" {
		t.Fatalf("ghost signed in: %d %q", st, loc)
	}
}

func TestLogin_webLogin(t *testing.T) {
	t.Parallel()
	ts := wecomtest.NewServer(t, emulator.Options{})
	o := ts.Options()
	link := func(mod func(url.Values)) string {
		q := url.Values{"login_type": {"CorpApp"}, "appid": {o.CorpID}, "agentid": {"1000002"},
			"redirect_uri": {"http://127.0.0.1:9/console/auth"}, "state": {"s1"}, "lang": {"zh"}}
		if mod != nil {
			mod(q)
		}
		return ts.URL + emulator.WebLoginPath + "?" + q.Encode()
	}
	for name, mod := range map[string]func(url.Values){
		"service app":   func(q url.Values) { q.Set("login_type", "ServiceApp") },
		"no login_type": func(q url.Values) { q.Del("login_type") },
		"wrong agentid": func(q url.Values) { q.Set("agentid", "1") },
		"wrong appid":   func(q url.Values) { q.Set("appid", "x") },
		"no redirect":   func(q url.Values) { q.Del("redirect_uri") },
	} {
		if st, loc, _ := open(t, link(mod), "Chrome"); st != http.StatusBadRequest || loc != "" {
			t.Errorf("%s: %d %q; want 400", name, st, loc)
		}
	}
	if st, _, body := open(t, link(nil), "Chrome"); st != 200 || !strings.Contains(body, `id="as-zhangsan"`) {
		t.Fatalf("web login page: %d %q", st, body)
	}
	_, loc, _ := open(t, link(func(q url.Values) { q.Set("emulator_user", "zhangsan") }), "Chrome")
	u, _ := url.Parse(loc)
	code := u.Query().Get("code")
	tok := ts.AccessToken(t)
	if r := call(t, ts, "GET", "auth/getuserinfo", tok, url.Values{"code": {code}}); r.str("userid") != "zhangsan" {
		t.Fatalf("getuserinfo = %v; want zhangsan", r)
	}
	wantCode(t, call(t, ts, "GET", "auth/getuserinfo", tok, url.Values{"code": {code}}), 40029) // once
}
