package console

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/wecombot/wecombot/bot"
	"github.com/wecombot/wecombot/bot/access"
	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// Approvals: the applications the bot took over, newest first, with the 24-hour deadline WeCom gives the
// take-over (after which the admin console decides), and a page per application to approve or reject it
// through the same exactly-once decision as the cards and /order.

// takeOverWindow is how long after submission WeCom waits for the app's decision (DOC/99121: 24 小时).
const takeOverWindow = 24 * time.Hour

var applyIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// stateNames are the filter words and how each state reads.
var stateNames = []struct{ key, label string }{
	{"open", i18n.N("waiting for a decision")},
	{db.AppApproved, i18n.N("approved")},
	{db.AppRejected, i18n.N("rejected")},
	{db.AppClosed, i18n.N("closed in WeCom")},
	{db.AppLapsed, i18n.N("not taken over in time")},
	{"all", i18n.N("all")},
}

func stateLabel(p *i18n.Printer, state string) string {
	switch state {
	case db.AppPending, db.AppTaken:
		return p.T("waiting for a decision")
	case db.AppDeciding:
		return p.T("being decided")
	}
	for _, s := range stateNames {
		if s.key == state {
			return p.T(s.label)
		}
	}
	return state
}

type appRow struct {
	ID, Applicant, Type, Reason, Submitted, State, Deadline string
	Open, Late                                              bool
}

type approvalsData struct {
	base
	Rows           []appRow
	Total, Page    int
	Filter         string
	Filters        []navItem
	Prev, Next     string
	ApplicantQuery string
}

const appsPerPage = 20

func (s *Server) appRow(r *http.Request, v *visitor, a *db.Application) appRow {
	now := s.d.Now()
	deadline := a.SubmittedAt.Add(takeOverWindow)
	open := a.State == db.AppTaken || a.State == db.AppPending
	return appRow{ID: a.ApplyID, Applicant: s.who(r.Context(), a.Applicant), Type: wecom.BusinessType(a.BusinessType).String(),
		Reason: a.Reason, Submitted: a.SubmittedAt.In(s.d.Location).Format("2006-01-02 15:04"), State: stateLabel(v.p, a.State),
		Deadline: deadline.In(s.d.Location).Format("01-02 15:04"), Open: open, Late: open && deadline.Sub(now) < 2*time.Hour}
}

func (s *Server) approvalsList(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !v.caller.Can("order.read") {
		s.forbid(w, r, v, "console approvals", "order.read")
		return
	}
	q := r.URL.Query()
	filter := q.Get("state")
	if filter == "" {
		filter = "open"
	}
	f := db.AppFilter{}
	switch filter {
	case "open":
		f.States = []string{db.AppPending, db.AppTaken, db.AppDeciding}
	case "all":
	default:
		known := false
		for _, s := range stateNames {
			known = known || s.key == filter
		}
		if !known {
			filter, f.States = "open", []string{db.AppPending, db.AppTaken, db.AppDeciding}
		} else {
			f.States = []string{filter}
		}
	}
	applicant := strings.TrimSpace(q.Get("applicant"))
	if applicant != "" && !wecom.ValidUserID(applicant) {
		applicant = ""
	}
	f.Applicant = applicant
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(1, min(page, 10000))
	apps, total, err := s.d.DB.ListApplications(r.Context(), f, appsPerPage, (page-1)*appsPerPage)
	if err != nil {
		s.fail(w, r, v, http.StatusServiceUnavailable, i18n.N("Cannot read the applications now; try again."))
		return
	}
	d := approvalsData{base: s.base(r, v, v.p.T("Approvals")), Total: total, Page: page, Filter: filter, ApplicantQuery: applicant}
	for _, a := range apps {
		d.Rows = append(d.Rows, s.appRow(r, v, a))
	}
	for _, st := range stateNames {
		d.Filters = append(d.Filters, navItem{Path: "/console/approvals?state=" + st.key, Label: v.p.T(st.label), Current: st.key == filter})
	}
	link := func(n int) string {
		return "/console/approvals?state=" + filter + "&applicant=" + applicant + "&page=" + strconv.Itoa(n)
	}
	if page > 1 {
		d.Prev = link(page - 1)
	}
	if page*appsPerPage < total {
		d.Next = link(page + 1)
	}
	s.render(w, http.StatusOK, "approvals.html", d)
}

type approvalData struct {
	base
	App                appRow
	DecidedBy, Decided string
	Note, Allocation   string
	CanDecide          bool
	IsApplicant        bool
	Result             string
	Error              string
}

func (s *Server) approvalPage(r *http.Request, v *visitor, a *db.Application) approvalData {
	d := approvalData{base: s.base(r, v, v.p.Sprintf("Application %s", a.ApplyID)), App: s.appRow(r, v, a), Note: a.DecisionNote,
		Allocation: a.Allocation, IsApplicant: access.SameUser(a.Applicant, v.session.UserID)}
	if a.DecidedBy != "" {
		d.DecidedBy, d.Decided = s.who(r.Context(), a.DecidedBy), a.DecidedAt.In(s.d.Location).Format("2006-01-02 15:04")
	}
	d.CanDecide = d.App.Open && !d.IsApplicant && v.caller.Can("order.approve")
	return d
}

// loadApp reads the application of the path, refusing visitors who may not see it: approvers (order.read)
// and its applicant.
func (s *Server) loadApp(w http.ResponseWriter, r *http.Request, v *visitor) *db.Application {
	id := r.PathValue("id")
	if !applyIDRE.MatchString(id) {
		s.fail(w, r, v, http.StatusNotFound, i18n.N("There is no application %s."), id)
		return nil
	}
	a, err := s.d.DB.GetApplication(r.Context(), id)
	switch {
	case err != nil:
		s.fail(w, r, v, http.StatusServiceUnavailable, i18n.N("Cannot read the application now; try again."))
		return nil
	case a == nil:
		s.fail(w, r, v, http.StatusNotFound, i18n.N("The bot has no application %s."), id)
		return nil
	case !v.caller.Can("order.read") && !access.SameUser(a.Applicant, v.session.UserID):
		s.forbid(w, r, v, "console approvals", "order.read")
		return nil
	}
	return a
}

func (s *Server) approvalDetail(w http.ResponseWriter, r *http.Request, v *visitor) {
	if a := s.loadApp(w, r, v); a != nil {
		s.render(w, http.StatusOK, "approval.html", s.approvalPage(r, v, a))
	}
}

// approvalDecide is the Approve / Reject form: the decision goes through Decider, exactly once with cards and
// /order (a second decision is told who decided first), and is audited with via=web.
func (s *Server) approvalDecide(w http.ResponseWriter, r *http.Request, v *visitor) {
	a := s.loadApp(w, r, v)
	if a == nil {
		return
	}
	ctx := r.Context()
	user := v.session.UserID
	action := r.PostFormValue("action")
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	command := "order " + action
	args := map[string]string{"id": a.ApplyID}
	if action != "approve" && action != "reject" {
		s.fail(w, r, v, http.StatusBadRequest, i18n.N("Choose Approve or Reject."))
		return
	}
	if !v.caller.Can("order.approve") {
		s.forbid(w, r, v, command, "order.approve")
		return
	}
	d := s.approvalPage(r, v, a)
	if action == "reject" {
		if reason == "" {
			d.Error = v.p.T("A rejection needs a reason: the applicant reads it.")
			s.render(w, http.StatusBadRequest, "approval.html", d)
			return
		}
		if len(reason) > 600 {
			reason = replies.Truncate(reason, 600)
		}
		args["reason"] = reason
	}
	out, err := s.d.Decider.Decide(ctx, a.ApplyID, user, action == "approve", reason)
	switch {
	case err == nil:
		s.audit(ctx, user, command, args, db.DecisionOK, action+"d")
		d.Result = replies.Text(out)
	case bot.ErrorCode(err) == bot.EFORBIDDEN:
		s.audit(ctx, user, command, args, db.DecisionDenied, bot.ErrorText(err))
		d.Error = replies.Text(replies.Describe(i18n.With(ctx, v.p.Lang()), err))
	case bot.ErrorCode(err) == bot.ECONFLICT || bot.ErrorCode(err) == bot.ENOTFOUND:
		d.Error = replies.Text(replies.Describe(i18n.With(ctx, v.p.Lang()), err))
	default:
		s.audit(ctx, user, command, args, db.DecisionFailed, replies.Truncate(err.Error(), 500))
		d.Error = replies.Text(replies.Describe(i18n.With(ctx, v.p.Lang()), err))
	}
	if fresh, err := s.d.DB.GetApplication(ctx, a.ApplyID); err == nil && fresh != nil {
		res, e := d.Result, d.Error
		d = s.approvalPage(r, v, fresh)
		d.Result, d.Error = res, e
	}
	s.render(w, http.StatusOK, "approval.html", d)
}

type homeData struct {
	base
	Open int
}

func (s *Server) home(w http.ResponseWriter, r *http.Request, v *visitor) {
	d := homeData{base: s.base(r, v, v.p.T("Console"))}
	if v.caller.Can("order.read") {
		_, d.Open, _ = s.d.DB.ListApplications(r.Context(), db.AppFilter{States: []string{db.AppPending, db.AppTaken}}, 1, 0)
	}
	s.render(w, http.StatusOK, "home.html", d)
}
