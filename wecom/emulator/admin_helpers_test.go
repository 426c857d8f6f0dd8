package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"
)

// admClock is a settable clock for Options.Now, so tests can step across 24-hour and 180-day boundaries.
type admClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *admClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *admClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// admEnv is an emulator served over loopback HTTP with a token, driven the way a client drives WeCom.
type admEnv struct {
	t     *testing.T
	s     *Server
	url   string
	clock *admClock
	token string
}

var admEpoch = time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)

func newAdmEnv(t *testing.T) *admEnv {
	t.Helper()
	clk := &admClock{t: admEpoch}
	s := New(Options{Now: clk.Now})
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(hs.Close)
	e := &admEnv{t: t, s: s, url: hs.URL, clock: clk}
	e.token = e.getToken()
	return e
}

func (e *admEnv) getToken() string {
	e.t.Helper()
	q := url.Values{"corpid": {e.s.opts.CorpID}, "corpsecret": {e.s.opts.Secret}}
	res := e.do("GET", e.url+"/cgi-bin/gettoken?"+q.Encode(), nil)
	tok, _ := res["access_token"].(string)
	if tok == "" {
		e.t.Fatalf("gettoken: %v", res)
	}
	return tok
}

// advance moves the clock and fetches a fresh token, since a long jump expires the old one.
func (e *admEnv) advance(d time.Duration) {
	e.clock.advance(d)
	e.token = e.getToken()
}

func (e *admEnv) now() time.Time { return e.clock.Now() }

// admResp is a decoded WeCom answer.
type admResp map[string]any

func (r admResp) code() int {
	n, _ := r["errcode"].(float64)
	return int(n)
}

func (r admResp) list(key string) []any {
	l, _ := r[key].([]any)
	return l
}

func (r admResp) str(key string) string {
	s, _ := r[key].(string)
	return s
}

func (r admResp) num(key string) int64 {
	n, _ := r[key].(float64)
	return int64(n)
}

func (r admResp) obj(key string) admResp {
	m, _ := r[key].(map[string]any)
	return m
}

func (e *admEnv) do(method, u string, body any) admResp {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out admResp
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		e.t.Fatalf("%s %s: decoding the answer: %v", method, u, err)
	}
	if _, ok := out["errcode"]; !ok {
		e.t.Fatalf("%s %s: answer without errcode: %v", method, u, out)
	}
	return out
}

// post calls a /cgi-bin/ API with a JSON body.
func (e *admEnv) post(path string, body any) admResp {
	e.t.Helper()
	return e.do("POST", e.url+"/cgi-bin/"+path+"?access_token="+url.QueryEscape(e.token), body)
}

// get calls a /cgi-bin/ API with GET.
func (e *admEnv) get(path string) admResp {
	e.t.Helper()
	return e.do("GET", e.url+"/cgi-bin/"+path+"?access_token="+url.QueryEscape(e.token), nil)
}

// ok asserts errcode 0 and errmsg "ok".
func (e *admEnv) ok(r admResp) admResp {
	e.t.Helper()
	if r.code() != 0 || r.str("errmsg") != "ok" {
		e.t.Fatalf("want errcode 0, got %v", r)
	}
	return r
}

// wantCode asserts an errcode.
func (e *admEnv) wantCode(r admResp, code int) {
	e.t.Helper()
	if r.code() != code {
		e.t.Fatalf("want errcode %d, got %v", code, r)
	}
}

// admKeys returns an object's keys, sorted.
func admKeys(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}

// admWantKeys asserts that an object has exactly the keys named (plus errcode/errmsg on a top-level answer).
func admWantKeys(t *testing.T, what string, m map[string]any, keys ...string) {
	t.Helper()
	slices.Sort(keys)
	if got := admKeys(m); !slices.Equal(got, keys) {
		t.Fatalf("%s: keys %v, want %v", what, got, keys)
	}
}

// admWantKeysWithin asserts that every key of an object is one of those named and that the required ones are there.
func admWantKeysWithin(t *testing.T, what string, m map[string]any, required, optional []string) {
	t.Helper()
	for _, k := range required {
		if _, ok := m[k]; !ok {
			t.Fatalf("%s: missing %q in %v", what, k, m)
		}
	}
	for k := range m {
		if !slices.Contains(required, k) && !slices.Contains(optional, k) {
			t.Fatalf("%s: unexpected key %q in %v", what, k, m)
		}
	}
}

// admObj converts a list element to an object.
func admObj(t *testing.T, v any) admResp {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("want an object, got %T %v", v, v)
	}
	return m
}

func admStrs(l []any) []string {
	out := make([]string, 0, len(l))
	for _, v := range l {
		s, _ := v.(string)
		out = append(out, s)
	}
	return out
}

// withAdmin runs f on the emulator's admin state under its lock.
func (e *admEnv) withAdmin(f func(o *Org, a *adminState)) {
	e.s.WithOrg(func(o *Org) { f(o, o.admin) })
}
