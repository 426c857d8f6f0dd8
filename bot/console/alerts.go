package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"time"

	botalerts "github.com/wecombot/wecombot/bot/alerts"
	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"
)

// Alerts: what the watchers found lately, the digests pushed (Ack one, as its card's button does), the
// silences in force (add one for a rule), and a chart of alerts per day per rule that the server draws as SVG.

// AlertsDesk is what the page acts through; *alerts.Service implements it.
type AlertsDesk interface {
	AckDigest(ctx context.Context, id int64, by string) (*db.AlertDigest, bool, error)
	SilenceRule(ctx context.Context, rule, by, reason string, dur time.Duration) (*db.AlertSilence, error)
	RuleNames() []string
}

const (
	alertDays     = 14  // the chart's span
	alertsListed  = 50  // recent alerts shown
	digestsListed = 30  // recent digests shown
	chartW        = 640 // the chart's SVG coordinate box
	chartH        = 200
)

// chartColors tell the rules apart (the colour-blind-safe Okabe–Ito palette).
var chartColors = []string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"}

type bar struct {
	X, Y, W, H float64
	Color      string
	Title      string
}

type chart struct {
	Bars          []bar
	Days          []axisLabel
	Legend        []legendItem
	Max           int
	Width, Height int
	Empty         bool
}

type axisLabel struct {
	X    float64
	Text string
}

type legendItem struct{ Rule, Color string }

// alertChart stacks each day's alerts by rule.
func alertChart(counts []db.AlertDayCount, rules []string, today time.Time, p *i18n.Printer) chart {
	c := chart{Width: chartW, Height: chartH + 24}
	color := map[string]string{}
	for i, r := range rules {
		color[r] = chartColors[i%len(chartColors)]
	}
	byDay := map[string]map[string]int{}
	for _, n := range counts {
		if byDay[n.Day] == nil {
			byDay[n.Day] = map[string]int{}
		}
		byDay[n.Day][n.Rule] += n.Count
		if _, ok := color[n.Rule]; !ok { // a rule since removed from the config
			color[n.Rule] = chartColors[len(color)%len(chartColors)]
		}
	}
	days := make([]string, alertDays)
	for i := range days {
		days[i] = today.AddDate(0, 0, i-alertDays+1).Format("2006-01-02")
	}
	for _, d := range days {
		t := 0
		for _, n := range byDay[d] {
			t += n
		}
		c.Max = max(c.Max, t)
	}
	c.Empty = c.Max == 0
	slot := float64(chartW) / alertDays
	names := make([]string, 0, len(color))
	for r := range color {
		names = append(names, r)
	}
	sort.Strings(names)
	for i, d := range days {
		y := float64(chartH)
		for _, r := range names {
			n := byDay[d][r]
			if n == 0 {
				continue
			}
			h := float64(n) / float64(max(c.Max, 1)) * (chartH - 10)
			y -= h
			c.Bars = append(c.Bars, bar{X: float64(i)*slot + 4, Y: y, W: slot - 8, H: h, Color: color[r],
				Title: p.Sprintf("%s, %s: %d", d, r, n)})
		}
		if i%2 == 1 || i == alertDays-1 {
			c.Days = append(c.Days, axisLabel{X: float64(i)*slot + slot/2, Text: d[5:]})
		}
	}
	for _, r := range names {
		c.Legend = append(c.Legend, legendItem{Rule: r, Color: color[r]})
	}
	return c
}

type alertRow struct {
	Found, Rule, Severity, Member, Summary, State string
	Digest                                        int64
}

type digestRow struct {
	ID                                  int64
	Title, Team, Kind, Severity, Pushed string
	Alerts                              int
	AckedBy, AckedAt                    string
}

type silenceRow struct{ Rule, By, Until, Reason string }

type alertsData struct {
	base
	Chart    chart
	Alerts   []alertRow
	Digests  []digestRow
	Silences []silenceRow
	Rules    []string
	CanWrite bool
	Result   string
	Error    string
}

func (s *Server) alertsPage(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !v.caller.Can("alerts.read") {
		s.forbid(w, r, v, "console alerts", "alerts.read")
		return
	}
	s.renderAlerts(w, r, v, http.StatusOK, "", "")
}

func (s *Server) renderAlerts(w http.ResponseWriter, r *http.Request, v *visitor, status int, result, errText string) {
	ctx := r.Context()
	now := s.d.Now().In(s.d.Location)
	since := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, s.d.Location).AddDate(0, 0, -alertDays+1)
	_, offset := now.Zone()
	counts, err := s.d.DB.AlertCountsByDay(ctx, since, offset)
	if err != nil {
		s.fail(w, r, v, http.StatusServiceUnavailable, i18n.N("Cannot read the alerts now; try again."))
		return
	}
	var rules []string
	if s.d.Alerts != nil {
		rules = s.d.Alerts.RuleNames()
	}
	d := alertsData{base: s.base(r, v, v.p.T("Alerts")), Chart: alertChart(counts, rules, now, v.p), Rules: rules,
		CanWrite: v.caller.Can("alerts.write") && s.d.Alerts != nil, Result: result, Error: errText}
	alerts, _, err := s.d.DB.ListAlerts(ctx, db.AlertFilter{Since: since, Limit: alertsListed})
	if err != nil {
		s.fail(w, r, v, http.StatusServiceUnavailable, i18n.N("Cannot read the alerts now; try again."))
		return
	}
	for _, a := range alerts {
		d.Alerts = append(d.Alerts, alertRow{Found: a.CreatedAt.In(s.d.Location).Format("01-02 15:04"), Rule: a.Rule, Severity: a.Severity,
			Member: s.who(ctx, a.UserID), Summary: botalerts.SummaryIn(v.p, a), State: a.State, Digest: a.DigestID})
	}
	digests, err := s.d.DB.RecentAlertDigests(ctx, since, digestsListed)
	if err != nil {
		s.fail(w, r, v, http.StatusServiceUnavailable, i18n.N("Cannot read the alerts now; try again."))
		return
	}
	for _, g := range digests {
		row := digestRow{ID: g.ID, Title: g.Title, Team: g.Team, Kind: g.Kind, Severity: g.Severity, Alerts: g.Alerts,
			Pushed: g.CreatedAt.In(s.d.Location).Format("01-02 15:04")}
		if g.AckedBy != "" {
			row.AckedBy, row.AckedAt = s.who(ctx, g.AckedBy), g.AckedAt.In(s.d.Location).Format("01-02 15:04")
		}
		d.Digests = append(d.Digests, row)
	}
	silences, err := s.d.DB.ActiveAlertSilences(ctx)
	if err == nil {
		for _, sl := range silences {
			d.Silences = append(d.Silences, silenceRow{Rule: sl.Rule, By: s.who(ctx, sl.CreatedBy), Until: sl.Until.In(s.d.Location).Format("01-02 15:04"), Reason: sl.Reason})
		}
	}
	s.render(w, status, "alerts.html", d)
}

// alertsAct is the page's two buttons: Ack a digest, or silence a rule for a while.
func (s *Server) alertsAct(w http.ResponseWriter, r *http.Request, v *visitor) {
	action := r.PostFormValue("action")
	command := "alerts " + action
	if action != "ack" && action != "silence" {
		s.fail(w, r, v, http.StatusBadRequest, i18n.N("Choose Ack or Silence."))
		return
	}
	if !v.caller.Can("alerts.write") || s.d.Alerts == nil {
		s.forbid(w, r, v, command, "alerts.write")
		return
	}
	ctx := r.Context()
	user := v.session.UserID
	switch action {
	case "ack":
		id, err := strconv.ParseInt(r.PostFormValue("digest"), 10, 64)
		if err != nil || id <= 0 {
			s.renderAlerts(w, r, v, http.StatusBadRequest, "", v.p.T("Which digest? Use the Ack button of one."))
			return
		}
		args := map[string]string{"digest": strconv.FormatInt(id, 10)}
		d, first, err := s.d.Alerts.AckDigest(ctx, id, user)
		switch {
		case errors.Is(err, db.ErrAlertNotFound):
			s.renderAlerts(w, r, v, http.StatusNotFound, "", v.p.Sprintf("There is no alert digest %d.", id))
		case err != nil:
			s.fail(w, r, v, http.StatusServiceUnavailable, i18n.N("Cannot record that now; try again."))
		case !first:
			s.audit(ctx, user, command, args, db.DecisionOK, fmt.Sprintf("digest %d was already acknowledged by %s", id, d.AckedBy))
			s.renderAlerts(w, r, v, http.StatusOK, "", v.p.Sprintf("%s had already acknowledged it.", s.who(ctx, d.AckedBy)))
		default:
			s.audit(ctx, user, command, args, db.DecisionOK, fmt.Sprintf("acknowledged digest %d (%s)", id, d.Title))
			s.renderAlerts(w, r, v, http.StatusOK, v.p.Sprintf("Acknowledged: %s. Every card of it now says so.", d.Title), "")
		}
	case "silence":
		rule := r.PostFormValue("rule")
		dur := time.Hour
		if h, err := strconv.Atoi(r.PostFormValue("hours")); err == nil && h >= 1 && h <= 168 {
			dur = time.Duration(h) * time.Hour
		}
		args := map[string]string{"rule": rule, "for": dur.String()}
		if !slices.Contains(s.d.Alerts.RuleNames(), rule) {
			s.renderAlerts(w, r, v, http.StatusBadRequest, "", v.p.Sprintf("There is no rule %q.", replies.Truncate(rule, 64)))
			return
		}
		sl, err := s.d.Alerts.SilenceRule(ctx, rule, user, "silenced from the web console", dur)
		switch {
		case err != nil:
			s.fail(w, r, v, http.StatusServiceUnavailable, i18n.N("Cannot record that now; try again."))
		default:
			s.audit(ctx, user, command, args, db.DecisionOK, fmt.Sprintf("silenced rule %s until %s", rule, sl.Until.In(s.d.Location).Format("2006-01-02 15:04")))
			s.renderAlerts(w, r, v, http.StatusOK, v.p.Sprintf("Rule %s is silenced until %s.", rule, sl.Until.In(s.d.Location).Format("01-02 15:04")), "")
		}
	}
}
