package wecom

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMiscIPLists(t *testing.T) {
	t.Parallel()
	// wecom-protocol.md §5.3 (DOC/92520; getcallbackip has the same shape, DOC/98988).
	const resp = `{"ip_list":["182.254.11.176","182.254.78.66"],"errcode":0,"errmsg":"ok"}`
	want := []string{"182.254.11.176", "182.254.78.66"}
	for _, tc := range []struct {
		path string
		call func(c *Client) ([]string, error)
	}{
		{"get_api_domain_ip", func(c *Client) ([]string, error) { return c.Misc.GetAPIDomainIP(t.Context()) }},
		{"getcallbackip", func(c *Client) ([]string, error) { return c.Misc.GetCallbackIP(t.Context()) }},
	} {
		c, mux := setup(t)
		handle(t, mux, tc.path, "GET", "", nil, resp)
		got, err := tc.call(c)
		if err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s mismatch (-want +got):\n%s", tc.path, diff)
		}
	}
}

func TestOAuthAuthorizeURL(t *testing.T) {
	t.Parallel()
	c, _ := setup(t)
	tests := []struct {
		redirect, state string
		scope           OAuthScope
		want            string
	}{
		{"http://api.3dept.com/cgi-bin/query?action=get", "STATE", "",
			"https://open.weixin.qq.com/connect/oauth2/authorize?appid=corp&redirect_uri=http%3A%2F%2Fapi.3dept.com%2Fcgi-bin%2Fquery%3Faction%3Dget" +
				"&response_type=code&scope=snsapi_base&state=STATE&agentid=1000002#wechat_redirect"},
		{"https://bot.example.com/a/1", "x9", ScopePrivateInfo,
			"https://open.weixin.qq.com/connect/oauth2/authorize?appid=corp&redirect_uri=https%3A%2F%2Fbot.example.com%2Fa%2F1" +
				"&response_type=code&scope=snsapi_privateinfo&state=x9&agentid=1000002#wechat_redirect"},
	}
	for _, tc := range tests {
		if got := c.OAuth.AuthorizeURL(tc.redirect, tc.state, tc.scope); got != tc.want {
			t.Errorf("AuthorizeURL(%q, %q, %q) =\n%s\nwant\n%s", tc.redirect, tc.state, tc.scope, got, tc.want)
		}
	}
	// The redirect URI must survive a round trip.
	u, err := url.Parse(c.OAuth.AuthorizeURL("https://b.example/p?x=1&y=2#frag", "s", ScopeBase))
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Query().Get("redirect_uri"); got != "https://b.example/p?x=1&y=2#frag" {
		t.Errorf("redirect_uri = %q", got)
	}
	if u.Fragment != "wechat_redirect" {
		t.Errorf("fragment = %q; want wechat_redirect", u.Fragment)
	}
}

func TestOAuthGetUserInfo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		resp string
		want *OAuthUserInfo
	}{
		// DOC/91023 (copy at DOC/96442) and seed 001.
		{"member", `{"errcode":0,"errmsg":"ok","userid":"lydms","user_ticket":"PY_Kcdq","expires_in":1800}`,
			&OAuthUserInfo{UserID: "lydms", UserTicket: "PY_Kcdq", ExpiresIn: 1800}},
		{"non-member", `{"errcode":0,"errmsg":"ok","openid":"OPENID","external_userid":"EXTERNAL_USERID"}`,
			&OAuthUserInfo{OpenID: "OPENID", ExternalUserID: "EXTERNAL_USERID"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			handle(t, mux, "auth/getuserinfo", "GET", "", url.Values{"code": {"CODE"}}, tc.resp)
			got, err := c.OAuth.GetUserInfo(t.Context(), "CODE")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("GetUserInfo mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOAuthGetUserInfo_invalidCode(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "auth/getuserinfo", "GET", "", url.Values{"code": {"used"}}, `{"errcode":40029,"errmsg":"invalid code"}`)
	if _, err := c.OAuth.GetUserInfo(t.Context(), "used"); ErrorCode(err) != 40029 {
		t.Fatalf("GetUserInfo = %v; want errcode 40029", err)
	}
}

func TestOAuthGetUserDetail(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	// DOC/95833 (copy at DOC/96443).
	handle(t, mux, "auth/getuserdetail", "POST", `{"user_ticket":"USER_TICKET"}`, nil, `{"errcode":0,"errmsg":"ok",
		"userid":"lisi","gender":"1","avatar":"http://shp.qpic.cn/bizmp/xxxxxxxxxxx/0",
		"qr_code":"https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=vcfc13b01dfs78e981c",
		"mobile":"13800000000","email":"zhangsan@gzdev.com","biz_mail":"zhangsan@qyycs2.wecom.work","address":"广州市海珠区新港中路"}`)
	got, err := c.OAuth.GetUserDetail(t.Context(), "USER_TICKET")
	if err != nil {
		t.Fatal(err)
	}
	want := &UserDetail{UserID: "lisi", Gender: GenderMale, Avatar: "http://shp.qpic.cn/bizmp/xxxxxxxxxxx/0",
		QRCode: "https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=vcfc13b01dfs78e981c", Mobile: "13800000000",
		Email: "zhangsan@gzdev.com", BizMail: "zhangsan@qyycs2.wecom.work", Address: "广州市海珠区新港中路"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GetUserDetail mismatch (-want +got):\n%s", diff)
	}
}

func TestOAuth_validation(t *testing.T) {
	t.Parallel()
	runValidation(t, "auth/getuserinfo", []validationCase{
		{"no code", "code", func(c *Client) error { _, err := c.OAuth.GetUserInfo(t.Context(), ""); return err }},
	})
	runValidation(t, "auth/getuserdetail", []validationCase{
		{"no ticket", "user_ticket", func(c *Client) error { _, err := c.OAuth.GetUserDetail(t.Context(), ""); return err }},
	})
}
