// Package emulator is a WeCom server emulator: WeCom's API under /cgi-bin/ for one corp and one self-built
// app, callbacks to the bot signed and encrypted like WeCom's, and a control API under /_emulator/ for tests and
// the demo.
//
// It validates requests the way WeCom does and answers with WeCom's errcodes, so that a client passing against
// it works against WeCom. It must never be made lenient to let a client pass: when it disagrees with
// ../shared/wecom-protocol.md, fix the emulator towards the document.
//
// The files follow the client's (package wecom): each API area is served from the file named like the
// client's and registers its own routes there (token.go, message.go, appchat.go, directory.go,
// externalcontact.go, misc.go, security.go, vip.go, advanced_feature.go, hr.go, idconvert.go, agent.go).
// server.go holds the dispatch (tokens, faults, rate limits), paging.go the cursor lists, org.go the data
// model, seed.go and seed_*.go the sample organisation and records, callback.go the deliveries to the bot and
// control.go the control API. Tests serve it with wecomtest.NewServer; `wecombot emulator` and `wecombot demo` with
// ListenAndServe and Serve.
package emulator

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The corp, app and callback credentials the emulator plays WeCom with unless Options say otherwise; `wecombot demo`
// runs with them, and so do the tests that need no others.
const (
	DefaultCorpID  = "ww0000000000emul"
	DefaultAgentID = 1000002
	DefaultSecret  = "emulator-secret"
	DefaultToken   = "emulatortoken"
	DefaultAESKey  = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG" // EncodingAESKey, 43 characters
)

// Options describe the corp and app the emulator plays WeCom for. Zero values take the defaults shown.
type Options struct {
	CorpID  string // default DefaultCorpID
	AgentID int    // default DefaultAgentID
	Secret  string // the app secret gettoken accepts; default DefaultSecret

	// Callback delivery; see Deliver. CallbackURL empty means callbacks cannot be delivered.
	CallbackURL    string
	Token          string // callback token; default DefaultToken
	EncodingAESKey string // default DefaultAESKey

	TokenTTL time.Duration // access_token lifetime; default 7200s

	// Visibility is the app's visibility (可见范围); nil keeps the sample organisation's (every member but
	// zhouba). RedirectDomain is the app's trusted domain (可信域名). agent/get answers both.
	Visibility     *Visibility
	RedirectDomain string

	// Per-member message limits (WeCom: 30/min, 1000/hour). Excess messages are dropped without an error and
	// recorded as dropped, as WeCom does. Tests may scale them down.
	MemberPerMinute int
	MemberPerHour   int
	// MemberMinute is the length of the per-minute window; default one minute. A test may shorten it only
	// together with the bot's own window (outbox.Sender.MemberLimits), so that both count the same window.
	MemberMinute time.Duration
	// Per-API per-corp call limit (WeCom: 10,000/min); over it → 45009.
	APIPerMinute int

	// CallbackTimeout is how long a delivery may take before the emulator gives up and retries, like WeCom's
	// 5 s; CallbackRetries is how many more attempts follow (WeCom: 3).
	CallbackTimeout time.Duration
	CallbackRetries int

	// ApplyIDEpoch, when set, numbers advanced-feature applications "ap<epoch><seq>" (seq from 0001) instead of
	// by the time they were made, so the demo's applications have the ids its docs name.
	ApplyIDEpoch int64

	Now    func() time.Time // clock; default time.Now
	Logger *slog.Logger     // default discards
}

func (o *Options) setDefaults() {
	if o.CorpID == "" {
		o.CorpID = DefaultCorpID
	}
	if o.AgentID == 0 {
		o.AgentID = DefaultAgentID
	}
	if o.Secret == "" {
		o.Secret = DefaultSecret
	}
	if o.Token == "" {
		o.Token = DefaultToken
	}
	if o.EncodingAESKey == "" {
		o.EncodingAESKey = DefaultAESKey
	}
	if o.TokenTTL == 0 {
		o.TokenTTL = 7200 * time.Second
	}
	if o.MemberPerMinute == 0 {
		o.MemberPerMinute = 30
	}
	if o.MemberPerHour == 0 {
		o.MemberPerHour = 1000
	}
	if o.MemberMinute == 0 {
		o.MemberMinute = time.Minute
	}
	if o.APIPerMinute == 0 {
		o.APIPerMinute = 10000
	}
	if o.CallbackTimeout == 0 {
		o.CallbackTimeout = 5 * time.Second
	}
	if o.CallbackRetries == 0 {
		o.CallbackRetries = 3
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// maxRequestBody bounds what the emulator reads of a request, like any real server.
const maxRequestBody = 2 << 20

// Server is the emulator. Create it with New; serve Handler() (or ListenAndServe; tests use wecomtest.NewServer).
type Server struct {
	opts Options
	mux  *http.ServeMux

	mu       sync.Mutex
	tokens   map[string]time.Time // access_token → expiry
	gettoken int                  // gettoken calls that issued a token
	calls    []Call
	faults   map[string]*fault // API path → injected failure
	apiRate  map[string][]time.Time
	// unreachable: SetUnreachable(true) was called.
	unreachable atomic.Bool
	// apiBlocked: a path over its minute limit is refused until then ("屏蔽60s", DOC/90454).
	apiBlocked map[string]time.Time
	routes     map[string]route // "METHOD path" → route
	org        *Org
	sent       []SentMessage
	memRate    map[string][]time.Time // userid → send times (for the per-member limit)
	msgSeq     int
	callSeq    int
	extra      *extState       // chats, cards, response codes, OAuth codes, callback MsgIds
	menu       json.RawMessage // the app menu set by menu/create (guarded by mu)
	uploads    *mediaState     // media/upload's files (media.go; guarded by mu)
}

// Call is one API request the emulator received.
type Call struct {
	Seq     int             `json:"seq"`
	Time    time.Time       `json:"time"`
	Method  string          `json:"method"`
	Path    string          `json:"path"` // without /cgi-bin/, e.g. "message/send"
	Query   string          `json:"query,omitempty"`
	Body    json.RawMessage `json:"body,omitempty"`
	ErrCode int             `json:"errcode"`
}

type fault struct {
	code  int
	times int
}

// obj is a JSON object answer; errcode 0 and errmsg "ok" are added when it is written.
type obj = map[string]any

// apiCall is one decoded API request handed to an endpoint handler.
type apiCall struct {
	s    *Server
	r    *http.Request
	path string
	body []byte
	// tooLarge: the body was over the path's bound and was cut (media/upload answers 40006 for it).
	tooLarge bool
}

// decode decodes the JSON body into v. WeCom answers a body it cannot parse with 40058 and an errmsg starting
// "Warning: wrong json format." (DOC/90455; 47001 is WeChat's code, not WeCom's); unknown fields are ignored as
// WeCom does.
func (c *apiCall) decode(v any) *apiError {
	if len(bytes.TrimSpace(c.body)) == 0 {
		return errf(40058, "invalid Request Parameter, empty body")
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		return errWrongJSON("%v", err)
	}
	return nil
}

// query returns a URL query parameter.
func (c *apiCall) query(name string) string { return c.r.URL.Query().Get(name) }

type apiHandler func(c *apiCall) (obj, *apiError)

type route struct {
	handler   apiHandler
	perMinute int // extra per-API limit (e.g. member_oper_log 600/min); 0 → the corp-wide default only
}

// handle registers an API endpoint. path is relative to /cgi-bin/, e.g. "message/send".
func (s *Server) handle(method, path string, h apiHandler) {
	s.routes[method+" "+path] = route{handler: h}
}

// handleLimited registers an endpoint with its own per-minute limit on top of the corp-wide one.
func (s *Server) handleLimited(method, path string, perMinute int, h apiHandler) {
	s.routes[method+" "+path] = route{handler: h, perMinute: perMinute}
}

// New returns an emulator seeded with the sample organisation (see Org).
func New(opts Options) *Server {
	opts.setDefaults()
	s := &Server{
		opts:       opts,
		mux:        http.NewServeMux(),
		tokens:     map[string]time.Time{},
		faults:     map[string]*fault{},
		apiRate:    map[string][]time.Time{},
		apiBlocked: map[string]time.Time{},
		routes:     map[string]route{},
		memRate:    map[string][]time.Time{},
	}
	s.org = seedOrg(opts.Now())
	if opts.ApplyIDEpoch != 0 {
		s.org.admin.renumberApplications(opts.ApplyIDEpoch)
	}
	if opts.Visibility != nil {
		s.org.applyVisibility(opts.Visibility)
	}
	s.extra = newExtState()
	seedChats(s.extra)
	// Each area registers its own APIs, in the file named like the client's (token.go, message.go, …).
	for _, routes := range []func(){
		s.routesToken, s.routesMessage, s.routesAppchat, s.routesDirectory, s.routesExternalContact,
		s.routesMisc, s.routesSecurity, s.routesVIP, s.routesAdvancedFeature, s.routesHR, s.routesIDConvert,
		s.routesAgent, s.routesMenu, s.routesMedia,
	} {
		routes()
	}
	s.mux.HandleFunc("/cgi-bin/", s.serveAPI)
	s.routesControl()
	return s
}

// Options returns the options in force (defaults applied).
func (s *Server) Options() Options { return s.opts }

// Handler serves WeCom's API and the control API.
func (s *Server) Handler() http.Handler { return s.mux }

// SetUnreachable makes the API drop every connection without an answer, as a network outage between the bot
// and WeCom would, until called with false.
func (s *Server) SetUnreachable(down bool) { s.unreachable.Store(down) }

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	if s.unreachable.Load() {
		panic(http.ErrAbortHandler) // the client sees the connection close with no response
	}
	path := strings.TrimPrefix(r.URL.Path, "/cgi-bin/")
	limit := int64(maxRequestBody)
	if path == "media/upload" {
		limit = maxUploadBody
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge) && path == "media/upload":
		// Answered by the handler, after the token and type checks, as WeCom's 40006.
	case err != nil:
		writeJSON(w, obj{"errcode": 40058, "errmsg": "request body too large"})
		return
	}
	c := &apiCall{s: s, r: r, path: path, body: body, tooLarge: tooLarge != nil}
	res, aerr := s.dispatch(c)
	code := 0
	if aerr != nil {
		code = aerr.Code
		res = obj{"errcode": aerr.Code, "errmsg": aerr.Msg}
	} else {
		if res == nil {
			res = obj{}
		}
		res["errcode"] = 0
		res["errmsg"] = "ok"
	}
	s.logCall(r, path, body, code)
	writeJSON(w, res)
}

func (s *Server) dispatch(c *apiCall) (obj, *apiError) {
	rt, ok := s.routes[c.r.Method+" "+c.path]
	if !ok {
		other := "POST"
		if c.r.Method == "POST" {
			other = "GET"
		}
		if _, exists := s.routes[other+" "+c.path]; exists {
			// WeCom answers a wrong HTTP method with 40058 (wecom-protocol.md §4) or 43xxx; 40058 is documented.
			return nil, errf(40058, "invalid Request Parameter, require %s method", other)
		}
		return nil, errf(404, "invalid api path %q", c.path) // WeCom: HTTP 404 page; the client sees a non-JSON body
	}
	if c.path != "gettoken" {
		if aerr := s.checkToken(c.query("access_token")); aerr != nil {
			return nil, aerr
		}
	}
	if aerr := s.takeFault(c.path); aerr != nil {
		return nil, aerr
	}
	if aerr := s.checkAPIRate(c.path, rt.perMinute); aerr != nil {
		return nil, aerr
	}
	return rt.handler(c)
}

func (s *Server) logCall(r *http.Request, path string, body []byte, code int) {
	q := r.URL.Query()
	q.Del("access_token")
	q.Del("corpsecret")
	var raw json.RawMessage
	if json.Valid(body) {
		raw = append(raw, body...)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.callSeq++
	s.calls = append(s.calls, Call{Seq: s.callSeq, Time: s.opts.Now(), Method: r.Method, Path: path,
		Query: q.Encode(), Body: raw, ErrCode: code})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Write(b)
}

// Fail makes the next times calls of the API path (e.g. "message/send") fail with errcode.
func (s *Server) Fail(path string, errcode, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if times <= 0 {
		delete(s.faults, path)
		return
	}
	s.faults[path] = &fault{code: errcode, times: times}
}

func (s *Server) takeFault(path string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.faults[path]
	if !ok {
		return nil
	}
	f.times--
	if f.times <= 0 {
		delete(s.faults, path)
	}
	return errf(f.code, "injected failure")
}

// apiBlock is how long WeCom refuses an API once its minute limit is exceeded: "若超过了分钟频率，将被屏蔽60s"
// (DOC/90454). Every call in that time gets 45009, and none of them counts.
const apiBlock = 60 * time.Second

// checkAPIRate enforces the corp-wide 10,000/min per API limit (and a per-API one when set) with 45009.
func (s *Server) checkAPIRate(path string, perMinute int) *apiError {
	limit := s.opts.APIPerMinute
	if perMinute > 0 && perMinute < limit {
		limit = perMinute
	}
	now := s.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if until, ok := s.apiBlocked[path]; ok && now.Before(until) {
		return errf(45009, "api freq out of limit, blocked for %ds", int(until.Sub(now).Seconds()+0.999))
	}
	ts := pruneBefore(s.apiRate[path], now.Add(-time.Minute))
	if len(ts) >= limit {
		s.apiRate[path] = ts
		s.apiBlocked[path] = now.Add(apiBlock)
		return errf(45009, "api freq out of limit")
	}
	s.apiRate[path] = append(ts, now)
	return nil
}

// pruneBefore drops the times before cut from a sorted slice.
func pruneBefore(ts []time.Time, cut time.Time) []time.Time {
	i := 0
	for i < len(ts) && ts[i].Before(cut) {
		i++
	}
	return ts[i:]
}

// Calls returns every API call received so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallsTo returns the calls to one API path.
func (s *Server) CallsTo(path string) []Call {
	var out []Call
	for _, c := range s.Calls() {
		if c.Path == path {
			out = append(out, c)
		}
	}
	return out
}

func randomHex(n int) string {
	b := make([]byte, n/2)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b)
}

// ErrNoCallbackURL is returned by Deliver and VerifyURL when the emulator has no callback URL.
var ErrNoCallbackURL = errors.New("emulator: no callback URL configured")

// ListenAndServe serves the emulator on addr until ctx is cancelled, then shuts down gracefully (in-flight
// requests get 5 seconds). It is what `wecombot emulator` runs. A clean shutdown returns nil.
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
	s.opts.Logger.Info("emulator: listening", "addr", ln.Addr().String())
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

// extState is the emulator state beyond Server's core fields: chats (appchat.go), template cards and their
// response_codes (message.go), OAuth codes (misc.go), callback MsgIds (callback.go). It is guarded by Server.mu like everything else.
type extState struct {
	chats   map[string]*chat
	chatIDs []string                 // creation order, for stable listings
	cards   map[string]*card         // task_id → card sent by the app
	codes   map[string]*responseCode // response_code → state
	oauth   map[string]*oauthCode    // OAuth code → identity (auth/getuserinfo)
	tickets map[string]*userTicket   // user_ticket → member (auth/getuserdetail)
	msgID   uint64                   // last callback MsgId handed out
	jssdk   *jssdkState              // JS-SDK tickets (jssdk.go), made on first use
}

// ext returns the state message.go and its neighbours keep beside Server's core fields.
func (s *Server) ext() *extState { return s.extra }

func newExtState() *extState {
	return &extState{
		chats:   map[string]*chat{},
		cards:   map[string]*card{},
		codes:   map[string]*responseCode{},
		oauth:   map[string]*oauthCode{},
		tickets: map[string]*userTicket{},
	}
}
