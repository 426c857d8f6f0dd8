package commands

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/wecombot/wecombot/bot/access"

	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/wecom"
)

// Advanced-feature accounts (高级功能账号, security/vip/*, DOC/99503, 99505, 99506). Allocation and revocation
// are asynchronous jobs: submit, then read the result until every submitted member has one.

// vipPollDelays are the waits before each read of a job's result: about 10 seconds in all. WeCom does not
// document how long a job runs; the emulator finishes it at submission.
var vipPollDelays = []time.Duration{0, 250 * time.Millisecond, 500 * time.Millisecond, time.Second,
	2 * time.Second, 3 * time.Second, 3 * time.Second}

// maxVIPHolders bounds one walk of security/vip/list: no corp buys more accounts than this.
const maxVIPHolders = 100_000

func vipCommands(d Deps) []*Command {
	users := Arg{Name: "userid", Many: true, Match: peopleUserID,
		Help: "members, by userid, separated by spaces (at most 100)"}
	add := users
	add.Prompt = "Give an advanced-feature account to whom? (userids, separated by spaces)"
	remove := users
	remove.Prompt = "Take the advanced-feature account back from whom? (userids, separated by spaces)"
	return []*Command{
		{
			Path:     "vip list",
			Flags:    []Flag{{Name: "page", Kind: Int, Default: "1", Min: 1, Max: 10000, Help: "which page, 20 members a page"}},
			Summary:  "List the members holding an advanced-feature account (高级功能账号)",
			Examples: []string{"/vip list", "/vip list --page 2"},
			Perm:     "vip.read",
			APIs:     []string{"POST security/vip/list", "GET user/get"},
			Run: func(ctx context.Context, inv *Invocation) (*replies.Reply, error) {
				return vipList(ctx, d, inv)
			},
		},
		{
			Path:    "vip add",
			Args:    []Arg{add},
			Summary: "Give members an advanced-feature account",
			Help: "Submits an allocation job to WeCom and waits up to about 10 seconds for its result. Each new " +
				"account takes a seat of the corp's licence pool.",
			Examples: []string{"/vip add wangwu", "/vip add wangwu sunqi"},
			Perm:     "vip.write",
			Mutates:  true,
			APIs: []string{"POST security/vip/list", "POST security/vip/submit_batch_add_job",
				"POST security/vip/batch_add_job_result"},
			Preview: func(ctx context.Context, inv *Invocation) (string, error) {
				return vipPreview(ctx, d, peopleUnique(inv.List("userid")), true)
			},
			Run: func(ctx context.Context, inv *Invocation) (*replies.Reply, error) {
				return vipRun(ctx, d, peopleUnique(inv.List("userid")), true)
			},
			Reconcile: func(ctx context.Context, inv *Invocation) (*replies.Reply, error) {
				return vipReconcile(ctx, d, peopleUnique(inv.List("userid")), true)
			},
		},
		{
			Path:    "vip remove",
			Args:    []Arg{remove},
			Summary: "Take the advanced-feature account back from members",
			Help: "Submits a revocation job to WeCom and waits up to about 10 seconds for its result. The seats " +
				"return to the corp's licence pool.",
			Examples: []string{"/vip remove wangwu", "/vip remove wangwu sunqi"},
			Perm:     "vip.write",
			Mutates:  true,
			APIs: []string{"POST security/vip/list", "POST security/vip/submit_batch_del_job",
				"POST security/vip/batch_del_job_result"},
			Preview: func(ctx context.Context, inv *Invocation) (string, error) {
				return vipPreview(ctx, d, peopleUnique(inv.List("userid")), false)
			},
			Run: func(ctx context.Context, inv *Invocation) (*replies.Reply, error) {
				return vipRun(ctx, d, peopleUnique(inv.List("userid")), false)
			},
			Reconcile: func(ctx context.Context, inv *Invocation) (*replies.Reply, error) {
				return vipReconcile(ctx, d, peopleUnique(inv.List("userid")), false)
			},
		},
	}
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

func vipList(ctx context.Context, d Deps, inv *Invocation) (*replies.Reply, error) {
	holders, err := vipHolders(ctx, d.Client)
	if err != nil {
		return nil, err
	}
	if len(holders) == 0 {
		return replies.Markdownf("No member holds an advanced-feature account (高级功能账号)."), nil
	}
	page, footer := pageOf(holders, inv.FlagInt("page"), "/vip list")
	var b strings.Builder
	fmt.Fprintf(&b, "## Advanced-feature accounts (高级功能账号)\n\n%s hold one.\n\n",
		peoplePlural(len(holders), "member", "members"))
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

func vipPreview(ctx context.Context, d Deps, users []string, add bool) (string, error) {
	holders, err := vipHolders(ctx, d.Client)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if add {
		fmt.Fprintf(&b, "You are about to give an advanced-feature account (高级功能账号) to %s:\n\n",
			peoplePlural(len(users), "member", "members"))
	} else {
		fmt.Fprintf(&b, "You are about to take the advanced-feature account (高级功能账号) back from %s:\n\n",
			peoplePlural(len(users), "member", "members"))
	}
	for _, u := range users {
		held := access.HasUser(holders, u)
		var what string
		switch {
		case add && held:
			what = "already has one"
		case add:
			what = "has none; will get one (takes a seat of the licence pool)"
		case held:
			what = "has one; it will be taken back"
		default:
			what = "holds none; nothing to take back"
		}
		fmt.Fprintf(&b, "- %s — %s\n", replies.Code(u), what)
	}
	fmt.Fprintf(&b, "\nWeCom lists %s in use now.", peoplePlural(len(holders), "account", "accounts"))
	return b.String(), nil
}

func vipRun(ctx context.Context, d Deps, users []string, add bool) (*replies.Reply, error) {
	r, err := runVIPJob(ctx, d.Client, add, users)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	if add {
		b.WriteString("## Advanced-feature accounts: add\n\n")
	} else {
		b.WriteString("## Advanced-feature accounts: remove\n\n")
	}
	counts := map[vipOutcome]int{}
	for _, u := range users {
		o := r.outcome(u)
		counts[o]++
		fmt.Fprintf(&b, "- %s — %s\n", replies.Code(u), o.Describe(add))
	}
	var parts []string
	for _, o := range []vipOutcome{vipDone, vipFailed, vipInvalid, vipWaiting} {
		if counts[o] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[o], o.word(add)))
		}
	}
	fmt.Fprintf(&b, "\n%s: %s. Job %s.", peoplePlural(len(users), "member", "members"), strings.Join(parts, ", "),
		replies.Code(r.JobID))
	switch {
	case r.ResultErr != nil:
		fmt.Fprintf(&b, "\n\nThe job was submitted, but its result could not be read: %s Check with /vip list.",
			replies.Describe(r.ResultErr))
	case counts[vipWaiting] > 0:
		b.WriteString("\n\nThe job was still running after about 10 seconds. Check with /vip list in a minute.")
	}
	return &replies.Reply{Markdown: b.String()}, nil
}

func vipReconcile(ctx context.Context, d Deps, users []string, add bool) (*replies.Reply, error) {
	holders, err := vipHolders(ctx, d.Client)
	if err != nil {
		return nil, err
	}
	cmd := "/vip remove"
	if add {
		cmd = "/vip add"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "## %s was interrupted\n\nA restart cut it off after it was sent to WeCom, so it was not repeated. WeCom lists now:\n\n", cmd)
	missing := 0
	for _, u := range users {
		held := access.HasUser(holders, u)
		if held {
			fmt.Fprintf(&b, "- %s — %s\n", replies.Code(u), replies.Font(replies.Info, "has an account"))
		} else {
			fmt.Fprintf(&b, "- %s — %s\n", replies.Code(u), replies.Font(replies.Comment, "has no account"))
		}
		if held != add {
			missing++
		}
	}
	if missing > 0 {
		fmt.Fprintf(&b, "\n%s for the %s not done yet.", cmd, peoplePlural(missing, "member", "members"))
	} else {
		b.WriteString("\nEvery member is as requested.")
	}
	return &replies.Reply{Markdown: b.String()}, nil
}

// vipJob is a submitted allocation or revocation job and what its result said.
type vipJob struct {
	JobID     string
	Invalid   []string // userids WeCom left out of the job
	Succ      []string
	Fail      []string
	Waiting   []string // submitted, without an outcome yet
	ResultErr error    // reading the result failed; the job was submitted
}

type vipOutcome int

const (
	vipDone vipOutcome = iota
	vipFailed
	vipInvalid
	vipWaiting
)

func (o vipOutcome) word(add bool) string {
	switch o {
	case vipDone:
		if add {
			return "allocated"
		}
		return "removed"
	case vipFailed:
		return "failed"
	case vipInvalid:
		return "invalid userid"
	}
	return "still running"
}

func (o vipOutcome) Describe(add bool) string {
	w := o.word(add)
	switch o {
	case vipDone:
		return replies.Font(replies.Info, w)
	case vipFailed:
		if add {
			return replies.Font(replies.Warning, w) + ": WeCom could not allocate an account (no seat left in the licence pool?)"
		}
		return replies.Font(replies.Warning, w) + ": WeCom did not take an account back (the member may hold none)"
	case vipInvalid:
		return replies.Font(replies.Warning, w) + ": not a member, or outside this app's visibility"
	}
	return replies.Font(replies.Comment, w)
}

func (j *vipJob) outcome(u string) vipOutcome {
	switch {
	case access.HasUser(j.Invalid, u):
		return vipInvalid
	case access.HasUser(j.Succ, u):
		return vipDone
	case access.HasUser(j.Fail, u):
		return vipFailed
	}
	return vipWaiting
}

// runVIPJob submits an add (allocate) or delete (revoke) job for users and reads its result with a short,
// bounded backoff until every valid member has an outcome. Only a failed submission is an error: once the
// job is submitted, a result that cannot be read is reported in ResultErr.
func runVIPJob(ctx context.Context, c *wecom.Client, add bool, users []string) (*vipJob, error) {
	submit, result := c.VIP.SubmitBatchDelJob, c.VIP.BatchDelJobResult
	if add {
		submit, result = c.VIP.SubmitBatchAddJob, c.VIP.BatchAddJobResult
	}
	job, err := submit(ctx, users)
	if err != nil {
		return nil, err
	}
	j := &vipJob{JobID: job.JobID, Invalid: job.InvalidUserIDs}
	for _, u := range users {
		if !access.HasUser(j.Invalid, u) {
			j.Waiting = append(j.Waiting, u)
		}
	}
	valid := j.Waiting
	for _, delay := range vipPollDelays {
		if len(j.Waiting) == 0 {
			break
		}
		if err := peopleSleep(ctx, delay); err != nil {
			j.ResultErr = err
			break
		}
		res, err := result(ctx, job.JobID)
		if err != nil {
			j.ResultErr = err
			break
		}
		j.Succ, j.Fail, j.Waiting = res.SuccUserIDs, res.FailUserIDs, nil
		for _, u := range valid {
			if !access.HasUser(j.Succ, u) && !access.HasUser(j.Fail, u) {
				j.Waiting = append(j.Waiting, u)
			}
		}
	}
	return j, nil
}
