package main

import (
	"context"
	"fmt"
	"net"
)

// runServe is `bot serve --config config.toml`: the production server.
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
	return a.run(ctx, ln)
}
