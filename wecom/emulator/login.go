package emulator

// WeCom's sign-in pages, as a browser meets them: the OAuth authorize page that pages opened inside WeCom
// go through (open.weixin.qq.com/connect/oauth2/authorize, DOC/91022) and the web login a desktop browser uses
// (login.work.weixin.qq.com/wwlogin/sso/login, DOC/98171). Where WeCom identifies the member (the app's
// session, a QR scan) the emulator shows a page on which the test or the demo picks one; the pick, or a
// request with emulator_user=USERID, issues a code (single use, 5 minutes) and redirects to
// redirect_uri?code=CODE&state=STATE as WeCom does. The bot's configuration points at these pages through
// their base URLs (the emulator's own origin).

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Login page paths, as on WeCom's hosts.
const (
	AuthorizePath = "/connect/oauth2/authorize"
	WebLoginPath  = "/wwlogin/sso/login"
)

// stateRE is what WeCom takes as state: "a-zA-Z0-9的参数值，长度不可超过128个字节" (DOC/91022).
var stateRE = regexp.MustCompile(`^[a-zA-Z0-9]{0,128}$`)

func (s *Server) routesLogin() {
	s.mux.HandleFunc("GET "+AuthorizePath, s.serveAuthorize)
	s.mux.HandleFunc("GET "+WebLoginPath, s.serveWebLogin)
}

// loginError is WeCom's answer to a malformed sign-in link: a page saying what is wrong, no redirect.
func loginError(w http.ResponseWriter, status int, format string, args ...any) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, format+"\n", args...)
}

// checkRedirect checks redirect_uri as WeCom does: an absolute http(s) URL on the app's trusted domain
// (可信域名, Options.RedirectDomain, host and port) when one is set.
func (s *Server) checkRedirect(raw string) (*url.URL, string) {
	u, err := url.Parse(raw)
	if raw == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, "redirect_uri must be an absolute http(s) URL (URL-encoded in the link)"
	}
	if d := s.opts.RedirectDomain; d != "" && !strings.EqualFold(u.Host, d) {
		return nil, fmt.Sprintf("redirect_uri 需使用应用可信域名: %s is not the app's trusted domain %s", u.Host, d)
	}
	return u, ""
}

// serveAuthorize is the OAuth page (DOC/91022): appid (the corp id), redirect_uri, response_type=code,
// scope snsapi_base or snsapi_privateinfo (which needs agentid), state. Outside WeCom's app it says to open
// the link in WeCom, as WeCom does; a desktop browser signs in with the web login instead.
func (s *Server) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	scope := q.Get("scope")
	switch {
	case q.Get("appid") != s.opts.CorpID:
		loginError(w, http.StatusBadRequest, "appid %q is not this corp's id (参数错误)", q.Get("appid"))
		return
	case q.Get("response_type") != "code":
		loginError(w, http.StatusBadRequest, "response_type must be code")
		return
	case scope != "snsapi_base" && scope != "snsapi_privateinfo":
		loginError(w, http.StatusBadRequest, "scope must be snsapi_base or snsapi_privateinfo, got %q", scope)
		return
	case scope == "snsapi_privateinfo" && q.Get("agentid") != strconv.Itoa(s.opts.AgentID):
		loginError(w, http.StatusBadRequest, "snsapi_privateinfo needs the app's agentid (%d), got %q", s.opts.AgentID, q.Get("agentid"))
		return
	case !stateRE.MatchString(q.Get("state")):
		loginError(w, http.StatusBadRequest, "state must be at most 128 letters and digits")
		return
	}
	back, why := s.checkRedirect(q.Get("redirect_uri"))
	if back == nil {
		loginError(w, http.StatusBadRequest, "%s", why)
		return
	}
	if !strings.Contains(r.UserAgent(), "wxwork/") {
		loginError(w, http.StatusOK, "请在企业微信客户端打开链接 (open this link in the WeCom app; in a browser, sign in with the web login)")
		return
	}
	s.signIn(w, r, back, q.Get("state"), scope)
}

// serveWebLogin is the web login (DOC/98171): login_type=CorpApp (a self-built app), appid (the corp id),
// agentid, redirect_uri, state, lang. The member confirms on their phone (a QR scan) or in WeCom's desktop
// app; here they are picked on the page.
func (s *Server) serveWebLogin(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch {
	case q.Get("login_type") != "CorpApp":
		loginError(w, http.StatusBadRequest, "login_type must be CorpApp for a self-built app (ServiceApp is a service provider's), got %q", q.Get("login_type"))
		return
	case q.Get("appid") != s.opts.CorpID:
		loginError(w, http.StatusBadRequest, "appid %q is not this corp's id", q.Get("appid"))
		return
	case q.Get("agentid") != strconv.Itoa(s.opts.AgentID):
		loginError(w, http.StatusBadRequest, "agentid must be the app's (%d), got %q", s.opts.AgentID, q.Get("agentid"))
		return
	case len(q.Get("state")) > 128:
		loginError(w, http.StatusBadRequest, "state is longer than 128 bytes")
		return
	}
	back, why := s.checkRedirect(q.Get("redirect_uri"))
	if back == nil {
		loginError(w, http.StatusBadRequest, "%s", why)
		return
	}
	s.signIn(w, r, back, q.Get("state"), "snsapi_base")
}

var pickPage = template.Must(template.New("pick").Parse(`<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>企业微信登录 (emulator)</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}
a{display:block;padding:.6rem .8rem;margin:.3rem 0;border:1px solid #ccd;border-radius:.4rem;text-decoration:none;color:#123}
a:hover{background:#eef}</style></head>
<body><h1>企业微信登录</h1><p>WeCom emulator: who signs in? (WeCom knows this from the app or a QR scan.)</p>
{{range .}}<a id="as-{{.UserID}}" href="{{.Link}}">{{.Name}} ({{.UserID}})</a>
{{end}}</body></html>`))

// signIn issues a code for the member picked (emulator_user) and redirects back, or shows the page to pick one.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request, back *url.URL, state, scope string) {
	if who := r.URL.Query().Get("emulator_user"); who != "" {
		code, err := s.issueOAuthCode(who, scope)
		if err != nil {
			loginError(w, http.StatusForbidden, "%v", err)
			return
		}
		q := back.Query()
		q.Set("code", code)
		q.Set("state", state)
		to := *back
		to.RawQuery = q.Encode()
		http.Redirect(w, r, to.String(), http.StatusFound)
		return
	}
	type choice struct{ UserID, Name, Link string }
	var list []choice
	s.mu.Lock()
	for _, m := range s.org.Members {
		if m.Status != 1 {
			continue
		}
		q := r.URL.Query()
		q.Set("emulator_user", m.UserID)
		list = append(list, choice{m.UserID, m.Name, r.URL.Path + "?" + q.Encode()})
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	pickPage.Execute(w, list)
}
