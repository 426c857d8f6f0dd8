package alerts

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/wecombot/wecombot/bot"
	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"
)

const (
	alertsPerPage = 10
	// maxSilence bounds /silence add: a forgotten silence must end by itself.
	maxSilence = 30 * 24 * time.Hour
)

var (
	ruleArgRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
	idArgRE   = regexp.MustCompile(`^[0-9]{1,18}$`)
)

func (s *Service) commands() []*commands.Command {
	return []*commands.Command{
		{
			Path:    "alerts",
			Aliases: []string{"告警"},
			Flags: []commands.Flag{
				{Name: "since", Kind: commands.Duration, Default: "1d", Help: "how far back, like 3h or 7d"},
				{Name: "rule", Help: "only this rule"},
				{Name: "page", Kind: commands.Int, Default: "1", Min: 1, Max: 1000},
			},
			Summary:  "List recent security alerts, newest first",
			Help:     "Shows the alerts the watchers found (and the domain/IP changes), with their state: sent in a digest, silenced, a suppressed repeat, or still pending until the team's next digest. 10 per page.",
			Examples: []string{"/alerts", "/alerts --since 7d --rule new-device-login", "/alerts --page 2", "/alerts --since 7d --csv"},
			Perm:     PermRead,
			Run:      s.listAlerts,
			CSV:      s.alertsCSV,
		},
		{
			Path:     "silence",
			Aliases:  []string{"静默"},
			Summary:  "List the alert silences in force",
			Help:     "A silenced rule's alerts are still stored (and listed by /alerts) but not pushed until the silence ends.",
			Examples: []string{"/silence"},
			Perm:     PermRead,
			Run:      s.listSilences,
		},
		{
			Path:     "silence list",
			Aliases:  []string{"静默 列表"},
			Summary:  "List the alert silences in force (the same as /silence)",
			Examples: []string{"/silence list"},
			Perm:     PermRead,
			Run:      s.listSilences,
		},
		{
			Path:    "silence add",
			Aliases: []string{"静默 添加"},
			Args: []commands.Arg{
				{Name: "rule", Match: ruleArgRE, Help: "the rule's name, as in config.toml", Prompt: "Which rule? (its name in [alerts] rules)"},
				{Name: "duration", Check: checkSilenceDuration, Help: "how long, like 2h or 3d (at most 30d)", Prompt: "For how long? (like 2h or 1d)"},
				{Name: "reason", Rest: true, Optional: true, Help: "why, for the record"},
			},
			Summary:   "Stop pushing a rule's alerts for a while",
			Help:      "The rule's alerts are stored but not pushed until the silence ends or is removed. A card's Silence button does the same for 1h.",
			Examples:  []string{"/silence add new-device-login 2h planned device rollout", "/silence add file-download 1d"},
			Perm:      PermWrite,
			Mutates:   true,
			Preview:   s.previewSilenceAdd,
			Run:       s.silenceAdd,
			Reconcile: s.reconcileSilenceAdd,
		},
		{
			Path:      "silence remove",
			Aliases:   []string{"静默 解除"},
			Args:      []commands.Arg{{Name: "id", Match: idArgRE, Help: "the silence's number, from /silence", Prompt: "Which silence? (its number, from /silence)"}},
			Summary:   "End an alert silence now",
			Examples:  []string{"/silence remove 3"},
			Perm:      PermWrite,
			Mutates:   true,
			Preview:   s.previewSilenceRemove,
			Run:       s.silenceRemove,
			Reconcile: s.reconcileSilenceRemove,
		},
	}
}

func checkSilenceDuration(v string) error {
	d, err := commands.ParseDuration(v)
	if err != nil {
		return err
	}
	if d < time.Minute || d > maxSilence {
		return fmt.Errorf("a silence lasts from 1m to 30d, not %s", v)
	}
	return nil
}

func (s *Service) listAlerts(ctx context.Context, inv *commands.Invocation) (*replies.Reply, error) {
	p := inv.P
	since := inv.FlagDuration("since")
	page := inv.FlagInt("page")
	rule := inv.Flag("rule")
	list, total, err := s.d.DB.ListAlerts(ctx, db.AlertFilter{Since: inv.Now.Add(-since), Rule: rule,
		Limit: alertsPerPage, Offset: (page - 1) * alertsPerPage})
	if err != nil {
		return nil, bot.Wrap(bot.EUNAVAILABLE, err, "cannot read the alerts from the database; try again")
	}
	sinceText := commands.HumanDuration(p, since)
	ruleCode := bot.Markdown(replies.Code(rule))
	if total == 0 {
		var msg string
		if rule == "" {
			msg = p.Markdownf("No alerts in the last %s.", sinceText)
		} else {
			msg = p.Markdownf("No alerts in the last %s for rule %s.", sinceText, ruleCode)
			if s.rule(rule) == nil {
				msg += " " + p.Markdownf("(There is no rule %s; the rules are %s.)", ruleCode, bot.Markdown(s.ruleNames(p)))
			}
		}
		return &replies.Reply{Markdown: msg}, nil
	}
	pages := (total + alertsPerPage - 1) / alertsPerPage
	count := p.Plural(total, "alert", "alerts")
	if len(list) == 0 {
		if rule == "" {
			return replies.Say(p, "Page %d is past the end: %s in the last %s make %d pages.", page, count, sinceText, pages), nil
		}
		return replies.Say(p, "Page %d is past the end: %s in the last %s for rule %s make %d pages.", page, count, sinceText, ruleCode, pages), nil
	}
	b := replies.NewBuilder(p)
	if rule == "" {
		b.Heading("Alerts in the last %s", replies.Escape(sinceText))
	} else {
		b.Heading("Alerts in the last %s for rule %s", replies.Escape(sinceText), ruleCode)
	}
	b.Para("%s, newest first; page %d of %d.", replies.Escape(count), page, pages)
	var items []string
	for _, a := range list {
		items = append(items, fmt.Sprintf("- #%d %s %s **%s** %s — %s", a.ID, replies.Code(a.CreatedAt.In(s.loc()).Format("01-02 15:04")),
			sevLabel(p, a.Severity), replies.Escape(a.Rule), stateLabel(p, a), replies.Escape(replies.Truncate(SummaryIn(p, a), 100))))
	}
	out := b.String() + "\n\n" + strings.Join(items, "\n")
	if page < pages {
		more := "/alerts --since " + sinceText
		if rule != "" {
			more += " --rule " + rule
		}
		more += fmt.Sprintf(" --page %d", page+1)
		out += "\n\n" + p.Markdownf("More: %s", bot.Markdown("`"+more+"`"))
	}
	return &replies.Reply{Markdown: out}, nil
}

func stateLabel(p *i18n.Printer, a *db.Alert) string {
	switch a.State {
	case db.AlertSent:
		if a.Repeat {
			return replies.Font(replies.Comment, p.Sprintf("(repeat, in digest %d)", a.DigestID))
		}
		return replies.Font(replies.Comment, p.Sprintf("(sent, digest %d)", a.DigestID))
	case db.AlertSilenced:
		return replies.Font(replies.Comment, p.T("(silenced)"))
	case db.AlertSuppressed:
		return replies.Font(replies.Comment, p.T("(repeat, not pushed)"))
	}
	return replies.Font(replies.Info, p.T("(pending)"))
}

func (s *Service) ruleNames(p *i18n.Printer) string {
	if len(s.r().rules) == 0 {
		return p.Markdownf("none (config.toml has no %s)", bot.Markdown(replies.Escape("[[alerts.rules]]")))
	}
	var out []string
	for _, r := range s.r().rules {
		out = append(out, replies.Code(r.Name))
	}
	return strings.Join(out, ", ")
}

func (s *Service) listSilences(ctx context.Context, inv *commands.Invocation) (*replies.Reply, error) {
	p := inv.P
	list, err := s.d.DB.ActiveAlertSilences(ctx)
	if err != nil {
		return nil, bot.Wrap(bot.EUNAVAILABLE, err, "cannot read the silences from the database; try again")
	}
	if len(list) == 0 {
		return replies.Say(p, "No silences in force: every rule's alerts are pushed. Add one with `/silence add RULE 2h`."), nil
	}
	b := replies.NewBuilder(p)
	b.Heading("Silences in force (%d)", len(list))
	for _, sl := range list {
		until := replies.Code(sl.Until.In(s.loc()).Format("01-02 15:04"))
		if sl.Reason != "" {
			b.Item("#%d **%s** until %s, by %s — %s", sl.ID, replies.Escape(sl.Rule), until, replies.Code(sl.CreatedBy), replies.Escape(sl.Reason))
		} else {
			b.Item("#%d **%s** until %s, by %s", sl.ID, replies.Escape(sl.Rule), until, replies.Code(sl.CreatedBy))
		}
	}
	b.Para("End one with `/silence remove ID`.")
	return b.Reply(), nil
}

// silenceRule checks the rule argument against the configured rules.
func (s *Service) silenceRule(inv *commands.Invocation) (string, error) {
	name := inv.Arg("rule")
	if s.rule(name) == nil {
		return "", bot.Errorf(bot.ENOTFOUND, "There is no rule %s. The rules are %s.", bot.Markdown(replies.Code(name)), bot.Markdown(s.ruleNames(inv.P)))
	}
	return name, nil
}

func (s *Service) previewSilenceAdd(ctx context.Context, inv *commands.Invocation) (string, error) {
	name, err := s.silenceRule(inv)
	if err != nil {
		return "", err
	}
	d, _ := commands.ParseDuration(inv.Arg("duration"))
	return inv.P.Markdownf("Silence rule %s for %s, until %s: its alerts are stored but not pushed.", bot.Markdown(replies.Code(name)),
		inv.Arg("duration"), bot.Markdown(replies.Code(inv.Now.Add(d).In(s.loc()).Format("01-02 15:04")))), nil
}

func (s *Service) silenceAdd(ctx context.Context, inv *commands.Invocation) (*replies.Reply, error) {
	name, err := s.silenceRule(inv)
	if err != nil {
		return nil, err
	}
	d, _ := commands.ParseDuration(inv.Arg("duration"))
	sl := &db.AlertSilence{Rule: name, Reason: inv.Arg("reason"), CreatedBy: inv.Caller.UserID, CreatedAt: inv.Now,
		Until: inv.Now.Add(d), InboxID: inv.InboxID}
	if _, err := s.d.DB.AddAlertSilence(ctx, sl); err != nil {
		return nil, bot.Wrap(bot.EUNAVAILABLE, err, "cannot store the silence; try again")
	}
	return replies.Say(inv.P, "Silenced %s until %s (silence #%d). End it early with `/silence remove %d`.", bot.Markdown(replies.Code(name)),
		bot.Markdown(replies.Code(sl.Until.In(s.loc()).Format("01-02 15:04"))), sl.ID, sl.ID), nil
}

func (s *Service) reconcileSilenceAdd(ctx context.Context, inv *commands.Invocation) (*replies.Reply, error) {
	sl, err := s.d.DB.AlertSilenceByInbox(ctx, inv.InboxID)
	if err != nil {
		return nil, err
	}
	if sl == nil {
		return replies.Say(inv.P, "The silence was not stored before the restart. Send the command again if you still want it."), nil
	}
	return replies.Say(inv.P, "The silence was stored before the restart: %s until %s (silence #%d).", bot.Markdown(replies.Code(sl.Rule)),
		bot.Markdown(replies.Code(sl.Until.In(s.loc()).Format("01-02 15:04"))), sl.ID), nil
}

func silenceID(inv *commands.Invocation) int64 {
	id, _ := strconv.ParseInt(inv.Arg("id"), 10, 64)
	return id
}

func (s *Service) previewSilenceRemove(ctx context.Context, inv *commands.Invocation) (string, error) {
	sl, err := s.d.DB.GetAlertSilence(ctx, silenceID(inv))
	if errors.Is(err, db.ErrAlertNotFound) || (err == nil && (!sl.RemovedAt.IsZero() || !sl.Until.After(inv.Now))) {
		return "", bot.Errorf(bot.ENOTFOUND, "There is no silence #%s in force. /silence lists them.", inv.Arg("id"))
	}
	if err != nil {
		return "", bot.Wrap(bot.EUNAVAILABLE, err, "cannot read the silence; try again")
	}
	return inv.P.Markdownf("End silence #%d of rule %s now (it would last until %s): its alerts are pushed again.", sl.ID,
		bot.Markdown(replies.Code(sl.Rule)), bot.Markdown(replies.Code(sl.Until.In(s.loc()).Format("01-02 15:04")))), nil
}

func (s *Service) silenceRemove(ctx context.Context, inv *commands.Invocation) (*replies.Reply, error) {
	sl, err := s.d.DB.EndAlertSilence(ctx, silenceID(inv), inv.Caller.UserID)
	if errors.Is(err, db.ErrAlertNotFound) {
		return nil, bot.Errorf(bot.ENOTFOUND, "There is no silence #%s in force (it may have ended meanwhile). /silence lists them.", inv.Arg("id"))
	}
	if err != nil {
		return nil, bot.Wrap(bot.EUNAVAILABLE, err, "cannot end the silence; try again")
	}
	return replies.Say(inv.P, "Ended silence #%d: rule %s alerts are pushed again.", sl.ID, bot.Markdown(replies.Code(sl.Rule))), nil
}

func (s *Service) reconcileSilenceRemove(ctx context.Context, inv *commands.Invocation) (*replies.Reply, error) {
	sl, err := s.d.DB.GetAlertSilence(ctx, silenceID(inv))
	if err != nil {
		return nil, err
	}
	if !sl.RemovedAt.IsZero() {
		return replies.Say(inv.P, "Silence #%d was ended by %s before the restart.", sl.ID, bot.Markdown(replies.Code(sl.RemovedBy))), nil
	}
	return replies.Say(inv.P, "Silence #%d is still in force (until %s). Send the command again to end it.", sl.ID,
		bot.Markdown(replies.Code(sl.Until.In(s.loc()).Format("01-02 15:04")))), nil
}
