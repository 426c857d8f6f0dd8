package emulator_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/wecombot/wecombot/wecom/wecomtest"
)

// Token flow (token.go and server.go), exercised over HTTP.

func TestTokenFlow(t *testing.T) {
	clk := newClock()
	opts := testOptions()
	opts.Now = clk.Now
	ts := wecomtest.NewServer(t, opts)

	get := func(corpid, secret string) result {
		return call(t, ts, "GET", "gettoken", "", url.Values{"corpid": {corpid}, "corpsecret": {secret}})
	}
	ok := get(testCorpID, testSecret)
	wantCode(t, ok, 0)
	tok := ok.str("access_token")
	if tok == "" || ok["expires_in"].(float64) != 7200 {
		t.Fatalf("gettoken = %v; want a token valid 7200 s", ok)
	}
	wantCode(t, get("wrongcorp", testSecret), 40013)
	wantCode(t, get(testCorpID, "wrong"), 40001)

	wantCode(t, call(t, ts, "GET", "tag/list", tok, nil), 0)
	wantCode(t, call(t, ts, "GET", "tag/list", "", nil), 41001)
	wantCode(t, call(t, ts, "GET", "tag/list", "not-a-token", nil), 40014)

	ts.ExpireTokens()
	wantCode(t, call(t, ts, "GET", "tag/list", tok, nil), 42001)

	tok2 := ts.AccessToken(t)
	wantCode(t, call(t, ts, "GET", "tag/list", tok2, nil), 0)
	clk.Advance(7200 * time.Second)
	wantCode(t, call(t, ts, "GET", "tag/list", tok2, nil), 42001)
	if n := ts.TokenCount(); n != 2 {
		t.Errorf("TokenCount() = %d; want 2", n)
	}
}
