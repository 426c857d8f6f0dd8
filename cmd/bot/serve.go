package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/wecombot/wecombot/bot/config"
)

// runServe is `wecombot serve --config config.toml`: the production server.
func runServe(ctx context.Context, e *env, args []string) error {
	cfg, err := loadConfig(e, "serve", args)
	if err != nil {
		return err
	}
	log := newLogger(e.stderr, cfg.Log)
	a, err := newApp(cfg, log, nil)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Callback.Listen)
	if err != nil {
		a.db.Close()
		return fmt.Errorf("callback.listen %s: %w", cfg.Callback.Listen, err)
	}
	// SIGHUP re-reads the config: roles, approvers and alert routing change without a restart.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go a.reloadOn(ctx, hup, func() (*config.Config, error) { return loadConfig(e, "serve", args) })
	return a.run(ctx, ln)
}
