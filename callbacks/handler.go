// Package callbacks receives WeCom's encrypted app-message callbacks: it verifies, decrypts and durably queues
// them, and answers WeCom fast.
//
// The request path does no WeCom API call and never waits on a worker: body limit → signature (constant time,
// before decrypting) → freshness → decrypt → receiveid → parse → INSERT into the inbox (group-committed to disk)
// → non-blocking wake-up → 200 with an empty body. WeCom retries a callback that gets no 200 within 5 s, so the
// durable insert before the 200 is what makes "acknowledged" mean "never lost". An insert that fails is retried
// within EnqueueTimeout; if it never succeeds the connection is closed without an answer, so WeCom retries.
package callbacks

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// Inbox is where callbacks go; *db.DB implements it.
type Inbox interface {
	Enqueue(ctx context.Context, it *db.InboxItem) (inserted bool, err error)
}

// MaxBody bounds a callback body. WeCom's are a few KB (a text message's content is at most 2,048 bytes, and
// encryption adds about a third); 256 KB leaves room for any event while bounding what a flood of forged
// bodies can hold in memory at once (64 connections × 256 KB; BenchmarkForgedFlood).
const MaxBody = 256 << 10

// Handler serves the callback URL: GET for URL verification, POST for messages and events.
type Handler struct {
	Crypter *wecom.Crypter
	// Previous, until PreviousUntil, is the token and EncodingAESKey WeCom used before a rotation: WeCom signs
	// with the new ones as soon as they are saved in the admin console, but callbacks already in flight (and
	// their retries) carry the old ones, so both are accepted for a short overlap. Nil: none.
	Previous      *wecom.Crypter
	PreviousUntil time.Time
	Inbox         Inbox
	// MaxSkew rejects a callback whose signed timestamp is further than this from Now (a replay defence); 0
	// disables the check.
	MaxSkew time.Duration
	// Notify is called after a new row is stored; it must not block (a buffered-channel send with default).
	Notify func()
	Now    func() time.Time
	Logger *slog.Logger
	// EnqueueTimeout bounds the time from a request's arrival to its durable insert, retries included; it must
	// stay well inside the 5 s WeCom waits for an answer. 0 means DefaultEnqueueTimeout.
	EnqueueTimeout time.Duration
	// LogInterval: each kind of rejected callback (bad signature, corrupt body, …) is logged at most once per
	// interval, the rest counted in a summary line, so a forged flood cannot fill the disk. 0 means
	// DefaultLogInterval.
	LogInterval time.Duration
	// Observe, when set, is called once per request with its outcome (see observe.go); for metrics, it must
	// not block.
	Observe func(outcome string, accepted bool)

	rejections logLimiter
}

// DefaultEnqueueTimeout leaves WeCom's 5 s a second of margin for the network and the answer.
const DefaultEnqueueTimeout = 4 * time.Second

// Backoff between insert attempts: short, because WeCom is waiting.
const (
	enqueueBackoffMin = 25 * time.Millisecond
	enqueueBackoffMax = 400 * time.Millisecond
)

// errNotStored aborts the request without any answer (see ServeHTTP).
var errNotStored = errors.New("callback not stored")

// statusError is an error with the HTTP status to answer.
type statusError struct {
	status int
	reason string
	err    error
}

func (e *statusError) Error() string {
	if e.err != nil {
		return e.reason + ": " + e.err.Error()
	}
	return e.reason
}

func (e *statusError) Unwrap() error { return e.err }

func fail(status int, reason string, err error) error { return &statusError{status, reason, err} }

// ServeHTTP implements http.Handler; errors are turned into responses in this one place.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	var err error
	switch r.Method {
	case http.MethodGet:
		err = h.verifyURL(w, r)
	case http.MethodPost:
		err = h.receive(w, r, start)
	default:
		w.Header().Set("Allow", "GET, POST")
		err = fail(http.StatusMethodNotAllowed, "method not allowed", nil)
	}
	if err == nil {
		return
	}
	h.observe(rejectionLabel(err), false)
	if errors.Is(err, errNotStored) {
		h.logRejection(r.Context(), slog.LevelError, "not stored",
			"callback not stored; connection closed without an answer, so WeCom will retry it",
			slog.String("err", err.Error()), slog.Duration("tried_for", time.Since(start)),
			slog.String("remote", r.RemoteAddr))
		// No status at all: WeCom's docs disagree on whether it retries a non-200 (DOC/90238 vs DOC/90930),
		// but it retries a connection that closes unanswered. net/http closes it (HTTP/2: resets the stream)
		// without writing a response, and does not log this panic.
		panic(http.ErrAbortHandler)
	}
	se := &statusError{status: http.StatusInternalServerError, reason: "internal error", err: err}
	errors.As(err, &se)
	level := slog.LevelWarn
	if se.status >= 500 {
		level = slog.LevelError
	}
	attrs := []slog.Attr{slog.Int("status", se.status), slog.String("reason", se.Error()), slog.String("remote", r.RemoteAddr)}
	if se.reason == "signature mismatch" || se.reason == "cannot decrypt" {
		// Forged, or our settings differ from WeCom's: say where to compare them.
		attrs = append(attrs, slog.String("hint", "if WeCom sent it, check callback.token and callback.encoding_aes_key against the app's 接收消息 → 设置API接收"))
	}
	h.logRejection(r.Context(), level, strconv.Itoa(se.status)+" "+se.reason, "callback rejected", attrs...)
	// The body says why, so an operator testing the URL sees it; it never echoes secrets.
	http.Error(w, se.reason, se.status)
}

// logRejection logs through the rate limit; kind must be one of the handler's fixed reasons, never request text.
func (h *Handler) logRejection(ctx context.Context, level slog.Level, kind, msg string, attrs ...slog.Attr) {
	every := h.LogInterval
	if every <= 0 {
		every = DefaultLogInterval
	}
	h.rejections.log(ctx, h.logger(), every, level, kind, msg, attrs...)
}

func (h *Handler) logger() *slog.Logger {
	if h.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Logger
}

func (h *Handler) now() time.Time {
	if h.Now == nil {
		return time.Now()
	}
	return h.Now()
}

// params reads the signed query parameters.
func (h *Handler) params(r *http.Request) (sig, ts, nonce string, err error) {
	q := r.URL.Query()
	sig, ts, nonce = q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce")
	if sig == "" || ts == "" || nonce == "" {
		return "", "", "", fail(http.StatusBadRequest, "missing msg_signature, timestamp or nonce", nil)
	}
	if h.MaxSkew > 0 {
		sec, perr := strconv.ParseInt(ts, 10, 64)
		if perr != nil {
			return "", "", "", fail(http.StatusBadRequest, "timestamp is not a number", nil)
		}
		if d := h.now().Sub(time.Unix(sec, 0)); d > h.MaxSkew || d < -h.MaxSkew {
			return "", "", "", fail(http.StatusForbidden, "stale timestamp",
				fmt.Errorf("timestamp %s is %s away from now; callback.max_skew is %s", ts, d.Round(time.Second), h.MaxSkew))
		}
	}
	return sig, ts, nonce, nil
}

// verifyURL answers WeCom's URL check with the decrypted echostr, byte for byte.
func (h *Handler) verifyURL(w http.ResponseWriter, r *http.Request) error {
	sig, ts, nonce, err := h.params(r)
	if err != nil {
		return err
	}
	// Query() decodes '+' as a space; base64 has no spaces, so a literal '+' WeCom left unescaped comes back.
	echo := strings.ReplaceAll(r.URL.Query().Get("echostr"), " ", "+")
	if echo == "" {
		return fail(http.StatusBadRequest, "missing echostr", nil)
	}
	plain, err := h.Crypter.VerifyURL(sig, ts, nonce, echo)
	if err != nil && h.previous() != nil {
		plain, err = h.previous().VerifyURL(sig, ts, nonce, echo)
	}
	if err != nil {
		return cryptoFail(err)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(plain)
	h.observe(OutcomeVerified, true)
	return nil
}

// previous is the pre-rotation crypter while its overlap lasts, else nil.
func (h *Handler) previous() *wecom.Crypter {
	if h.Previous == nil || !h.now().Before(h.PreviousUntil) {
		return nil
	}
	return h.Previous
}

func cryptoFail(err error) error {
	if errors.Is(err, wecom.ErrInvalidSignature) {
		return fail(http.StatusForbidden, "signature mismatch", err)
	}
	return fail(http.StatusBadRequest, "cannot decrypt", err)
}

func (h *Handler) receive(w http.ResponseWriter, r *http.Request, start time.Time) error {
	sig, ts, nonce, err := h.params(r)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return fail(http.StatusRequestEntityTooLarge, "body too large", nil)
		}
		return fail(http.StatusBadRequest, "cannot read body", err)
	}
	_, plain, err := h.Crypter.DecryptMessage(sig, ts, nonce, body)
	if err != nil && h.previous() != nil {
		if _, p, perr := h.previous().DecryptMessage(sig, ts, nonce, body); perr == nil {
			plain, err = p, nil
		}
	}
	if err != nil {
		return cryptoFail(err)
	}
	it := &db.InboxItem{Payload: plain, ReceivedAt: h.now()}
	if m, perr := wecom.ParseInbound(plain); perr == nil {
		it.Key, it.From, it.Kind = m.DedupeKey(), m.FromUserName, m.Kind()
	} else {
		// Authentic (it decrypted) but not a message we can read: keep it, visible and acknowledged, rather than
		// make WeCom retry something that will never parse. The worker marks it failed with the reason.
		sum := sha256.Sum256(plain)
		it.Key, it.From, it.Kind = "raw:"+hex.EncodeToString(sum[:16]), "", db.KindUnparsed
		h.logger().Warn("callback decrypted but unparsable; stored", slog.String("err", perr.Error()))
	}
	inserted, err := h.store(r.Context(), it, start)
	if err != nil {
		return err
	}
	if inserted && h.Notify != nil {
		h.Notify()
	}
	w.WriteHeader(http.StatusOK)
	if inserted {
		h.observe(OutcomeStored, true)
	} else {
		h.observe(OutcomeDuplicate, true)
	}
	return nil
}

// store inserts it, retrying with a short backoff until the insert succeeds or the budget counted from start
// runs out. A retry is safe: the dedupe key makes an insert that did land, unseen, a no-op the second time.
func (h *Handler) store(ctx context.Context, it *db.InboxItem, start time.Time) (inserted bool, err error) {
	budget := h.EnqueueTimeout
	if budget <= 0 {
		budget = DefaultEnqueueTimeout
	}
	ctx, cancel := context.WithDeadline(ctx, start.Add(budget))
	defer cancel()
	backoff := enqueueBackoffMin
	for attempt := 1; ; attempt++ {
		inserted, err = h.Inbox.Enqueue(ctx, it)
		if err == nil {
			return inserted, nil
		}
		if errors.Is(err, db.ErrClosed) { // shutting down: no point waiting
			return false, fmt.Errorf("%w: %v", errNotStored, err)
		}
		// The last attempt keeps at least enqueueBackoffMin to run in.
		deadline, _ := ctx.Deadline()
		left := time.Until(deadline) - enqueueBackoffMin
		if ctx.Err() != nil || left < enqueueBackoffMin {
			return false, fmt.Errorf("%w after %d attempt(s): %v", errNotStored, attempt, err)
		}
		t := time.NewTimer(min(backoff, left))
		select {
		case <-ctx.Done():
			t.Stop()
			return false, fmt.Errorf("%w after %d attempt(s): %v", errNotStored, attempt, err)
		case <-t.C:
		}
		backoff = min(2*backoff, enqueueBackoffMax)
	}
}
