package wecom_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wecombot/wecombot/wecom"
)

// fakeWeCom is a minimal scripted server for the call path's unit tests: gettoken issues numbered tokens, and
// /cgi-bin/test answers from a script, one entry per request.
type fakeWeCom struct {
	srv       *httptest.Server
	gettokens atomic.Int32
	mu        sync.Mutex
	script    []func(w http.ResponseWriter, r *http.Request)
	hits      int
	tokens    []string // access_token of each /cgi-bin/test request
}

func newFakeWeCom(t *testing.T) *fakeWeCom {
	t.Helper()
	f := &fakeWeCom{}
	mux := http.NewServeMux()
	mux.HandleFunc("/base/cgi-bin/gettoken", func(w http.ResponseWriter, r *http.Request) {
		n := f.gettokens.Add(1)
		if r.URL.Query().Get("corpsecret") != "sekrit" {
			fmt.Fprint(w, `{"errcode":40001,"errmsg":"invalid credential"}`)
			return
		}
		fmt.Fprintf(w, `{"errcode":0,"errmsg":"ok","access_token":"TOKEN%d","expires_in":7200}`, n)
	})
	mux.HandleFunc("/base/cgi-bin/test", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		i := f.hits
		f.hits++
		f.tokens = append(f.tokens, r.URL.Query().Get("access_token"))
		var step func(http.ResponseWriter, *http.Request)
		if i < len(f.script) {
			step = f.script[i]
		}
		f.mu.Unlock()
		if step == nil {
			fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","value":"done"}`)
			return
		}
		step(w, r)
	})
	mux.HandleFunc("/base/cgi-bin/other", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","value":"done"}`)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func errcode(code int) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"errcode":%d,"errmsg":"scripted"}`, code)
	}
}

func (f *fakeWeCom) client(t *testing.T, secret string) (*wecom.Client, *[]time.Duration) {
	t.Helper()
	c, err := wecom.NewClient(wecom.Config{CorpID: "corp", Secret: secret, AgentID: 1, BaseURL: f.srv.URL + "/base"})
	if err != nil {
		t.Fatal(err)
	}
	var waits []time.Duration
	c.SetSleepForTest(func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		return ctx.Err()
	})
	return c, &waits
}

type testOut struct {
	Value string `json:"value"`
}

func TestCall_errcodes(t *testing.T) {
	t.Parallel()
	type step = func(http.ResponseWriter, *http.Request)
	tests := []struct {
		name       string
		idempotent bool
		script     []step
		wantCode   int    // 0: success expected
		wantErr    string // substring, for non-WeCom errors
		wantHits   int
		wantWaits  int
		wantTokens int // gettoken calls
	}{
		{name: "ok", script: nil, wantHits: 1, wantTokens: 1},
		{name: "42001 refetches the token once", script: []step{errcode(42001)}, wantHits: 2, wantTokens: 2},
		{name: "40014 refetches the token once", script: []step{errcode(40014)}, wantHits: 2, wantTokens: 2},
		{name: "40014 twice is an error", script: []step{errcode(40014), errcode(40014)}, wantCode: 40014, wantHits: 2, wantTokens: 2},
		{name: "-1 retried with backoff", script: []step{errcode(-1), errcode(-1)}, wantHits: 3, wantWaits: 2, wantTokens: 1},
		// 45009 blocks the API for 60 s or 60 min (DOC/90454): retrying in seconds only burns calls.
		{name: "45009 not retried", script: []step{errcode(45009), errcode(45009)},
			wantCode: 45009, wantHits: 1, wantWaits: 0, wantTokens: 1},
		{name: "45033 retried", script: []step{errcode(45033)}, wantHits: 2, wantWaits: 1, wantTokens: 1},
		{name: "48002 not retried", script: []step{errcode(48002)}, wantCode: 48002, wantHits: 1, wantTokens: 1},
		{name: "HTTP 502 retried when idempotent", idempotent: true, script: []step{func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "bad gateway", http.StatusBadGateway)
		}}, wantHits: 2, wantWaits: 1, wantTokens: 1},
		{name: "HTTP 502 not retried when side-effecting", script: []step{func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "bad gateway", http.StatusBadGateway)
		}}, wantErr: "HTTP 502", wantHits: 1, wantTokens: 1},
		{name: "non-JSON body", script: []step{func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "<html>proxy error</html>")
		}}, wantErr: "response is not JSON", wantHits: 1, wantTokens: 1},
		{name: "oversized body", script: []step{func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"errcode":0,"x":"`))
			w.Write([]byte(strings.Repeat("a", 17<<20)))
			w.Write([]byte(`"}`))
		}}, wantErr: "response larger than", wantHits: 1, wantTokens: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeWeCom(t)
			f.script = tt.script
			c, waits := f.client(t, "sekrit")
			var out testOut
			err := c.CallForTest(t.Context(), "POST", "test", tt.idempotent, map[string]int{"a": 1}, &out)
			switch {
			case tt.wantCode != 0:
				if wecom.ErrorCode(err) != tt.wantCode {
					t.Fatalf("err = %v; want errcode %d", err, tt.wantCode)
				}
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v; want it to contain %q", err, tt.wantErr)
				}
			default:
				if err != nil || out.Value != "done" {
					t.Fatalf("call = %v, %+v; want success", err, out)
				}
			}
			if f.hits != tt.wantHits {
				t.Errorf("requests = %d; want %d", f.hits, tt.wantHits)
			}
			if len(*waits) != tt.wantWaits {
				t.Errorf("backoffs = %v; want %d", *waits, tt.wantWaits)
			}
			if got := int(f.gettokens.Load()); got != tt.wantTokens {
				t.Errorf("gettoken calls = %d; want %d", got, tt.wantTokens)
			}
		})
	}
}

func TestCall_backoffGrowsAndIsBounded(t *testing.T) {
	t.Parallel()
	f := newFakeWeCom(t)
	f.script = []func(http.ResponseWriter, *http.Request){errcode(-1), errcode(-1), errcode(-1)}
	c, err := wecom.NewClient(wecom.Config{CorpID: "corp", Secret: "sekrit", BaseURL: f.srv.URL + "/base",
		RetryBase: 100 * time.Millisecond, RetryMax: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var waits []time.Duration
	c.SetSleepForTest(func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return nil })
	if err := c.CallForTest(t.Context(), "POST", "test", false, nil, nil); err != nil {
		t.Fatal(err)
	}
	// Full jitter over [d/2, d]: 100ms, 200ms, then capped at 300ms.
	bounds := [][2]time.Duration{{50, 100}, {100, 200}, {150, 300}}
	if len(waits) != 3 {
		t.Fatalf("waits = %v; want 3", waits)
	}
	for i, w := range waits {
		lo, hi := bounds[i][0]*time.Millisecond, bounds[i][1]*time.Millisecond
		if w < lo || w > hi {
			t.Errorf("wait %d = %v; want in [%v, %v]", i, w, lo, hi)
		}
	}
}

func TestCall_wrongSecretIsClearAndNotRetried(t *testing.T) {
	t.Parallel()
	f := newFakeWeCom(t)
	c, _ := f.client(t, "wrong")
	err := c.CallForTest(t.Context(), "GET", "test", true, nil, nil)
	var we *wecom.Error
	if !errors.As(err, &we) || we.Code != wecom.CodeInvalidSecret || we.Op != "gettoken" {
		t.Fatalf("err = %v; want *wecom.Error 40001 from gettoken", err)
	}
	if !strings.Contains(err.Error(), "wecom.secret") {
		t.Errorf("error %q should say which setting to check", err)
	}
	if f.hits != 0 || f.gettokens.Load() != 1 {
		t.Errorf("hits=%d gettokens=%d; want 0 and 1", f.hits, f.gettokens.Load())
	}
}

func TestCall_errorsNeverCarryToken(t *testing.T) {
	t.Parallel()
	f := newFakeWeCom(t)
	c, _ := f.client(t, "sekrit")
	if _, err := c.Token(t.Context()); err != nil {
		t.Fatal(err)
	}
	f.srv.CloseClientConnections()
	f.srv.Close() // every later request fails in the transport, whose error names the URL
	err := c.CallForTest(t.Context(), "POST", "test", true, nil, nil)
	if err == nil {
		t.Fatal("want a transport error")
	}
	if strings.Contains(err.Error(), "TOKEN1") || strings.Contains(err.Error(), "access_token") {
		t.Errorf("error leaks the token: %v", err)
	}
}

func TestCall_contextCancelStopsBackoff(t *testing.T) {
	t.Parallel()
	f := newFakeWeCom(t)
	f.script = []func(http.ResponseWriter, *http.Request){errcode(-1), errcode(-1)}
	c, err := wecom.NewClient(wecom.Config{CorpID: "corp", Secret: "sekrit", BaseURL: f.srv.URL + "/base",
		RetryBase: time.Hour, RetryMax: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	err = c.CallForTest(ctx, "POST", "test", false, nil, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v; want context deadline", err)
	}
}

func TestNewClient_validates(t *testing.T) {
	t.Parallel()
	for _, cfg := range []wecom.Config{
		{Secret: "s"},
		{CorpID: "c"},
		{CorpID: "c", Secret: "s", BaseURL: "qyapi.weixin.qq.com"},
		{CorpID: "c", Secret: "s", BaseURL: "ftp://x/"},
	} {
		if _, err := wecom.NewClient(cfg); err == nil {
			t.Errorf("NewClient(%+v) = nil error; want one", cfg)
		}
	}
}

func TestError_hints(t *testing.T) {
	t.Parallel()
	for code, want := range map[int]string{
		48002:  "可调用接口的应用",
		60011:  "可见范围",
		60020:  "企业可信IP",
		45009:  "60 s",
		301002: "agentid",
		81013:  "visibility",
	} {
		if h := wecom.Hint(code); !strings.Contains(h, want) {
			t.Errorf("Hint(%d) = %q; want it to mention %q", code, h, want)
		}
	}
	e := &wecom.Error{Op: "security/vip/list", Code: 48002, Msg: "api forbidden", Hint: wecom.Hint(48002)}
	wrapped := fmt.Errorf("list vips: %w", e)
	if !wecom.IsCode(wrapped, 48002) || wecom.ErrorCode(wrapped) != 48002 {
		t.Errorf("IsCode/ErrorCode do not see through wrapping")
	}
	if e.Temporary() || !(&wecom.Error{Code: -1}).Temporary() {
		t.Errorf("Temporary(): 48002 must not be, -1 must be")
	}
}

// TestCall_freqLimitBlocksTheAPI: after a 45009 the client refuses the API locally until WeCom's block ends
// (60 s; 60 min when it comes back right after a block), says when in Error.RetryAt, and leaves other APIs alone.
func TestCall_freqLimitBlocksTheAPI(t *testing.T) {
	t.Parallel()
	f := newFakeWeCom(t)
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	c, err := wecom.NewClient(wecom.Config{CorpID: "corp", Secret: "sekrit", AgentID: 1, BaseURL: f.srv.URL + "/base",
		Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	f.script = []func(http.ResponseWriter, *http.Request){errcode(45009), errcode(45009)}
	call := func(path string) error {
		var out testOut
		return c.CallForTest(t.Context(), "POST", path, true, map[string]int{"a": 1}, &out)
	}
	err = call("test")
	if at := wecom.RetryAt(err); !at.Equal(now.Add(time.Minute)) {
		t.Fatalf("first 45009: err = %v, RetryAt %v; want %v", err, at, now.Add(time.Minute))
	}
	hits := f.hits
	now = now.Add(30 * time.Second)
	err = call("test")
	if !wecom.IsCode(err, 45009) || f.hits != hits || !wecom.RetryAt(err).Equal(now.Add(30*time.Second)) {
		t.Fatalf("inside the block: err = %v, %d requests (was %d); want a local 45009 with the same RetryAt", err, f.hits, hits)
	}
	if err := call("other"); err != nil {
		t.Fatalf("another API is blocked too: %v", err)
	}
	now = now.Add(31 * time.Second)
	hits = f.hits
	err = call("test")
	if f.hits != hits+1 || !wecom.RetryAt(err).Equal(now.Add(time.Hour)) {
		t.Fatalf("45009 right after the block: err = %v, RetryAt %v; want it sent and an hour's block", err, wecom.RetryAt(err))
	}
	now = now.Add(time.Hour + time.Second)
	if err := call("test"); err != nil {
		t.Fatalf("after the hour: %v", err)
	}
}

// TestCall_pathLimits: an API with its own documented limit (the operation logs' 600/min) waits for room
// under it though the corp-wide limit has plenty.
func TestCall_pathLimits(t *testing.T) {
	t.Parallel()
	if w := wecom.PathLimits["security/member_oper_log/list"]; len(w) != 1 || w[0] != (wecom.Window{N: 600, Per: time.Minute}) {
		t.Fatalf("PathLimits for member_oper_log = %v; want 600/min (DOC/100178)", w)
	}
	if w := wecom.PathLimits["security/admin_oper_log/list"]; len(w) != 1 || w[0].N != 600 {
		t.Fatalf("PathLimits for admin_oper_log = %v; want 600/min (DOC/100179)", w)
	}
	f := newFakeWeCom(t)
	c, err := wecom.NewClient(wecom.Config{CorpID: "corp", Secret: "sekrit", AgentID: 1, BaseURL: f.srv.URL + "/base",
		PathLimits: map[string][]wecom.Window{"test": {{N: 2, Per: time.Hour}}}})
	if err != nil {
		t.Fatal(err)
	}
	var out testOut
	for i := range 2 {
		if err := c.CallForTest(t.Context(), "POST", "test", true, nil, &out); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := c.CallForTest(ctx, "POST", "test", true, nil, &out); !errors.Is(err, context.DeadlineExceeded) || f.hits != 2 {
		t.Fatalf("third call: %v after %d requests; want it held back by the path's 2/hour", err, f.hits)
	}
	if err := c.CallForTest(t.Context(), "POST", "other", true, nil, &out); err != nil {
		t.Fatalf("another API: %v", err)
	}
}
