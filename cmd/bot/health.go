package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// runHealth is `wecombot health --config config.toml`: it asks the running bot's /healthz (on callback.listen)
// and exits non-zero unless it answers 200 within 3 seconds. It is the container's HEALTHCHECK, so images
// need no curl.
func runHealth(ctx context.Context, e *env, args []string) error {
	cfg, err := loadConfig(e, "health", args)
	if err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(cfg.Callback.Listen)
	if err != nil {
		return err
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health: /healthz answered %s", resp.Status)
	}
	fmt.Fprintln(e.stdout, "ok")
	return nil
}
