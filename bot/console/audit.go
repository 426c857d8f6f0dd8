package console

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// The audit trail: search by member, command, decision and time; the hash chain's verification and its head
// (to anchor elsewhere); CSV export. Reading the trail is itself audited.

// maxAuditExport bounds one CSV export: a larger trail is exported in narrower ranges.
const maxAuditExport = 100_000

var decisions = []string{db.DecisionOK, db.DecisionPartial, db.DecisionDenied, db.DecisionFailed, db.DecisionCancelled,
	db.DecisionProposed, db.DecisionExpired}

type auditRow struct {
	Seq                                     int64
	At, Actor, Command, Args, Decision, Res string
	Bad                                     bool
}

type auditData struct {
	base
	Rows                             []auditRow
	ByUser, Command, Decision, Since string
	Decisions                        []string
	Verified                         bool
	VerifyRows                       int64
	Head, Broken, Intact             string
	More                             string
	CSV                              string
	Error                            string
}

// auditFilter reads the search form; a bad value is named in the returned error text.
func auditFilter(p *i18n.Printer, q url.Values, now time.Time) (db.AuditFilter, string) {
	f := db.AuditFilter{Actor: strings.TrimSpace(q.Get("user")), Command: strings.Join(strings.Fields(q.Get("command")), " "),
		Decision: q.Get("decision")}
	if f.Actor != "" && !wecom.ValidUserID(f.Actor) {
		return f, p.Sprintf("%q is not a userid.", f.Actor)
	}
	if len(f.Command) > 64 {
		return f, p.T("The command is too long.")
	}
	if f.Decision != "" && !contains(decisions, f.Decision) {
		return f, p.Sprintf("Unknown decision %q.", f.Decision)
	}
	if s := q.Get("since"); s != "" {
		d, err := parseSince(s)
		if err != nil {
			return f, p.Sprintf("%q is not a duration like 3d, 12h or 90m.", s)
		}
		f.Since = now.Add(-d)
	}
	if b, err := strconv.ParseInt(q.Get("before"), 10, 64); err == nil && b > 0 {
		f.Before = b
	}
	return f, ""
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// parseSince reads 3d, 12h, 90m, 2w.
func parseSince(s string) (time.Duration, error) {
	if len(s) < 2 || len(s) > 8 {
		return 0, strconv.ErrSyntax
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n <= 0 {
		return 0, strconv.ErrSyntax
	}
	unit := map[byte]time.Duration{'m': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[s[len(s)-1]]
	if unit == 0 || n > 3660 {
		return 0, strconv.ErrSyntax
	}
	return time.Duration(n) * unit, nil
}

func argsText(args map[string]string) string {
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(k + "=" + args[k])
	}
	return b.String()
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !v.caller.Can("audit.read") {
		s.forbid(w, r, v, "audit", "audit.read")
		return
	}
	ctx := r.Context()
	q := r.URL.Query()
	d := auditData{base: s.base(r, v, v.p.T("Audit trail")), ByUser: q.Get("user"), Command: q.Get("command"), Decision: q.Get("decision"),
		Since: q.Get("since"), Decisions: decisions}
	f, bad := auditFilter(v.p, q, s.d.Now())
	if bad != "" {
		d.Error = bad
		s.render(w, http.StatusBadRequest, "audit.html", d)
		return
	}
	f.Limit = 50
	entries, err := s.d.DB.ListAudit(ctx, f)
	if err != nil {
		s.fail(w, r, v, http.StatusServiceUnavailable, i18n.N("Cannot read the audit trail now; try again."))
		return
	}
	rep, verr := s.d.DB.VerifyAudit(ctx)
	d.Verified, d.VerifyRows, d.Head = verr == nil && rep.BrokenAt == 0, rep.Rows, rep.Head
	d.Intact = v.p.Sprintf("The hash chain verifies: %s intact.", v.p.Plural(int(rep.Rows), "row", "rows"))
	switch {
	case verr != nil:
		d.Broken = v.p.Sprintf("The chain could not be checked: %s", verr.Error())
	case rep.BrokenAt != 0:
		d.Broken = v.p.Sprintf("The chain breaks at row %d: %s", rep.BrokenAt, rep.Reason)
	}
	for _, e := range entries {
		d.Rows = append(d.Rows, auditRow{Seq: e.Seq, At: e.At.In(s.d.Location).Format("2006-01-02 15:04:05"), Actor: s.who(ctx, e.Actor),
			Command: e.Command, Args: argsText(e.Args), Decision: e.Decision, Res: e.Result,
			Bad: rep.BrokenAt != 0 && e.Seq >= rep.BrokenAt})
	}
	keep := url.Values{}
	for _, k := range []string{"user", "command", "decision", "since"} {
		if q.Get(k) != "" {
			keep.Set(k, q.Get(k))
		}
	}
	d.CSV = "/console/audit.csv?" + keep.Encode()
	if len(entries) == f.Limit {
		next := url.Values{}
		for k, vs := range keep {
			next[k] = vs
		}
		next.Set("before", strconv.FormatInt(entries[len(entries)-1].Seq, 10))
		d.More = "/console/audit?" + next.Encode()
	}
	s.audit(ctx, v.session.UserID, "audit", map[string]string{"user": f.Actor, "command": f.Command, "decision": f.Decision, "since": q.Get("since")},
		db.DecisionOK, "read "+strconv.Itoa(len(entries))+" rows")
	s.render(w, http.StatusOK, "audit.html", d)
}

// auditCSV exports every row matching the search (up to maxAuditExport), UTF-8 with a BOM so Excel reads
// Chinese correctly.
func (s *Server) auditCSV(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !v.caller.Can("audit.read") {
		s.forbid(w, r, v, "audit", "audit.read")
		return
	}
	ctx := r.Context()
	f, bad := auditFilter(v.p, r.URL.Query(), s.d.Now())
	if bad != "" {
		http.Error(w, bad, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="audit-`+s.d.Now().In(s.d.Location).Format("20060102-1504")+`.csv"`)
	w.Write([]byte{0xEF, 0xBB, 0xBF})
	cw := csv.NewWriter(w)
	p := v.p
	cw.Write([]string{p.T("Row"), p.T("Time"), p.T("Member"), p.T("Command"), p.T("Arguments"), p.T("Decision"), p.T("Result"), p.T("Row hash")})
	n := 0
	f.Limit = 200
	for n < maxAuditExport {
		entries, err := s.d.DB.ListAudit(ctx, f)
		if err != nil {
			break // the export ends short; the header says how many rows came
		}
		for _, e := range entries {
			cw.Write([]string{strconv.FormatInt(e.Seq, 10), e.At.In(s.d.Location).Format(time.RFC3339), e.Actor, e.Command, csvSafe(argsText(e.Args)),
				e.Decision, csvSafe(e.Result), e.Hash})
			n++
		}
		if len(entries) < f.Limit {
			break
		}
		f.Before = entries[len(entries)-1].Seq
	}
	cw.Flush()
	s.audit(ctx, v.session.UserID, "audit", map[string]string{"user": f.Actor, "command": f.Command, "decision": f.Decision, "export": "csv"},
		db.DecisionOK, "exported "+strconv.Itoa(n)+" rows")
}

// csvSafe keeps a spreadsheet from reading a cell as a formula (CSV injection): member-typed text may start
// with = + - or @.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
