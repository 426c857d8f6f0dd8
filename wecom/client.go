// Package wecom is a client for WeCom's (企业微信) server API as a self-built app uses it, and the callback
// crypto (WXBizMsgCrypt) that protects the messages WeCom pushes.
//
// The client is a set of services sharing one call path (modelled on go-github): Message, AppChat, User,
// Department, Tag, ExternalContact, Security, VIP, AdvancedFeature, HR, IDConvert, Batch, Misc, OAuth. The call
// path takes care of access tokens, errcodes, retries, response limits and rate limits; the services only
// describe each API's request and response.
package wecom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/wecombot/wecombot/internal/retry"
)

// DefaultBaseURL is WeCom's API host.
const DefaultBaseURL = "https://qyapi.weixin.qq.com/"

// maxResponseBody bounds what the client reads of one response. The largest lists the bot reads (1,000 file
// records a page) are well under it.
const maxResponseBody = 16 << 20

// Config configures a Client. CorpID and Secret are required.
type Config struct {
	CorpID  string
	Secret  string // the app's secret; never logged
	AgentID int    // the app's agentid, filled into message requests

	BaseURL string // default DefaultBaseURL
	// AuthorizeURL and WebLoginURL are WeCom's sign-in pages (OAuth inside WeCom, web login in a browser);
	// defaults DefaultAuthorizeURL and DefaultWebLoginURL. Only a stand-in such as the emulator changes them.
	AuthorizeURL, WebLoginURL string
	HTTPClient                *http.Client // default: a client with a 30 s timeout
	TokenStore                TokenStore   // default: in memory
	Logger                    *slog.Logger // default: discard

	// MaxRetries bounds the retries on temporary errcodes (-1, 45033) and transport errors; default 3.
	// Negative disables them. 45009 is never retried: WeCom blocks the API for 60 s or 60 min (DOC/90454), so
	// the call fails at once with Error.RetryAt, and later calls to that API fail locally until then.
	MaxRetries int
	// RetryBase is the first backoff; it doubles per retry, with full jitter, up to RetryMax. Defaults 500 ms, 8 s.
	RetryBase, RetryMax time.Duration

	// APILimits are the client-side per-API limits; default APILimits (WeCom's per-corp limits). Calls wait
	// for room rather than hit 45009.
	APILimits []Window
	// PathLimits are tighter limits of single APIs, on top of APILimits; default PathLimits.
	PathLimits map[string][]Window

	Now func() time.Time // default time.Now
}

// Client talks to WeCom's server API for one self-built app.
type Client struct {
	baseURL    *url.URL
	httpClient *http.Client
	corpID     string
	secret     string
	agentID    int
	logger     *slog.Logger
	tokens     *tokenSource
	// authorizeURL and webLoginURL are the sign-in pages' addresses (misc.go).
	authorizeURL, webLoginURL string
	// tickets are the JS-SDK tickets, created on first use (jssdk.go).
	ticketsMu sync.Mutex
	tickets   map[TicketKind]*tokenSource
	limiter   *Limiter
	// pathLimiters hold the APIs with their own, tighter limits (PathLimits).
	pathLimiters map[string]*Limiter

	blockMu    sync.Mutex
	blocked    map[string]quotaBlock // APIs WeCom answered 45009, by path
	last       Result                // the latest API call's outcome, under blockMu
	maxRetries int
	retryBase  time.Duration
	retryMax   time.Duration
	sleep      func(ctx context.Context, d time.Duration) error
	observe    func(path string, err error, took time.Duration) // see SetObserver (observe.go)

	common service

	Message         *MessageService
	AppChat         *AppChatService
	User            *UserService
	Department      *DepartmentService
	Tag             *TagService
	ExternalContact *ExternalContactService
	Security        *SecurityService
	VIP             *VIPService
	AdvancedFeature *AdvancedFeatureService
	HR              *HRService
	IDConvert       *IDConvertService
	Batch           *BatchService
	Misc            *MiscService
	OAuth           *OAuthService
	Agent           *AgentService
	Menu            *MenuService
	JSSDK           *JSSDKService
}

type service struct{ client *Client }

// NewClient returns a client for the app. It does no I/O.
func NewClient(cfg Config) (*Client, error) {
	if cfg.CorpID == "" {
		return nil, errors.New("wecom: corp id is required")
	}
	if cfg.Secret == "" {
		return nil, errors.New("wecom: app secret is required")
	}
	base := cfg.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("wecom: base URL %q must be an absolute http(s) URL", cfg.BaseURL)
	}
	c := &Client{
		baseURL:    u,
		httpClient: cfg.HTTPClient,
		corpID:     cfg.CorpID,
		secret:     cfg.Secret,
		agentID:    cfg.AgentID,
		logger:     cfg.Logger,
		maxRetries: cfg.MaxRetries,
		retryBase:  cfg.RetryBase,
		retryMax:   cfg.RetryMax,
		sleep:      sleepCtx,
	}
	if c.httpClient == nil {
		// Keep as many idle connections to WeCom as the outbox sends at once (net/http keeps 2 per host by
		// default, so a burst of replies paid a new TCP and TLS handshake for all but two of its requests).
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 32
		c.httpClient = &http.Client{Timeout: 30 * time.Second, Transport: tr}
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	switch {
	case c.maxRetries == 0:
		c.maxRetries = 3
	case c.maxRetries < 0:
		c.maxRetries = 0
	}
	if c.retryBase <= 0 {
		c.retryBase = 500 * time.Millisecond
	}
	if c.retryMax <= 0 {
		c.retryMax = 8 * time.Second
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	limits := cfg.APILimits
	if limits == nil {
		limits = APILimits
	}
	c.limiter = NewLimiter(limits, now)
	paths := cfg.PathLimits
	if paths == nil {
		paths = PathLimits
	}
	c.pathLimiters = map[string]*Limiter{}
	for path, w := range paths {
		c.pathLimiters[path] = NewLimiter(w, now)
	}
	c.blocked = map[string]quotaBlock{}
	c.authorizeURL, c.webLoginURL = cfg.AuthorizeURL, cfg.WebLoginURL
	if c.authorizeURL == "" {
		c.authorizeURL = DefaultAuthorizeURL
	}
	if c.webLoginURL == "" {
		c.webLoginURL = DefaultWebLoginURL
	}
	store := cfg.TokenStore
	if store == nil {
		store = &MemoryTokenStore{}
	}
	c.tokens = &tokenSource{
		fetch:  c.fetchToken,
		store:  store,
		key:    TokenKey(cfg.CorpID, cfg.Secret),
		now:    now,
		margin: 5 * time.Minute,
	}

	c.common.client = c
	c.Message = (*MessageService)(&c.common)
	c.AppChat = (*AppChatService)(&c.common)
	c.User = (*UserService)(&c.common)
	c.Department = (*DepartmentService)(&c.common)
	c.Tag = (*TagService)(&c.common)
	c.ExternalContact = (*ExternalContactService)(&c.common)
	c.Security = (*SecurityService)(&c.common)
	c.VIP = (*VIPService)(&c.common)
	c.AdvancedFeature = (*AdvancedFeatureService)(&c.common)
	c.HR = (*HRService)(&c.common)
	c.IDConvert = (*IDConvertService)(&c.common)
	c.Batch = (*BatchService)(&c.common)
	c.Misc = (*MiscService)(&c.common)
	c.OAuth = (*OAuthService)(&c.common)
	c.Agent = (*AgentService)(&c.common)
	c.Menu = (*MenuService)(&c.common)
	c.JSSDK = (*JSSDKService)(&c.common)
	return c, nil
}

// AgentID returns the app's agentid.
func (c *Client) AgentID() int { return c.agentID }

// CorpID returns the corp id.
func (c *Client) CorpID() string { return c.corpID }

// Token returns a valid access token, fetching one if needed. Callers outside this package need it only for
// readiness checks; never log it.
func (c *Client) Token(ctx context.Context) (string, error) { return c.tokens.token(ctx) }

// fetchToken is GET /cgi-bin/gettoken.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/91039
func (c *Client) fetchToken(ctx context.Context) (Token, error) {
	q := url.Values{"corpid": {c.corpID}, "corpsecret": {c.secret}}
	var out struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	start := c.tokens.now()
	err := c.roundTrip(ctx, "GET", "gettoken", q, nil, &out)
	c.record("gettoken", err)
	if err != nil {
		return Token{}, err
	}
	if out.AccessToken == "" || out.ExpiresIn <= 0 {
		return Token{}, &Error{Op: "gettoken", Code: 0, Msg: "response without access_token or expires_in"}
	}
	// Count expiry from before the request: the token may have been issued any time during it.
	return Token{Value: out.AccessToken, ExpiresAt: start.Add(time.Duration(out.ExpiresIn) * time.Second)}, nil
}

// request describes one API call.
type request struct {
	method string // "GET" or "POST"
	path   string // relative to cgi-bin/, e.g. "message/send"
	query  url.Values
	body   any
	// idempotent calls are retried after transport errors too; a side-effecting call is not, because the
	// request may have reached WeCom.
	idempotent bool
}

// get calls a GET API (always idempotent).
func (c *Client) get(ctx context.Context, path string, query url.Values, out any) error {
	return c.call(ctx, &request{method: "GET", path: path, query: query, idempotent: true}, out)
}

// query calls a POST API that only reads.
func (c *Client) query(ctx context.Context, path string, in, out any) error {
	return c.call(ctx, &request{method: "POST", path: path, body: in, idempotent: true}, out)
}

// post calls a POST API with side effects.
func (c *Client) post(ctx context.Context, path string, in, out any) error {
	return c.call(ctx, &request{method: "POST", path: path, body: in}, out)
}

// PostJSON sends a prepared JSON body to a side-effecting POST API through the same call path as the typed
// services (tokens, errcodes, retries). The outbox uses it to send requests it stored earlier.
func (c *Client) PostJSON(ctx context.Context, path string, body json.RawMessage, out any) error {
	return c.post(ctx, path, body, out)
}

// call is the one path every API call takes: rate limit, token, request, errcode handling, retries.
func (c *Client) call(ctx context.Context, r *request, out any) error {
	var body []byte
	if r.body != nil {
		var err error
		if body, err = json.Marshal(r.body); err != nil {
			return fmt.Errorf("wecom %s: encode request: %w", r.path, err)
		}
	}
	refreshed := false
	for attempt := 0; ; attempt++ {
		if until := c.blockedUntil(r.path); !until.IsZero() {
			return &Error{Op: r.path, Code: CodeFreqLimit, Msg: "not sent: WeCom blocked this API for exceeding its rate limit",
				Hint: hints[CodeFreqLimit], RetryAt: until}
		}
		if err := c.limiter.Wait(ctx, r.path); err != nil {
			return err
		}
		if l := c.pathLimiters[r.path]; l != nil {
			if err := l.Wait(ctx, r.path); err != nil {
				return err
			}
		}
		tok, err := c.tokens.token(ctx)
		if err != nil {
			return err
		}
		q := url.Values{}
		for k, v := range r.query {
			q[k] = v
		}
		q.Set("access_token", tok)
		err = c.roundTrip(ctx, r.method, r.path, q, body, out)
		c.record(r.path, err)
		if err == nil {
			return nil
		}
		var werr *Error
		switch {
		case errors.As(err, &werr) && (werr.Code == CodeInvalidToken || werr.Code == CodeTokenExpired ||
			werr.Code == CodeMissingToken):
			// WeCom may invalidate a token before expires_in: refetch once; a second failure is real.
			if refreshed {
				return err
			}
			refreshed = true
			c.tokens.invalidate(ctx, tok)
			attempt--
			continue
		case errors.As(err, &werr) && werr.Code == CodeFreqLimit:
			werr.RetryAt = c.block(r.path)
			c.logger.LogAttrs(ctx, slog.LevelWarn, "wecom rate limit exhausted; not retrying", slog.String("op", r.path),
				slog.Time("retry_at", werr.RetryAt))
			return err
		case errors.As(err, &werr) && werr.Temporary():
		case werr == nil && r.idempotent && isTransient(err):
		default:
			return err
		}
		if attempt >= c.maxRetries {
			return err
		}
		d := c.backoff(attempt)
		c.logger.LogAttrs(ctx, slog.LevelWarn, "wecom call retry", slog.String("op", r.path),
			slog.Int("attempt", attempt+1), slog.Duration("backoff", d), slog.String("err", err.Error()))
		if err := c.sleep(ctx, d); err != nil {
			return err
		}
	}
}

// Result is the outcome of one API call, for health checks.
type Result struct {
	At time.Time
	Op string
	// Err is nil when WeCom answered errcode 0. Reachable is false when no WeCom answer came at all
	// (network, HTTP status, a body that is not WeCom's): WeCom is unreachable, not merely refusing.
	Err       error
	Reachable bool
}

// LastResult returns the latest API call's outcome (zero before the first call).
func (c *Client) LastResult() Result {
	c.blockMu.Lock()
	defer c.blockMu.Unlock()
	return c.last
}

func (c *Client) record(op string, err error) {
	var te *transportError
	r := Result{At: c.tokens.now(), Op: op, Err: err, Reachable: !errors.As(err, &te)}
	c.blockMu.Lock()
	c.last = r
	c.blockMu.Unlock()
}

// quotaBlock is an API WeCom refused with 45009: blocked until `until`, first blocked at `since`.
type quotaBlock struct{ since, until time.Time }

// Blocks after 45009 (DOC/90454): 60 s for the minute limit, 60 min for the hour limit. The errcode does not
// say which; a 45009 soon after a block ended means the minute was not the problem.
const (
	minuteBlock = time.Minute
	hourBlock   = time.Hour
	blockRepeat = 2 * time.Minute // a new 45009 within this of the last block's end escalates to hourBlock
)

// block records a 45009 on path and returns when the API may be called again.
func (c *Client) block(path string) time.Time {
	now := c.tokens.now()
	c.blockMu.Lock()
	defer c.blockMu.Unlock()
	b := quotaBlock{since: now, until: now.Add(minuteBlock)}
	if prev, ok := c.blocked[path]; ok && now.Sub(prev.until) < blockRepeat {
		b.until = now.Add(hourBlock)
	}
	c.blocked[path] = b
	return b.until
}

// blockedUntil returns when a blocked API opens again, or the zero time.
func (c *Client) blockedUntil(path string) time.Time {
	now := c.tokens.now()
	c.blockMu.Lock()
	defer c.blockMu.Unlock()
	if b, ok := c.blocked[path]; ok && now.Before(b.until) {
		return b.until
	}
	return time.Time{}
}

// backoff is exponential with full jitter, so that many callers hit by the same 45009 do not retry in step.
func (c *Client) backoff(attempt int) time.Duration {
	return retry.Backoff(c.retryBase, c.retryMax, attempt)
}

// transportError is a failure below WeCom's JSON: network, HTTP status, or a body that is not WeCom's envelope.
type transportError struct {
	op        string
	status    int
	err       error
	transient bool
}

func (e *transportError) Error() string {
	if e.status != 0 {
		return fmt.Sprintf("wecom %s: HTTP %d: %v", e.op, e.status, e.err)
	}
	return fmt.Sprintf("wecom %s: %v", e.op, e.err)
}

func (e *transportError) Unwrap() error { return e.err }

func isTransient(err error) bool {
	var te *transportError
	return errors.As(err, &te) && te.transient
}

// roundTrip sends one HTTP request and decodes WeCom's answer into out.
func (c *Client) roundTrip(ctx context.Context, method, path string, q url.Values, body []byte, out any) (err error) {
	if c.observe != nil {
		defer func(start time.Time) { c.observe(path, err, time.Since(start)) }(time.Now())
	}
	u := *c.baseURL
	u.Path += "cgi-bin/" + path
	u.RawQuery = q.Encode()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return fmt.Errorf("wecom %s: %w", path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.httpClient.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &transportError{op: path, err: redactURLError(err), transient: true}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
	if err != nil {
		return &transportError{op: path, err: redactURLError(err), transient: true}
	}
	if len(data) > maxResponseBody {
		return &transportError{op: path, err: fmt.Errorf("response larger than %d bytes", maxResponseBody)}
	}
	if resp.StatusCode != http.StatusOK {
		return &transportError{op: path, status: resp.StatusCode, err: errors.New(snippet(data)),
			transient: resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests}
	}
	var env struct {
		ErrCode *int   `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if err := json.Unmarshal(data, &env); err != nil {
		return &transportError{op: path, err: fmt.Errorf("response is not JSON: %s", snippet(data))}
	}
	if env.ErrCode != nil && *env.ErrCode != 0 {
		return &Error{Op: path, Code: *env.ErrCode, Msg: env.ErrMsg, Hint: hints[*env.ErrCode]}
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return &transportError{op: path, err: fmt.Errorf("decode response: %w", err)}
		}
	}
	return nil
}

// redactURLError strips the query (which carries access_token or corpsecret) from a *url.Error, so that no
// error string, and so no log line, can leak a credential.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			u.RawQuery = ""
			return &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}
		}
		return &url.Error{Op: ue.Op, URL: "(redacted)", Err: ue.Err}
	}
	return err
}

func snippet(b []byte) string {
	const n = 200
	s := strings.ToValidUTF8(string(b), "?")
	if len(s) > n {
		s = s[:n] + "…"
	}
	return strings.TrimSpace(s)
}
