package commands

import (
	"context"
	"fmt"
	"strings"

	"github.com/wecombot/wecombot/bot/i18n"

	"github.com/wecombot/wecombot/db"
)

// Schedulable reports why a parsed line cannot run unattended ("" when it can): a command that mutates needs a
// person to confirm it, and those that manage the conversation or schedules make no sense without one.
func Schedulable(c *Command) string {
	switch {
	case c.Mutates:
		return i18n.N("it changes things, and changes need someone to confirm them")
	case c.Path == "cancel" || c.Path == "lang" || c.Path == "schedule" || strings.HasPrefix(c.Path, "schedule "):
		return i18n.N("it only makes sense typed by hand")
	}
	return ""
}

// Scheduled is what RunScheduled did.
type Scheduled int

const (
	ScheduledRan     Scheduled = iota // the command ran (its reply may still say it failed)
	ScheduledDenied                   // the creator may no longer run it: nothing ran
	ScheduledInvalid                  // the line no longer parses or cannot run unattended (an upgrade changed it)
)

// RunScheduled runs a scheduled line as from, outside any conversation (a pending confirmation of the member
// stays pending): parsed and permission-checked now, with roles resolved now, as a typed message is. Its audit
// rows carry via (e.g. "schedule #3"). A denial is audited and reported, not answered: the caller tells the
// member in its own words.
//
// also are permissions the run needs besides the command's (the right to keep schedules); a denial names the
// first one missing.
func (e *Engine) RunScheduled(ctx context.Context, from, line string, inboxID int64, via string, also ...string) (*Outcome, Scheduled, string, error) {
	out := newOutcome(ctx)
	p, err := e.Registry.Parse(Normalize(line))
	if err != nil {
		return out, ScheduledInvalid, out.p.Error(err), nil
	}
	cmd := p.Command
	for _, a := range cmd.Args {
		if !a.Optional && len(p.Args[a.Name]) == 0 {
			return out, ScheduledInvalid, out.p.Sprintf("/%s needs its %s", cmd.Path, a.Name), nil
		}
	}
	if why := Schedulable(cmd); why != "" {
		return out, ScheduledInvalid, out.p.T(why), nil
	}
	caller, rerr := e.Access.Resolve(ctx, from)
	missing := ""
	for _, perm := range append([]string{cmd.Perm}, also...) {
		if !caller.Can(perm) {
			missing = perm
			break
		}
	}
	if missing != "" {
		reason := "missing permission " + missing
		if rerr != nil {
			// Roles could not be read: retry the run rather than tell the member they lost a right they hold.
			return nil, ScheduledDenied, "", fmt.Errorf("resolve roles of %s: %w", from, rerr)
		}
		args := auditArgs(cmd, p.Args, p.Flags)
		args["via"] = via
		out.effect(func(ctx context.Context, tx *db.Tx) error {
			return tx.AppendAudit(ctx, &db.AuditEntry{Actor: from, Command: cmd.Path, Args: args, Decision: db.DecisionDenied,
				Result: reason, InboxID: inboxID})
		})
		return out, ScheduledDenied, missing, nil
	}
	inv := &Invocation{Command: cmd, Caller: caller, Args: p.Args, Flags: p.Flags, InboxID: inboxID, Now: e.now(), P: out.p}
	e.runVia(ctx, out, Message{From: from, InboxID: inboxID}, inv, via)
	return out, ScheduledRan, "", nil
}
