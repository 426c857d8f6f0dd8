package commands

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wecombot/wecombot/bot/access"

	"github.com/wecombot/wecombot/bot"
	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"
)

// AuditLister reads the audit trail for /audit; *db.DB implements it.
type AuditLister interface {
	ListAudit(ctx context.Context, f db.AuditFilter) ([]db.AuditEntry, error)
}

// Builtins are the commands every bot has: /help, /whoami, /ping, /cancel, /audit.
func Builtins(r *Registry, audit AuditLister, loc *time.Location) []*Command {
	if loc == nil {
		loc = replies.China
	}
	return []*Command{
		{
			Path:     "help",
			Aliases:  []string{"帮助"},
			Args:     []Arg{{Name: "command", Optional: true, Rest: true, Help: "a command to explain, like order approve"}},
			Summary:  "List the commands you may run, or explain one",
			Examples: []string{"/help", "/help order approve"},
			Run:      func(ctx context.Context, inv *Invocation) (*replies.Reply, error) { return help(r, inv) },
		},
		{
			Path:     "whoami",
			Aliases:  []string{"我是谁"},
			Summary:  "Show your userid, roles and permissions",
			Examples: []string{"/whoami"},
			Run:      whoami,
		},
		{
			Path:     "ping",
			Aliases:  []string{"在吗"},
			Summary:  "Check that the bot is alive",
			Examples: []string{"/ping"},
			Run: func(ctx context.Context, inv *Invocation) (*replies.Reply, error) {
				return replies.Say(inv.P, "pong (%s)", inv.Now.In(loc).Format("15:04:05")), nil
			},
		},
		{
			Path:     "cancel",
			Aliases:  []string{"取消"},
			Summary:  "Cancel the command waiting for your confirmation or answer",
			Examples: []string{"/cancel"},
			// With a conversation pending, the engine handles /cancel before parsing; reaching Run means none is.
			Run: func(ctx context.Context, inv *Invocation) (*replies.Reply, error) {
				return replies.Say(inv.P, "Nothing is waiting for you; there is nothing to cancel."), nil
			},
		},
		{
			Path:     "lang",
			Aliases:  []string{"语言"},
			Args:     []Arg{{Name: "language", Optional: true, Help: "zh (中文) or en (English)", Check: checkLang}},
			Summary:  "Show or choose the language the bot answers you in",
			Examples: []string{"/lang", "/lang en", "/lang zh"},
			Run:      lang,
		},
		{
			Path:    "audit",
			Aliases: []string{"审计"},
			Flags: []Flag{
				{Name: "user", Help: "only this actor"},
				{Name: "command", Help: "only this command, like \"order approve\""},
				{Name: "decision", Help: "only this decision", Values: []string{"ok", "partial", "denied", "failed", "cancelled", "proposed", "expired"}},
				{Name: "since", Kind: Duration, Help: "only this recent, like 3d"},
				{Name: "limit", Kind: Int, Default: "20", Min: 1, Max: 100},
			},
			Summary:  "Show the audit trail of commands and decisions",
			Examples: []string{"/audit", "/audit --user lisi --since 3d", "/audit --decision denied --limit 50", "/audit --since 7d --csv"},
			Perm:     "audit.read",
			Audited:  true, // who read the trail is itself in the trail
			Run: func(ctx context.Context, inv *Invocation) (*replies.Reply, error) {
				return listAudit(ctx, audit, inv, loc)
			},
			// With --csv, --limit is ignored: the file holds every entry that matches.
			CSV: func(ctx context.Context, inv *Invocation, limit int) (*Table, error) {
				return auditTable(ctx, audit, inv, loc, limit)
			},
		},
	}
}

func checkLang(v string) error {
	if _, ok := i18n.Parse(v); !ok {
		return bot.Errorf(bot.EINVALID, "%s is not a language the bot speaks: use zh (中文) or en (English)", v)
	}
	return nil
}

// lang shows or sets the member's language; the answer to a change is already in the new one.
func lang(ctx context.Context, inv *Invocation) (*replies.Reply, error) {
	v := inv.Arg("language")
	if v == "" {
		p := inv.P
		return replies.Say(p, "You read the bot in %s. Send %s or %s to change it.", p.Lang().Name(),
			bot.Markdown(replies.Code("/lang zh")), bot.Markdown(replies.Code("/lang en"))), nil
	}
	l, _ := i18n.Parse(v)
	user, now := inv.Caller.UserID, inv.Now
	inv.Commit(func(ctx context.Context, tx *db.Tx) error { return tx.SetMemberLang(ctx, user, string(l), now) })
	p := i18n.For(l)
	return replies.Say(p, "From now on I answer you in %s.", l.Name()), nil
}

func help(r *Registry, inv *Invocation) (*replies.Reply, error) {
	if q := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(inv.Arg("command")), "/")); q != "" {
		return helpFor(r, inv.P, inv.Caller, strings.Join(r.Canonical(strings.Fields(q)), " "))
	}
	p := inv.P
	// One line per command family, so the whole list is one message (WeCom allows a member 30 a minute):
	// a family's own command with its summary, then its subcommands by name; /help FAMILY has the details.
	b := replies.NewBuilder(p)
	b.Heading("Commands you can run")
	type family struct {
		root  *Command
		subs  []string
		alias string // the family's name in Chinese, from its commands' aliases
	}
	var order []string
	fams := map[string]*family{}
	for _, c := range r.Commands() {
		if c.Hidden || !inv.Caller.Can(c.Perm) {
			continue
		}
		top, rest, _ := strings.Cut(c.Path, " ")
		f := fams[top]
		if f == nil {
			f = &family{}
			fams[top] = f
			order = append(order, top)
		}
		if rest == "" {
			f.root = c
		} else {
			f.subs = append(f.subs, rest)
		}
		if len(c.Aliases) > 0 && f.alias == "" {
			f.alias, _, _ = strings.Cut(c.Aliases[0], " ")
		}
	}
	for _, top := range order {
		f := fams[top]
		line := replies.Code("/" + top)
		if f.alias != "" {
			line += " " + replies.Code("/"+f.alias)
		}
		if f.root != nil {
			line += " — " + replies.Escape(p.T(f.root.Summary))
		}
		if len(f.subs) > 0 {
			if f.root != nil {
				line += p.T("; also")
			}
			line += " " + strings.Join(f.subs, " · ")
		}
		b.Item("%s", line)
	}
	if len(order) == 0 {
		b.Para("None.")
	}
	b.Para("Send `/help COMMAND` (like `/help devices`) for usage, details and examples.")
	return b.Reply(), nil
}

func helpFor(r *Registry, p *i18n.Printer, caller *access.Caller, q string) (*replies.Reply, error) {
	cmds := r.under(q)
	var visible []*Command
	for _, c := range cmds {
		if !c.Hidden && caller.Can(c.Perm) {
			visible = append(visible, c)
		}
	}
	if len(visible) == 0 {
		if len(cmds) == 0 {
			if s := Suggest(strings.Fields(q)[0], r.topNames()); s != "" {
				return nil, bot.Errorf(bot.ENOTFOUND, "No command /%s that you can run. Did you mean /%s? Send /help for the list.", q, s)
			}
		}
		return nil, bot.Errorf(bot.ENOTFOUND, "No command /%s that you can run. Send /help for the list.", q)
	}
	var b strings.Builder
	for i, c := range visible {
		if i > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(p.Sprintf("**/%s** — %s\n\nUsage: `%s`", c.Path, replies.Escape(p.T(c.Summary)), c.Usage()))
		if len(c.Aliases) > 0 {
			b.WriteString(p.Sprintf("\n\nAlso: %s", replies.Escape(strings.Join(AliasesOf(c), ", "))))
		}
		if c.Help != "" {
			b.WriteString("\n\n" + replies.Escape(p.T(c.Help)))
		}
		for _, a := range c.Args {
			if a.Help != "" {
				fmt.Fprintf(&b, "\n- `%s`: %s", a.Name, replies.Escape(p.T(a.Help)))
			}
		}
		for _, f := range c.Flags {
			desc := p.T(f.Help)
			if f.Default != "" {
				desc += p.Sprintf(" (default %s)", f.Default)
			}
			fmt.Fprintf(&b, "\n- `--%s`: %s", f.Name, replies.Escape(strings.TrimSpace(desc)))
		}
		if len(c.Examples) > 0 {
			b.WriteString(p.T("\n\nExamples:"))
			for _, ex := range c.Examples {
				fmt.Fprintf(&b, "\n- %s", replies.Code(ex))
			}
		}
		if c.Perm != "" {
			b.WriteString(p.Sprintf("\n\nNeeds permission `%s`.", c.Perm))
		}
		if c.Mutates {
			b.WriteString(p.T(" Asks for confirmation before it changes anything."))
		}
	}
	return &replies.Reply{Markdown: b.String()}, nil
}

func whoami(ctx context.Context, inv *Invocation) (*replies.Reply, error) {
	c, p := inv.Caller, inv.P
	var b strings.Builder
	b.WriteString(p.Sprintf("You are %s.\n\n", replies.Code(c.UserID)))
	switch {
	case c.Admin:
		b.WriteString(p.T("**Admin**: you may run every command."))
	case len(c.Roles) == 0:
		b.WriteString(p.T("You have no roles: you may run the public commands only (/help lists them)."))
	default:
		b.WriteString(p.Sprintf("Roles: %s\n\nPermissions: %s", joinCode(c.Roles), joinCode(c.Perms)))
	}
	if c.Admin && len(c.Roles) > 0 {
		b.WriteString(p.Sprintf("\n\nRoles: %s", joinCode(c.Roles)))
	}
	if len(c.Unchecked) > 0 {
		b.WriteString(p.Sprintf("\n\nNot checked just now (a WeCom tag or department lookup failed, so not granted): %s. Try again in a minute.",
			joinCode(c.Unchecked)))
	}
	return &replies.Reply{Markdown: b.String()}, nil
}

func joinCode(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = replies.Code(s)
	}
	return strings.Join(out, ", ")
}

// readAudit reads the entries /audit's flags select, at most limit (export: for a file, past a page's 200).
func readAudit(ctx context.Context, audit AuditLister, inv *Invocation, limit int, export bool) ([]db.AuditEntry, error) {
	f := db.AuditFilter{Actor: inv.Flag("user"), Command: inv.Flag("command"), Decision: inv.Flag("decision"), Limit: limit, Export: export}
	if inv.Has("since") {
		f.Since = inv.Now.Add(-inv.FlagDuration("since"))
	}
	entries, err := audit.ListAudit(ctx, f)
	if err != nil {
		return nil, bot.Wrap(bot.EUNAVAILABLE, err, "cannot read the audit trail")
	}
	return entries, nil
}

func listAudit(ctx context.Context, audit AuditLister, inv *Invocation, loc *time.Location) (*replies.Reply, error) {
	entries, err := readAudit(ctx, audit, inv, inv.FlagInt("limit"), false)
	if err != nil {
		return nil, err
	}
	p := inv.P
	if len(entries) == 0 {
		return replies.Say(p, "No audit entries match."), nil
	}
	var b strings.Builder
	b.WriteString(p.Sprintf("## Audit trail (newest first, %d)\n\n", len(entries)))
	for _, e := range entries {
		line := fmt.Sprintf("#%d %s %s /%s", e.Seq, e.At.In(loc).Format("01-02 15:04"), replies.Code(e.Actor), replies.Escape(e.Command))
		if args := formatArgs(e.Args); args != "" {
			line += " " + replies.Code(args)
		}
		line += " → " + decisionText(p, e.Decision)
		if e.ErrCode != 0 {
			line += fmt.Sprintf(" (errcode %d)", e.ErrCode)
		}
		b.WriteString(line + "\n")
	}
	return &replies.Reply{Markdown: strings.TrimRight(b.String(), "\n")}, nil
}

// Audit columns (message ids).
var (
	colSeq      = i18n.N("Seq")
	colTime     = i18n.N("Time")
	colActor    = i18n.N("Actor")
	colCommand  = i18n.N("Command")
	colArgs     = i18n.N("Arguments")
	colDecision = i18n.N("Decision")
	colErrCode  = i18n.N("Errcode")
	colResult   = i18n.N("Result")
	colHash     = i18n.N("Entry hash")
)

// auditTable is /audit --csv: every entry the filters select (not --limit's), newest first, with its hash so
// a file can be checked against the chain.
func auditTable(ctx context.Context, audit AuditLister, inv *Invocation, loc *time.Location, limit int) (*Table, error) {
	entries, err := readAudit(ctx, audit, inv, limit+1, true)
	if err != nil {
		return nil, err
	}
	p := inv.P
	t := &Table{Name: "audit", More: len(entries) > limit,
		Header: Header(p, colSeq, colTime, colActor, colCommand, colArgs, colDecision, colErrCode, colResult, colHash)}
	for _, e := range entries[:min(len(entries), limit)] {
		code := ""
		if e.ErrCode != 0 {
			code = strconv.Itoa(e.ErrCode)
		}
		t.Rows = append(t.Rows, []string{strconv.FormatInt(e.Seq, 10), e.At.In(loc).Format(CSVTime), e.Actor,
			"/" + e.Command, formatArgs(e.Args), replies.Text(decisionText(p, e.Decision)), code, e.Result, e.Hash})
	}
	return t, nil
}

func formatArgs(args map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(args)) {
		parts = append(parts, k+"="+args[k])
	}
	return strings.Join(parts, " ")
}

// The audit decisions as /audit shows them, for the catalogue (decisionText translates them).
var _ = []string{i18n.N("partial"), i18n.N("denied"), i18n.N("failed"), i18n.N("cancelled"), i18n.N("proposed"), i18n.N("expired")}

func decisionText(p *i18n.Printer, d string) string {
	switch d {
	case db.DecisionOK:
		return replies.Font(replies.Info, p.T("ok"))
	case db.DecisionDenied, db.DecisionFailed:
		return replies.Font(replies.Warning, p.T(d))
	}
	return replies.Font(replies.Comment, p.T(d))
}
