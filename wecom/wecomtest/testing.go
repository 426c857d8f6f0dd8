package wecomtest

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

// TestServer is an emulator served over loopback HTTP for a test.
type TestServer struct {
	*Server
	URL string // base URL, e.g. http://127.0.0.1:41234; WeCom's API is under URL+"/cgi-bin/"
}

// NewServer starts an emulator on a loopback httptest server that tb.Cleanup closes.
func NewServer(tb testing.TB, opts Options) *TestServer {
	tb.Helper()
	s := New(opts)
	hs := httptest.NewServer(s.Handler())
	tb.Cleanup(hs.Close)
	return &TestServer{Server: s, URL: hs.URL}
}

// AccessToken fetches an access_token with the app's credentials, failing the test on error.
func (ts *TestServer) AccessToken(tb testing.TB) string {
	tb.Helper()
	q := url.Values{"corpid": {ts.opts.CorpID}, "corpsecret": {ts.opts.Secret}}
	resp, err := http.Get(ts.URL + "/cgi-bin/gettoken?" + q.Encode())
	if err != nil {
		tb.Fatalf("gettoken: %v", err)
	}
	defer resp.Body.Close()
	var out struct {
		ErrCode     int    `json:"errcode"`
		ErrMsg      string `json:"errmsg"`
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.ErrCode != 0 {
		tb.Fatalf("gettoken: errcode %d %s (%v)", out.ErrCode, out.ErrMsg, err)
	}
	return out.AccessToken
}

// ListenAndServe serves the emulator on addr until ctx is cancelled, then shuts down gracefully (in-flight
// requests get 5 seconds). It is what `bot emulator` runs. A clean shutdown returns nil.
func ListenAndServe(ctx context.Context, addr string, s *Server) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return Serve(ctx, ln, s)
}

// Serve is ListenAndServe on an existing listener (port 0 and tests).
func Serve(ctx context.Context, ln net.Listener, s *Server) error {
	hs := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	s.opts.Logger.Info("wecomtest: emulator listening", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err := hs.Shutdown(sctx)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}
