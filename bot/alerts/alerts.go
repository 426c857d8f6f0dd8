// Package alerts pushes security alerts to teams. (Being written.)
package alerts

import (
	"context"
	"log/slog"
	"time"

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
	Directory commands.Directory // resolves team members given as tag:NAME / dept:ID
	Access    *commands.Access   // who may acknowledge and silence (alerts.write)
	Notify    func()             // wakes the outbox sender after rows are queued outside a callback
	Logger    *slog.Logger
	Location  *time.Location
	Now       func() time.Time
}

// Service runs the watchers and handles alert events and card clicks.
type Service struct{}

// New checks the configuration and returns the service.
func New(cfg config.Alerts, d Deps) (*Service, error) { return &Service{}, nil }

// Run polls and flushes digests until ctx ends.
func (s *Service) Run(ctx context.Context) error { <-ctx.Done(); return nil }

// HandleEvent handles the security event and clicks on alert cards.
func (s *Service) HandleEvent(ctx context.Context, it *db.InboxItem, m *wecom.Inbound) (inbox.Effects, error) {
	return nil, nil
}

// Commands are /alerts and /silence.
func (s *Service) Commands() []*commands.Command { return nil }
