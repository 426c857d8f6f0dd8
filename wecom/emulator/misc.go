package emulator

// OAuth identity (auth/getuserinfo, auth/getuserdetail; codes issued through the control API) and WeCom's
// IP lists (get_api_domain_ip, getcallbackip), as in the client's wecom/misc.go.

import (
	"slices"
	"strconv"
	"time"
)

// routesMisc registers OAuth identity and the IP lists (the client's wecom/misc.go).
func (s *Server) routesMisc() {
	s.handle("GET", "auth/getuserinfo", s.authGetUserInfo)
	s.handle("POST", "auth/getuserdetail", s.authGetUserDetail)
	// DOC/92520 (get_api_domain_ip) and DOC/98988 (getcallbackip): {"ip_list":[…]}.
	s.handle("GET", "get_api_domain_ip", func(*apiCall) (obj, *apiError) { return obj{"ip_list": slices.Clone(apiIPs)}, nil })
	s.handle("GET", "getcallbackip", func(*apiCall) (obj, *apiError) { return obj{"ip_list": slices.Clone(apiIPs)}, nil })
	s.routesJSSDK()
	s.routesLogin()
}

const (
	oauthCodeTTL  = 5 * time.Minute    // "code只能使用一次，5分钟未被使用自动过期" (DOC/96442)
	userTicketTTL = 1800 * time.Second // "user_ticket … 有效期为1800s" (DOC/96442)
)

// oauthCode is an OAuth code issued through the control API, as WeCom issues one when a user opens an
// OAuth link. Exactly one of UserID (a member) and ExternalUserID (a customer) is set.
type oauthCode struct {
	Scope          string // snsapi_base or snsapi_privateinfo: only the latter yields a user_ticket
	UserID         string
	ExternalUserID string
	OpenID         string
	Expires        time.Time
}

type userTicket struct {
	UserID  string
	Expires time.Time
}

// apiIPs are the addresses get_api_domain_ip and getcallbackip report (documentation ranges: the
// emulator's real address is wherever it listens).
var apiIPs = []string{"192.0.2.10", "192.0.2.11", "198.51.100.0/24"}

// IssueOAuthCode issues a one-shot OAuth code (valid 5 minutes) for a member, as WeCom does when the member
// opens an OAuth link of scope snsapi_base (or signs in on the web login); auth/getuserinfo exchanges it.
func (s *Server) IssueOAuthCode(userid string) (string, error) {
	return s.issueOAuthCode(userid, "snsapi_base")
}

// IssueOAuthCodeScope is IssueOAuthCode for a link of scope (snsapi_base or snsapi_privateinfo, which the
// member consents to and which yields a user_ticket for auth/getuserdetail).
func (s *Server) IssueOAuthCodeScope(userid, scope string) (string, error) {
	if scope != "snsapi_base" && scope != "snsapi_privateinfo" {
		return "", &controlError{status: 400, msg: "scope must be snsapi_base or snsapi_privateinfo"}
	}
	return s.issueOAuthCode(userid, scope)
}

func (s *Server) issueOAuthCode(userid, scope string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.org.memberFold(userid)
	if m == nil {
		return "", &controlError{status: 400, msg: "unknown member " + strconv.Quote(userid)}
	}
	code := randomHex(64)
	s.ext().oauth[code] = &oauthCode{Scope: scope, UserID: m.UserID, Expires: s.opts.Now().Add(oauthCodeTTL)}
	return code, nil
}

// IssueOAuthCodeExternal issues an OAuth code for a non-member: a customer (external_userid known to the
// org) or, with externalUserID "", an anonymous WeChat user.
func (s *Server) IssueOAuthCodeExternal(externalUserID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if externalUserID != "" && s.org.externalContact(externalUserID) == nil {
		return "", &controlError{status: 400, msg: "unknown external_userid " + strconv.Quote(externalUserID)}
	}
	code := randomHex(64)
	s.ext().oauth[code] = &oauthCode{ExternalUserID: externalUserID, OpenID: "oEMU" + randomHex(24),
		Expires: s.opts.Now().Add(oauthCodeTTL)}
	return code, nil
}

// authGetUserInfo is GET auth/getuserinfo?code= (获取访问用户身份, DOC/96442): a member gets userid (and a
// user_ticket when inside the app's visibility), a non-member openid and, for a customer, external_userid.
// Codes are single use and expire after 5 minutes; anything else is 40029.
func (s *Server) authGetUserInfo(c *apiCall) (obj, *apiError) {
	code := c.query("code")
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.ext()
	oc, ok := st.oauth[code]
	now := s.opts.Now()
	if !ok || !now.Before(oc.Expires) {
		return nil, errf(codeInvalidOAuthCode, "invalid code")
	}
	delete(st.oauth, code)
	if oc.UserID == "" {
		res := obj{"openid": oc.OpenID}
		if oc.ExternalUserID != "" {
			res["external_userid"] = oc.ExternalUserID
		}
		return res, nil
	}
	res := obj{"userid": oc.UserID}
	// "scope为snsapi_privateinfo，且用户在应用可见范围之内时返回此参数" (DOC/91023).
	if m := s.org.member(oc.UserID); m != nil && m.Visible && oc.Scope == "snsapi_privateinfo" {
		t := randomHex(64)
		st.tickets[t] = &userTicket{UserID: oc.UserID, Expires: now.Add(userTicketTTL)}
		res["user_ticket"] = t
	}
	return res, nil
}

// authGetUserDetail is POST auth/getuserdetail {"user_ticket"} (获取访问用户敏感信息, DOC/96443). WeCom's
// errcode for a bad ticket is not documented; 40058 is used.
func (s *Server) authGetUserDetail(c *apiCall) (obj, *apiError) {
	var req struct {
		UserTicket string `json:"user_ticket"`
	}
	if aerr := c.decode(&req); aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.ext().tickets[req.UserTicket]
	if req.UserTicket == "" || !ok || !s.opts.Now().Before(t.Expires) {
		return nil, errInvalidParam("invalid user_ticket")
	}
	m, aerr := s.visibleMemberLocked(t.UserID)
	if aerr != nil {
		return nil, aerr
	}
	return obj{"userid": m.UserID, "gender": m.Gender, "avatar": avatarURL(m.UserID), "qr_code": qrCodeURL(m.UserID),
		"mobile": m.Mobile, "email": m.Email, "biz_mail": "", "address": ""}, nil
}
