// Package alerts pushes security alerts to teams.
//
// Two things raise alerts. WeCom's own security callback (Event security, ChangeType change_domain_ip) says
// that WeCom's domains or IPs changed: HandleEvent reads the new list, compares it with the last snapshot and
// tells config.Alerts.DomainIPTeam what to change in the firewall. And watchers poll WeCom's security logs
// (member and admin operation logs, file records) and the trusted-device lists every Interval; the rules in
// config.Alerts.Rules choose which records alert, how severely, and which team hears of it.
//
// Alerts are stored once per record (a UNIQUE key), found in windows whose progress is stored with them, and
// grouped: a team gets one digest per Window (a markdown message with the detail, then a card with Ack and
// Silence buttons), and a critical alert gets a card of its own at once. Every message goes through the
// outbox, one recipient per row. See docs/alerts.md.
package alerts

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/wecombot/wecombot/internal/retry"

	"github.com/wecombot/wecombot/bot/access"
	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/replies"

	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/bot/config"
	"github.com/wecombot/wecombot/bot/inbox"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// Deps are what the alerts service works with.
type Deps struct {
	Client    *wecom.Client
	DB        *db.DB
	Directory access.Directory // resolves team members given as tag:NAME / dept:ID
	Access    *access.Control  // who may acknowledge and silence (alerts.write)
	Notify    func()           // wakes the outbox sender after rows are queued outside a callback
	Logger    *slog.Logger
	Location  *time.Location
	Now       func() time.Time
	// Composer turns alerts into messages as every reply is turned (text mode for the WeChat plugin).
	Composer replies.Composer
	// Langs says which language each member reads: digests, cards and notices are written in each
	// recipient's (a chat's in the default). Nil: English.
	Langs *i18n.Members
	// Names shows members as 张三 (zhangsan) in digests and cards; nil shows bare userids.
	Names *access.Names
}

// Permissions the alerts need.
const (
	PermRead  = "alerts.read"  // /alerts, /silence
	PermWrite = "alerts.write" // /silence add|remove, the card buttons
)

// Service runs the watchers and handles alert events and card clicks.
type Service struct {
	d    Deps
	rt   atomic.Pointer[routing] // replaced whole by Reload
	log  *slog.Logger
	wake retry.Wake

	retryAt map[string]time.Time // team → when to try its failed flush again (Run's goroutine only)
}

// New checks the configuration and returns the service.
func New(cfg config.Alerts, d Deps) (*Service, error) {
	if d.DB == nil || d.Client == nil {
		return nil, errors.New("alerts: a database and a WeCom client are required")
	}
	rules, err := compileRules(cfg)
	if err != nil {
		return nil, err
	}
	if err := checkTeams(cfg.Teams, d.Directory != nil); err != nil {
		return nil, err
	}
	s := &Service{d: d, wake: retry.NewWake(), retryAt: map[string]time.Time{}}
	s.log = d.Logger
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.rt.Store(s.newRouting(cfg, rules))
	return s, nil
}

// routing is the alerts configuration in force: rules, teams and windows. Reload swaps it whole, so a flush
// or a watcher pass sees one configuration from start to end.
type routing struct {
	cfg   config.Alerts
	rules []*rule
	teams *teams
}

func (s *Service) newRouting(cfg config.Alerts, rules []*rule) *routing {
	return &routing{cfg: cfg, rules: rules,
		teams: &teams{cfg: cfg.Teams, dir: s.d.Directory, now: s.now, log: s.log, cache: map[string]resolvedTeam{}}}
}

func (s *Service) r() *routing { return s.rt.Load() }

// Reload takes new rules, teams and routing (SIGHUP re-reads config.toml), checked as New checks them; on an
// error nothing changes. The watchers' polling interval is read when the service starts: a changed
// alerts.interval is refused, saying a restart is needed.
func (s *Service) Reload(cfg config.Alerts) error {
	if cfg.Interval != s.r().cfg.Interval {
		return errors.New("alerts.interval changed: restart the bot for the watchers to poll at the new interval")
	}
	rules, err := compileRules(cfg)
	if err != nil {
		return err
	}
	if err := checkTeams(cfg.Teams, s.d.Directory != nil); err != nil {
		return err
	}
	s.rt.Store(s.newRouting(cfg, rules))
	s.kick()
	return nil
}

func (s *Service) now() time.Time {
	if s.d.Now != nil {
		return s.d.Now()
	}
	return time.Now()
}

func (s *Service) loc() *time.Location {
	if s.d.Location != nil {
		return s.d.Location
	}
	return shanghai
}

var shanghai = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return l
	}
	return time.FixedZone("CST", 8*3600)
}()

// kick makes the flusher look at pending alerts now.
func (s *Service) kick() { s.wake.Notify() }

// Run polls the security logs every Interval (when there are rules and Interval is not 0) and pushes due
// digests, until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	interval := s.r().cfg.Interval.Duration
	polling := interval > 0 && len(s.r().rules) > 0
	if !polling && len(s.r().rules) > 0 {
		s.log.Warn("alerts: alerts.interval is 0; the security logs are not watched")
	}
	// Due digests are looked for a few times per window, and at once after a poll found something.
	check := min(max(s.r().cfg.Window.Duration/4, 50*time.Millisecond), time.Second)
	flushT := time.NewTicker(check)
	defer flushT.Stop()
	var pollC <-chan time.Time
	if polling {
		t := time.NewTicker(interval)
		defer t.Stop()
		pollC = t.C
		s.poll(ctx)
	}
	s.flush(ctx)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-pollC:
			s.poll(ctx)
			s.flush(ctx)
		case <-s.wake:
			s.flush(ctx)
		case <-flushT.C:
			s.flush(ctx)
			s.escalate(ctx)
		}
	}
}

// HandleEvent handles the security event and clicks on alert cards.
func (s *Service) HandleEvent(ctx context.Context, it *db.InboxItem, m *wecom.Inbound) (inbox.Effects, error) {
	switch {
	case m.Event == "template_card_event":
		return s.click(ctx, it, m)
	case m.Event == "security" && m.ChangeType == "change_domain_ip":
		return s.domainIPChanged(ctx, it, m)
	case m.Event == "change_contact":
		return s.contactChanged(ctx, it, m)
	}
	s.log.Info("alerts: event not handled; acknowledged", slog.String("event", m.Event), slog.String("change_type", m.ChangeType))
	return nil, nil
}

// Commands are /alerts and /silence.
func (s *Service) Commands() []*commands.Command { return s.commands() }
