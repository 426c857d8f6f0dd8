package people

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/wecombot/wecombot/bot/commands"

	"github.com/wecombot/wecombot/bot/access"
	"github.com/wecombot/wecombot/bot/i18n"

	"github.com/wecombot/wecombot/bot"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// Members' applications for advanced-feature accounts (高级功能 - 成员申请管理, advanced_feature/*, DOC/99880,
// 99883, 99885). The bot runs the approval itself and reports each decision to WeCom with set_approval_detail;
// an approval also allocates the account (security/vip/*).

// orderApplyID is an apply_id as the bot accepts one: WeCom documents no format.
var orderApplyID = regexp.MustCompile(`^[A-Za-z0-9_.@-]{1,128}$`)

// maxApplications bounds one walk of get_apply_id_list.
const maxApplications = 100_000

// maxDecisionText bounds a remark or reason; it is kept in the audit trail, not sent to WeCom.
const maxDecisionText = 500

var orderBusinessTypes = map[string]wecom.BusinessType{"mail": wecom.BusinessMail, "docs": wecom.BusinessDocs,
	"drive": wecom.BusinessDrive, "meetings": wecom.BusinessMeetings}

// orderStatuses are the application statuses each --status value selects.
var orderStatuses = map[string][]wecom.ApplicationStatus{
	"pending":  {wecom.ApplicationPending},
	"approved": {wecom.ApplicationApproved, wecom.ApplicationAllocatedByAdmin},
	"rejected": {wecom.ApplicationRejected, wecom.ApplicationRejectedByAdmin},
}

// orderStatusText names an application's status. WeCom's get_approval_info documents 0-5; a withdrawn
// application (set_approval_detail's 101) may read back as 101.
func orderStatusText(p *i18n.Printer, s wecom.ApplicationStatus) string {
	if s == wecom.ApplicationStatus(wecom.ApprovalWithdrawn) {
		return enumText(p, "withdrawn (已撤销)")
	}
	return enumText(p, s.String())
}

// orderDecidable refuses a decision on an application that is not awaiting one, or by its own applicant.
func orderDecidable(p *i18n.Printer, app *wecom.Application, approver string) error {
	switch app.ApprovalStatus {
	case wecom.ApplicationPending:
	case wecom.ApplicationHistory:
		return bot.Errorf(bot.ECONFLICT, "application %s is not awaiting a decision in this bot's flow: WeCom reports it as a %s handled by the %s. Nothing to decide here.", bot.Markdown(replies.Code(app.ApplyID)),
			orderStatusText(p, app.ApprovalStatus), enumText(p, app.ApprovalType.String()))
	default:
		return bot.Errorf(bot.ECONFLICT, "application %s is already %s: nothing to decide.", bot.Markdown(replies.Code(app.ApplyID)),
			orderStatusText(p, app.ApprovalStatus))
	}
	if access.SameUser(approver, app.Applicant) {
		return bot.Errorf(bot.EFORBIDDEN, "you cannot decide your own application (%s): another approver must.",
			bot.Markdown(replies.Code(app.ApplyID)))
	}
	return nil
}

// orderDecide runs /order approve or /order reject through the approval flow's Decider, the one path that
// decides applications (so that a command and a card click never both decide).
func (d Deps) orderDecide(ctx context.Context, inv *commands.Invocation, p orderPlan) (*replies.Reply, error) {
	md, err := d.Decider.Decide(ctx, p.id, inv.Caller.UserID, p.approve, p.note) // it words WeCom's refusals
	if err != nil {
		return nil, err
	}
	return &replies.Reply{Markdown: md}, nil
}

// orderReadError words get_approval_info's 40058: 不合法的参数 (an invalid parameter), all WeCom documents.
func orderReadError(err error, applyID string) error {
	if wecom.IsCode(err, wecom.CodeInvalidParameter) {
		return bot.Wrap(bot.ENOTFOUND, err, "WeCom did not accept application id %s (errcode 40058 on advanced_feature/get_approval_info, 不合法的参数: an invalid parameter). Check the id: /order list shows the applications the bot has received.", bot.Markdown(replies.Code(applyID)))
	}
	return err
}

func checkDecisionText(s string) error {
	if utf8.RuneCountInString(s) > maxDecisionText {
		return fmt.Errorf("at most %d characters", maxDecisionText)
	}
	return nil
}

func (k *desk) orderCommands() []*commands.Command {
	d := k.Deps
	id := commands.Arg{Name: "id", Match: orderApplyID, Help: "the application's apply_id, from /order list",
		Prompt: "Which application? (its id, from /order list)"}
	decideAPIs := []string{"POST advanced_feature/get_approval_info", "POST advanced_feature/set_approval_detail"}
	return []*commands.Command{
		{
			Path:    "order list",
			Aliases: []string{"审批 列表"},
			Flags: []commands.Flag{
				{Name: "status", Values: []string{"pending", "approved", "rejected", "all"}, Default: "pending",
					Help: "which applications: pending (awaiting an approver), approved, rejected or all"},
				{Name: "type", Values: []string{"mail", "docs", "drive", "meetings"}, Help: "only applications for this product"},
				{Name: "user", Help: "ask WeCom for this member's applications (userid), older ones included"},
				{Name: "page", Kind: commands.Int, Default: "1", Min: 1, Max: 10000, Help: "which page, 20 applications a page, newest first"},
			},
			Summary:  "List members' applications for advanced-feature accounts",
			Help:     "Without --user, lists the applications the bot has received from WeCom (it keeps a record of each). WeCom can only be asked about one member at a time: --user USERID lists that member's applications as WeCom has them, for every product or the one --type names.",
			Examples: []string{"/order list", "/order list --status all --type mail", "/order list --user lisi --status all", "/order list --status all --csv"},
			Perm:     "order.read",
			APIs:     []string{"POST advanced_feature/get_apply_id_list", "POST advanced_feature/get_approval_info"},
			Run:      k.orderList,
			CSV:      k.orderCSV,
		},
		{
			Path:     "order show",
			Aliases:  []string{"审批 查看"},
			Args:     []commands.Arg{id},
			Summary:  "Show one application for an advanced-feature account",
			Examples: []string{"/order show ap17000000000017"},
			Perm:     "order.read",
			APIs:     []string{"POST advanced_feature/get_approval_info"},
			Run:      k.orderShow,
		},
		orderDecision(d, id, decideAPIs, true),
		orderDecision(d, id, decideAPIs, false),
	}
}

// orderDecision is /order approve (approve) or /order reject: one decision path, two sets of words.
func orderDecision(d Deps, id commands.Arg, apis []string, approve bool) *commands.Command {
	c := &commands.Command{
		Path:    "order reject",
		Aliases: []string{"审批 驳回"},
		Args: []commands.Arg{id, {Name: "reason", Rest: true, Check: checkDecisionText, Help: "why, for the audit trail",
			Prompt: "Why is it rejected? (kept in the audit trail)"}},
		Summary:  "Reject an application for an advanced-feature account",
		Help:     "Reports the rejection to WeCom. A reason is required.",
		Examples: []string{"/order reject ap17000000000017 no budget this quarter"},
		APIs:     apis,
	}
	if approve {
		c.Path, c.Aliases = "order approve", []string{"审批 通过"}
		c.Args = []commands.Arg{id, {Name: "remark", Optional: true, Rest: true, Check: checkDecisionText,
			Help: "a note for the audit trail"}}
		c.Summary = i18n.N("Approve an application and allocate the advanced-feature account")
		c.Help = i18n.N("Reports the approval to WeCom, then allocates the applicant's account. Only applications awaiting an approver can be decided, and not by their applicant.")
		c.Examples = []string{"/order approve ap17000000000017", "/order approve ap17000000000017 renewal confirmed"}
		c.APIs = append(slices.Clone(apis), "POST security/vip/submit_batch_add_job", "POST security/vip/batch_add_job_result", "POST security/vip/list")
	}
	c.Perm = "order.approve"
	return commands.Steps[orderPlan]{
		Plan: func(ctx context.Context, inv *commands.Invocation) (orderPlan, error) {
			p := orderPlan{approve: approve, id: inv.Arg("id"), note: inv.Arg("reason")}
			if approve {
				p.note = inv.Arg("remark")
			}
			return p, nil
		},
		Preview:   d.orderPreview,
		Run:       d.orderDecide,
		Reconcile: d.orderReconcile,
	}.Mutating(c)
}

// orderPlan is the decision /order approve or reject is to make.
type orderPlan struct {
	approve bool
	id      string
	note    string // the remark (approve) or reason (reject), kept in the audit trail
}

func (p orderPlan) command() string {
	if p.approve {
		return "/order approve"
	}
	return "/order reject"
}

// orderRecordStates are the bot's own application states each --status value selects.
var orderRecordStates = map[string][]string{
	"pending":  {db.AppPending, db.AppTaken, db.AppDeciding},
	"approved": {db.AppApproved},
	"rejected": {db.AppRejected},
}

// orderStateText says what became of an application, as the bot recorded it.
func orderStateText(p *i18n.Printer, a *db.Application) string {
	switch a.State {
	case db.AppPending:
		return p.T("received, not yet taken over")
	case db.AppTaken:
		return p.T("awaiting an approver")
	case db.AppDeciding:
		return p.T("being decided")
	case db.AppApproved:
		return p.Sprintf("approved by %s", replies.Code(a.DecidedBy))
	case db.AppRejected:
		return p.Sprintf("rejected by %s", replies.Code(a.DecidedBy))
	case db.AppClosed:
		return p.T("finished in WeCom")
	case db.AppLapsed:
		return p.T("lapsed: not taken over within WeCom's 24 h")
	}
	return replies.Escape(a.State)
}

// orderList lists applications. WeCom has no query for all of a corp's applications: get_apply_id_list needs
// a business_type and a userid (DOC/99883). So the bot's own record of the applications it received
// (submit_vip_account_approval callbacks) is the list, and --user asks WeCom about one member.
func (k *desk) orderShow(ctx context.Context, inv *commands.Invocation) (*replies.Reply, error) {
	app, err := k.Client.AdvancedFeature.GetApprovalInfo(ctx, inv.Arg("id"))
	if err != nil {
		return nil, orderReadError(err, inv.Arg("id"))
	}
	return &replies.Reply{Markdown: orderShow(inv.P, app, k.loc(), k.takenOver(ctx, app.ApplyID))}, nil
}

// takenOver reports whether the bot's approval flow holds the application, awaiting a decision: only those
// can be decided from chat (set_approval_detail reports a decision in the bot's flow).
func (d Deps) takenOver(ctx context.Context, applyID string) bool {
	rec, err := d.DB.GetApplication(ctx, applyID)
	return err == nil && rec != nil && rec.State == db.AppTaken
}

func (k *desk) orderList(ctx context.Context, inv *commands.Invocation) (*replies.Reply, error) {
	d := k.Deps
	if u := inv.Flag("user"); u != "" {
		if !commands.UserIDRE.MatchString(u) {
			return nil, bot.Errorf(bot.EINVALID, "--user %s is not a userid: 1–64 letters, digits and _-@.",
				bot.Markdown(replies.Code(u)))
		}
		return orderListFromWeCom(ctx, d, inv, u)
	}
	if d.DB == nil {
		return nil, bot.Errorf(bot.EINVALID, "this bot keeps no record of applications; ask WeCom about one member with %s.", bot.Markdown(replies.Code("/order list --user USERID")))
	}
	p := inv.P
	f := db.AppFilter{States: orderRecordStates[inv.Flag("status")]}
	typ := ""
	if t := inv.Flag("type"); t != "" {
		f.BusinessType = int(orderBusinessTypes[t])
		typ = replies.Escape(enumText(p, orderBusinessTypes[t].String()))
	}
	page := inv.FlagInt("page")
	apps, total, err := d.DB.ListApplications(ctx, f, replies.PerPage, (page-1)*replies.PerPage)
	if err != nil {
		return nil, err
	}
	label := orderLabel(p, inv.Flag("status"), "", typ)
	b := replies.NewBuilder(p)
	b.Heading("%s", capitalize(label))
	source := p.Sprintf("From the bot's record of the applications WeCom sent it; for one member's applications in WeCom, including older ones, use %s.", replies.Code("/order list --user USERID"))
	switch {
	case total == 0:
		b.Para("None.").Para("%s", source)
		return b.Reply(), nil
	case len(apps) == 0:
		return replies.Say(p, "Page %d is past the end: %d %s in all (%d pages).", page, total, bot.Markdown(label),
			(total+replies.PerPage-1)/replies.PerPage), nil
	}
	awaiting := false
	for _, a := range apps {
		line := fmt.Sprintf("%s · %s · %s · %s · %s", replies.Code(a.ApplyID), replies.Code(a.Applicant),
			replies.Escape(enumText(p, wecom.BusinessType(a.BusinessType).String())), orderStateText(p, a), replies.When(a.SubmittedAt.Unix(), d.loc()))
		if a.Reason != "" {
			line += " · " + replies.Escape(oneLine(a.Reason, 30))
		}
		b.Item("%s", line)
		awaiting = awaiting || a.State == db.AppTaken
	}
	start := (page-1)*replies.PerPage + 1
	footer := p.Sprintf("%d–%d of %d, newest first", start, start+len(apps)-1, total)
	if start+len(apps)-1 < total {
		footer = p.Sprintf("%d–%d of %d, newest first — older: %s", start, start+len(apps)-1, total, orderNextPage(inv, page))
	}
	b.Para("%s", footer+stop(p)).Para("%s", source)
	if awaiting {
		b.Para("Decide with /order approve ID or /order reject ID REASON.")
	}
	return b.Reply(), nil
}

// stop ends a sentence built of pieces.
func stop(p *i18n.Printer) string {
	if p.Zh() {
		return "。"
	}
	return "."
}

// capitalize writes a label as a heading: its first letter upper-case.
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// orderLabel names the applications a list shows, lower-case: by status ("all" is none), by the member they
// are from (markup, "" for any) and by product (markup, "" for any).
func orderLabel(p *i18n.Printer, status, user, typ string) string {
	switch {
	case user == "" && typ == "":
		switch status {
		case "pending":
			return p.T("pending applications")
		case "approved":
			return p.T("approved applications")
		case "rejected":
			return p.T("rejected applications")
		}
		return p.T("applications")
	case user == "":
		switch status {
		case "pending":
			return p.Sprintf("pending applications for %s", typ)
		case "approved":
			return p.Sprintf("approved applications for %s", typ)
		case "rejected":
			return p.Sprintf("rejected applications for %s", typ)
		}
		return p.Sprintf("applications for %s", typ)
	case typ == "":
		switch status {
		case "pending":
			return p.Sprintf("pending applications by %s", user)
		case "approved":
			return p.Sprintf("approved applications by %s", user)
		case "rejected":
			return p.Sprintf("rejected applications by %s", user)
		}
		return p.Sprintf("applications by %s", user)
	}
	switch status {
	case "pending":
		return p.Sprintf("pending applications by %s for %s", user, typ)
	case "approved":
		return p.Sprintf("approved applications by %s for %s", user, typ)
	case "rejected":
		return p.Sprintf("rejected applications by %s for %s", user, typ)
	}
	return p.Sprintf("applications by %s for %s", user, typ)
}

// orderNextPage is the command line for the page after this one.
func orderNextPage(inv *commands.Invocation, page int) string {
	flags := map[string]string{}
	for k, v := range inv.Flags {
		if k != "page" {
			flags[k] = v
		}
	}
	return replies.Code(fmt.Sprintf("%s --page %d", commands.Format(inv.Command, inv.Args, flags), page+1))
}

// maxMemberApplications bounds the applications of one member the bot reads details of (one
// get_approval_info call each).
const maxMemberApplications = 100

// orderListFromWeCom lists one member's applications as WeCom has them: get_apply_id_list for each product
// (business_type is required), then get_approval_info for each, newest first.
// memberApplications asks WeCom for one member's applications (every product, or --type's), reads each, and
// keeps those --status selects, newest first: shown of all apps; found is how many WeCom listed, ids how
// many were read (the newest maxMemberApplications).
func memberApplications(ctx context.Context, d Deps, inv *commands.Invocation, user string) (shown, apps []*wecom.Application, found, read int, err error) {
	types := []wecom.BusinessType{wecom.BusinessMail, wecom.BusinessDocs, wecom.BusinessDrive, wecom.BusinessMeetings}
	if t := inv.Flag("type"); t != "" {
		types = []wecom.BusinessType{orderBusinessTypes[t]}
	}
	var ids []string
	for _, bt := range types {
		opts := wecom.ListApplyIDsOptions{BusinessType: bt, UserID: user, Limit: wecom.MaxApplyIDPageLimit}
		got, err := wecom.Collect(d.Client.AdvancedFeature.AllApplyIDs(ctx, opts), maxApplications)
		if err != nil {
			return nil, nil, 0, 0, err
		}
		// WeCom lists a member's applications oldest first: keep the newest.
		if len(got) > maxMemberApplications {
			got = got[len(got)-maxMemberApplications:]
		}
		ids = append(ids, got...)
	}
	found = len(ids)
	if len(ids) > maxMemberApplications {
		ids = ids[len(ids)-maxMemberApplications:]
	}
	for _, id := range ids {
		app, err := d.Client.AdvancedFeature.GetApprovalInfo(ctx, id)
		if err != nil {
			return nil, nil, 0, 0, orderReadError(err, id)
		}
		apps = append(apps, app)
	}
	sort.SliceStable(apps, func(i, j int) bool { return apps[i].CreateTime > apps[j].CreateTime })
	status := inv.Flag("status")
	for _, a := range apps {
		if status == "all" || slices.Contains(orderStatuses[status], a.ApprovalStatus) {
			shown = append(shown, a)
		}
	}
	return shown, apps, found, len(ids), nil
}

func orderListFromWeCom(ctx context.Context, d Deps, inv *commands.Invocation, user string) (*replies.Reply, error) {
	p := inv.P
	typ := ""
	if t := inv.Flag("type"); t != "" {
		typ = replies.Escape(enumText(p, orderBusinessTypes[t].String()))
	}
	shown, apps, found, read, err := memberApplications(ctx, d, inv, user)
	if err != nil {
		return nil, err
	}
	status := inv.Flag("status")
	label := orderLabel(p, status, replies.Code(user), typ)
	b := replies.NewBuilder(p)
	b.Heading("%s", capitalize(label))
	source := p.Sprintf("From WeCom (advanced_feature/get_apply_id_list for %s).", replies.Code(user))
	page := inv.FlagInt("page")
	start := (page - 1) * replies.PerPage
	switch {
	case len(shown) == 0:
		b.Para("None among %d.", len(apps)).Para("%s", source)
		return b.Reply(), nil
	case start >= len(shown):
		return replies.Say(p, "Page %d is past the end: %d %s (%d pages).", page, len(shown), bot.Markdown(label),
			(len(shown)+replies.PerPage-1)/replies.PerPage), nil
	}
	end := min(start+replies.PerPage, len(shown))
	pending := false
	for _, a := range shown[start:end] {
		line := fmt.Sprintf("%s · %s · %s · %s", replies.Code(a.ApplyID),
			replies.Escape(enumText(p, a.BusinessType.String())), replies.Escape(orderStatusText(p, a.ApprovalStatus)), replies.When(a.CreateTime, d.loc()))
		if a.RequestReason != "" {
			line += " · " + replies.Escape(oneLine(a.RequestReason, 30))
		}
		b.Item("%s", line)
		// Deciding is offered only for applications in the bot's own flow: /order approve refuses the rest.
		pending = pending || (a.ApprovalStatus == wecom.ApplicationPending && d.takenOver(ctx, a.ApplyID))
	}
	footer := p.Sprintf("%d–%d of %d, newest first", start+1, end, len(shown))
	if end < len(shown) {
		footer = p.Sprintf("%d–%d of %d, newest first — older: %s", start+1, end, len(shown), orderNextPage(inv, page))
	}
	if found > read {
		footer = p.Sprintf("%s; WeCom has %d, the newest %d are read", footer, found, read)
	}
	b.Para("%s", footer+stop(p)).Para("%s", source)
	if pending {
		b.Para("Decide with /order approve ID or /order reject ID REASON.")
	}
	return b.Reply(), nil
}

// orderShow describes an application in words.
func orderShow(p *i18n.Printer, a *wecom.Application, loc *time.Location, decidable bool) string {
	b := replies.NewBuilder(p)
	b.Heading("Application %s", replies.Code(a.ApplyID))
	b.Item("applicant: %s", replies.Code(a.Applicant))
	b.Item("for: %s", replies.Escape(enumText(p, a.BusinessType.String())))
	if a.RequestReason != "" {
		b.Item("reason: %s", replies.Escape(a.RequestReason))
	}
	b.Item("status: %s", replies.Escape(orderStatusText(p, a.ApprovalStatus)))
	b.Item("submitted: %s", replies.When(a.CreateTime, loc))
	b.Item("flow: %s", replies.Escape(enumText(p, a.ApprovalType.String())))
	if a.ApprovalID != "" {
		b.Item("approval id: %s", replies.Code(a.ApprovalID))
	}
	if a.ApprovalURL != "" {
		b.Item("approval page: %s", replies.Escape(a.ApprovalURL))
	}
	switch {
	case a.ApprovalStatus == wecom.ApplicationPending && decidable:
		b.Para("Decide with %s or %s.", replies.Code("/order approve "+a.ApplyID),
			replies.Code("/order reject "+a.ApplyID+" REASON"))
	case a.ApprovalStatus == wecom.ApplicationPending:
		b.Para("The bot's approval flow does not hold it (it came before the bot, or is handled in the admin console), so it is decided in WeCom's admin console, not here.")
	}
	return b.String()
}

func (d Deps) orderPreview(ctx context.Context, inv *commands.Invocation, p orderPlan) (string, error) {
	app, err := d.Client.AdvancedFeature.GetApprovalInfo(ctx, p.id)
	if err != nil {
		return "", orderReadError(err, p.id)
	}
	pr := inv.P
	if err := orderDecidable(pr, app, inv.Caller.UserID); err != nil {
		return "", err
	}
	// WeCom says it awaits a decision; the decision path (approvals.Decide) takes only applications the bot's
	// flow holds, so one it does not is refused now, not after a yes.
	rec, err := d.DB.GetApplication(ctx, p.id)
	switch {
	case err != nil:
		return "", err
	case rec == nil:
		return "", bot.Errorf(bot.ENOTFOUND, "Application %s is not one the bot took over (it may predate the bot, or be handled in the admin console), so it cannot be decided here. %s shows what WeCom reports for it.",
			bot.Markdown(replies.Code(p.id)), bot.Markdown(replies.Code("/order show "+p.id)))
	case rec.State == db.AppPending:
		return "", bot.Errorf(bot.EUNAVAILABLE, "Application %s is still being taken over by the bot's flow; try again in a minute.",
			bot.Markdown(replies.Code(p.id)))
	}
	b := replies.NewBuilder(pr)
	if p.approve {
		b.Para("You are about to **approve** application %s:", replies.Code(app.ApplyID))
	} else {
		b.Para("You are about to **reject** application %s:", replies.Code(app.ApplyID))
	}
	b.Item("applicant: %s", replies.Code(app.Applicant)).Item("for: %s", replies.Escape(enumText(pr, app.BusinessType.String())))
	if app.RequestReason != "" {
		b.Item("their reason: %s", replies.Escape(app.RequestReason))
	}
	b.Item("submitted: %s", replies.When(app.CreateTime, d.loc()))
	what := pr.T("This reports the rejection to WeCom.")
	if p.approve {
		what = pr.Sprintf("This reports the approval to WeCom and gives %s an advanced-feature account (it takes a seat of the licence pool).", replies.Code(app.Applicant))
	}
	if p.note != "" {
		sep := " "
		if pr.Zh() {
			sep = ""
		}
		if p.approve {
			what += sep + pr.Sprintf("Your remark, kept in the audit trail: %s", replies.Escape(p.note))
		} else {
			what += sep + pr.Sprintf("Your reason, kept in the audit trail: %s", replies.Escape(p.note))
		}
	}
	b.Para("%s", what)
	return b.String(), nil
}

// orderReconcile reads an application back after an interrupted decision.
func (d Deps) orderReconcile(ctx context.Context, inv *commands.Invocation, p orderPlan) (*replies.Reply, error) {
	pr := inv.P
	app, err := d.Client.AdvancedFeature.GetApprovalInfo(ctx, p.id)
	if err != nil {
		return nil, orderReadError(err, p.id)
	}
	b := replies.NewBuilder(pr)
	b.Para("WeCom reports application %s as: %s.", replies.Code(p.id), replies.Escape(orderStatusText(pr, app.ApprovalStatus)))
	switch {
	case app.ApprovalStatus == wecom.ApplicationPending:
		b.Para("The decision did not reach WeCom: send %s again.", replies.Code(p.command()+" "+p.id))
	case p.approve && (app.ApprovalStatus == wecom.ApplicationApproved || app.ApprovalStatus == wecom.ApplicationAllocatedByAdmin):
		holders, err := vipHolders(ctx, d.Client)
		switch {
		case err != nil:
			b.Para("Whether %s holds an account could not be read: %s", replies.Code(app.Applicant), replies.Describe(ctx, err))
		case access.HasUser(holders, app.Applicant):
			b.Para("%s holds an advanced-feature account.", replies.Code(app.Applicant))
		default:
			b.Para("%s holds no advanced-feature account yet: %s allocates it.", replies.Code(app.Applicant),
				replies.Code("/vip add "+app.Applicant))
		}
	}
	return b.Reply(), nil
}
