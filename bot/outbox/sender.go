// Package outbox delivers the messages the bot owes WeCom users: replies and pushes queued in the database.
//
// WeCom drops messages beyond 30 a minute or 1,000 an hour from one app to one member without an error, so the
// sender holds messages back to stay under those limits instead of losing them. Temporary failures are retried
// with backoff; permanent ones are recorded with the reason and errcode.
package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/wecombot/wecombot/internal/retry"

	"github.com/sourcegraph/conc/pool"

	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// API sends a stored request; *wecom.Client implements it.
type API interface {
	PostJSON(ctx context.Context, path string, body json.RawMessage, out any) error
}

// Store is the part of the database the sender uses; *db.DB implements it.
type Store interface {
	ClaimOutbox(ctx context.Context, limit int) ([]db.OutboxMessage, error)
	BeginOutboxAttempts(ctx context.Context, ids []int64) error
	MarkOutboxSent(ctx context.Context, id int64, msgID, responseCode string) error
	RetryOutbox(ctx context.Context, id int64, reason string, errcode int, at time.Time, counted bool) error
	FailOutbox(ctx context.Context, id int64, reason string, errcode int) error
	RequeueSending(ctx context.Context) (int64, error)
	NextOutboxDue(ctx context.Context) (time.Time, bool, error)
	RecentSends(ctx context.Context, since time.Time) ([]db.Send, error)
	QueuedAfter(ctx context.Context, recipient string, id int64, limit int) ([]db.OutboxMessage, error)
	MergeOutbox(ctx context.Context, keep int64, body []byte, absorbed []int64, at time.Time) error
}

// Sender delivers the outbox.
type Sender struct {
	Store  Store
	API    API
	Logger *slog.Logger

	// MemberLimits are the per-member windows to stay under; default wecom.MemberMessageLimits. Margin is added
	// to each window's length so that network jitter between our clock and WeCom's never puts one message too
	// many in WeCom's window; default 1 s.
	MemberLimits []wecom.Window
	Margin       time.Duration

	Workers     int           // concurrent sends; default 4
	MaxAttempts int           // attempts before a temporarily failing message is given up; default 10
	RetryBase   time.Duration // default 5 s, doubling
	RetryMax    time.Duration // default 10 min
	Poll        time.Duration // default 1 s
	Now         func() time.Time
	// Observe, when set, is called with what became of a message: "sent", "held_back" (a member limit defers
	// it), "deferred" (WeCom blocked the API for its rate limit), "retry" (a temporary failure) or "failed"
	// (given up), with WeCom's errcode for the last three (0 when none); for metrics, it must not block.
	Observe func(event string, m *db.OutboxMessage, errcode int)
	// HeldBack is the first line of a message merging n replies a member limit held back, in that member's
	// language; nil: HeldBackHeader, in English.
	HeldBack func(ctx context.Context, userID string, n int) string

	once    sync.Once
	wake    retry.Wake
	limiter *wecom.Limiter
}

func (s *Sender) init() {
	s.once.Do(func() {
		s.wake = retry.NewWake()
		if s.Logger == nil {
			s.Logger = slog.New(slog.DiscardHandler)
		}
		if s.MemberLimits == nil {
			s.MemberLimits = wecom.MemberMessageLimits
		}
		if s.Margin == 0 {
			s.Margin = time.Second
		}
		if s.Workers <= 0 {
			s.Workers = 4
		}
		if s.MaxAttempts <= 0 {
			s.MaxAttempts = 10
		}
		if s.RetryBase <= 0 {
			s.RetryBase = 5 * time.Second
		}
		if s.RetryMax <= 0 {
			s.RetryMax = 10 * time.Minute
		}
		if s.Poll <= 0 {
			s.Poll = time.Second
		}
		if s.Now == nil {
			s.Now = time.Now
		}
		windows := make([]wecom.Window, len(s.MemberLimits))
		for i, w := range s.MemberLimits {
			windows[i] = wecom.Window{N: w.N, Per: w.Per + s.Margin}
		}
		s.limiter = wecom.NewLimiter(windows, s.Now)
	})
}

// Notify wakes the sender; it never blocks.
func (s *Sender) Notify() {
	s.init()
	s.wake.Notify()
}

// Run requeues messages a crash left in flight, then sends until ctx ends.
func (s *Sender) Run(ctx context.Context) error {
	s.init()
	if n, err := s.Store.RequeueSending(ctx); err != nil {
		return fmt.Errorf("outbox: requeue: %w", err)
	} else if n > 0 {
		s.Logger.Warn("resending messages whose delivery was cut off by the last run (WeCom may show them twice)",
			slog.Int64("messages", n))
	}
	// WeCom's windows do not restart with us: count what the last run may have sent in the longest window,
	// including the sends it was cut off in.
	var longest time.Duration
	for _, w := range s.MemberLimits {
		longest = max(longest, w.Per+s.Margin)
	}
	sends, err := s.Store.RecentSends(ctx, s.Now().Add(-longest))
	if err != nil {
		return fmt.Errorf("outbox: recent sends: %w", err)
	}
	for i := range sends {
		m := db.OutboxMessage{API: sends[i].API, Recipient: sends[i].Recipient}
		for _, u := range members(&m) {
			s.limiter.Seed(u, sends[i].At)
		}
	}
	for ctx.Err() == nil {
		msgs, err := s.Store.ClaimOutbox(ctx, s.Workers*4)
		if err != nil && ctx.Err() == nil {
			s.Logger.Error("outbox claim failed", slog.String("err", err.Error()))
		}
		if len(msgs) > 0 {
			s.sendBatch(ctx, msgs)
			continue
		}
		wait := s.Poll
		if at, ok, err := s.Store.NextOutboxDue(ctx); err == nil && ok {
			if d := at.Sub(s.Now()); d < wait {
				wait = max(d, 10*time.Millisecond)
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-s.wake:
		case <-t.C:
		}
		t.Stop()
	}
	return nil
}

// members are the rate-limited recipients of a message: each userid of a pipe list; chats and card updates
// are not per-member messages.
func members(m *db.OutboxMessage) []string {
	if m.API != "message/send" || strings.HasPrefix(m.Recipient, "chat:") || m.Recipient == "" {
		return nil
	}
	return strings.Split(m.Recipient, "|")
}

// sendBatch sends claimed messages: those a member limit holds back are deferred; the rest are recorded as
// attempted, durably, before any request leaves, then sent concurrently.
func (s *Sender) sendBatch(ctx context.Context, msgs []db.OutboxMessage) {
	ctx = context.WithoutCancel(ctx) // a batch's sends finish before the next claim, so shutdown never cuts one off
	var records sync.WaitGroup       // outcomes being recorded; the batch ends when they are
	defer records.Wait()
	var ready, held []db.OutboxMessage
	var holds []time.Duration
	var ids []int64
	for i := range msgs {
		if hold := s.admit(&msgs[i]); hold > 0 {
			held, holds = append(held, msgs[i]), append(holds, hold)
			continue
		}
		ready = append(ready, msgs[i])
		ids = append(ids, msgs[i].ID)
	}
	s.deferHeld(ctx, held, holds, &records)
	if err := s.Store.BeginOutboxAttempts(ctx, ids); err != nil {
		// Unrecorded, a send cut off by a crash would be forgotten by the next start's limits: do not send.
		s.Logger.Error("cannot record send attempts; will retry", slog.String("err", err.Error()))
		for _, m := range ready {
			if err := s.Store.RetryOutbox(ctx, m.ID, "", 0, s.Now().Add(s.Poll), false); err != nil {
				s.Logger.Error("cannot defer message", slog.Int64("outbox_id", m.ID), slog.String("err", err.Error()))
			}
		}
		return
	}
	// Workers bounds the requests in flight; recording an outcome is not one of them: it waits for a group
	// commit, which the batch's other outcomes share, so a send's slot is free for the next request as soon as
	// WeCom answers.
	p := pool.New().WithMaxGoroutines(s.Workers)
	for i := range ready {
		m := &ready[i]
		p.Go(func() { s.send(ctx, m, &records) })
	}
	p.Wait()
}

// admit takes room in the member limits for m and returns 0, or returns how long m must wait for room.
func (s *Sender) admit(m *db.OutboxMessage) time.Duration {
	users := members(m)
	var hold time.Duration
	for _, u := range users {
		hold = max(hold, s.limiter.Delay(u))
	}
	if hold > 0 {
		return hold
	}
	for _, u := range users {
		s.limiter.Allow(u)
	}
	return 0
}

// deferMsg puts m back until at, recorded in a goroutine of records: a member held back does not hold up
// the others' sends. Waiting for room is not a failed attempt.
func (s *Sender) deferMsg(ctx context.Context, m *db.OutboxMessage, at time.Time, records *sync.WaitGroup) {
	s.observe("held_back", m, 0)
	records.Go(func() {
		if err := s.Store.RetryOutbox(ctx, m.ID, "", 0, at, false); err != nil {
			s.Logger.Error("cannot defer message", slog.Int64("outbox_id", m.ID), slog.String("err", err.Error()))
		}
	})
}

// send sends m and records the outcome in a goroutine of records.
func (s *Sender) send(ctx context.Context, m *db.OutboxMessage, records *sync.WaitGroup) {
	log := s.Logger.With(slog.Int64("outbox_id", m.ID), slog.String("api", m.API), slog.String("to", m.Recipient))
	started := s.Now()
	var res struct {
		MsgID        string `json:"msgid"`
		ResponseCode string `json:"response_code"`
		// A "a|b" string from message/send, an array from update_template_card: kept raw for the log.
		InvalidUser json.RawMessage `json:"invaliduser"`
	}
	err := s.API.PostJSON(ctx, m.API, json.RawMessage(m.Body), &res)
	// The limiter counted the send when it started; WeCom counts it when the request that succeeds arrives,
	// which after a token fetch or the client's retries can be much later. Count a slow send again at its end
	// so that it leaves our window no earlier than WeCom's; before the outcome is recorded, so that a recorded
	// outcome means the limiter already knows.
	if end := s.Now(); end.Sub(started) > s.Margin/2 {
		for _, u := range members(m) {
			s.limiter.Seed(u, end)
		}
	}
	if err == nil {
		if iu := string(res.InvalidUser); iu != "" && iu != `""` && iu != "[]" && iu != "null" {
			log.Warn("some recipients are invalid or not visible to the app", slog.String("invaliduser", iu))
		}
		records.Go(func() {
			if err := s.Store.MarkOutboxSent(ctx, m.ID, res.MsgID, res.ResponseCode); err != nil {
				log.Error("sent, but cannot record it", slog.String("err", err.Error()))
			}
			s.observe("sent", m, 0)
		})
		return
	}
	code := wecom.ErrorCode(err)
	if at := wecom.RetryAt(err); !at.IsZero() {
		// WeCom blocked the API (45009) until at: send then. Not a failed attempt, and the row keeps its
		// place: the recipient's later messages wait behind it.
		log.Warn("WeCom's rate limit for this API is exhausted; message deferred", slog.Time("until", at))
		s.observe("deferred", m, code)
		records.Go(func() {
			if rerr := s.Store.RetryOutbox(ctx, m.ID, err.Error(), code, at, false); rerr != nil {
				log.Error("cannot defer message", slog.String("err", rerr.Error()))
			}
		})
		return
	}
	attempt := m.Attempts + 1
	if !temporary(err) || attempt >= s.MaxAttempts {
		log.Error("message failed permanently", slog.String("err", err.Error()), slog.Int("errcode", code), slog.Int("attempt", attempt))
		s.observe("failed", m, code)
		records.Go(func() {
			if ferr := s.Store.FailOutbox(ctx, m.ID, err.Error(), code); ferr != nil {
				log.Error("cannot record failure", slog.String("err", ferr.Error()))
			}
		})
		return
	}
	d := retry.Backoff(s.RetryBase, s.RetryMax, attempt-1)
	log.Warn("message failed; will retry", slog.String("err", err.Error()), slog.Int("errcode", code), slog.Duration("in", d))
	s.observe("retry", m, code)
	at := s.Now().Add(d)
	records.Go(func() {
		if rerr := s.Store.RetryOutbox(ctx, m.ID, err.Error(), code, at, true); rerr != nil {
			log.Error("cannot requeue message", slog.String("err", rerr.Error()))
		}
	})
}

// temporary reports whether a failed send may succeed later: WeCom's busy and rate-limit codes, token trouble
// the client could not fix in one refresh, and failures below WeCom's JSON (network, HTTP 5xx).
func temporary(err error) bool {
	var we *wecom.Error
	if errors.As(err, &we) {
		switch we.Code {
		case wecom.CodeInvalidToken, wecom.CodeTokenExpired:
			return true
		}
		return we.Temporary()
	}
	var ve *wecom.ValidationError
	if errors.As(err, &ve) {
		return false
	}
	return !errors.Is(err, context.Canceled)
}

func (s *Sender) observe(event string, m *db.OutboxMessage, errcode int) {
	if s.Observe != nil {
		s.Observe(event, m, errcode)
	}
}
