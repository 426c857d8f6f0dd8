// Package console is the bot's web console at /console/: the lists, decisions and audit trail approvers,
// security teams and admins would rather read on a screen than in chat, inside WeCom (OAuth) or in a desktop
// browser (WeCom's web login). Who is asking comes from WeCom's sign-in, kept in a server-side session
// (SQLite); what they may do is the same access control as in chat, checked again on every request; every
// decision and sensitive read is in the audit trail with via=web. Pages are server-rendered with html/template,
// assets embedded; the only script from elsewhere is WeCom's JS-SDK, on pages opened inside WeCom.
package console

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wecombot/wecombot/bot/access"
	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// Defaults of a session's life.
const (
	DefaultIdleTimeout = 30 * time.Minute
	DefaultMaxAge      = 12 * time.Hour
)

// cookie names; the session's is scoped to /console.
const (
	sessionCookie = "wecombot_console"
	nonceCookie   = "wecombot_console_login"
)

// Decider decides an advanced-feature application exactly once; *approvals.Service implements it, so a
// decision on a page goes the way a card click or /order does and updates every card.
type Decider interface {
	Decide(ctx context.Context, applyID, approver string, approve bool, note string) (string, error)
}

// Deps are what the console reads and acts through.
type Deps struct {
	DB      *db.DB
	Client  *wecom.Client
	Access  *access.Control
	Decider Decider
	Alerts  AlertsDesk // nil: the alerts page reads only
	Langs   *i18n.Members
	Names   interface {
		Of(ctx context.Context, userid string) string
	}
	Location *time.Location
	Logger   *slog.Logger
	Now      func() time.Time
	Notify   func() // wakes the outbox sender after a retry
}

// Server serves /console/.
type Server struct {
	d Deps
	// Origin is the bot's public origin (scheme://host[:port]) as browsers reach it: sign-in redirects, the
	// JS-SDK signatures and the Origin check of forms are made against it.
	origin *url.URL

	IdleTimeout time.Duration // default DefaultIdleTimeout
	MaxAge      time.Duration // default DefaultMaxAge

	mux  *http.ServeMux
	tmpl *template.Template
	// signIns bounds auth/getuserinfo calls from sign-ins, all visitors together.
	signIns *wecom.Limiter
}

//go:embed templates/*.html static/*
var assets embed.FS

// New returns the console for the public origin (like "https://bot.example.com").
func New(d Deps, origin string) (*Server, error) {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("console: the public origin must be an absolute http(s) URL, got %q", origin)
	}
	u = &url.URL{Scheme: u.Scheme, Host: u.Host}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Location == nil {
		d.Location = time.Local
	}
	s := &Server{d: d, origin: u, mux: http.NewServeMux(),
		signIns: wecom.NewLimiter([]wecom.Window{{N: signInsPerMinute, Per: time.Minute}}, d.Now)}
	s.tmpl = template.Must(template.New("").Funcs(template.FuncMap{
		"T": func(p *i18n.Printer, id string) string { return p.T(id) },
	}).ParseFS(assets, "templates/*.html"))
	static, _ := fs.Sub(assets, "static")
	s.mux.Handle("GET /console/static/", http.StripPrefix("/console/static/", http.FileServerFS(static)))
	s.mux.HandleFunc("GET /console/login", s.loginPage)
	s.mux.HandleFunc("GET /console/auth", s.authReturn)
	s.mux.HandleFunc("POST /console/logout", s.page(s.logout))
	s.mux.HandleFunc("GET /console/{$}", s.page(s.home))
	s.mux.HandleFunc("GET /console/approvals", s.page(s.approvalsList))
	s.mux.HandleFunc("GET /console/approvals/{id}", s.page(s.approvalDetail))
	s.mux.HandleFunc("POST /console/approvals/{id}", s.page(s.approvalDecide))
	s.mux.HandleFunc("GET /console/audit", s.page(s.auditPage))
	s.mux.HandleFunc("GET /console/audit.csv", s.page(s.auditCSV))
	s.mux.HandleFunc("GET /console/alerts", s.page(s.alertsPage))
	s.mux.HandleFunc("POST /console/alerts", s.page(s.alertsAct))
	s.mux.HandleFunc("GET /console/devices", s.page(s.devicesPage))
	s.mux.HandleFunc("POST /console/devices", s.page(s.devicesDecide))
	s.mux.HandleFunc("GET /console/outbox", s.page(s.outboxPage))
	s.mux.HandleFunc("POST /console/outbox/{id}/retry", s.page(s.outboxRetry))
	s.mux.HandleFunc("GET /console/me", s.page(s.mePage))
	s.mux.HandleFunc("GET "+detailPath, s.page(s.meDetail))
	s.mux.HandleFunc("GET /console/jssdk", s.page(s.jssdk))
	return s, nil
}

// SetClock replaces the console's clock (sessions, sign-in states); call it before serving.
func (s *Server) SetClock(now func() time.Time) { s.d.Now = now }

func (s *Server) idle() time.Duration {
	if s.IdleTimeout > 0 {
		return s.IdleTimeout
	}
	return DefaultIdleTimeout
}

func (s *Server) maxAge() time.Duration {
	if s.MaxAge > 0 {
		return s.MaxAge
	}
	return DefaultMaxAge
}

// ServeHTTP implements http.Handler; mount it on "/console/".
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// No page of the console may be framed, cached or leak its URL (it may carry an application id).
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self' https://res.wx.qq.com; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; form-action 'self'")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	s.mux.ServeHTTP(w, r)
}

// visitor is a signed-in request: the session, the member's roles as access control resolves them now, and the
// member's printer.
type visitor struct {
	token   string
	session *db.Session
	caller  *access.Caller
	p       *i18n.Printer
	inWeCom bool
}

// page wraps a handler that needs a signed-in member: without a live session it starts the sign-in (a GET) or
// refuses (a POST); a POST must carry the session's CSRF token and come from the console's own origin.
func (s *Server) page(h func(w http.ResponseWriter, r *http.Request, v *visitor)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		now := s.d.Now()
		var sess *db.Session
		token := ""
		if c, err := r.Cookie(sessionCookie); err == nil && len(c.Value) == 64 {
			token = c.Value
			var err error
			if sess, err = s.d.DB.GetSession(ctx, token, now, s.idle()); err != nil {
				http.Error(w, "cannot read sessions now; try again", http.StatusServiceUnavailable)
				return
			}
		}
		if sess == nil {
			if r.Method != http.MethodGet {
				s.fail(w, r, nil, http.StatusUnauthorized, i18n.N("Your session has ended. Sign in again, then repeat what you did."))
				return
			}
			s.startLogin(w, r, r.URL.RequestURI())
			return
		}
		caller, err := s.d.Access.Resolve(ctx, sess.UserID)
		if caller == nil {
			caller = &access.Caller{UserID: sess.UserID}
		}
		if err != nil {
			s.d.Logger.Warn("console: cannot resolve roles", slog.String("user", sess.UserID), slog.String("err", err.Error()))
		}
		v := &visitor{token: token, session: sess, caller: caller, p: s.printer(ctx, sess.UserID), inWeCom: inWeCom(r)}
		if r.Method != http.MethodGet {
			if !s.sameOrigin(r) || subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(sess.CSRF)) != 1 {
				s.audit(ctx, sess.UserID, "console "+strings.TrimPrefix(r.URL.Path, "/console/"), nil, db.DecisionDenied, "refused: the form's CSRF token or origin did not match")
				s.fail(w, r, v, http.StatusForbidden, i18n.N("This form did not come from your console session (its security token does not match), so nothing was done. Reload the page and try again."))
				return
			}
		}
		_ = s.d.DB.TouchSession(ctx, token, now)
		h(w, r, v)
	}
}

// sameOrigin reports whether a form post comes from the console's origin (Origin, or else Referer); a request
// with neither is let through to the token check.
func (s *Server) sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		if ref, err := url.Parse(r.Header.Get("Referer")); err == nil && ref.Host != "" {
			o = ref.Scheme + "://" + ref.Host
		}
	}
	return o == "" || strings.EqualFold(o, s.origin.String())
}

func inWeCom(r *http.Request) bool { return strings.Contains(r.UserAgent(), "wxwork/") }

// defaultLang is the corp's language (replies.language), for pages before anyone signs in.
func (s *Server) defaultLang() i18n.Lang {
	if s.d.Langs == nil || s.d.Langs.Default == "" {
		return i18n.Zh
	}
	return s.d.Langs.Default
}

func (s *Server) printer(ctx context.Context, userid string) *i18n.Printer {
	if s.d.Langs == nil {
		return i18n.For(i18n.Zh)
	}
	return i18n.For(s.d.Langs.Of(ctx, userid))
}

// who shows a member as 张三 (zhangsan) where the name is known.
func (s *Server) who(ctx context.Context, userid string) string {
	if s.d.Names != nil {
		if n := s.d.Names.Of(ctx, userid); n != "" {
			return n + " (" + userid + ")"
		}
	}
	return userid
}

// audit appends a web action to the trail; args get via=web.
func (s *Server) audit(ctx context.Context, actor, command string, args map[string]string, decision, result string) {
	a := map[string]string{"via": "web"}
	for k, v := range args {
		a[k] = v
	}
	if err := s.d.DB.AppendAudit(ctx, &db.AuditEntry{Actor: actor, Command: command, Args: a, Decision: decision, Result: result}); err != nil {
		s.d.Logger.Error("console: cannot append to the audit trail", slog.String("err", err.Error()))
	}
}

// base is what every page's layout needs.
type base struct {
	P       *i18n.Printer
	Lang    string
	Title   string
	User    string
	CSRF    string
	InWeCom bool
	Nav     []navItem
	Flash   string
}

type navItem struct {
	Path, Label string
	Current     bool
}

func (s *Server) base(r *http.Request, v *visitor, title string) base {
	b := base{Title: title, InWeCom: inWeCom(r)}
	if v == nil {
		b.P = i18n.For(s.defaultLang()) // nobody signed in yet: the corp's language
	} else {
		b.P, b.User, b.CSRF, b.InWeCom = v.p, s.who(r.Context(), v.session.UserID), v.session.CSRF, v.inWeCom
		admin := func(c *access.Caller) bool { return c.Admin }
		perm := func(p string) func(*access.Caller) bool { return func(c *access.Caller) bool { return c.Can(p) } }
		for _, n := range []struct {
			path, label string
			may         func(*access.Caller) bool
		}{
			{"/console/", i18n.N("Home"), perm("")},
			{"/console/approvals", i18n.N("Approvals"), perm("order.read")},
			{"/console/alerts", i18n.N("Alerts"), perm("alerts.read")},
			{"/console/devices", i18n.N("Devices"), perm("devices.read")},
			{"/console/audit", i18n.N("Audit trail"), perm("audit.read")},
			{"/console/outbox", i18n.N("Outbox"), admin},
			{"/console/me", i18n.N("About you"), perm("")},
		} {
			if n.may(v.caller) {
				b.Nav = append(b.Nav, navItem{Path: n.path, Label: v.p.T(n.label), Current: r.URL.Path == n.path})
			}
		}
	}
	b.Lang = "en"
	if b.P.Zh() {
		b.Lang = "zh-CN"
	}
	return b
}

// render writes a page.
func (s *Server) render(w http.ResponseWriter, status int, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := s.tmpl.ExecuteTemplate(w, name, data); err != nil {
		s.d.Logger.Error("console: template", slog.String("page", name), slog.String("err", err.Error()))
	}
}

type errorPage struct {
	base
	Message string
}

// fail shows an error page with msg (a message id, translated for the visitor).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, v *visitor, status int, msg string, args ...any) {
	b := s.base(r, v, "")
	b.Title = b.P.T("Something went wrong")
	s.render(w, status, "error.html", errorPage{base: b, Message: b.P.Sprintf(msg, args...)})
}

// forbid refuses a page the visitor's roles do not allow, and audits the refusal.
func (s *Server) forbid(w http.ResponseWriter, r *http.Request, v *visitor, command, perm string) {
	s.audit(r.Context(), v.session.UserID, command, nil, db.DecisionDenied, "missing permission "+perm)
	s.fail(w, r, v, http.StatusForbidden, i18n.N("You are not allowed to see this page: it needs the permission %s. Ask an admin for a role that grants it."), perm)
}

func newToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
