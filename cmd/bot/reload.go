package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"reflect"

	"github.com/wecombot/wecombot/bot/config"
)

// reload applies what may change while the bot runs: roles and admins, approvers and reminders, alert rules,
// teams and routing. Each part is checked before anything changes in it; a part that fails keeps its old
// settings and is named in the error. Everything else (WeCom credentials, the callback, the database, the
// listen address, replies) needs a restart: a change there is reported, not applied.
func (a *app) reload(cfg *config.Config) error {
	var errs []error
	if a.access != nil {
		if err := checkRolePerms(rolesOf(cfg.Access), a.registry); err != nil {
			errs = append(errs, fmt.Errorf("access: %w", err))
		} else if err := a.access.Reload(cfg.Access.Admins, rolesOf(cfg.Access)); err != nil {
			errs = append(errs, fmt.Errorf("access: %w", err))
		}
	}
	if a.approvals != nil {
		if err := a.approvals.Reload(cfg.Approvals); err != nil {
			errs = append(errs, fmt.Errorf("approvals: %w", err))
		}
	}
	if a.alerts != nil {
		if err := a.alerts.Reload(cfg.Alerts); err != nil {
			errs = append(errs, fmt.Errorf("alerts: %w", err))
		}
	}
	for _, p := range []struct {
		name     string
		old, new any
	}{
		{"wecom", a.cfg.WeCom, cfg.WeCom}, {"callback", a.cfg.Callback, cfg.Callback}, {"store", a.cfg.Store, cfg.Store},
		{"log", a.cfg.Log, cfg.Log}, {"audit", a.cfg.Audit, cfg.Audit}, {"replies", a.cfg.Replies, cfg.Replies},
		{"access.cache_ttl", a.cfg.Access.CacheTTL, cfg.Access.CacheTTL},
		{"metrics", a.cfg.Metrics, cfg.Metrics}, {"replication", a.cfg.Replication, cfg.Replication}, {"policies", a.cfg.Policies, cfg.Policies},
	} {
		if !reflect.DeepEqual(p.old, p.new) {
			errs = append(errs, fmt.Errorf("[%s] changed: restart the bot to apply it", p.name))
		}
	}
	return errors.Join(errs...)
}

// reloadOn re-reads the config with load each time sigs delivers (SIGHUP in `wecombot serve`), until ctx ends.
func (a *app) reloadOn(ctx context.Context, sigs <-chan os.Signal, load func() (*config.Config, error)) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-sigs:
		}
		cfg, err := load()
		if err != nil {
			a.log.Error("reload: config not read; nothing changed", slog.String("err", err.Error()))
			continue
		}
		if err := a.reload(cfg); err != nil {
			a.log.Warn("reload: applied in part", slog.String("err", err.Error()))
			continue
		}
		a.log.Info("reload: roles, approvers and alert routing updated from the config")
	}
}
