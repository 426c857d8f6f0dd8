package console

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// Sign-in: inside WeCom (a User-Agent with "wxwork/") through OAuth snsapi_base, silently; in a desktop
// browser through WeCom's web login (a QR scan, or one click with WeCom's desktop app), with a link to the
// other way on the page. Both come back to /console/auth?code&state. The state is bound to a nonce in a
// short-lived HttpOnly cookie and to the page to return to, so a code replayed by another browser (login
// CSRF) or onto another page is refused.

const (
	stateTTL = 10 * time.Minute // an OAuth code lives 5 minutes (DOC/91023); the sign-in itself is a tap
	// signInsPerMinute bounds auth/getuserinfo calls, all visitors together: anyone can send a code.
	signInsPerMinute = 60
	maxCodeLen       = 512 // "code长度最大为512字节" (DOC/91022)
	maxNext          = 512
)

// stateKey signs states; per process (a restart costs one more redirect).
var stateKey = func() []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
}()

// loginState is exp "s" HMAC(nonce, next, exp): only [a-z0-9], as WeCom asks (at most 128 bytes).
func loginState(nonce, next string, exp int64) string {
	m := hmac.New(sha256.New, stateKey)
	fmt.Fprintf(m, "%s\x00%s\x00%d", nonce, next, exp)
	return strconv.FormatInt(exp, 10) + "s" + hex.EncodeToString(m.Sum(nil)[:16])
}

func checkLoginState(state, nonce, next string, now time.Time) (ok, expired bool) {
	expText, _, found := strings.Cut(state, "s")
	exp, err := strconv.ParseInt(expText, 10, 64)
	if !found || err != nil || nonce == "" || !hmac.Equal([]byte(state), []byte(loginState(nonce, next, exp))) {
		return false, false
	}
	if exp > now.Add(stateTTL).Unix()+1 {
		return false, false
	}
	return now.Unix() < exp, now.Unix() >= exp
}

// cleanNext keeps a return path inside the console; anything else returns to its home.
func cleanNext(next string) string {
	if next == detailPath {
		return next
	}
	if len(next) > maxNext || !strings.HasPrefix(next, "/console/") || strings.HasPrefix(next, "/console/auth") ||
		strings.ContainsAny(next, "\\\r\n") || strings.HasPrefix(next, "//") {
		return "/console/"
	}
	return next
}

func (s *Server) authURL() string { return s.origin.String() + "/console/auth" }

// signInLinks are the two ways in for one login attempt.
func (s *Server) signInLinks(w http.ResponseWriter, next string, lang i18n.Lang) (oauth, web string) {
	nonce := newToken(16)
	exp := s.d.Now().Add(stateTTL).Unix()
	http.SetCookie(w, &http.Cookie{Name: nonceCookie, Value: nonce, Path: "/console/auth", MaxAge: int(stateTTL.Seconds()),
		HttpOnly: true, Secure: s.origin.Scheme == "https", SameSite: http.SameSiteLaxMode})
	// next travels in the redirect URI's query: WeCom echoes it back untouched, and the state signs it.
	back := s.authURL() + "?" + url.Values{"next": {next}}.Encode()
	state := loginState(nonce, next, exp)
	l := "zh"
	if lang == i18n.En {
		l = "en"
	}
	return s.d.Client.OAuth.AuthorizeURL(back, state, wecom.ScopeBase), s.d.Client.OAuth.WebLoginURL(back, state, l)
}

// startLogin sends a visitor without a session to sign in: inside WeCom straight to OAuth, else to the
// sign-in page.
func (s *Server) startLogin(w http.ResponseWriter, r *http.Request, next string) {
	next = cleanNext(next)
	if next == detailPath {
		next = "/console/me" // sign in first; the details are asked for from there
	}
	if inWeCom(r) {
		oauth, _ := s.signInLinks(w, next, i18n.Zh)
		http.Redirect(w, r, oauth, http.StatusFound)
		return
	}
	http.Redirect(w, r, "/console/login?"+url.Values{"next": {next}}.Encode(), http.StatusFound)
}

type loginData struct {
	base
	WebLogin, OAuth string
}

// loginPage offers WeCom's web login, and the link to open the console inside WeCom.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	next := cleanNext(r.URL.Query().Get("next"))
	lang := s.defaultLang()
	switch al := r.Header.Get("Accept-Language"); {
	case strings.HasPrefix(al, "en"):
		lang = i18n.En
	case strings.HasPrefix(al, "zh"):
		lang = i18n.Zh
	}
	oauth, web := s.signInLinks(w, next, lang)
	b := s.base(r, nil, "")
	b.P = i18n.For(lang)
	b.Lang = "zh-CN"
	if lang == i18n.En {
		b.Lang = "en"
	}
	b.Title = b.P.T("Sign in to the console")
	s.render(w, http.StatusOK, "login.html", loginData{base: b, WebLogin: web, OAuth: oauth})
}

// authReturn is where WeCom sends the visitor back: ?code&state&next.
func (s *Server) authReturn(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	code, state, next := q.Get("code"), q.Get("state"), cleanNext(q.Get("next"))
	p := i18n.For(s.defaultLang())
	if code == "" {
		// The member declined, or came here by hand.
		s.startLogin(w, r, next)
		return
	}
	if len(code) > maxCodeLen || len(state) > 128 {
		s.failLogin(w, r, p, http.StatusBadRequest, i18n.N("That sign-in link is malformed. Open the console again."))
		return
	}
	nonce := ""
	if c, err := r.Cookie(nonceCookie); err == nil {
		nonce = c.Value
	}
	ok, expired := checkLoginState(state, nonce, next, s.d.Now())
	switch {
	case expired:
		s.failLogin(w, r, p, http.StatusBadRequest, i18n.N("This sign-in has expired. Open the console again."))
		return
	case !ok:
		s.failLogin(w, r, p, http.StatusBadRequest, i18n.N("This sign-in was not started in this browser, or has expired. Open the console again."))
		return
	}
	if !s.signIns.Allow("sign-in") {
		w.Header().Set("Retry-After", "60")
		s.failLogin(w, r, p, http.StatusTooManyRequests, i18n.N("Too many sign-ins just now; wait a minute and open the console again."))
		return
	}
	http.SetCookie(w, &http.Cookie{Name: nonceCookie, Value: "", Path: "/console/auth", MaxAge: -1, HttpOnly: true,
		Secure: s.origin.Scheme == "https", SameSite: http.SameSiteLaxMode})
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	who, err := s.d.Client.OAuth.GetUserInfo(ctx, code)
	if err != nil {
		s.d.Logger.Warn("console: cannot identify the visitor", slog.String("err", err.Error()))
		s.failLogin(w, r, p, http.StatusBadGateway, i18n.N("WeCom could not confirm who you are (%s). Open the console again."),
			replies.Text(replies.Describe(i18n.With(ctx, p.Lang()), err)))
		return
	}
	if who.UserID == "" {
		s.failLogin(w, r, p, http.StatusForbidden, i18n.N("Only members of this organisation can use the console."))
		return
	}
	if next == detailPath {
		s.showDetail(w, r, p, who) // the member's own details: shown, not a new session
		return
	}
	now := s.d.Now()
	token := newToken(32)
	via := "web_login"
	if inWeCom(r) {
		via = "oauth"
	}
	sess := &db.Session{UserID: who.UserID, CSRF: newToken(32), Via: via, CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(s.maxAge())}
	if err := s.d.DB.CreateSession(ctx, token, sess); err != nil {
		s.failLogin(w, r, p, http.StatusServiceUnavailable, i18n.N("Cannot start a session now; try again."))
		return
	}
	s.audit(ctx, who.UserID, "console sign-in", map[string]string{"how": via}, db.DecisionOK, "signed in")
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/console", MaxAge: int(s.maxAge().Seconds()),
		HttpOnly: true, Secure: s.origin.Scheme == "https", SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, next, http.StatusFound)
}

func (s *Server) failLogin(w http.ResponseWriter, r *http.Request, p *i18n.Printer, status int, msg string, args ...any) {
	b := s.base(r, nil, "")
	b.P = p
	b.Title = p.T("Something went wrong")
	s.render(w, status, "error.html", errorPage{base: b, Message: p.Sprintf(msg, args...)})
}

// logout ends the session.
func (s *Server) logout(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := s.d.DB.DeleteSession(r.Context(), v.token); err != nil {
		s.fail(w, r, v, http.StatusServiceUnavailable, i18n.N("Cannot end the session now; try again."))
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/console", MaxAge: -1, HttpOnly: true,
		Secure: s.origin.Scheme == "https", SameSite: http.SameSiteLaxMode})
	b := s.base(r, nil, "")
	b.P = v.p
	b.Title = v.p.T("Signed out")
	s.render(w, http.StatusOK, "signedout.html", b)
}
