// Package metrics defines the bot's Prometheus metrics (docs/metrics.md lists them) and serves them.
//
// The parts of the bot do not import Prometheus: each has a nil-safe Observe hook (callbacks.Handler,
// inbox.Processor, outbox.Sender, wecom.Client.SetObserver), and the methods of *Metrics here fit those hooks.
// What the database already records is read at scrape time instead of counted twice: the queues' depths and
// ages, the audit chain's head, and, from the new audit rows since the last scrape, commands by name and
// decision, approval decisions and alert acks and silences (so they count only what committed); pushed alerts
// likewise from the alert digests.
//
// Every label value is bounded: fixed sets where the code knows them (outcomes, reasons, decisions, msgtypes),
// and for the rest (API paths, errcodes, command paths) a cap on the distinct values kept, past which a value
// is reported as "other". No label ever carries a userid.
package metrics

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// Metrics holds the collectors of one bot. The zero of *Metrics (nil) is valid: every method does nothing.
type Metrics struct {
	reg *prometheus.Registry

	callbacksReceived *prometheus.CounterVec
	callbacksRejected *prometheus.CounterVec
	handling          *prometheus.HistogramVec
	outboxSent        *prometheus.CounterVec
	outboxHeld        *prometheus.CounterVec
	outboxRetried     *prometheus.CounterVec
	outboxFailed      *prometheus.CounterVec
	apiCalls          *prometheus.CounterVec
	apiDuration       *prometheus.HistogramVec
	tokenRefreshes    *prometheus.CounterVec

	paths, codes *bounded
	db           *dbCollector
}

// Label caps: distinct values kept per label before the rest read "other".
const (
	maxPaths    = 100
	maxErrcodes = 100
	maxCommands = 200
)

// New builds the metrics of a bot over its database d. It reads the audit and alert heads once, so the
// counters derived from them start at zero now, as a restarted process's counters do.
func New(ctx context.Context, d *db.DB) (*Metrics, error) {
	m := &Metrics{reg: prometheus.NewRegistry(), paths: newBounded(maxPaths), codes: newBounded(maxErrcodes)}
	m.callbacksReceived = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wecombot_callbacks_received_total",
		Help: "Callback requests accepted, by outcome: stored (new), duplicate (a redelivery, acknowledged), verified (URL verification)."},
		[]string{"outcome"})
	m.callbacksRejected = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wecombot_callbacks_rejected_total",
		Help: "Callback requests rejected, by reason (bad_signature, stale_timestamp, cannot_decrypt, not_stored, ...)."},
		[]string{"reason"})
	m.handling = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "wecombot_inbox_handling_duration_seconds",
		Help:    "Time to handle one stored callback and commit its effects, by outcome (done, retry, failed).",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}}, []string{"outcome"})
	m.outboxSent = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wecombot_outbox_sent_total",
		Help: "Outbox messages WeCom accepted, by msgtype."}, []string{"msgtype"})
	m.outboxHeld = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wecombot_outbox_held_back_total",
		Help: "Times an outbox message was held back to keep a member under WeCom's per-member limits (30/min, 1000/h), by msgtype."},
		[]string{"msgtype"})
	m.outboxRetried = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wecombot_outbox_retries_total",
		Help: "Outbox sends that failed temporarily and will be retried (or were deferred by WeCom's API rate limit), by msgtype and errcode."},
		[]string{"msgtype", "errcode"})
	m.outboxFailed = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wecombot_outbox_failed_total",
		Help: "Outbox messages given up (a permanent errcode, or out of attempts), by msgtype and errcode."},
		[]string{"msgtype", "errcode"})
	m.apiCalls = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wecombot_wecom_api_calls_total",
		Help: "HTTP requests to the WeCom API (each retry counted), by API path and errcode (\"0\" ok, \"transport\" no WeCom answer, \"canceled\")."},
		[]string{"path", "errcode"})
	m.apiDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "wecombot_wecom_api_duration_seconds",
		Help: "Latency of WeCom API requests, by API path.", Buckets: prometheus.DefBuckets}, []string{"path"})
	m.tokenRefreshes = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wecombot_token_refreshes_total",
		Help: "access_token fetches (gettoken), by errcode (\"0\" ok; 40001/40013 a wrong secret or corp id; \"transport\")."},
		[]string{"errcode"})
	dbc, err := newDBCollector(ctx, d)
	if err != nil {
		return nil, err
	}
	m.db = dbc
	m.reg.MustRegister(m.callbacksReceived, m.callbacksRejected, m.handling, m.outboxSent, m.outboxHeld, m.outboxRetried,
		m.outboxFailed, m.apiCalls, m.apiDuration, m.tokenRefreshes, dbc,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m, nil
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorHandling:       promhttp.ContinueOnError, // a failed database read still serves the process's counters
		MaxRequestsInFlight: 4,
		Timeout:             10 * time.Second,
	})
}

// Registry is the registry the metrics are in (for tests and for adding collectors).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Callback fits callbacks.Handler.Observe.
func (m *Metrics) Callback(outcome string, accepted bool) {
	if m == nil {
		return
	}
	if accepted {
		m.callbacksReceived.WithLabelValues(outcome).Inc()
	} else {
		m.callbacksRejected.WithLabelValues(outcome).Inc()
	}
}

// Command fits commands.Engine.Observe.
func (m *Metrics) Command(path, decision string) {
	if m == nil {
		return
	}
	m.db.command(path, decision)
}

// Handled fits inbox.Processor.Observe.
func (m *Metrics) Handled(outcome string, took time.Duration) {
	if m == nil {
		return
	}
	m.handling.WithLabelValues(outcome).Observe(took.Seconds())
}

// Outbox fits outbox.Sender.Observe.
func (m *Metrics) Outbox(event string, msg *db.OutboxMessage, errcode int) {
	if m == nil {
		return
	}
	mt := MsgType(msg)
	switch event {
	case "sent":
		m.outboxSent.WithLabelValues(mt).Inc()
	case "held_back":
		m.outboxHeld.WithLabelValues(mt).Inc()
	case "retry", "deferred":
		m.outboxRetried.WithLabelValues(mt, m.codes.label(strconv.Itoa(errcode))).Inc()
	case "failed":
		m.outboxFailed.WithLabelValues(mt, m.codes.label(strconv.Itoa(errcode))).Inc()
	}
}

// APICall fits wecom.Client.SetObserver.
func (m *Metrics) APICall(path string, err error, took time.Duration) {
	if m == nil {
		return
	}
	p := "other"
	if validPath(path) {
		p = m.paths.label(path)
	}
	code := m.codes.label(wecom.OutcomeLabel(err))
	m.apiCalls.WithLabelValues(p, code).Inc()
	m.apiDuration.WithLabelValues(p).Observe(took.Seconds())
	if path == "gettoken" {
		m.tokenRefreshes.WithLabelValues(code).Inc()
	}
}

// msgTypes are the message types a msgtype label may take; anything else reads "other".
var msgTypes = map[string]bool{"text": true, "markdown": true, "textcard": true, "template_card": true, "news": true,
	"mpnews": true, "image": true, "voice": true, "video": true, "file": true, "miniprogram_notice": true,
	"update_template_card": true, "update_taskcard": true}

// MsgType is the msgtype label of an outbox message: the request's "msgtype", or for a card update the API's
// name ("update_template_card"); "other" for anything unexpected.
func MsgType(msg *db.OutboxMessage) string {
	var body struct {
		MsgType string `json:"msgtype"`
	}
	_ = json.Unmarshal(msg.Body, &body)
	mt := body.MsgType
	if mt == "" {
		if i := lastSlash(msg.API); i >= 0 {
			mt = msg.API[i+1:]
		}
	}
	if msgTypes[mt] {
		return mt
	}
	return "other"
}

func lastSlash(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return i
		}
	}
	return -1
}

// validPath reports whether s looks like a WeCom API path ("message/send"): short, lower-case letters,
// digits, '_' and '/'.
func validPath(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '_' || r == '/') {
			return false
		}
	}
	return true
}

// bounded keeps at most max distinct label values; later new ones read "other".
type bounded struct {
	mu   sync.Mutex
	max  int
	seen map[string]bool
}

func newBounded(max int) *bounded { return &bounded{max: max, seen: map[string]bool{}} }

func (b *bounded) label(v string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.seen[v] {
		return v
	}
	if len(b.seen) >= b.max {
		return "other"
	}
	b.seen[v] = true
	return v
}
