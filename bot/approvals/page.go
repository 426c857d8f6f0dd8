package approvals

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wecombot/wecombot/bot/access"
	"github.com/wecombot/wecombot/bot/i18n"

	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// The approval page, /approvals/{apply_id}: linked from the cards and from WeCom's own view of the
// application (approval_url). Who opens it is learned through WeCom OAuth (snsapi_base), never from the URL:
// without a code the page sends the browser to WeCom's authorize URL, which comes back with ?code&state.

var applyIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// Sign-in limits.
const (
	// DefaultStateTTL is how long a visitor has to come back from WeCom's login: an OAuth code lives 5 minutes
	// (DOC/91023), and the login itself is one tap inside WeCom.
	DefaultStateTTL = 10 * time.Minute
	// DefaultVisitsPerMinute bounds auth/getuserinfo calls from the page, all visitors together: far above what
	// a corp's approvers open, far below WeCom's per-app quota.
	DefaultVisitsPerMinute = 60
	// maxCodeLen refuses, without a call, codes longer than WeCom issues ("code长度最大为512字节", DOC/91022).
	maxCodeLen = 512
	// nonceCookie carries the nonce a state is bound to, for the one page it was set on (its Path).
	nonceCookie = "wecombot_oauth"
)

// stateKey signs OAuth states. It is per process: a restart between redirect and return costs one more
// redirect.
var stateKey = func() []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
}()

// oauthState binds a login to the browser that started it and to one application until exp: a random nonce
// goes in an HttpOnly cookie, and the state WeCom echoes is exp and an HMAC of (nonce, apply_id, exp). A code
// replayed onto another page, or sent by another browser (login CSRF), has no matching cookie. The state uses
// only [a-z0-9], as WeCom asks (at most 128 bytes, DOC/91022).
func oauthState(nonce, applyID string, exp int64) string {
	m := hmac.New(sha256.New, stateKey)
	fmt.Fprintf(m, "%s\x00%s\x00%d", nonce, applyID, exp)
	return strconv.FormatInt(exp, 10) + "s" + hex.EncodeToString(m.Sum(nil)[:16])
}

// checkState reports whether state is the one issued to this browser's nonce for applyID, and whether it
// has expired.
func checkState(state, nonce, applyID string, now time.Time, ttl time.Duration) (ok, expired bool) {
	expText, _, found := strings.Cut(state, "s")
	exp, err := strconv.ParseInt(expText, 10, 64)
	if !found || err != nil || nonce == "" || !hmac.Equal([]byte(state), []byte(oauthState(nonce, applyID, exp))) {
		return false, false
	}
	// An expiry further out than any state this server issues is refused too: the lifetime is the server's.
	if exp > now.Add(ttl).Unix()+1 {
		return false, false
	}
	return now.Unix() < exp, now.Unix() >= exp
}

// visitLimiter is a token bucket: perMinute tokens, refilled continuously.
type visitLimiter struct {
	mu     sync.Mutex
	tokens float64
	last   time.Time
}

func (l *visitLimiter) allow(now time.Time, perMinute int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last.IsZero() {
		l.tokens = float64(perMinute)
	} else {
		l.tokens = min(float64(perMinute), l.tokens+now.Sub(l.last).Minutes()*float64(perMinute))
	}
	l.last = now
	if l.tokens < 1 {
		return false
	}
	l.tokens--
	return true
}

func (s *Service) stateTTL() time.Duration {
	if s.StateTTL > 0 {
		return s.StateTTL
	}
	return DefaultStateTTL
}

func (s *Service) visitsPerMinute() int {
	if s.VisitsPerMinute > 0 {
		return s.VisitsPerMinute
	}
	return DefaultVisitsPerMinute
}

func (s *Service) authorizeURL(redirectURI, state string) string {
	if s.AuthorizeURL != nil {
		return s.AuthorizeURL(redirectURI, state)
	}
	return s.d.Client.OAuth.AuthorizeURL(redirectURI, state, wecom.ScopeBase)
}

// startLogin sends the visitor to WeCom's login with a fresh nonce cookie and the state bound to it.
func (s *Service) startLogin(w http.ResponseWriter, r *http.Request, id string) {
	page := s.approvalURL(id)
	pu, err := url.Parse(page)
	if err != nil {
		http.Error(w, "the approval page address is misconfigured (approvals.url)", http.StatusInternalServerError)
		return
	}
	b := make([]byte, 16)
	rand.Read(b)
	nonce := hex.EncodeToString(b)
	ttl := s.stateTTL()
	exp := s.d.Now().Add(ttl).Unix()
	// Lax: the return from WeCom is a top-level GET navigation, which carries it; Secure whenever the page is
	// https as its visitors reach it (behind a proxy the bot itself may see plain http).
	http.SetCookie(w, &http.Cookie{Name: nonceCookie, Value: nonce, Path: pu.Path, MaxAge: int(ttl.Seconds()),
		HttpOnly: true, Secure: pu.Scheme == "https", SameSite: http.SameSiteLaxMode})
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, s.authorizeURL(page, oauthState(nonce, id, exp)), http.StatusFound)
}

// ServeHTTP serves the approval page (mount it on "GET /approvals/{id}").
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	// Until WeCom says who the visitor is, errors are in the corp's language; then in the viewer's.
	p := s.defaultPrinter()
	if !applyIDRE.MatchString(id) || s.url == "" {
		http.Error(w, p.T("no such application"), http.StatusNotFound)
		return
	}
	code, state := r.URL.Query().Get("code"), r.URL.Query().Get("state")
	if code == "" {
		s.startLogin(w, r, id)
		return
	}
	// Everything below is checked before WeCom is asked who the code belongs to: anyone can send a code.
	if len(code) > maxCodeLen || len(state) > 128 {
		http.Error(w, p.T("that sign-in link is malformed; open the application again from WeCom"), http.StatusBadRequest)
		return
	}
	nonce := ""
	if c, err := r.Cookie(nonceCookie); err == nil {
		nonce = c.Value
	}
	ok, expired := checkState(state, nonce, id, s.d.Now(), s.stateTTL())
	switch {
	case expired:
		http.Error(w, p.T("this sign-in has expired; open the application again from WeCom"), http.StatusBadRequest)
		return
	case !ok:
		http.Error(w, p.T("this sign-in was not started in this browser, or has expired; open the application again from WeCom"), http.StatusBadRequest)
		return
	}
	if !s.visits.allow(time.Now(), s.visitsPerMinute()) {
		w.Header().Set("Retry-After", "60")
		http.Error(w, p.T("too many sign-ins to approval pages just now; wait a minute, then open the application again from WeCom"), http.StatusTooManyRequests)
		return
	}
	// The nonce has done its work: a reload starts a fresh sign-in rather than reuse a spent code.
	if pu, err := url.Parse(s.approvalURL(id)); err == nil {
		http.SetCookie(w, &http.Cookie{Name: nonceCookie, Value: "", Path: pu.Path, MaxAge: -1, HttpOnly: true,
			Secure: pu.Scheme == "https", SameSite: http.SameSiteLaxMode})
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	who, err := s.d.Client.OAuth.GetUserInfo(ctx, code)
	if err != nil {
		s.d.Logger.Warn("approval page: cannot identify the visitor", slog.String("err", err.Error()))
		http.Error(w, p.Sprintf("WeCom could not confirm who you are (%s); open the application again from WeCom",
			replies.Text(replies.Describe(i18n.With(ctx, p.Lang()), err))), http.StatusBadGateway)
		return
	}
	if who.UserID == "" {
		http.Error(w, p.T("only members of this organisation can see applications"), http.StatusForbidden)
		return
	}
	p = s.printer(ctx, who.UserID)
	app, err := s.d.DB.GetApplication(ctx, id)
	if err != nil {
		http.Error(w, p.T("cannot read the application now; try again"), http.StatusServiceUnavailable)
		return
	}
	if app == nil {
		http.Error(w, p.Sprintf("the bot has no application %s", id), http.StatusNotFound)
		return
	}
	caller, _ := s.d.Access.Resolve(ctx, who.UserID)
	if !access.SameUser(who.UserID, app.Applicant) && !caller.Can("order.approve") {
		http.Error(w, p.T("only the applicant and the approvers can see this application"), http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	page.Execute(w, s.pageData(ctx, p, app, who.UserID))
}

type pageData struct {
	App    *db.Application
	Viewer string
	// IsApplicant is whether the viewer filed the application (userids compared as WeCom does, ignoring case).
	IsApplicant bool
	Type        string
	State       string
	Time        func(time.Time) string
	Deadline    string
	// Lang is the page's <html lang>; L its labels and sentences, in the viewer's language.
	Lang      string
	L         pageText
	Applicant string // 张三 (zhangsan), or the userid
	Decided   string
}

type pageText struct {
	Application, Applicant, Type, Reason, Submitted, State, Decided, Account string
	Decide                                                                   template.HTML
}

func (s *Service) pageData(ctx context.Context, p *i18n.Printer, app *db.Application, viewer string) pageData {
	var state string
	switch app.State {
	case db.AppPending:
		state = p.T("received; being handed to the approvers")
	case db.AppTaken:
		state = p.T("waiting for an approver")
	case db.AppDeciding:
		state = p.T("being decided")
	case db.AppApproved:
		state = p.T("approved")
	case db.AppRejected:
		state = p.T("rejected")
	case db.AppClosed:
		switch app.FinishType {
		case 1:
			state = p.T("closed in WeCom (rejected by an admin)")
		case 2:
			state = p.T("closed in WeCom (account allocated)")
		case 3:
			state = p.T("closed in WeCom (withdrawn by the member)")
		default:
			state = p.T("closed in WeCom (finished)")
		}
	case db.AppLapsed:
		state = p.T("not taken over in time; decided in the admin console")
	}
	tm := func(t time.Time) string { return t.In(s.d.Location).Format("2006-01-02 15:04") }
	deadline := app.SubmittedAt.Add(Window).In(s.d.Location).Format("2006-01-02 15:04")
	lang := "en"
	if p.Zh() {
		lang = "zh-CN"
	}
	id := template.HTMLEscapeString(app.ApplyID)
	decide := template.HTML(p.Sprintf("Decide with the Approve / Reject buttons on the card in WeCom, or send <code>/order approve %s</code> or\n<code>/order reject %s REASON</code> to the bot, before %s.",
		id, id, template.HTMLEscapeString(deadline)))
	decided := ""
	if app.DecidedBy != "" {
		decided = s.whoText(ctx, app.DecidedBy)
	}
	return pageData{App: app, Viewer: viewer, IsApplicant: access.SameUser(viewer, app.Applicant), Type: s.typeText(p, app.BusinessType), State: state,
		Time: tm, Deadline: deadline, Lang: lang, Applicant: s.whoText(ctx, app.Applicant), Decided: decided,
		L: pageText{Application: p.T("单号 Application"), Applicant: p.T("申请人 Applicant"), Type: p.T("类型 Type"), Reason: p.T("原因 Reason"),
			Submitted: p.T("提交 Submitted"), State: p.T("状态 State"), Decided: p.T("决定 Decided"), Account: p.T("账号 Account"), Decide: decide}}
}

// html/template escapes every value: application reasons are member-typed.
var page = template.Must(template.New("approval").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>高级功能账号申请 {{.App.ApplyID}}</title>
<style>body{font:15px/1.5 -apple-system,system-ui,sans-serif;margin:1.2em;color:#222}dt{color:#888;margin-top:.6em}dd{margin:0}
.state{font-weight:600}</style></head><body>
<h1>高级功能账号申请</h1>
<dl>
<dt>{{.L.Application}}</dt><dd>{{.App.ApplyID}}</dd>
<dt>{{.L.Applicant}}</dt><dd>{{.Applicant}}</dd>
<dt>{{.L.Type}}</dt><dd>{{.Type}}</dd>
<dt>{{.L.Reason}}</dt><dd>{{.App.Reason}}</dd>
<dt>{{.L.Submitted}}</dt><dd>{{call .Time .App.SubmittedAt}}</dd>
<dt>{{.L.State}}</dt><dd class="state">{{.State}}</dd>
{{if .App.DecidedBy}}<dt>{{.L.Decided}}</dt><dd>{{.Decided}}, {{call .Time .App.DecidedAt}}{{if .App.DecisionNote}} — {{.App.DecisionNote}}{{end}}</dd>{{end}}
{{if .App.Allocation}}<dt>{{.L.Account}}</dt><dd>{{.App.Allocation}}</dd>{{end}}
</dl>
{{if eq .App.State "taken" "pending"}}{{if not .IsApplicant}}
<p>{{.L.Decide}}</p>{{end}}{{end}}
</body></html>
`))
