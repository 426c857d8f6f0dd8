package people

// --csv for /vip list and /order list: every row, not a page (the engine writes and sends the file).

import (
	"context"
	"time"

	"github.com/wecombot/wecombot/bot"
	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// Column names (message ids).
var (
	colMember    = i18n.N("Member")
	colName      = i18n.N("Name")
	colApplyID   = i18n.N("Application")
	colApplicant = i18n.N("Applicant")
	colBusiness  = i18n.N("Business type")
	colState     = i18n.N("State")
	colSubmitted = i18n.N("Submitted")
	colReason    = i18n.N("Reason")
	colDecidedBy = i18n.N("Decided by")
	colDecidedAt = i18n.N("Decided")
	colNote      = i18n.N("Note")
)

// vipCSV is /vip list --csv: every holder, with the name user/get gives (empty where it cannot read one).
func (d Deps) vipCSV(ctx context.Context, inv *commands.Invocation, limit int) (*commands.Table, error) {
	holders, err := vipHolders(ctx, d.Client)
	if err != nil {
		return nil, err
	}
	t := &commands.Table{Name: "vip", Header: commands.Header(inv.P, colMember, colName), More: len(holders) > limit}
	if t.More {
		return t, nil
	}
	for _, u := range holders {
		name := ""
		if m, err := d.Client.User.Get(ctx, u); err == nil {
			name = m.Name
		}
		t.Rows = append(t.Rows, []string{u, name})
	}
	return t, nil
}

// orderCSV is /order list --csv: every application the bot recorded that the flags select, newest first.
func (k *desk) orderCSV(ctx context.Context, inv *commands.Invocation, limit int) (*commands.Table, error) {
	d, p := k.Deps, inv.P
	if u := inv.Flag("user"); u != "" {
		return memberOrdersCSV(ctx, d, inv, u, limit)
	}
	if d.DB == nil {
		return nil, bot.Errorf(bot.EINVALID, "this bot keeps no record of applications, so there is nothing to export; run the command without --csv.")
	}
	f := db.AppFilter{States: orderRecordStates[inv.Flag("status")]}
	if t := inv.Flag("type"); t != "" {
		f.BusinessType = int(orderBusinessTypes[t])
	}
	apps, total, err := d.DB.ListApplications(ctx, f, limit, 0)
	if err != nil {
		return nil, err
	}
	when := func(t time.Time) string {
		if t.IsZero() || t.Unix() == 0 {
			return ""
		}
		return t.In(d.loc()).Format(commands.CSVTime)
	}
	t := &commands.Table{Name: "orders", More: total > limit,
		Header: commands.Header(p, colApplyID, colApplicant, colBusiness, colState, colSubmitted, colReason, colDecidedBy, colDecidedAt, colNote)}
	for _, a := range apps {
		t.Rows = append(t.Rows, []string{a.ApplyID, a.Applicant, enumText(p, wecom.BusinessType(a.BusinessType).String()),
			orderStateText(p, a), when(a.SubmittedAt), a.Reason, a.DecidedBy, when(a.DecidedAt), a.DecisionNote})
	}
	return t, nil
}

// memberOrdersCSV is /order list --user USERID --csv: that member's applications as WeCom has them, the same
// ones the page shows.
func memberOrdersCSV(ctx context.Context, d Deps, inv *commands.Invocation, user string, limit int) (*commands.Table, error) {
	if !commands.UserIDRE.MatchString(user) {
		return nil, bot.Errorf(bot.EINVALID, "--user %s is not a userid: 1–64 letters, digits and _-@.",
			bot.Markdown(replies.Code(user)))
	}
	shown, _, _, _, err := memberApplications(ctx, d, inv, user)
	if err != nil {
		return nil, err
	}
	p := inv.P
	t := &commands.Table{Name: "orders-" + user, More: len(shown) > limit,
		Header: commands.Header(p, colApplyID, colApplicant, colBusiness, colState, colSubmitted, colReason)}
	for _, a := range shown[:min(len(shown), limit)] {
		t.Rows = append(t.Rows, []string{a.ApplyID, a.Applicant, enumText(p, a.BusinessType.String()),
			orderStatusText(p, a.ApprovalStatus), time.Unix(a.CreateTime, 0).In(d.loc()).Format(commands.CSVTime), a.RequestReason})
	}
	return t, nil
}
