package commands

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"strings"
	"time"

	"github.com/wecombot/wecombot/bot"
	"github.com/wecombot/wecombot/bot/access"
	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"
)

// Four eyes: a Policy holds a confirmed mutating command for a second person. The requester's yes sends a
// request card to the policy's approvers (never the requester); the first approver's click runs the command
// with the requester's arguments, as the requester (permissions checked again then), through the same intent
// and audit path as a confirmed command, exactly once however many approvers click at once (the request row is
// claimed before anything runs). A rejection or the request's expiry is told to the requester. Every step is
// in the audit trail with both names.

// Policy is a four-eyes rule.
type Policy struct {
	Name string // the [policies] key, for messages and the audit trail
	// Match reports whether the policy covers a command path.
	Match func(path string) bool
	// MoreThan applies the policy only when the command acts on more than this many items (the values of its
	// Many argument; a command without one acts on one).
	MoreThan int
	// Approvers resolves who may approve, now (tags and departments expanded).
	Approvers func(ctx context.Context) ([]string, error)
	Expiry    time.Duration // how long a request waits; default 1 h
}

// FourEyesStore is the state the four-eyes flow reads and claims; *db.DB implements it.
type FourEyesStore interface {
	GetFourEyes(ctx context.Context, token string) (*db.FourEyes, error)
	ClaimFourEyes(ctx context.Context, token, by string, approve bool, inboxID int64) (*db.FourEyes, bool, error)
	ExpiredFourEyes(ctx context.Context, now time.Time, limit int) ([]*db.FourEyes, error)
}

// Mailer queues replies to a member other than the one who wrote (an approver, a requester), in tx; the
// router implements it.
type Mailer interface {
	Mail(ctx context.Context, tx *db.Tx, to string, inboxID int64, rs ...*replies.Reply) error
}

// MaxApprovers bounds the request cards one four-eyes request sends: each costs an approver one of the 30
// messages a minute WeCom allows them, and a policy naming a large department would flood it.
const MaxApprovers = 50

var (
	labelApprovedBy = i18n.N("Approved by %s")
	labelRejectedBy = i18n.N("Rejected by %s")
)

// policyFor returns the policy that holds inv, or nil.
func (e *Engine) policyFor(inv *Invocation) *Policy {
	if !inv.Command.Mutates {
		return nil
	}
	n := 1
	for _, a := range inv.Command.Args {
		if a.Many {
			n = len(inv.Args[a.Name])
		}
	}
	for i := range e.Policies {
		if p := &e.Policies[i]; p.Match(inv.Command.Path) && n > p.MoreThan {
			return p
		}
	}
	return nil
}

func (e *Engine) policyNamed(name string) *Policy {
	for i := range e.Policies {
		if e.Policies[i].Name == name {
			return &e.Policies[i]
		}
	}
	return nil
}

// approversOf resolves the policy's approvers other than requester, at most MaxApprovers.
func (e *Engine) approversOf(ctx context.Context, pol *Policy, requester string) ([]string, error) {
	all, err := pol.Approvers(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, u := range all {
		if !access.SameUser(u, requester) && len(out) < MaxApprovers {
			out = append(out, u)
		}
	}
	return out, nil
}

// checkApprovers refuses, before the preview, a command its policy would hold with nobody to approve it:
// offering a confirmation the bot would then refuse is a bug. ok false means out has the refusal.
func (e *Engine) checkApprovers(ctx context.Context, out *Outcome, m Message, inv *Invocation) (*Policy, bool) {
	pol := e.policyFor(inv)
	if pol == nil {
		return nil, true
	}
	approvers, err := e.approversOf(ctx, pol, m.From)
	if err != nil {
		out.say("/%s needs a second approval, and I could not look up its approvers just now (%s). Try again in a minute.",
			inv.Command.Path, bot.Markdown(replies.Describe(ctx, err)))
		return nil, false
	}
	if len(approvers) == 0 {
		out.say("/%s needs a second approval (policy %s), but nobody other than you can give it. Ask an admin to name approvers in the policy.",
			inv.Command.Path, bot.Markdown(replies.Code(pol.Name)))
		args := auditArgs(inv.Command, inv.Args, inv.Flags)
		out.effect(func(ctx context.Context, tx *db.Tx) error {
			return tx.AppendAudit(ctx, &db.AuditEntry{Actor: m.From, Command: inv.Command.Path, Args: args, Decision: db.DecisionDenied,
				Result: "four eyes: no approver other than the requester (policy " + pol.Name + ")", InboxID: m.InboxID})
		})
		return nil, false
	}
	return pol, true
}

// fourEyesTaskID is the task_id of the request card sent to one approver: unique per request and approver.
func fourEyesTaskID(token, approver string) string {
	sum := sha256.Sum256([]byte(token + "\x00" + access.UserKey(approver)))
	return "fe-" + hex.EncodeToString(sum[:16])
}

func (e *Engine) printerOf(ctx context.Context, userID string) *i18n.Printer {
	if e.Langs == nil {
		return nil
	}
	return i18n.For(e.Langs.Of(ctx, userID))
}

// who shows a member as 张三 (zhangsan) where the name is known.
func (e *Engine) who(ctx context.Context, userID string) string {
	if e.Names != nil {
		if n := e.Names.Of(ctx, userID); n != "" {
			return n + " (" + userID + ")"
		}
	}
	return userID
}

// request turns a confirmed command its policy holds into a request to the approvers.
func (e *Engine) request(ctx context.Context, out *Outcome, m Message, inv *Invocation, pol *Policy) error {
	cmd := inv.Command
	if e.FourEyes == nil || e.Mail == nil {
		out.say("/%s needs a second approval, which this bot is not set up to ask for; it was not run.", cmd.Path)
		return nil
	}
	approvers, err := e.approversOf(ctx, pol, m.From)
	if err != nil {
		out.say("/%s needs a second approval, and I could not look up its approvers just now (%s). Send it again in a minute.",
			cmd.Path, bot.Markdown(replies.Describe(ctx, err)))
		return nil
	}
	if len(approvers) == 0 {
		out.say("/%s needs a second approval (policy %s), but nobody other than you can give it. Ask an admin to name approvers in the policy.",
			cmd.Path, bot.Markdown(replies.Code(pol.Name)))
		return nil
	}
	line, err := json.Marshal(savedLine{Args: inv.Args, Flags: inv.Flags})
	if err != nil {
		return err
	}
	token, err := newToken()
	if err != nil {
		return err
	}
	now := e.now()
	wait := ttl(pol.Expiry, time.Hour)
	req := &db.FourEyes{Token: token, Policy: pol.Name, Requester: m.From, Command: cmd.Path, Line: line, Approvers: approvers,
		CreatedAt: now, ExpiresAt: now.Add(wait), InboxID: m.InboxID}
	shown := redactedLine(cmd, inv.Args, inv.Flags)
	requester := e.who(ctx, m.From)
	names := make([]string, len(approvers))
	for i, u := range approvers {
		names[i] = e.who(ctx, u)
	}
	args := auditArgs(cmd, inv.Args, inv.Flags)
	out.effect(func(ctx context.Context, tx *db.Tx) error {
		if err := tx.PutFourEyes(ctx, req); err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, &db.AuditEntry{Actor: m.From, Command: cmd.Path, Args: args, Decision: db.DecisionProposed,
			Result:  replies.Truncate("awaiting a second approval by "+strings.Join(approvers, ", ")+" (policy "+pol.Name+")", 500),
			InboxID: m.InboxID}); err != nil {
			return err
		}
		for _, u := range approvers {
			if err := e.Mail.Mail(ctx, tx, u, m.InboxID, e.requestCard(ctx, req, u, requester, shown)); err != nil {
				return err
			}
		}
		return nil
	})
	out.say("Sent to %s for a second approval (policy %s): /%s runs when one of them approves it, within %s. I will tell you what they decide.",
		strings.Join(names, ", "), bot.Markdown(replies.Code(pol.Name)), cmd.Path, humanDuration(out.p, wait))
	return nil
}

// requestCard is the card an approver decides a request with, in the approver's language.
func (e *Engine) requestCard(ctx context.Context, req *db.FourEyes, approver, requester, shown string) *replies.Reply {
	p := e.printerOf(ctx, approver)
	until := req.ExpiresAt.In(replies.China).Format("01-02 15:04")
	if e.Location != nil {
		until = req.ExpiresAt.In(e.Location).Format("01-02 15:04")
	}
	card := replies.ButtonCard(fourEyesTaskID(req.Token, approver), p.Sprintf("Approve /%s?", req.Command),
		p.Sprintf("%s asks for a second approval", requester),
		[]replies.Field{{Key: p.T("Requested by"), Value: requester}, {Key: p.T("Until"), Value: until}},
		[]replies.Button{{Text: p.T("Approve"), Key: "policy:approve:" + req.Token, Style: 1},
			{Text: p.T("Reject"), Key: "policy:reject:" + req.Token, Style: 2}})
	card.SubTitleText = replies.Truncate(shown, MaxCardPreview)
	md := p.Markdownf("%s asks you to approve %s (four eyes, policy %s), until %s. Approve or reject it with the buttons of the card in the WeCom app.",
		requester, bot.Markdown(replies.Code(shown)), bot.Markdown(replies.Code(req.Policy)), until)
	return &replies.Reply{TemplateCard: card, Fallback: &replies.Reply{Markdown: md}}
}

// endRequestCards replaces the buttons of every approver's card of req with label (written for each in their
// language); the clicker's card is updated with the click's code.
func (e *Engine) endRequestCards(ctx context.Context, tx *db.Tx, req *db.FourEyes, clicker, code string, label func(*i18n.Printer) string) error {
	if e.Cards == nil {
		return nil
	}
	for _, u := range req.Approvers {
		c := ""
		if access.SameUser(u, clicker) {
			c = code
		}
		if err := e.Cards.EndCard(ctx, tx, u, fourEyesTaskID(req.Token, u), c, label(e.printerOf(ctx, u))); err != nil {
			return err
		}
	}
	return nil
}

// HandlePolicyClick handles an approver's click on a request card: "policy:approve:TOKEN" or
// "policy:reject:TOKEN". from is the decrypted callback's sender; inboxID that callback's row.
func (e *Engine) HandlePolicyClick(ctx context.Context, from, key, taskID, code string, inboxID int64) (*Outcome, error) {
	out := newOutcome(ctx)
	parts := strings.SplitN(key, ":", 3)
	if len(parts) != 3 || (parts[1] != "approve" && parts[1] != "reject") || parts[2] == "" || e.FourEyes == nil {
		out.say("That button is not one I know; it ran nothing.")
		return out, nil
	}
	approve, token := parts[1] == "approve", parts[2]
	req, err := e.FourEyes.GetFourEyes(ctx, token)
	if err != nil {
		return nil, err
	}
	endClicked := func(label string) {
		if code != "" && e.Cards != nil && taskID != "" {
			out.effect(func(ctx context.Context, tx *db.Tx) error { return e.Cards.EndCard(ctx, tx, from, taskID, code, label) })
		}
	}
	if req == nil {
		out.say("That request is not one I know; it ran nothing.")
		endClicked(out.p.T(labelEnded))
		return out, nil
	}
	cmd := e.Registry.Lookup(req.Command)
	var saved savedLine
	if cmd == nil || json.Unmarshal(req.Line, &saved) != nil {
		out.say("/%s is no longer a command of this bot, so the request cannot run.", req.Command)
		endClicked(out.p.T(labelEnded))
		return out, nil
	}
	verb := "four-eyes reject"
	if approve {
		verb = "four-eyes approve"
	}
	args := auditArgs(cmd, saved.Args, saved.Flags)
	args["requester"] = req.Requester
	deny := func(result string) {
		out.effect(func(ctx context.Context, tx *db.Tx) error {
			return tx.AppendAudit(ctx, &db.AuditEntry{Actor: from, Command: cmd.Path, Args: args, Decision: db.DecisionDenied,
				Result: verb + ": " + result, InboxID: inboxID})
		})
	}
	if access.SameUser(from, req.Requester) {
		out.say("You cannot decide your own request: four eyes means someone else approves it.")
		deny("the requester cannot decide their own request")
		return out, nil
	}
	// Who may decide is read now: someone removed from the approvers since the card was sent no longer may.
	approvers := req.Approvers
	if pol := e.policyNamed(req.Policy); pol != nil {
		if approvers, err = e.approversOf(ctx, pol, req.Requester); err != nil {
			out.say("I could not check the approvers just now (%s), so nothing was decided. Try again in a minute.", bot.Markdown(replies.Describe(ctx, err)))
			return out, nil
		}
	}
	if !access.HasUser(approvers, from) {
		out.say("You are not an approver of this request (policy %s), so nothing was decided.", bot.Markdown(replies.Code(req.Policy)))
		deny("not an approver of policy " + req.Policy)
		return out, nil
	}
	claimed, won, err := e.FourEyes.ClaimFourEyes(ctx, token, from, approve, inboxID)
	if err != nil {
		return nil, err // retried: nothing was decided
	}
	if !won {
		// Whoever decided (or the expiry sweep) ends every approver's card, this one included: a second update
		// from this click would change it twice.
		e.sayDecided(ctx, out, claimed)
		return out, nil
	}
	req = claimed
	approver := e.who(ctx, from)
	reqP := e.printerOf(ctx, req.Requester)
	shown := redactedLine(cmd, saved.Args, saved.Flags)
	if !approve {
		out.effect(func(ctx context.Context, tx *db.Tx) error {
			if err := tx.AppendAudit(ctx, &db.AuditEntry{Actor: from, Command: cmd.Path, Args: args, Decision: db.DecisionDenied,
				Result: "four eyes: rejected by " + from + " (request of " + req.Requester + ")", InboxID: inboxID}); err != nil {
				return err
			}
			if err := e.endRequestCards(ctx, tx, req, from, code, func(p *i18n.Printer) string { return p.Sprintf(labelRejectedBy, approver) }); err != nil {
				return err
			}
			return e.Mail.Mail(ctx, tx, req.Requester, inboxID, replies.Say(reqP, "%s rejected your %s, so it was not run.", approver, bot.Markdown(replies.Code(shown))))
		})
		out.say("Rejected %s; %s is told.", bot.Markdown(replies.Code(shown)), e.who(ctx, req.Requester))
		return out, nil
	}
	// Approved: run it as the requester, whose permission is checked again (it may have been removed while the
	// request waited). Its answer goes to the requester, in their language; the approver is told the outcome.
	caller, rerr := e.Access.Resolve(ctx, req.Requester)
	if caller == nil {
		caller = &access.Caller{UserID: req.Requester}
	}
	runOut := &Outcome{p: reqP}
	endCards := func(ctx context.Context, tx *db.Tx) error {
		return e.endRequestCards(ctx, tx, req, from, code, func(p *i18n.Printer) string { return p.Sprintf(labelApprovedBy, approver) })
	}
	if !caller.Can(cmd.Perm) {
		reason := "missing permission " + cmd.Perm
		if rerr != nil {
			reason = "roles could not be checked: " + rerr.Error()
		}
		out.effect(endCards)
		out.effect(func(ctx context.Context, tx *db.Tx) error {
			if err := tx.AppendAudit(ctx, &db.AuditEntry{Actor: req.Requester, Command: cmd.Path, Args: withApprover(args, from), Decision: db.DecisionDenied,
				Result: "four eyes: approved by " + from + ", but the requester may no longer run it (" + reason + ")", InboxID: inboxID}); err != nil {
				return err
			}
			return e.Mail.Mail(ctx, tx, req.Requester, inboxID, replies.Say(reqP, "%s approved your %s, but you may no longer run it (it needs the permission %s), so it was not run.",
				approver, bot.Markdown(replies.Code(shown)), bot.Markdown(replies.Code(cmd.Perm))))
		})
		out.say("Approved, but %s may no longer run /%s, so it was not run.", e.who(ctx, req.Requester), cmd.Path)
		return out, nil
	}
	inv := &Invocation{Command: cmd, Caller: caller, Args: saved.Args, Flags: saved.Flags, InboxID: inboxID, Now: e.now(), P: reqP}
	decision, err := e.execute(ctx, runOut, Message{From: req.Requester, InboxID: inboxID}, inv, map[string]string{"approved_by": from})
	if err != nil {
		return nil, err // retried: the intent was not recorded, nothing ran
	}
	header := replies.Say(reqP, "%s approved your %s:", approver, bot.Markdown(replies.Code(shown)))
	toRequester := append([]*replies.Reply{header}, runOut.Replies...)
	out.effects = append(out.effects, runOut.effects...)
	out.effect(endCards)
	out.effect(func(ctx context.Context, tx *db.Tx) error {
		if err := tx.AppendAudit(ctx, &db.AuditEntry{Actor: from, Command: cmd.Path, Args: args, Decision: db.DecisionOK,
			Result: "four eyes: approved the request of " + req.Requester + "; the run: " + decision, InboxID: inboxID}); err != nil {
			return err
		}
		return e.Mail.Mail(ctx, tx, req.Requester, inboxID, mergeReplies(toRequester)...)
	})
	switch decision {
	case db.DecisionOK:
		out.say("Approved: %s ran for %s.", bot.Markdown(replies.Code(shown)), e.who(ctx, req.Requester))
	case db.DecisionPartial:
		out.say("Approved: %s ran for %s, and only part of it was done; they have the details.", bot.Markdown(replies.Code(shown)), e.who(ctx, req.Requester))
	default:
		out.say("Approved, but %s did not complete for %s; they have the details.", bot.Markdown(replies.Code(shown)), e.who(ctx, req.Requester))
	}
	return out, nil
}

// mergeReplies joins markdown replies into one (a header and the command's answer are one message where they
// fit); cards stay as they are.
func mergeReplies(rs []*replies.Reply) []*replies.Reply {
	var out []*replies.Reply
	for _, r := range rs {
		if n := len(out); n > 0 && r.TemplateCard == nil && r.TextCard == nil && out[n-1].TemplateCard == nil && out[n-1].TextCard == nil &&
			r.Markdown != "" && out[n-1].Markdown != "" {
			merged := *out[n-1]
			merged.Markdown += "\n\n" + r.Markdown
			out[n-1] = &merged
			continue
		}
		out = append(out, r)
	}
	return out
}

func withApprover(args map[string]string, approver string) map[string]string {
	out := map[string]string{"approved_by": approver}
	for k, v := range args {
		out[k] = v
	}
	return out
}

// sayDecided tells a late clicker what became of the request.
func (e *Engine) sayDecided(ctx context.Context, out *Outcome, req *db.FourEyes) {
	at := req.DecidedAt.In(replies.China).Format("15:04")
	if e.Location != nil {
		at = req.DecidedAt.In(e.Location).Format("15:04")
	}
	switch req.State {
	case db.FourEyesApproved:
		out.say("%s approved this request at %s; it runs once, so your click ran nothing.", e.who(ctx, req.DecidedBy), at)
	case db.FourEyesRejected:
		out.say("%s rejected this request at %s, so your click ran nothing.", e.who(ctx, req.DecidedBy), at)
	default:
		out.say("This request expired: nobody approved it in time, so your click ran nothing. The requester can send the command again.")
	}
}

// expireRequests ends the four-eyes requests nobody decided in time: the requester is told, the cards lose
// their buttons, and the trail records it.
func (e *Engine) expireRequests(ctx context.Context, s ExpiryStore) (int, error) {
	if e.FourEyes == nil || e.Mail == nil {
		return 0, nil
	}
	reqs, err := e.FourEyes.ExpiredFourEyes(ctx, e.now(), sweepBatch)
	if err != nil {
		return 0, err
	}
	for _, req := range reqs {
		cmd := e.Registry.Lookup(req.Command)
		var saved savedLine
		_ = json.Unmarshal(req.Line, &saved)
		shown := "/" + req.Command
		args := map[string]string{}
		if cmd != nil {
			shown = redactedLine(cmd, saved.Args, saved.Flags)
			args = auditArgs(cmd, saved.Args, saved.Flags)
		}
		p := e.printerOf(ctx, req.Requester)
		err := s.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
			ended, err := tx.ExpireFourEyes(ctx, req.ID)
			if err != nil || !ended {
				return err
			}
			if err := tx.AppendAudit(ctx, &db.AuditEntry{Actor: req.Requester, Command: req.Command, Args: args, Decision: db.DecisionExpired,
				Result: "four eyes: nobody approved it in time (policy " + req.Policy + ")"}); err != nil {
				return err
			}
			if err := e.endRequestCards(ctx, tx, req, "", "", func(p *i18n.Printer) string { return p.T(labelExpired) }); err != nil {
				return err
			}
			return e.Mail.Mail(ctx, tx, req.Requester, 0, replies.Say(p, "Nobody approved your %s in time (policy %s), so it was not run. Send it again if it is still needed.",
				bot.Markdown(replies.Code(shown)), bot.Markdown(replies.Code(req.Policy))))
		})
		if err != nil {
			return 0, err
		}
		e.log().Info("four-eyes request expired", slog.String("command", req.Command), slog.String("requester", req.Requester))
	}
	return len(reqs), nil
}
