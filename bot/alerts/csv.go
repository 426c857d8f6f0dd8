package alerts

// /alerts --csv: every alert the flags select, not a page (the engine writes and sends the file).

import (
	"context"
	"strconv"

	"github.com/wecombot/wecombot/bot"
	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"
)

// Column names (message ids).
var (
	colID       = i18n.N("Alert no.")
	colCreated  = i18n.N("Created")
	colRecordAt = i18n.N("Happened")
	colSeverity = i18n.N("Severity")
	colRule     = i18n.N("Rule")
	colTeam     = i18n.N("Team")
	colMember   = i18n.N("Member")
	colState    = i18n.N("State")
	colSummary  = i18n.N("Summary")
	colSource   = i18n.N("Source")
)

func (s *Service) alertsCSV(ctx context.Context, inv *commands.Invocation, limit int) (*commands.Table, error) {
	p := inv.P
	list, total, err := s.d.DB.ListAlerts(ctx, db.AlertFilter{Since: inv.Now.Add(-inv.FlagDuration("since")), Rule: inv.Flag("rule"), Limit: limit})
	if err != nil {
		return nil, bot.Wrap(bot.EUNAVAILABLE, err, "cannot read the alerts from the database; try again")
	}
	t := &commands.Table{Name: "alerts", More: total > limit,
		Header: commands.Header(p, colID, colCreated, colRecordAt, colSeverity, colRule, colTeam, colMember, colState, colSummary, colSource)}
	const layout = commands.CSVTime
	for _, a := range list {
		happened := ""
		if !a.RecordAt.IsZero() {
			happened = a.RecordAt.In(s.loc()).Format(layout)
		}
		t.Rows = append(t.Rows, []string{strconv.FormatInt(a.ID, 10), a.CreatedAt.In(s.loc()).Format(layout), happened,
			replies.Text(sevLabel(p, a.Severity)), a.Rule, a.Team, a.UserID, replies.Text(stateLabel(p, a)), SummaryIn(p, a), a.Source})
	}
	return t, nil
}
