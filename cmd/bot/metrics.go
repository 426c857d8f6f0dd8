package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/wecombot/wecombot/bot/metrics"
)

// metricsServer serves GET /metrics on [metrics] listen, a listener of its own: never the callback's, which
// is public.
type metricsServer struct {
	m   *metrics.Metrics
	ln  net.Listener
	srv *http.Server
	log *slog.Logger
}

// instrument wires the metrics hooks into the app's parts and opens the metrics listener; it does nothing
// when metrics.listen is empty.
func (a *app) instrument() (*metricsServer, error) {
	if a.cfg.Metrics.Listen == "" {
		return nil, nil
	}
	m, err := metrics.New(context.Background(), a.db)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	a.callback.Observe = m.Callback
	a.processor.Observe = m.Handled
	a.sender.Observe = m.Outbox
	a.client.SetObserver(m.APICall)
	if a.engine != nil {
		a.engine.Observe = m.Command
	}
	ln, err := net.Listen("tcp", a.cfg.Metrics.Listen)
	if err != nil {
		return nil, fmt.Errorf("metrics.listen %s: %w", a.cfg.Metrics.Listen, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	return &metricsServer{m: m, ln: ln, log: a.log.With("component", "metrics"), srv: &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       90 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}}, nil
}

// addr is where the metrics are served.
func (s *metricsServer) addr() string { return s.ln.Addr().String() }

// run serves until ctx ends.
func (s *metricsServer) run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(s.ln) }()
	s.log.Info("metrics serving", slog.String("addr", s.addr()))
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("metrics: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.srv.Shutdown(sctx)
}
