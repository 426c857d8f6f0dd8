package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/wecom/emulator"
)

// The approval page's OAuth: the state is bound to a short-lived nonce cookie set with the redirect, and
// getuserinfo calls (unauthenticated: anyone can send a code) are bounded.

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout: 10 * time.Second}

// oauthStart opens the page without a code and returns the state WeCom would echo and the cookies set.
func oauthStart(t *testing.T, page string) (string, []*http.Cookie) {
	t.Helper()
	resp, err := noRedirect.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc == nil || loc.Query().Get("state") == "" {
		t.Fatalf("GET %s = %d, Location %v; want a redirect to OAuth with a state", page, resp.StatusCode, loc)
	}
	return loc.Query().Get("state"), resp.Cookies()
}

// oauthReturn comes back from OAuth with code and state, sending cookies.
func oauthReturn(t *testing.T, page, code, state string, cookies []*http.Cookie) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", page+"?code="+url.QueryEscape(code)+"&state="+url.QueryEscape(state), nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func oauthStack(t *testing.T, perMinute int, stateTTL time.Duration) (*stack, string) {
	t.Helper()
	s := startStackWith(t, emulator.Options{}, approvalsTOML, func(a *app) {
		a.approvals.VisitsPerMinute, a.approvals.StateTTL = perMinute, stateTTL
	})
	id := s.apply(t, "lisi", 2, "共享文档")
	waitFor(t, 10*time.Second, "the take-over", func() bool { return s.card(t, "zhangsan", id) != "" })
	return s, "http://" + s.addr + "/approvals/" + id
}

// TestOAuth_stateNeedsItsCookie: a valid state without its cookie, or with another visitor's, is refused
// before any getuserinfo call; with its own cookie the page opens.
func TestOAuth_stateNeedsItsCookie(t *testing.T) {
	t.Parallel()
	s, page := oauthStack(t, 0, 0)
	state, cookies := oauthStart(t, page)
	if len(cookies) != 1 || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteLaxMode || cookies[0].MaxAge <= 0 ||
		cookies[0].Secure {
		t.Fatalf("cookies = %+v; want one HttpOnly SameSite=Lax short-lived nonce cookie (not Secure over http)", cookies)
	}
	_, otherCookies := oauthStart(t, page) // another visitor's nonce
	code := func() string {
		c, _ := s.control(t, "oauth-code", map[string]any{"userid": "zhaoliu"})["code"].(string)
		return c
	}
	for name, cs := range map[string][]*http.Cookie{"no cookie": nil, "another visitor's cookie": otherCookies,
		"forged cookie": {{Name: cookies[0].Name, Value: strings.Repeat("0", len(cookies[0].Value))}}} {
		if st, body := oauthReturn(t, page, code(), state, cs); st != http.StatusBadRequest {
			t.Errorf("%s: %d %s; want 400", name, st, body)
		}
	}
	if n := len(s.emu.CallsTo("auth/getuserinfo")); n != 0 {
		t.Fatalf("getuserinfo calls = %d; a state without its cookie must not reach WeCom", n)
	}
	if st, body := oauthReturn(t, page, code(), state, cookies); st != 200 || !strings.Contains(body, "共享文档") {
		t.Fatalf("with its cookie: %d %s; want the page", st, body)
	}
	// A code no real WeCom issues (far too long) is refused without a call either.
	before := len(s.emu.CallsTo("auth/getuserinfo"))
	if st, _ := oauthReturn(t, page, strings.Repeat("a", 4096), state, cookies); st != http.StatusBadRequest {
		t.Errorf("a 4 KiB code: %d; want 400", st)
	}
	if n := len(s.emu.CallsTo("auth/getuserinfo")); n != before {
		t.Errorf("a 4 KiB code made %d getuserinfo calls", n-before)
	}
}

// TestOAuth_floodBounded: a flood of codes, with a valid state and cookie (anyone can get a pair), makes at
// most VisitsPerMinute getuserinfo calls; the rest are answered 429.
func TestOAuth_floodBounded(t *testing.T) {
	t.Parallel()
	const perMinute = 5
	s, page := oauthStack(t, perMinute, 0)
	state, cookies := oauthStart(t, page)
	tooMany := 0
	for i := range 40 {
		st, _ := oauthReturn(t, page, fmt.Sprintf("forged%04d", i), state, cookies)
		if st == http.StatusTooManyRequests {
			tooMany++
		}
	}
	if n := len(s.emu.CallsTo("auth/getuserinfo")); n > perMinute {
		t.Fatalf("getuserinfo calls = %d for 40 codes; want at most %d a minute", n, perMinute)
	}
	if tooMany < 40-perMinute {
		t.Fatalf("429 answers = %d; want the %d beyond the limit", tooMany, 40-perMinute)
	}
}
