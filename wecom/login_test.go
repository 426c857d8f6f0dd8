package wecom_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/wecombot/wecombot/wecom"
	"github.com/wecombot/wecombot/wecom/emulator"
	"github.com/wecombot/wecombot/wecom/wecomtest"
)

// The links the client builds are the ones WeCom's pages (here the emulator's, which check every parameter)
// accept: signing in through them comes back with a code GetUserInfo exchanges for the member.
func TestLoginLinks_signInThroughTheEmulator(t *testing.T) {
	t.Parallel()
	emu := wecomtest.NewServer(t, emulator.Options{RedirectDomain: "127.0.0.1:9"})
	o := emu.Options()
	c, err := wecom.NewClient(wecom.Config{CorpID: o.CorpID, Secret: o.Secret, AgentID: o.AgentID, BaseURL: emu.URL,
		RetryBase: time.Millisecond, RetryMax: 5 * time.Millisecond,
		AuthorizeURL: emu.URL + emulator.AuthorizePath, WebLoginURL: emu.URL + emulator.WebLoginPath})
	if err != nil {
		t.Fatal(err)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tc := range []struct {
		name, link, ua string
		ticket         bool
	}{
		{"oauth base", c.OAuth.AuthorizeURL("http://127.0.0.1:9/console/auth", "st1", wecom.ScopeBase), "wxwork/4.1", false},
		{"oauth privateinfo", c.OAuth.AuthorizeURL("http://127.0.0.1:9/console/auth", "st2", wecom.ScopePrivateInfo), "wxwork/4.1", true},
		{"web login", c.OAuth.WebLoginURL("http://127.0.0.1:9/console/auth", "st3", "en"), "Chrome/131", false},
	} {
		u, _ := url.Parse(tc.link)
		q := u.Query()
		q.Set("emulator_user", "zhaoliu") // the member the emulator's page would have been told
		u.RawQuery = q.Encode()
		req, _ := http.NewRequest("GET", u.String(), nil)
		req.Header.Set("User-Agent", tc.ua)
		resp, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		back, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusFound || back == nil || back.Query().Get("state") != q.Get("state") {
			t.Fatalf("%s: %d %q; want a redirect back with the state", tc.name, resp.StatusCode, resp.Header.Get("Location"))
		}
		who, err := c.OAuth.GetUserInfo(t.Context(), back.Query().Get("code"))
		if err != nil || who.UserID != "zhaoliu" || (who.UserTicket != "") != tc.ticket {
			t.Fatalf("%s: GetUserInfo = %+v, %v; want zhaoliu, user_ticket %v", tc.name, who, err, tc.ticket)
		}
	}
}
