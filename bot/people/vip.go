package people

import (
	"context"
	"fmt"
	"strings"

	"github.com/wecombot/wecombot/bot"
	"github.com/wecombot/wecombot/bot/commands"

	"github.com/wecombot/wecombot/bot/access"

	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/wecom"
)

// Advanced-feature accounts (高级功能账号, security/vip/*, DOC/99503, 99505, 99506). Allocation and revocation
// are asynchronous jobs: submit, then read the result until every submitted member has one.

// maxVIPHolders bounds one walk of security/vip/list: no corp buys more accounts than this.
const maxVIPHolders = 100_000

func vipCommands(d Deps) []*commands.Command {
	return []*commands.Command{
		{
			Path:     "vip list",
			Aliases:  []string{"高级账号 列表"},
			Flags:    []commands.Flag{{Name: "page", Kind: commands.Int, Default: "1", Min: 1, Max: 10000, Help: "which page, 20 members a page"}},
			Summary:  "List the members holding an advanced-feature account (高级功能账号)",
			Examples: []string{"/vip list", "/vip list --page 2"},
			Perm:     "vip.read",
			APIs:     []string{"POST security/vip/list", "GET user/get"},
			Run:      d.vipList,
		},
		vipChange(d, true),
		vipChange(d, false),
	}
}

// vipChange is /vip add (add) or /vip remove: the twins differ only in words and in the job they submit.
func vipChange(d Deps, add bool) *commands.Command {
	c := &commands.Command{
		Path:    "vip remove",
		Aliases: []string{"高级账号 移除"},
		Summary: "Take the advanced-feature account back from members",
		Help: "Submits a revocation job to WeCom and waits up to about 10 seconds for its result. The seats " +
			"return to the corp's licence pool.",
		Examples: []string{"/vip remove wangwu", "/vip remove wangwu sunqi"},
		APIs: []string{"POST security/vip/list", "POST security/vip/submit_batch_del_job",
			"POST security/vip/batch_del_job_result"},
	}
	prompt := "Take the advanced-feature account back from whom? (userids, separated by spaces)"
	if add {
		c.Path, c.Summary, c.Aliases = "vip add", "Give members an advanced-feature account", []string{"高级账号 添加"}
		c.Help = "Submits an allocation job to WeCom and waits up to about 10 seconds for its result. Each new " +
			"account takes a seat of the corp's licence pool."
		c.Examples = []string{"/vip add wangwu", "/vip add wangwu sunqi"}
		c.APIs = []string{"POST security/vip/list", "POST security/vip/submit_batch_add_job",
			"POST security/vip/batch_add_job_result"}
		prompt = "Give an advanced-feature account to whom? (userids, separated by spaces)"
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
func (p vipPlan) unchangedWord() string {
	if p.add {
		return "already has one: unchanged"
	}
	return "holds none: unchanged"
}

func (p vipPlan) command() string {
	if p.add {
		return "/vip add"
	}
	return "/vip remove"
}

// vipHolders walks security/vip/list, 200 members a page (WeCom's maximum).
func vipHolders(ctx context.Context, c *wecom.Client) ([]string, error) {
	seq := wecom.All(ctx, func(ctx context.Context, cursor string) ([]string, string, bool, error) {
		p, err := c.VIP.List(ctx, cursor, wecom.MaxVIPPageLimit)
		if err != nil {
			return nil, "", false, err
		}
		return p.UserIDs, p.NextCursor, p.HasMore, nil
	})
	return wecom.Collect(seq, maxVIPHolders)
}

func (d Deps) vipList(ctx context.Context, inv *commands.Invocation) (*replies.Reply, error) {
	holders, err := vipHolders(ctx, d.Client)
	if err != nil {
		return nil, err
	}
	if len(holders) == 0 {
		return replies.Markdownf("No member holds an advanced-feature account (高级功能账号)."), nil
	}
	page, footer := replies.Page(holders, inv.FlagInt("page"), "/vip list")
	var b strings.Builder
	fmt.Fprintf(&b, "## Advanced-feature accounts (高级功能账号)\n\n%s hold one.\n\n",
		replies.Plural(len(holders), "member", "members"))
	for _, u := range page {
		line := "- " + replies.Code(u)
		// Names only make the list easier to read: a member user/get cannot read is still listed.
		if m, err := d.Client.User.Get(ctx, u); err == nil && m.Name != "" {
			line += " " + replies.Escape(m.Name)
		}
		b.WriteString(line + "\n")
	}
	b.WriteString("\n" + footer)
	return &replies.Reply{Markdown: b.String()}, nil
}

func (d Deps) vipPreview(ctx context.Context, _ *commands.Invocation, p vipPlan) (string, error) {
	holders := p.holders
	if len(p.change) == 0 {
		// Nothing would change: say so now rather than ask for a yes that does nothing.
		return "", bot.Errorf(bot.ECONFLICT, "Nothing to do: %s. WeCom lists %s in use now.",
			bot.Markdown(codesWith(p.unchanged, p.unchangedWord())), replies.Plural(len(holders), "account", "accounts"))
	}
	var b replies.Builder
	if p.add {
		b.Para("You are about to give an advanced-feature account (高级功能账号) to %s:", replies.Plural(len(p.users), "member", "members"))
	} else {
		b.Para("You are about to take the advanced-feature account (高级功能账号) back from %s:", replies.Plural(len(p.users), "member", "members"))
	}
	for _, u := range p.users {
		held := access.HasUser(holders, u)
		var what string
		switch {
		case p.add && held:
			what = "already has one"
		case p.add:
			what = "has none; will get one (takes a seat of the licence pool)"
		case held:
			what = "has one; it will be taken back"
		default:
			what = "holds none; nothing to take back"
		}
		b.Item("%s — %s", replies.Code(u), what)
	}
	b.Para("WeCom lists %s in use now.", replies.Plural(len(holders), "account", "accounts"))
	return b.String(), nil
}

func (d Deps) vipRun(ctx context.Context, _ *commands.Invocation, p vipPlan) (*replies.Reply, error) {
	if len(p.change) == 0 { // changed since the preview: WeCom already shows what was asked
		return replies.Markdownf("Nothing to do now: %s.", bot.Markdown(codesWith(p.unchanged, p.unchangedWord()))), nil
	}
	r, err := d.Client.VIP.Run(ctx, p.add, p.change)
	if err != nil {
		return nil, err
	}
	var b replies.Builder
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
		b.Item("%s — %s", replies.Code(u), describeOutcome(o, p.add))
		if o == wecom.VIPFailed || o == wecom.VIPInvalid {
			failures = append(failures, u+": "+outcomeWord(o, p.add))
		}
	}
	var parts []string
	for _, o := range []wecom.VIPOutcome{wecom.VIPDone, wecom.VIPFailed, wecom.VIPInvalid, wecom.VIPWaiting} {
		if counts[o] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[o], outcomeWord(o, p.add)))
		}
	}
	for _, u := range p.unchanged {
		b.Item("%s — %s", replies.Code(u), replies.Font(replies.Comment, p.unchangedWord()))
	}
	if len(p.unchanged) > 0 {
		parts = append(parts, fmt.Sprintf("%d unchanged", len(p.unchanged)))
	}
	b.Para("%s: %s. Job %s.", replies.Plural(len(p.users), "member", "members"), strings.Join(parts, ", "), replies.Code(r.JobID))
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

func (d Deps) vipReconcile(ctx context.Context, _ *commands.Invocation, p vipPlan) (*replies.Reply, error) {
	holders := p.holders // read by the plan, after the restart
	var b replies.Builder
	missing := 0
	for _, u := range p.users {
		held := access.HasUser(holders, u)
		if held {
			b.Item("%s — %s", replies.Code(u), replies.Font(replies.Info, "has an account"))
		} else {
			b.Item("%s — %s", replies.Code(u), replies.Font(replies.Comment, "has no account"))
		}
		if held != p.add {
			missing++
		}
	}
	if missing > 0 {
		b.Para("%s for the %s not done yet.", p.command(), replies.Plural(missing, "member", "members"))
	} else {
		b.Para("Every member is as requested.")
	}
	return b.Reply(), nil
}

func outcomeWord(o wecom.VIPOutcome, add bool) string {
	switch o {
	case wecom.VIPDone:
		if add {
			return "allocated"
		}
		return "removed"
	case wecom.VIPFailed:
		return "failed"
	case wecom.VIPInvalid:
		return "invalid userid"
	}
	return "still running"
}

func describeOutcome(o wecom.VIPOutcome, add bool) string {
	w := outcomeWord(o, add)
	switch o {
	case wecom.VIPDone:
		return replies.Font(replies.Info, w)
	case wecom.VIPFailed:
		if add {
			return replies.Font(replies.Warning, w) + ": WeCom could not allocate an account (no seat left in the licence pool?)"
		}
		return replies.Font(replies.Warning, w) + ": WeCom did not take an account back (the member may hold none)"
	case wecom.VIPInvalid:
		return replies.Font(replies.Warning, w) + ": not a member, or outside this app's visibility"
	}
	return replies.Font(replies.Comment, w)
}

// codesWith lists userids as code spans followed by what is true of them all: "`lisi`, `wangwu` — why".
func codesWith(users []string, why string) string {
	var cs []string
	for _, u := range users {
		cs = append(cs, replies.Code(u))
	}
	return strings.Join(cs, ", ") + " — " + why
}
