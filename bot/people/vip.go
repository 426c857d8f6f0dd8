package people

import (
	"context"
	"strings"

	"github.com/wecombot/wecombot/bot"
	"github.com/wecombot/wecombot/bot/commands"

	"github.com/wecombot/wecombot/bot/access"
	"github.com/wecombot/wecombot/bot/i18n"

	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/wecom"
)

// Advanced-feature accounts (高级功能账号, security/vip/*, DOC/99503, 99505, 99506). Allocation and revocation
// are asynchronous jobs: submit, then read the result until every submitted member has one.

func vipCommands(d Deps) []*commands.Command {
	return []*commands.Command{
		{
			Path:     "vip list",
			Aliases:  []string{"高级账号 列表"},
			Flags:    []commands.Flag{{Name: "page", Kind: commands.Int, Default: "1", Min: 1, Max: 10000, Help: "which page, 20 members a page"}},
			Summary:  "List the members holding an advanced-feature account (高级功能账号)",
			Examples: []string{"/vip list", "/vip list --page 2", "/vip list --csv"},
			Perm:     "vip.read",
			APIs:     []string{"POST security/vip/list", "GET user/get"},
			Run:      d.vipList,
			CSV:      d.vipCSV,
		},
		vipChange(d, true),
		vipChange(d, false),
	}
}

// vipChange is /vip add (add) or /vip remove: the twins differ only in words and in the job they submit.
func vipChange(d Deps, add bool) *commands.Command {
	c := &commands.Command{
		Path:     "vip remove",
		Aliases:  []string{"高级账号 移除"},
		Summary:  "Take the advanced-feature account back from members",
		Help:     "Submits a revocation job to WeCom and waits up to about 10 seconds for its result. The seats return to the corp's licence pool.",
		Examples: []string{"/vip remove wangwu", "/vip remove wangwu sunqi"},
		APIs: []string{"POST security/vip/list", "POST security/vip/submit_batch_del_job",
			"POST security/vip/batch_del_job_result"},
	}
	prompt := i18n.N("Take the advanced-feature account back from whom? (userids, separated by spaces)")
	if add {
		c.Path, c.Summary, c.Aliases = "vip add", i18n.N("Give members an advanced-feature account"), []string{"高级账号 添加"}
		c.Help = i18n.N("Submits an allocation job to WeCom and waits up to about 10 seconds for its result. Each new account takes a seat of the corp's licence pool.")
		c.Examples = []string{"/vip add wangwu", "/vip add wangwu sunqi"}
		c.APIs = []string{"POST security/vip/list", "POST security/vip/submit_batch_add_job",
			"POST security/vip/batch_add_job_result"}
		prompt = i18n.N("Give an advanced-feature account to whom? (userids, separated by spaces)")
	}
	c.Args = []commands.Arg{{Name: "userid", Many: true, Match: commands.UserIDRE,
		Help: "members, by userid, separated by spaces (at most 100)", Prompt: prompt}}
	c.Perm = "vip.write"
	return commands.Steps[vipPlan]{
		Plan: func(ctx context.Context, inv *commands.Invocation) (vipPlan, error) {
			return d.vipPlan(ctx, add, inv.List("userid"))
		},
		Preview:   d.vipPreview,
		Run:       d.vipRun,
		Reconcile: d.vipReconcile,
	}.Mutating(c)
}

// vipPlan is what /vip add or remove is to do, from WeCom's list as it is now: only the members whose
// account would change are submitted, so the preview says what the job will do.
type vipPlan struct {
	add       bool
	users     []string // as asked, de-duplicated by the parser
	holders   []string // security/vip/list, read by the plan
	change    []string // the members the job is for
	unchanged []string // already as asked: an account to add is held, one to remove is not
}

func (d Deps) vipPlan(ctx context.Context, add bool, users []string) (vipPlan, error) {
	holders, err := vipHolders(ctx, d.Client)
	if err != nil {
		return vipPlan{}, err
	}
	p := vipPlan{add: add, users: users, holders: holders}
	for _, u := range users {
		if access.HasUser(holders, u) == add {
			p.unchanged = append(p.unchanged, u)
		} else {
			p.change = append(p.change, u)
		}
	}
	return p, nil
}

// unchangedWord says why a member is left out of the job.
func (p vipPlan) unchangedWord(pr *i18n.Printer) string {
	if p.add {
		return pr.T("already has one: unchanged")
	}
	return pr.T("holds none: unchanged")
}

// codeList lists userids as code spans: "`lisi`, `wangwu`".
func codeList(p *i18n.Printer, users []string) bot.Markdown {
	var cs []string
	for _, u := range users {
		cs = append(cs, replies.Code(u))
	}
	return bot.Markdown(strings.Join(cs, listSep(p)))
}

// listSep separates the items of a list written in a sentence.
func listSep(p *i18n.Printer) string {
	if p.Zh() {
		return "、"
	}
	return ", "
}

// pageFooter is replies.Page's footer in p's language: what page n of total shows, and how to see more.
func pageFooter(p *i18n.Printer, total, n int, more string) string {
	start := (n - 1) * replies.PerPage
	switch {
	case total == 0 || n == 1 && total <= replies.PerPage:
		return ""
	case start >= total:
		return p.Sprintf("page %d is past the end: %d in all (%d pages)", n, total, (total+replies.PerPage-1)/replies.PerPage)
	}
	end := min(start+replies.PerPage, total)
	if end < total {
		return p.Sprintf("showing %d–%d of %d — %s --page %d", start+1, end, total, more, n+1)
	}
	return p.Sprintf("showing %d–%d of %d", start+1, end, total)
}

func (p vipPlan) command() string {
	if p.add {
		return "/vip add"
	}
	return "/vip remove"
}

// vipHolders lists the members holding an advanced-feature account (wecom.VIPService.Holders).
func vipHolders(ctx context.Context, c *wecom.Client) ([]string, error) { return c.VIP.Holders(ctx) }

func (d Deps) vipList(ctx context.Context, inv *commands.Invocation) (*replies.Reply, error) {
	pr := inv.P
	holders, err := vipHolders(ctx, d.Client)
	if err != nil {
		return nil, err
	}
	if len(holders) == 0 {
		return replies.Say(pr, "No member holds an advanced-feature account (高级功能账号)."), nil
	}
	n := max(inv.FlagInt("page"), 1)
	page, _ := replies.Page(holders, n, "/vip list")
	b := replies.NewBuilder(pr)
	b.Heading("Advanced-feature accounts (高级功能账号)")
	b.Para("%s hold one.", pr.Plural(len(holders), "member", "members"))
	for _, u := range page {
		// Names only make the list easier to read: a member user/get cannot read is still listed.
		if m, err := d.Client.User.Get(ctx, u); err == nil && m.Name != "" {
			b.Item("%s %s", replies.Code(u), replies.Escape(m.Name))
		} else {
			b.Item("%s", replies.Code(u))
		}
	}
	b.Para("%s", pageFooter(pr, len(holders), n, "/vip list"))
	return b.Reply(), nil
}

func (d Deps) vipPreview(ctx context.Context, inv *commands.Invocation, p vipPlan) (string, error) {
	pr := inv.P
	holders := p.holders
	if len(p.change) == 0 {
		// Nothing would change: say so now rather than ask for a yes that does nothing.
		accounts := pr.Plural(len(holders), "account", "accounts")
		if p.add {
			return "", bot.Errorf(bot.ECONFLICT, "Nothing to do: %s — already has one: unchanged. WeCom lists %s in use now.",
				codeList(pr, p.unchanged), accounts)
		}
		return "", bot.Errorf(bot.ECONFLICT, "Nothing to do: %s — holds none: unchanged. WeCom lists %s in use now.",
			codeList(pr, p.unchanged), accounts)
	}
	b := replies.NewBuilder(pr)
	if p.add {
		b.Para("You are about to give an advanced-feature account (高级功能账号) to %s:", pr.Plural(len(p.users), "member", "members"))
	} else {
		b.Para("You are about to take the advanced-feature account (高级功能账号) back from %s:", pr.Plural(len(p.users), "member", "members"))
	}
	for _, u := range p.users {
		held := access.HasUser(holders, u)
		var what string
		switch {
		case p.add && held:
			what = pr.T("already has one")
		case p.add:
			what = pr.T("has none; will get one (takes a seat of the licence pool)")
		case held:
			what = pr.T("has one; it will be taken back")
		default:
			what = pr.T("holds none; nothing to take back")
		}
		b.Item("%s — %s", replies.Code(u), what)
	}
	b.Para("WeCom lists %s in use now.", pr.Plural(len(holders), "account", "accounts"))
	return b.String(), nil
}

func (d Deps) vipRun(ctx context.Context, inv *commands.Invocation, p vipPlan) (*replies.Reply, error) {
	pr := inv.P
	if len(p.change) == 0 { // changed since the preview: WeCom already shows what was asked
		if p.add {
			return replies.Say(pr, "Nothing to do now: %s — already has one: unchanged.", codeList(pr, p.unchanged)), nil
		}
		return replies.Say(pr, "Nothing to do now: %s — holds none: unchanged.", codeList(pr, p.unchanged)), nil
	}
	r, err := d.Client.VIP.Run(ctx, p.add, p.change)
	if err != nil {
		return nil, err
	}
	b := replies.NewBuilder(pr)
	if p.add {
		b.Heading("Advanced-feature accounts: add")
	} else {
		b.Heading("Advanced-feature accounts: remove")
	}
	counts := map[wecom.VIPOutcome]int{}
	var failures []string
	for _, u := range p.change {
		o := r.Outcome(u)
		counts[o]++
		b.Item("%s — %s", replies.Code(u), describeOutcome(pr, o, p.add))
		if o == wecom.VIPFailed || o == wecom.VIPInvalid {
			failures = append(failures, u+": "+outcomeWord(o, p.add)) // for the audit trail, in English
		}
	}
	var parts []string
	for _, o := range []wecom.VIPOutcome{wecom.VIPDone, wecom.VIPFailed, wecom.VIPInvalid, wecom.VIPWaiting} {
		if counts[o] > 0 {
			parts = append(parts, outcomeCount(pr, o, p.add, counts[o]))
		}
	}
	for _, u := range p.unchanged {
		b.Item("%s — %s", replies.Code(u), replies.Font(replies.Comment, p.unchangedWord(pr)))
	}
	if len(p.unchanged) > 0 {
		parts = append(parts, pr.Sprintf("%d unchanged", len(p.unchanged)))
	}
	sep := ", "
	if pr.Zh() {
		sep = "，"
	}
	b.Para("%s: %s. Job %s.", pr.Plural(len(p.users), "member", "members"), strings.Join(parts, sep), replies.Code(r.JobID))
	switch {
	case r.ResultErr != nil:
		b.Para("The job was submitted, but its result could not be read: %s Check with /vip list.", replies.Describe(ctx, r.ResultErr))
	case counts[wecom.VIPWaiting] > 0:
		b.Para("The job was still running after about 10 seconds. Check with /vip list in a minute.")
	}
	if len(failures) > 0 {
		return b.Reply(), &commands.Partial{Failures: failures}
	}
	return b.Reply(), nil
}

func (d Deps) vipReconcile(ctx context.Context, inv *commands.Invocation, p vipPlan) (*replies.Reply, error) {
	pr := inv.P
	holders := p.holders // read by the plan, after the restart
	b := replies.NewBuilder(pr)
	missing := 0
	for _, u := range p.users {
		held := access.HasUser(holders, u)
		if held {
			b.Item("%s — %s", replies.Code(u), replies.Font(replies.Info, pr.T("has an account")))
		} else {
			b.Item("%s — %s", replies.Code(u), replies.Font(replies.Comment, pr.T("has no account")))
		}
		if held != p.add {
			missing++
		}
	}
	if missing > 0 {
		b.Para("%s for the %s not done yet.", p.command(), pr.Plural(missing, "member", "members"))
	} else {
		b.Para("Every member is as requested.")
	}
	return b.Reply(), nil
}

// outcomeWord names an outcome, in English (the audit trail); i18n marks it for describeOutcome.
func outcomeWord(o wecom.VIPOutcome, add bool) string {
	switch o {
	case wecom.VIPDone:
		if add {
			return i18n.N("allocated")
		}
		return i18n.N("removed")
	case wecom.VIPFailed:
		return i18n.N("failed")
	case wecom.VIPInvalid:
		return i18n.N("invalid userid")
	}
	return i18n.N("still running")
}

// outcomeCount is how many members a job's outcome came to, for the summary line.
func outcomeCount(p *i18n.Printer, o wecom.VIPOutcome, add bool, n int) string {
	switch o {
	case wecom.VIPDone:
		if add {
			return p.Sprintf("%d allocated", n)
		}
		return p.Sprintf("%d removed", n)
	case wecom.VIPFailed:
		return p.Sprintf("%d failed", n)
	case wecom.VIPInvalid:
		return p.Sprintf("%d invalid userid", n)
	}
	return p.Sprintf("%d still running", n)
}

func describeOutcome(p *i18n.Printer, o wecom.VIPOutcome, add bool) string {
	w := p.T(outcomeWord(o, add))
	switch o {
	case wecom.VIPDone:
		return replies.Font(replies.Info, w)
	case wecom.VIPFailed:
		if add {
			return p.Sprintf("%s: WeCom could not allocate an account (no seat left in the licence pool?)", replies.Font(replies.Warning, w))
		}
		return p.Sprintf("%s: WeCom did not take an account back (the member may hold none)", replies.Font(replies.Warning, w))
	case wecom.VIPInvalid:
		return p.Sprintf("%s: not a member, or outside this app's visibility", replies.Font(replies.Warning, w))
	}
	return replies.Font(replies.Comment, w)
}
