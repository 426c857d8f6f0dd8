package wecom

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The service tests follow go-github: one httptest server per test, its mux mounted under a non-empty base
// path (so a client that drops the base path fails), each test registering only its own endpoint.

const (
	testBasePath = "/api-v3"
	testToken    = "TEST_ACCESS_TOKEN"
	testAgentID  = 1000002
)

// setup returns a client talking to a fresh fake WeCom and the mux to register endpoints on (paths
// "/cgi-bin/...").
func setup(t *testing.T) (*Client, *http.ServeMux) {
	t.Helper()
	c, mux, _ := setupCounting(t)
	return c, mux
}

// setupCounting is setup that also counts the requests that reached the server, gettoken included.
func setupCounting(t *testing.T) (*Client, *http.ServeMux, *atomic.Int64) {
	t.Helper()
	var requests atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/cgi-bin/gettoken", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "GET")
		if q := r.URL.Query(); q.Get("corpid") != "corp" || q.Get("corpsecret") != "s" {
			t.Errorf("gettoken query = %v; want corpid=corp corpsecret=s", q)
		}
		fmt.Fprintf(w, `{"errcode":0,"errmsg":"ok","access_token":%q,"expires_in":7200}`, testToken)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
		http.Error(w, "not found", http.StatusNotFound)
	})

	root := http.NewServeMux()
	root.Handle(testBasePath+"/", http.StripPrefix(testBasePath, mux))
	root.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request outside the base path: %s %s", r.Method, r.URL.Path)
		http.Error(w, "outside base path", http.StatusBadRequest)
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		root.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	c, err := NewClient(Config{CorpID: "corp", Secret: "s", AgentID: testAgentID,
		BaseURL: srv.URL + testBasePath + "/", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return c, mux, &requests
}

func testMethod(t *testing.T, r *http.Request, want string) {
	t.Helper()
	if r.Method != want {
		t.Errorf("%s: method = %s; want %s", r.URL.Path, r.Method, want)
	}
}

// testAccessToken checks that the call carries the token in the query (never in the body).
func testAccessToken(t *testing.T, r *http.Request) {
	t.Helper()
	if got := r.URL.Query().Get("access_token"); got != testToken {
		t.Errorf("%s: access_token = %q; want %q", r.URL.Path, got, testToken)
	}
}

// testQuery checks the query parameters other than access_token.
func testQuery(t *testing.T, r *http.Request, want url.Values) {
	t.Helper()
	got := r.URL.Query()
	got.Del("access_token")
	if want == nil {
		want = url.Values{}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s: query mismatch (-want +got):\n%s", r.URL.Path, diff)
	}
}

// testJSONBody compares the request body with want as decoded JSON.
func testJSONBody(t *testing.T, r *http.Request, want string) {
	t.Helper()
	// Handlers run outside the test goroutine: report with Errorf, never Fatalf.
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Errorf("read body: %v", err)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: Content-Type = %q; want application/json", r.URL.Path, ct)
	}
	var got, w any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Errorf("%s: body is not JSON: %v: %s", r.URL.Path, err, b)
		return
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Errorf("want is not JSON: %v: %s", err, want)
		return
	}
	if diff := cmp.Diff(w, got); diff != "" {
		t.Errorf("%s: body mismatch (-want +got):\n%s", r.URL.Path, diff)
	}
}

// handle registers a handler that checks method, token, and (for POST) the exact JSON body or (for GET) the
// exact query, then answers resp.
func handle(t *testing.T, mux *http.ServeMux, path, method, wantBody string, wantQuery url.Values, resp string) {
	t.Helper()
	mux.HandleFunc("/cgi-bin/"+path, func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, method)
		testAccessToken(t, r)
		if method == "POST" {
			testJSONBody(t, r, wantBody)
			q := r.URL.Query()
			q.Del("access_token")
			if len(q) != 0 {
				t.Errorf("%s: unexpected query %v", path, q)
			}
		} else {
			testQuery(t, r, wantQuery)
		}
		fmt.Fprint(w, resp)
	})
}

// wantValidation checks that err is a *ValidationError for op and field.
func wantValidation(t *testing.T, err error, op, field string) {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v (%T); want *ValidationError", err, err)
	}
	if ve.Op != op || ve.Field != field {
		t.Errorf("ValidationError{Op: %q, Field: %q, Reason: %q}; want Op %q Field %q", ve.Op, ve.Field, ve.Reason, op, field)
	}
	if ve.Reason == "" {
		t.Errorf("ValidationError %v has no reason", ve)
	}
}

// noRequests checks that nothing reached the server (not even gettoken).
func noRequests(t *testing.T, n *atomic.Int64) {
	t.Helper()
	if got := n.Load(); got != 0 {
		t.Errorf("%d requests sent; want none", got)
	}
}

// validationCase is one request the client must refuse before sending anything.
type validationCase struct {
	name  string
	field string
	call  func(c *Client) error
}

// runValidation runs each case on a fresh counting server.
func runValidation(t *testing.T, op string, cases []validationCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _, n := setupCounting(t)
			err := tc.call(c)
			wantValidation(t, err, op, tc.field)
			noRequests(t, n)
		})
	}
}

// stringer is implemented by the named enums.
type stringer interface{ String() string }

// enumCase is one enum value and its text.
type enumCase struct {
	v    stringer
	want string
}

func testEnums(t *testing.T, cases []enumCase) {
	t.Helper()
	for _, tc := range cases {
		if got := tc.v.String(); got != tc.want {
			t.Errorf("%T(%v).String() = %q; want %q", tc.v, tc.v, got, tc.want)
		}
	}
}

// readJSON decodes the request body into v and returns the raw body (for messages).
func readJSON(t *testing.T, r *http.Request, v any) []byte {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Errorf("read body: %v", err)
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Errorf("%s: body is not JSON: %v: %s", r.URL.Path, err, b)
	}
	return b
}

// decodeString decodes a JSON literal of the test.
func decodeString(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Errorf("bad JSON in test: %v: %s", err, s)
	}
}
