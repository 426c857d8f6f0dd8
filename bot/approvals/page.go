package approvals

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"html/template"
	"log/slog"
	"net/http"
	"regexp"
	"time"

	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// The approval page, /approvals/{apply_id}: linked from the cards and from WeCom's own view of the
// application (approval_url). Who opens it is learned through WeCom OAuth (snsapi_base), never from the URL:
// without a code the page sends the browser to WeCom's authorize URL, which comes back with ?code&state.

var applyIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// stateKey signs the OAuth state so a code cannot be replayed onto another application's page (CSRF). It is
// per process: a restart between redirect and return costs one more redirect.
var stateKey = func() []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
}()

func oauthState(applyID string) string {
	m := hmac.New(sha256.New, stateKey)
	m.Write([]byte(applyID))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

func (s *Service) authorizeURL(redirectURI, state string) string {
	if s.AuthorizeURL != nil {
		return s.AuthorizeURL(redirectURI, state)
	}
	return s.d.Client.OAuth.AuthorizeURL(redirectURI, state, wecom.ScopeBase)
}

// ServeHTTP serves the approval page (mount it on "GET /approvals/{id}").
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !applyIDRE.MatchString(id) {
		http.Error(w, "no such application", http.StatusNotFound)
		return
	}
	code, state := r.URL.Query().Get("code"), r.URL.Query().Get("state")
	if code == "" {
		http.Redirect(w, r, s.authorizeURL(s.approvalURL(id), oauthState(id)), http.StatusFound)
		return
	}
	if !hmac.Equal([]byte(state), []byte(oauthState(id))) {
		http.Error(w, "this link has expired; open the application again from WeCom", http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	who, err := s.d.Client.OAuth.GetUserInfo(ctx, code)
	if err != nil {
		s.d.Logger.Warn("approval page: cannot identify the visitor", slog.String("err", err.Error()))
		http.Error(w, "WeCom could not confirm who you are ("+replies.Text(commands.Describe(err))+"); open the application again from WeCom", http.StatusBadGateway)
		return
	}
	if who.UserID == "" {
		http.Error(w, "only members of this organisation can see applications", http.StatusForbidden)
		return
	}
	app, err := s.d.DB.GetApplication(ctx, id)
	if err != nil {
		http.Error(w, "cannot read the application now; try again", http.StatusServiceUnavailable)
		return
	}
	if app == nil {
		http.Error(w, "the bot has no application "+id, http.StatusNotFound)
		return
	}
	caller, _ := s.d.Access.Resolve(ctx, who.UserID)
	if !commands.SameUser(who.UserID, app.Applicant) && !caller.Can("order.approve") {
		http.Error(w, "only the applicant and the approvers can see this application", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	page.Execute(w, s.pageData(app, who.UserID))
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
}

func (s *Service) pageData(app *db.Application, viewer string) pageData {
	states := map[string]string{
		db.AppPending: "received; being handed to the approvers", db.AppTaken: "waiting for an approver",
		db.AppDeciding: "being decided", db.AppApproved: "approved", db.AppRejected: "rejected",
		db.AppClosed: "closed in WeCom (" + finishText(app.FinishType) + ")", db.AppLapsed: "not taken over in time; decided in the admin console",
	}
	return pageData{App: app, Viewer: viewer, IsApplicant: commands.SameUser(viewer, app.Applicant), Type: s.typeText(app.BusinessType), State: states[app.State],
		Time:     func(t time.Time) string { return t.In(s.d.Location).Format("2006-01-02 15:04") },
		Deadline: app.SubmittedAt.Add(Window).In(s.d.Location).Format("2006-01-02 15:04")}
}

// html/template escapes every value: application reasons are member-typed.
var page = template.Must(template.New("approval").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>高级功能账号申请 {{.App.ApplyID}}</title>
<style>body{font:15px/1.5 -apple-system,system-ui,sans-serif;margin:1.2em;color:#222}dt{color:#888;margin-top:.6em}dd{margin:0}
.state{font-weight:600}</style></head><body>
<h1>高级功能账号申请</h1>
<dl>
<dt>单号 Application</dt><dd>{{.App.ApplyID}}</dd>
<dt>申请人 Applicant</dt><dd>{{.App.Applicant}}</dd>
<dt>类型 Type</dt><dd>{{.Type}}</dd>
<dt>原因 Reason</dt><dd>{{.App.Reason}}</dd>
<dt>提交 Submitted</dt><dd>{{call .Time .App.SubmittedAt}}</dd>
<dt>状态 State</dt><dd class="state">{{.State}}</dd>
{{if .App.DecidedBy}}<dt>决定 Decided</dt><dd>{{.App.DecidedBy}}, {{call .Time .App.DecidedAt}}{{if .App.DecisionNote}} — {{.App.DecisionNote}}{{end}}</dd>{{end}}
{{if .App.Allocation}}<dt>账号 Account</dt><dd>{{.App.Allocation}}</dd>{{end}}
</dl>
{{if eq .App.State "taken" "pending"}}{{if not .IsApplicant}}
<p>Decide with the Approve / Reject buttons on the card in WeCom, or send <code>/order approve {{.App.ApplyID}}</code> or
<code>/order reject {{.App.ApplyID}} REASON</code> to the bot, before {{.Deadline}}.</p>{{end}}{{end}}
</body></html>
`))
