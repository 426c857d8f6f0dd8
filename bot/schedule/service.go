package schedule

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/wecombot/wecombot/bot"
	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/inbox"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"
)

// Bounds: each schedule's runs spend its creator's messages, and all of them the app's.
const (
	MaxPerMember = 10
	MaxTotal     = 500
	// lateAfter: a slot fired later than this after its time was missed (the bot was down), and says so.
	lateAfter = 2 * time.Minute
	// maxWait bounds the loop's sleep, so a missed wake-up or a clock step costs at most this.
	maxWait = time.Minute
	// retryAfter is the pause after a failed pass.
	retryAfter = 5 * time.Second
	// listMax bounds /schedule list (an admin's list of everyone's): one or two messages, not dozens.
	listMax = 20
	// fireBatch bounds one pass over due schedules; the next pass takes the rest.
	fireBatch = 100
	maxLine   = 500
)

// PermManage is needed to add, list and remove one's schedules; what they run needs its own permission too.
const PermManage = "schedule.manage"

var idArgRE = regexp.MustCompile(`^#?[0-9]{1,18}$`)

// Renderer turns replies to a member into outbox rows; *router.Router implements it.
type Renderer interface {
	Render(to string, inboxID int64, rs []*replies.Reply) ([]*db.OutboxMessage, error)
}

// Deps are what the service needs.
type Deps struct {
	DB       *db.DB
	Registry *commands.Registry
	Location *time.Location // the bot's timezone (replies.timezone): slots are read and shown in it
	Wake     func()         // wakes the inbox workers after a slot is queued
	Logger   *slog.Logger
	Now      func() time.Time
}

// Service is the schedules desk.
type Service struct {
	d      Deps
	engine *commands.Engine
	render Renderer
	kick   chan struct{}
}

var _ inbox.Handler = (*Service)(nil)

// New returns the service; Attach it to the engine and router before Run.
func New(d Deps) *Service {
	if d.Location == nil {
		d.Location = replies.China
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Wake == nil {
		d.Wake = func() {}
	}
	return &Service{d: d, kick: make(chan struct{}, 1)}
}

// Attach gives the service the engine that runs fired slots and the renderer of their answers.
func (s *Service) Attach(e *commands.Engine, r Renderer) { s.engine, s.render = e, r }

// Commands returns /schedule add, list and remove.
func (s *Service) Commands() []*commands.Command {
	return []*commands.Command{
		{
			Path:    "schedule add",
			Aliases: []string{"日程 添加"},
			Args: []commands.Arg{
				{Name: "when", Help: "when it runs: \"weekdays 09:00\", \"daily 18:30\", \"every monday 09:00\", \"every 2h\", \"hourly\", \"工作日 09:00\", \"每天 18:30\", \"每周一 09:00\", \"每小时\", or a cron line \"0 9 * * 1-5\"",
					Prompt: "When should it run? (like \"weekdays 09:00\" or \"每天 18:30\")"},
				{Name: "command", Rest: true, Line: true, Help: "the read command to run, with its arguments, like /devices pending",
					Prompt: "Which command? (a read command, like /devices pending)"},
			},
			Summary:  "Run a read command on a schedule, as you",
			Help:     "Runs the command at each slot of the schedule, in the bot's timezone (replies.timezone), as you: your permissions are checked when it is added and again at every run, and if you have lost the right you get a notice instead of the answer. Only commands that change nothing can be scheduled. Quote the time (\"weekdays 09:00\") or not: everything before the first word starting with / is the time. At most every 15 minutes, 10 schedules a member. Each slot runs once, also across restarts; a slot missed while the bot was down runs once when it is back, and says it is late.",
			Examples: []string{`/schedule add "weekdays 09:00" /devices pending`, `/schedule add 每天 18:30 /alerts --since 1d`},
			Perm:     PermManage,
			Audited:  true,
			Run:      s.add,
		},
		{
			Path:     "schedule",
			Aliases:  []string{"日程"},
			Summary:  "List your schedules (the same as /schedule list)",
			Examples: []string{"/schedule"},
			Perm:     PermManage,
			Run:      s.list,
		},
		{
			Path:     "schedule list",
			Aliases:  []string{"日程 列表"},
			Summary:  "List your schedules with their next run",
			Help:     "Shows each schedule's number, time, command, next run and last run, and whether its last run was refused because you lost the permission. Admins see everyone's.",
			Examples: []string{"/schedule list"},
			Perm:     PermManage,
			Run:      s.list,
		},
		{
			Path:    "schedule remove",
			Aliases: []string{"日程 删除"},
			Args: []commands.Arg{{Name: "id", Match: idArgRE, Help: "the schedule's number, from /schedule list",
				Prompt: "Which schedule? (its number, from /schedule list)"}},
			Summary:  "Stop a schedule",
			Help:     "Its slots not run yet never run. Your own schedules only (admins: anyone's).",
			Examples: []string{"/schedule remove 1"},
			Perm:     PermManage,
			Audited:  true,
			Run:      s.remove,
		},
	}
}

// splitWhen separates the time from the command: everything before the first word starting with "/".
func splitWhen(words []string) (when string, line []string) {
	for i, w := range words {
		if strings.HasPrefix(w, "/") {
			return strings.Join(words[:i], " "), words[i:]
		}
	}
	return strings.Join(words, " "), nil
}

// joinLine puts the command's words back into a line the parser reads the same way.
func joinLine(words []string) string {
	out := make([]string, len(words))
	for i, w := range words {
		if strings.ContainsAny(w, " \t\"'\\") || w == "" {
			w = strconv.Quote(w)
		}
		out[i] = w
	}
	return strings.Join(out, " ")
}

func (s *Service) add(ctx context.Context, inv *commands.Invocation) (*replies.Reply, error) {
	p := inv.P
	when, words := splitWhen(append([]string{inv.Arg("when")}, inv.List("command")...))
	if len(words) == 0 {
		return nil, bot.Errorf(bot.EINVALID, "say which command to run, after the time: %s", bot.Markdown(replies.Code(`/schedule add "weekdays 09:00" /devices pending`)))
	}
	expr, err := Parse(when)
	if err != nil {
		return nil, err
	}
	line := joinLine(words)
	if len(line) > maxLine {
		return nil, bot.Errorf(bot.EINVALID, "the command is longer than %d bytes", maxLine)
	}
	parsed, err := s.d.Registry.Parse(commands.Normalize(line))
	if err != nil {
		return nil, err // the usual usage and did-you-mean, for the scheduled line
	}
	cmd := parsed.Command
	if why := commands.Schedulable(cmd); why != "" {
		return nil, bot.Errorf(bot.EINVALID, "/%s cannot be scheduled: %s. Only commands that change nothing can run on a schedule.", cmd.Path, bot.Markdown(p.T(why)))
	}
	for _, a := range cmd.Args {
		if !a.Optional && len(parsed.Args[a.Name]) == 0 {
			return nil, bot.Errorf(bot.EINVALID, "/%s needs its %s; usage: %s", cmd.Path, a.Name, bot.Markdown(replies.Code(cmd.Usage())))
		}
	}
	if !inv.Caller.Can(cmd.Perm) {
		return nil, bot.Errorf(bot.EFORBIDDEN, "you cannot schedule /%s: it needs the permission %s, which you do not have", cmd.Path, bot.Markdown(replies.Code(cmd.Perm)))
	}
	mine, total, err := s.d.DB.CountSchedules(ctx, inv.Caller.UserID)
	if err != nil {
		return nil, bot.Wrap(bot.EUNAVAILABLE, err, "cannot read the schedules from the database; try again")
	}
	if mine >= MaxPerMember {
		return nil, bot.Errorf(bot.ECONFLICT, "you have %d schedules, the most a member may have; remove one first (/schedule list shows them)", mine)
	}
	if total >= MaxTotal {
		return nil, bot.Errorf(bot.ECONFLICT, "the bot runs %d schedules, the most it allows; ask an admin to remove unused ones", total)
	}
	next := expr.Next(inv.Now, s.d.Location)
	sc := &db.Schedule{Creator: inv.Caller.UserID, Spec: strings.Join(strings.Fields(when), " "), Cron: expr.Cron, Line: line,
		NextRun: next, InboxID: inv.InboxID}
	// Stored now rather than with Invocation.Commit, so the answer can give its number; keyed by the message, so a
	// replayed /schedule add finds the row its first run stored and answers the same.
	if _, err := s.d.DB.AddSchedule(ctx, sc); err != nil {
		return nil, bot.Wrap(bot.EUNAVAILABLE, err, "cannot store the schedule; try again")
	}
	s.Kick()
	if sc.Spec == expr.Cron { // a cron line: shown once
		return replies.Say(p, "Schedule #%d: %s at %s, as you. Next run: %s. Remove it with %s.", sc.ID,
			bot.Markdown(replies.Code(line)), bot.Markdown(replies.Code(sc.Spec)),
			s.when(p, next), bot.Markdown(replies.Code(fmt.Sprintf("/schedule remove %d", sc.ID)))), nil
	}
	return replies.Say(p, "Schedule #%d: %s at %s (%s), as you. Next run: %s. Remove it with %s.", sc.ID,
		bot.Markdown(replies.Code(line)), bot.Markdown(replies.Code(sc.Spec)), bot.Markdown(replies.Code(expr.Cron)),
		s.when(p, next), bot.Markdown(replies.Code(fmt.Sprintf("/schedule remove %d", sc.ID)))), nil
}

// when shows a slot in the bot's timezone: "12-04 09:00 (Fri)".
func (s *Service) when(p *i18n.Printer, t time.Time) string {
	t = t.In(s.d.Location)
	return t.Format("01-02 15:04") + p.T(weekdayIDs[t.Weekday()])
}

// weekdayIDs are the weekdays as shown after a time, with their brackets (full-width in Chinese).
var weekdayIDs = [...]string{i18n.N(" (Sun)"), i18n.N(" (Mon)"), i18n.N(" (Tue)"), i18n.N(" (Wed)"), i18n.N(" (Thu)"), i18n.N(" (Fri)"), i18n.N(" (Sat)")}

func (s *Service) list(ctx context.Context, inv *commands.Invocation) (*replies.Reply, error) {
	p := inv.P
	creator := inv.Caller.UserID
	if inv.Caller.Admin {
		creator = ""
	}
	list, err := s.d.DB.ListSchedules(ctx, creator, listMax+1)
	if err != nil {
		return nil, bot.Wrap(bot.EUNAVAILABLE, err, "cannot read the schedules from the database; try again")
	}
	more := 0
	if len(list) > listMax {
		_, total, err := s.d.DB.CountSchedules(ctx, "")
		if err != nil {
			return nil, bot.Wrap(bot.EUNAVAILABLE, err, "cannot read the schedules from the database; try again")
		}
		list, more = list[:listMax], total-listMax
	}
	if len(list) == 0 {
		return replies.Say(p, "No schedules. Add one like %s.", bot.Markdown(replies.Code(`/schedule add "weekdays 09:00" /devices pending`))), nil
	}
	b := replies.NewBuilder(p)
	b.Heading("Schedules")
	for _, sc := range list {
		item := p.Markdownf("#%d %s %s — next %s", sc.ID, bot.Markdown(replies.Code(sc.Spec)), bot.Markdown(replies.Code(sc.Line)), s.when(p, sc.NextRun))
		if creator == "" {
			item += " · " + replies.Escape(sc.Creator)
		}
		switch {
		case strings.HasPrefix(sc.LastStatus, "denied: "):
			item += " · " + p.Markdownf("**last run refused**: you no longer have %s", bot.Markdown(replies.Code(strings.TrimPrefix(sc.LastStatus, "denied: "))))
		case strings.HasPrefix(sc.LastStatus, "invalid: "):
			item += " · " + p.Markdownf("**cannot run**: %s", strings.TrimPrefix(sc.LastStatus, "invalid: "))
		case !sc.LastRun.IsZero():
			item += " · " + p.Markdownf("last ran %s", s.when(p, sc.LastRun))
		}
		b.Item("%s", bot.Markdown(item))
	}
	if more > 0 {
		b.Para("And %d more, not shown.", more)
	}
	return b.Reply(), nil
}

func (s *Service) remove(ctx context.Context, inv *commands.Invocation) (*replies.Reply, error) {
	p := inv.P
	id, _ := strconv.ParseInt(strings.TrimPrefix(inv.Arg("id"), "#"), 10, 64)
	sc, err := s.d.DB.GetSchedule(ctx, id)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !inv.Caller.Admin && !strings.EqualFold(sc.Creator, inv.Caller.UserID) {
		return nil, bot.Errorf(bot.EINVALID, "you have no schedule #%d; /schedule list shows yours", id)
	}
	if err != nil {
		return nil, bot.Wrap(bot.EUNAVAILABLE, err, "cannot read the schedules from the database; try again")
	}
	if _, err := s.d.DB.RemoveSchedule(ctx, id); err != nil {
		return nil, bot.Wrap(bot.EUNAVAILABLE, err, "cannot remove the schedule; try again")
	}
	// Removed by this message or an earlier one (a replay, or typed twice): the answer is the same.
	return replies.Say(p, "Schedule #%d (%s at %s) is removed; it will not run again.", id, bot.Markdown(replies.Code(sc.Line)),
		bot.Markdown(replies.Code(sc.Spec))), nil
}

// Kick wakes the loop: a schedule was added.
func (s *Service) Kick() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Run fires due slots until ctx ends: it wakes at the next slot (or every maxWait, or when a schedule is added).
func (s *Service) Run(ctx context.Context) error {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-s.kick:
		}
		wait := maxWait
		if _, err := s.FireDue(ctx); err != nil {
			if ctx.Err() == nil {
				s.d.Logger.Warn("cannot fire due schedules; retrying", slog.String("err", err.Error()))
			}
			wait = retryAfter // not at once: the slot is still due, and the loop would spin
		} else if next, ok, err := s.d.DB.NextScheduleDue(ctx); err == nil && ok {
			wait = min(wait, max(next.Sub(s.d.Now()), 0))
		}
		if !t.Stop() {
			select {
			case <-t.C:
			default:
			}
		}
		t.Reset(wait)
	}
}

// slotRun is the payload of a fired slot's inbox row.
type slotRun struct {
	ID    int64 `json:"id"`
	Slot  int64 `json:"slot"`  // unix seconds of the slot
	Fired int64 `json:"fired"` // when it was fired: later than lateAfter means the bot was down
}

// FireDue queues every due slot once: each schedule's next slot, and only that one however many were missed
// (a bot down for a day runs a daily schedule once, not once per slot). It returns how many it queued.
func (s *Service) FireDue(ctx context.Context) (int, error) {
	now := s.d.Now()
	due, err := s.d.DB.DueSchedules(ctx, now, fireBatch)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, sc := range due {
		expr, err := Parse(sc.Cron)
		var next time.Time
		if err == nil {
			next = expr.Next(now, s.d.Location)
		}
		if next.IsZero() {
			// Stored by an older version that read it differently: run it no more, and say so in the list.
			s.d.Logger.Warn("a stored schedule no longer parses; it is not run", slog.Int64("schedule", sc.ID), slog.String("cron", sc.Cron))
			next = now.AddDate(100, 0, 0)
		}
		payload, _ := json.Marshal(slotRun{ID: sc.ID, Slot: sc.NextRun.Unix(), Fired: now.Unix()})
		fired, err := s.d.DB.FireSchedule(ctx, sc.ID, sc.NextRun, next, &db.InboxItem{From: sc.Creator, Payload: payload, ReceivedAt: now})
		if err != nil {
			return n, err
		}
		if fired {
			n++
		}
	}
	if n > 0 {
		s.d.Wake()
	}
	return n, nil
}

// Handle runs a fired slot (an inbox row of kind db.KindSchedule) as the schedule's creator, in the inbox's
// exactly-once pipeline: the answer, the audit row and the schedule's last run commit with the row.
func (s *Service) Handle(ctx context.Context, it *db.InboxItem) (inbox.Effects, error) {
	var r slotRun
	if err := json.Unmarshal(it.Payload, &r); err != nil {
		return nil, inbox.Permanent(fmt.Errorf("schedule run payload: %w", err))
	}
	sc, err := s.d.DB.GetSchedule(ctx, r.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if sc.Removed {
		return nil, nil // removed after the slot fired: removing stops it
	}
	if s.engine == nil || s.render == nil {
		return nil, errors.New("schedule: not attached to the engine")
	}
	p := i18n.From(ctx)
	slot, fired := time.Unix(r.Slot, 0), time.Unix(r.Fired, 0)
	out, st, detail, err := s.engine.RunScheduled(ctx, sc.Creator, sc.Line, it.ID, fmt.Sprintf("schedule #%d", sc.ID), PermManage)
	if err != nil {
		return nil, err
	}
	var rs []*replies.Reply
	status := "ok"
	switch st {
	case commands.ScheduledRan:
		if fired.Sub(slot) > lateAfter {
			rs = append(rs, replies.Say(p, "Schedule #%d, %s: scheduled for %s, ran %s because the bot was down.", sc.ID,
				bot.Markdown(replies.Code(sc.Line)), s.when(p, slot), fired.In(s.d.Location).Format("15:04")))
		} else {
			rs = append(rs, replies.Say(p, "Schedule #%d, %s:", sc.ID, bot.Markdown(replies.Code(sc.Line))))
		}
		rs = append(rs, out.Replies...)
	case commands.ScheduledDenied:
		status = "denied: " + detail
		rs = append(rs, replies.Say(p, "Schedule #%d did not run %s: you no longer have the permission %s. It stays in /schedule list, marked so, and runs again once you have it; remove it with %s.",
			sc.ID, bot.Markdown(replies.Code(sc.Line)), bot.Markdown(replies.Code(detail)), bot.Markdown(replies.Code(fmt.Sprintf("/schedule remove %d", sc.ID)))))
	default:
		status = "invalid: " + detail
		rs = append(rs, replies.Say(p, "Schedule #%d cannot run %s any more: %s. Remove it with %s.", sc.ID,
			bot.Markdown(replies.Code(sc.Line)), detail, bot.Markdown(replies.Code(fmt.Sprintf("/schedule remove %d", sc.ID)))))
	}
	rows, err := s.render.Render(sc.Creator, it.ID, rs)
	if err != nil {
		return nil, inbox.Permanent(err)
	}
	return func(ctx context.Context, tx *db.Tx) error {
		if err := out.Effects(ctx, tx); err != nil {
			return err
		}
		if err := tx.MarkScheduleRun(ctx, sc.ID, slot, status); err != nil {
			return err
		}
		for _, row := range rows {
			if err := tx.AddOutbox(ctx, row); err != nil {
				return err
			}
		}
		return nil
	}, nil
}
