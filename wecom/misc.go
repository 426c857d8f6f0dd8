package wecom

import (
	"context"
	"net/url"
	"strconv"
	"strings"
)

// MiscService reads WeCom's own addresses: the IPs of its API host (for an outbound firewall) and the IPs its
// callbacks come from (for an inbound one).
type MiscService service

// OAuthService identifies the member who opened one of the app's pages inside WeCom (网页授权登录).
type OAuthService service

// GetAPIDomainIP lists the IP addresses qyapi.weixin.qq.com resolves to. They change; refresh daily.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/92520
//
//meta:operation GET /cgi-bin/get_api_domain_ip
func (s *MiscService) GetAPIDomainIP(ctx context.Context) ([]string, error) {
	return s.ipList(ctx, "get_api_domain_ip")
}

// GetCallbackIP lists the IP addresses WeCom's callbacks come from.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/98988
//
//meta:operation GET /cgi-bin/getcallbackip
func (s *MiscService) GetCallbackIP(ctx context.Context) ([]string, error) {
	return s.ipList(ctx, "getcallbackip")
}

func (s *MiscService) ipList(ctx context.Context, op string) ([]string, error) {
	var out struct {
		IPList []string `json:"ip_list"`
	}
	if err := s.client.get(ctx, op, nil, &out); err != nil {
		return nil, err
	}
	return out.IPList, nil
}

// OAuthScope is the scope of an authorization link.
type OAuthScope string

// Scopes.
const (
	// ScopeBase is silent: the page learns the member's userid.
	ScopeBase OAuthScope = "snsapi_base"
	// ScopePrivateInfo asks the member's consent and yields a user_ticket for GetUserDetail (avatar, mobile,
	// email, …). It needs the agentid, which AuthorizeURL always sends.
	ScopePrivateInfo OAuthScope = "snsapi_privateinfo"
)

// WeCom's sign-in pages.
const (
	// DefaultAuthorizeURL is the OAuth page for pages opened inside WeCom (DOC/91022).
	DefaultAuthorizeURL = "https://open.weixin.qq.com/connect/oauth2/authorize"
	// DefaultWebLoginURL is the web login for a desktop browser (DOC/98171): a QR code the member scans, or
	// one click when WeCom's desktop app is signed in.
	DefaultWebLoginURL = "https://login.work.weixin.qq.com/wwlogin/sso/login"
)

// WebLoginURL builds the web login link for a self-built app (login_type=CorpApp, appid the corp id, the
// agentid): after the member signs in, WeCom redirects to redirectURI?code=CODE&state=STATE, and GetUserInfo
// exchanges the code as for OAuth. redirectURI must be on the app's trusted domain; lang is "zh", "en" or "".
//
// WeCom docs: https://developer.work.weixin.qq.com/document/path/98171
func (s *OAuthService) WebLoginURL(redirectURI, state, lang string) string {
	q := url.Values{"login_type": {"CorpApp"}, "appid": {s.client.corpID}, "agentid": {strconv.Itoa(s.client.agentID)},
		"redirect_uri": {redirectURI}, "state": {state}}
	if lang != "" {
		q.Set("lang", lang)
	}
	return s.client.webLoginURL + "?" + q.Encode()
}

// AuthorizeURL builds the link that, opened inside WeCom, redirects to redirectURI?code=CODE&state=STATE. The
// redirect domain must be the app's trusted domain (可信域名). state is echoed back: use [a-zA-Z0-9], at most
// 128 bytes, and check it (CSRF). An empty scope is ScopeBase.
//
// WeCom docs: https://developer.work.weixin.qq.com/document/path/91022
func (s *OAuthService) AuthorizeURL(redirectURI, state string, scope OAuthScope) string {
	if scope == "" {
		scope = ScopeBase
	}
	var b strings.Builder
	b.WriteString(s.client.authorizeURL)
	b.WriteString("?appid=")
	b.WriteString(url.QueryEscape(s.client.corpID))
	b.WriteString("&redirect_uri=")
	b.WriteString(url.QueryEscape(redirectURI))
	b.WriteString("&response_type=code&scope=")
	b.WriteString(url.QueryEscape(string(scope)))
	b.WriteString("&state=")
	b.WriteString(url.QueryEscape(state))
	if s.client.agentID != 0 {
		b.WriteString("&agentid=")
		b.WriteString(strconv.Itoa(s.client.agentID))
	}
	b.WriteString("#wechat_redirect")
	return b.String()
}

// OAuthUserInfo is who opened the page: a member (UserID, and UserTicket under ScopePrivateInfo when the
// member is within the app's visibility) or a non-member (OpenID, and ExternalUserID when the visitor is a
// customer of a member the app can see).
type OAuthUserInfo struct {
	UserID         string `json:"userid"`
	UserTicket     string `json:"user_ticket"`
	ExpiresIn      int    `json:"expires_in"` // user_ticket's lifetime, seconds (1800)
	OpenID         string `json:"openid"`
	ExternalUserID string `json:"external_userid"`
}

// GetUserInfo exchanges the code from the redirect (single use, valid 5 minutes) for the visitor's identity.
// errcode 40029 is an invalid or used code; 50001 a redirect domain that is not the app's trusted domain.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/91023
//
//meta:operation GET /cgi-bin/auth/getuserinfo
func (s *OAuthService) GetUserInfo(ctx context.Context, code string) (*OAuthUserInfo, error) {
	const op = "auth/getuserinfo"
	if err := required(op, "code", code); err != nil {
		return nil, err
	}
	var out OAuthUserInfo
	if err := s.client.get(ctx, op, url.Values{"code": {code}}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UserDetail is a member's sensitive fields, given with the member's consent (ScopePrivateInfo) and only those
// the admin enabled for the app.
type UserDetail struct {
	UserID  string `json:"userid"`
	Gender  Gender `json:"gender"`
	Avatar  string `json:"avatar"`
	QRCode  string `json:"qr_code"`
	Mobile  string `json:"mobile"`
	Email   string `json:"email"`
	BizMail string `json:"biz_mail"`
	Address string `json:"address"`
}

// GetUserDetail reads the sensitive fields a user_ticket (from GetUserInfo) grants.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/95833
//
//meta:operation POST /cgi-bin/auth/getuserdetail
func (s *OAuthService) GetUserDetail(ctx context.Context, userTicket string) (*UserDetail, error) {
	const op = "auth/getuserdetail"
	if err := required(op, "user_ticket", userTicket); err != nil {
		return nil, err
	}
	in := struct {
		UserTicket string `json:"user_ticket"`
	}{userTicket}
	var out UserDetail
	if err := s.client.query(ctx, op, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
