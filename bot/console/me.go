package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wecombot/wecombot/bot/access"
	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// The profile page: what the bot knows about the signed-in member (userid, name, roles, permissions) and, on
// request inside WeCom, the member's own sensitive fields (mobile, email, …) through snsapi_privateinfo and
// auth/getuserdetail. Those are shown once and never stored: not in the session, not in the database.

const detailPath = "/console/me/detail"

type meData struct {
	base
	UserID, Name string
	Roles, Perms []string
	Admin        bool
	Detail       *wecom.UserDetail
	Mobile       string
	Email        string
}

func (s *Server) mePage(w http.ResponseWriter, r *http.Request, v *visitor) {
	s.render(w, http.StatusOK, "me.html", s.meData(r, v, nil))
}

func (s *Server) meData(r *http.Request, v *visitor, detail *wecom.UserDetail) meData {
	d := meData{base: s.base(r, v, v.p.T("About you")), UserID: v.session.UserID, Roles: v.caller.Roles, Perms: v.caller.Perms,
		Admin: v.caller.Admin, Detail: detail}
	if s.d.Names != nil {
		d.Name = s.d.Names.Of(r.Context(), v.session.UserID)
	}
	return d
}

// meDetail sends the member through OAuth with snsapi_privateinfo (their consent), back to authReturn, which
// shows the fields without storing them.
func (s *Server) meDetail(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !v.inWeCom {
		s.fail(w, r, v, http.StatusBadRequest, i18n.N("WeCom gives a member's own details only inside the WeCom app: open the console there."))
		return
	}
	nonce := newToken(16)
	exp := s.d.Now().Add(stateTTL).Unix()
	http.SetCookie(w, &http.Cookie{Name: nonceCookie, Value: nonce, Path: "/console/auth", MaxAge: int(stateTTL.Seconds()),
		HttpOnly: true, Secure: s.origin.Scheme == "https", SameSite: http.SameSiteLaxMode})
	back := s.authURL() + "?" + url.Values{"next": {detailPath}}.Encode()
	http.Redirect(w, r, s.d.Client.OAuth.AuthorizeURL(back, loginState(nonce, detailPath, exp), wecom.ScopePrivateInfo), http.StatusFound)
}

// showDetail is authReturn's end for detailPath: the member's own fields, read with the user_ticket and shown
// at once. The sign-in must be the session's own member: a code for someone else shows nothing.
func (s *Server) showDetail(w http.ResponseWriter, r *http.Request, p *i18n.Printer, who *wecom.OAuthUserInfo) {
	var sess *db.Session
	token := ""
	if c, err := r.Cookie(sessionCookie); err == nil {
		token = c.Value
		sess, _ = s.d.DB.GetSession(r.Context(), token, s.d.Now(), s.idle())
	}
	if sess == nil || !access.SameUser(sess.UserID, who.UserID) {
		s.failLogin(w, r, p, http.StatusForbidden, i18n.N("Sign in to the console first, as yourself, then ask for your details."))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	caller, _ := s.d.Access.Resolve(ctx, sess.UserID)
	if caller == nil {
		caller = &access.Caller{UserID: sess.UserID}
	}
	v := &visitor{token: token, session: sess, caller: caller, p: s.printer(ctx, sess.UserID), inWeCom: inWeCom(r)}
	if who.UserTicket == "" {
		s.fail(w, r, v, http.StatusForbidden, i18n.N("WeCom did not let the bot read your details (you declined, or the app cannot see you)."))
		return
	}
	detail, err := s.d.Client.OAuth.GetUserDetail(ctx, who.UserTicket)
	if err != nil {
		s.fail(w, r, v, http.StatusBadGateway, i18n.N("WeCom could not give your details just now; try again."))
		return
	}
	s.audit(ctx, sess.UserID, "console profile", nil, db.DecisionOK, "read own details from WeCom (shown, not stored)")
	d := s.meData(r, v, detail)
	d.Mobile, d.Email = detail.Mobile, strings.TrimSpace(detail.Email+" "+detail.BizMail)
	s.render(w, http.StatusOK, "me.html", d)
}
