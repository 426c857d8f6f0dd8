package alerts

import (
	"context"
	"fmt"
	"time"

	"github.com/wecombot/wecombot/db"
)

// What the web console does with alerts, outside a callback: the same acknowledgement and silence as the card
// buttons, each in a transaction of its own. The console checks alerts.write and audits (via=web).

// ErrNoRule is returned for a silence of a rule the config does not have.
var ErrNoRule = fmt.Errorf("alerts: no such rule")

// AckDigest acknowledges digest id for by: every card of the digest then shows who acked it. first is false
// when it was acknowledged before (d says by whom); db.ErrAlertNotFound when there is no such digest.
func (s *Service) AckDigest(ctx context.Context, id int64, by string) (d *db.AlertDigest, first bool, err error) {
	err = s.d.DB.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
		d, first, err = tx.AckAlertDigest(ctx, id, by)
		if err != nil {
			return err
		}
		return s.updateDigestCards(ctx, tx, 0, d, by, "", "", nil)
	})
	if err == nil && s.d.Notify != nil {
		s.d.Notify()
	}
	return d, first, err
}

// SilenceRule silences rule until now+dur for by.
func (s *Service) SilenceRule(ctx context.Context, rule, by, reason string, dur time.Duration) (*db.AlertSilence, error) {
	if s.rule(rule) == nil {
		return nil, ErrNoRule
	}
	sl := &db.AlertSilence{Rule: rule, Reason: reason, CreatedBy: by, Until: s.now().Add(dur)}
	if _, err := s.d.DB.AddAlertSilence(ctx, sl); err != nil {
		return nil, err
	}
	return sl, nil
}

// RuleNames returns the configured rules' names, in config order.
func (s *Service) RuleNames() []string {
	var out []string
	for _, r := range s.r().rules {
		out = append(out, r.Name)
	}
	return out
}
