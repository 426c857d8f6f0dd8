package approvals

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom/emulator"
)

// visit requests the approval page (path and query) as a browser on https://bot.example.com would, through a
// mux with the pattern cmd/bot mounts the service on.
func (h *harness) visit(pathQuery string, cookies []*http.Cookie) *httptest.ResponseRecorder {
	h.t.Helper()
	mux := http.NewServeMux()
	mux.Handle("GET /approvals/{id}", h.svc)
	req := httptest.NewRequest("GET", "https://bot.example.com"+pathQuery, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	return rec
}

// startLogin opens the page without a code and returns the state the OAuth redirect carries and the cookies set.
func (h *harness) startLogin(applyID string) (string, []*http.Cookie) {
	h.t.Helper()
	rec := h.visit("/approvals/"+applyID, nil)
	loc, _ := url.Parse(rec.Header().Get("Location"))
	if rec.Code != http.StatusFound || loc == nil || loc.Query().Get("state") == "" {
		h.t.Fatalf("GET the page without a code = %d, Location %v; want a redirect to OAuth with a state", rec.Code, loc)
	}
	return loc.Query().Get("state"), rec.Result().Cookies()
}

// comeBack returns from OAuth to the page with code and state.
func (h *harness) comeBack(applyID, code, state string, cookies []*http.Cookie) *httptest.ResponseRecorder {
	h.t.Helper()
	return h.visit("/approvals/"+applyID+"?code="+url.QueryEscape(code)+"&state="+url.QueryEscape(state), cookies)
}

// code issues an OAuth code for a member, as WeCom does when the member opens the authorize link.
func (h *harness) code(user string) string {
	h.t.Helper()
	c, err := h.emu.IssueOAuthCode(user)
	if err != nil {
		h.t.Fatal(err)
	}
	return c
}

func (h *harness) userInfoCalls() int { return len(h.emu.CallsTo("auth/getuserinfo")) }

// TestPage_login: a visitor without a code is sent to WeCom's OAuth (snsapi_base) and back to the configured
// page, with the state bound to a fresh, short-lived, HttpOnly nonce cookie for that page only.
func TestPage_login(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	id := h.applyTaken("lisi", 2, "共享文档")
	rec := h.visit("/approvals/"+id, nil)
	loc, _ := url.Parse(rec.Header().Get("Location"))
	q := loc.Query()
	if rec.Code != http.StatusFound || loc.Host != "open.weixin.qq.com" || q.Get("appid") != emulator.DefaultCorpID ||
		q.Get("redirect_uri") != pageURL(id) || q.Get("scope") != "snsapi_base" || q.Get("state") == "" {
		t.Fatalf("GET = %d, Location %v; want WeCom's authorize URL back to the page", rec.Code, loc)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q; want no-store", cc)
	}
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("cookies = %+v; want the nonce", cookies)
	}
	c := cookies[0]
	if c.Name != nonceCookie || c.Value == "" || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode ||
		c.Path != "/approvals/"+id || c.MaxAge != int(DefaultStateTTL.Seconds()) {
		t.Fatalf("nonce cookie = %+v; want HttpOnly, Secure (an https page), Lax, for this page, %s", c, DefaultStateTTL)
	}
	if strings.Contains(q.Get("state"), c.Value) {
		t.Fatal("the state carries the nonce itself; it must carry only a MAC of it")
	}
	state2, cookies2 := h.startLogin(id)
	if state2 == q.Get("state") || cookies2[0].Value == c.Value {
		t.Fatal("two visits got the same state or nonce")
	}
	if n := h.userInfoCalls(); n != 0 {
		t.Fatalf("getuserinfo calls = %d before any code", n)
	}
}

// TestPage_refusesInvalidState: a return from OAuth whose state is not this browser's, for this page, and
// current is refused with 400, before WeCom is asked who the code belongs to; so are codes and states longer
// than WeCom issues.
func TestPage_refusesInvalidState(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	id := h.applyTaken("lisi", 2, "共享文档")
	other := h.applyTaken("wangwu", 1, "another application")
	state, cookies := h.startLogin(id)
	_, otherVisitor := h.startLogin(id)
	otherState, otherCookies := h.startLogin(other)
	forgedCookie := []*http.Cookie{{Name: nonceCookie, Value: strings.Repeat("0", len(cookies[0].Value))}}
	for name, c := range map[string]struct {
		code, state string
		cookies     []*http.Cookie
	}{
		"no cookie":                           {h.code("zhaoliu"), state, nil},
		"another visitor's cookie":            {h.code("zhaoliu"), state, otherVisitor},
		"a forged cookie":                     {h.code("zhaoliu"), state, forgedCookie},
		"a forged state":                      {h.code("zhaoliu"), "1999999999s0123456789abcdef0123456789abcdef", cookies},
		"no state":                            {h.code("zhaoliu"), "", cookies},
		"another application's state":         {h.code("zhaoliu"), otherState, otherCookies},
		"a code longer than WeCom issues":     {strings.Repeat("a", maxCodeLen+1), state, cookies},
		"a state longer than WeCom echoes":    {h.code("zhaoliu"), state + strings.Repeat("0", 128), cookies},
		"another application's state, our id": {h.code("zhaoliu"), otherState, cookies},
	} {
		if rec := h.comeBack(id, c.code, c.state, c.cookies); rec.Code != http.StatusBadRequest {
			t.Errorf("%s: %d %s; want 400", name, rec.Code, rec.Body)
		}
	}
	// States signed with the server's own key but never issued like that: for no nonce at all, and with an
	// expiry beyond the state lifetime (the lifetime is the server's, not the state's).
	exp := h.now().Add(DefaultStateTTL).Unix()
	if rec := h.comeBack(id, h.code("zhaoliu"), oauthState("", id, exp), nil); rec.Code != http.StatusBadRequest {
		t.Errorf("a state for an empty nonce, no cookie: %d; want 400", rec.Code)
	}
	if rec := h.comeBack(id, h.code("zhaoliu"), oauthState(cookies[0].Value, id, exp+3600), cookies); rec.Code != http.StatusBadRequest {
		t.Errorf("a state expiring after the lifetime: %d; want 400", rec.Code)
	}
	if n := h.userInfoCalls(); n != 0 {
		t.Fatalf("getuserinfo calls = %d; an invalid state must not reach WeCom", n)
	}
	// A state past its lifetime is refused as expired, even with its cookie.
	h.advance(DefaultStateTTL + time.Second)
	if rec := h.comeBack(id, h.code("zhaoliu"), state, cookies); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "expired") {
		t.Fatalf("expired state: %d %s; want 400 saying it expired", rec.Code, rec.Body)
	}
	if n := h.userInfoCalls(); n != 0 {
		t.Fatalf("getuserinfo calls = %d for an expired state", n)
	}
}

// TestPage_servesAfterOAuth: back from OAuth with its state and cookie, an approver sees the application (the
// member-typed reason escaped) and how to decide it; the applicant sees it without the instructions; anyone
// else is refused. The nonce is spent, and a code is good once.
func TestPage_servesAfterOAuth(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	id := h.applyTaken("lisi", 2, "共享文档 <script>alert(1)</script>")
	state, cookies := h.startLogin(id)

	code := h.code("zhaoliu")
	rec := h.comeBack(id, code, state, cookies)
	page := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(page, id) || !strings.Contains(page, "waiting for an approver") ||
		!strings.Contains(page, "/order approve "+id) || !strings.Contains(page, "&lt;script&gt;") || strings.Contains(page, "<script>alert") {
		t.Fatalf("approver's page = %d %s; want the application, how to decide it, the reason escaped", rec.Code, page)
	}
	if ct, cc := rec.Header().Get("Content-Type"), rec.Header().Get("Cache-Control"); !strings.HasPrefix(ct, "text/html") || cc != "no-store" {
		t.Errorf("Content-Type %q, Cache-Control %q; want HTML, no-store", ct, cc)
	}
	spent := rec.Result().Cookies()
	if len(spent) != 1 || spent[0].Name != nonceCookie || spent[0].MaxAge >= 0 {
		t.Fatalf("cookies after sign-in = %+v; want the nonce cleared", spent)
	}
	if n := h.userInfoCalls(); n != 1 {
		t.Fatalf("getuserinfo calls = %d; want 1", n)
	}
	// WeCom's codes are single use: the same one again is refused by WeCom.
	if rec := h.comeBack(id, code, state, cookies); rec.Code != http.StatusBadGateway {
		t.Fatalf("a spent code: %d %s; want 502 (WeCom refused it)", rec.Code, rec.Body)
	}

	rec = h.comeBack(id, h.code("lisi"), state, cookies)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "共享文档") || strings.Contains(rec.Body.String(), "/order approve") {
		t.Fatalf("applicant's page = %d %s; want the application without the approvers' instructions", rec.Code, rec.Body)
	}
	if rec := h.comeBack(id, h.code("wangwu"), state, cookies); rec.Code != http.StatusForbidden {
		t.Fatalf("an outsider's page = %d %s; want 403", rec.Code, rec.Body)
	}
	// A WeChat user who is not a member (OAuth gives an openid, no userid) is refused as such.
	wechat, err := h.emu.IssueOAuthCodeExternal("")
	if err != nil {
		t.Fatal(err)
	}
	if rec := h.comeBack(id, wechat, state, cookies); rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "only members") {
		t.Fatalf("a non-member's page = %d %s; want 403 for members only", rec.Code, rec.Body)
	}
	// Once decided, the page says so, and by whom.
	if _, err := h.svc.Decide(t.Context(), id, "zhangsan", false, "预算 <b>不足</b>"); err != nil {
		t.Fatal(err)
	}
	rec = h.comeBack(id, h.code("zhaoliu"), state, cookies)
	if body := rec.Body.String(); rec.Code != http.StatusOK || !strings.Contains(body, "rejected") || !strings.Contains(body, "zhangsan") ||
		!strings.Contains(body, "预算 &lt;b&gt;不足&lt;/b&gt;") || strings.Contains(body, "/order approve") {
		t.Fatalf("page after the decision = %d %s; want rejected by zhangsan, the note escaped, no instructions", rec.Code, body)
	}
}

// TestPage_notFound: a malformed apply_id is refused without OAuth; an application the bot does not have is
// refused after it.
func TestPage_notFound(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	for _, p := range []string{"/approvals/a.b", "/approvals/" + strings.Repeat("a", 65), "/approvals/%3Cx%3E"} {
		if rec := h.visit(p, nil); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d; want 404", p, rec.Code)
		}
	}
	state, cookies := h.startLogin("ap0000")
	if rec := h.comeBack("ap0000", h.code("zhaoliu"), state, cookies); rec.Code != http.StatusNotFound {
		t.Fatalf("an application the bot does not have: %d; want 404", rec.Code)
	}
}

// TestPage_visitsBounded: sign-ins beyond VisitsPerMinute are answered 429 without a getuserinfo call.
func TestPage_visitsBounded(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	h.svc.VisitsPerMinute = 2
	id := h.applyTaken("lisi", 2, "x")
	state, cookies := h.startLogin(id)
	var codes []int
	for range 4 {
		rec := h.comeBack(id, h.code("zhaoliu"), state, cookies)
		codes = append(codes, rec.Code)
		if rec.Code == http.StatusTooManyRequests && rec.Header().Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}
	if codes[0] != 200 || codes[1] != 200 || codes[2] != 429 || codes[3] != 429 {
		t.Fatalf("statuses = %v; want 200 200 429 429", codes)
	}
	if n := h.userInfoCalls(); n != 2 {
		t.Fatalf("getuserinfo calls = %d; want 2", n)
	}
}

// TestNoPage: without callback.public_url or approvals.url there is nothing to link WeCom to: the page is 404,
// applications are not taken over (the reason recorded), and decisions are refused as unavailable.
func TestNoPage(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{noPage: true})
	id := h.apply("lisi", 1, "x")
	h.takeOver()
	if app := h.app(id); app.State != db.AppPending || !strings.Contains(app.LastError, "public_url") {
		t.Fatalf("without a page: %+v; want pending, the error naming callback.public_url", app)
	}
	if n := len(h.detailCalls(id)); n != 0 {
		t.Fatalf("set_approval_detail called %d times without a page", n)
	}
	if rec := h.visit("/approvals/"+id, nil); rec.Code != http.StatusNotFound {
		t.Fatalf("the page = %d; want 404", rec.Code)
	}
	if _, err := h.svc.Decide(t.Context(), id, "zhangsan", true, ""); bot.ErrorCode(err) != bot.EUNAVAILABLE {
		t.Fatalf("Decide without a page: %v; want EUNAVAILABLE", err)
	}
	if app := h.app(id); app.State != db.AppPending || app.DecidedBy != "" {
		t.Fatalf("after the refused decision: %+v; want still pending, unclaimed", app)
	}
}

// TestNew_url: the page URL is approvals.url, or public_url's origin + /approvals/{apply_id}; without either
// there is none; anything but http(s) is refused.
func TestNew_url(t *testing.T) {
	for _, c := range []struct{ cfgURL, public, want string }{
		{"", "https://bot.example.com/wecom/callback", "https://bot.example.com/approvals/X"},
		{"", "http://10.0.0.1:8080", "http://10.0.0.1:8080/approvals/X"},
		{"https://oa.example.com/a/{apply_id}/view", "https://bot.example.com/cb", "https://oa.example.com/a/X/view"},
		{"", "", ""},
	} {
		cfg := defaultConfig
		cfg.URL = c.cfgURL
		s, err := New(cfg, Deps{}, c.public)
		if err != nil {
			t.Fatalf("New(url %q, public %q): %v", c.cfgURL, c.public, err)
		}
		if got := s.approvalURL("X"); got != c.want {
			t.Errorf("url %q, public %q: page %q; want %q", c.cfgURL, c.public, got, c.want)
		}
	}
	cfg := defaultConfig
	cfg.URL = "javascript:alert(1)/{apply_id}"
	if _, err := New(cfg, Deps{}, ""); err == nil {
		t.Fatal("New accepted a javascript: approval URL")
	}
}
