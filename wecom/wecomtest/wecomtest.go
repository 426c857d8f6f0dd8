// Package wecomtest holds test helpers around the WeCom emulator (package emulator): an emulator served on
// loopback for one test, and its access token. It imports testing, so only tests may import it; the emulator
// itself, which `wecombot emulator` and `wecombot demo` run, is wecom/emulator.
package wecomtest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/wecombot/wecombot/wecom/emulator"
)

// Server is an emulator served over loopback HTTP for a test.
type Server struct {
	*emulator.Server
	URL string // base URL, e.g. http://127.0.0.1:41234; WeCom's API is under URL+"/cgi-bin/"
}

// NewServer starts an emulator on a loopback httptest server that tb.Cleanup closes.
func NewServer(tb testing.TB, opts emulator.Options) *Server {
	tb.Helper()
	s := emulator.New(opts)
	hs := httptest.NewServer(s.Handler())
	tb.Cleanup(hs.Close)
	return &Server{Server: s, URL: hs.URL}
}

// AccessToken fetches an access_token with the app's credentials, failing the test on error.
func (ts *Server) AccessToken(tb testing.TB) string {
	tb.Helper()
	opts := ts.Options()
	q := url.Values{"corpid": {opts.CorpID}, "corpsecret": {opts.Secret}}
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
