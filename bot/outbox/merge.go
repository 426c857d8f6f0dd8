package outbox

import (
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/db"
)

// maxContent is WeCom's bound on a text or markdown message's content, in bytes.
const maxContent = 2048

// HeldBackHeader is the first line of a message that merges n replies a member limit held back, in English.
func HeldBackHeader(n int) string { return HeldBackIn(nil, n) }

// HeldBackIn is HeldBackHeader in p's language (Sender.HeldBack uses it with the member's).
func HeldBackIn(p *i18n.Printer, n int) string {
	return p.Sprintf("(Held back by WeCom's limit of 30 messages a minute per member: %d replies together.)", n)
}

// mergeable is a message whose text can join another's: a text or markdown message/send to one member.
type mergeable struct {
	m       *db.OutboxMessage
	msgtype string
	content string
	fields  map[string]json.RawMessage
}

func parseMergeable(m *db.OutboxMessage) (*mergeable, bool) {
	if m.API != "message/send" || strings.ContainsAny(m.Recipient, "|:") || m.Recipient == "" {
		return nil, false
	}
	var f map[string]json.RawMessage
	if json.Unmarshal(m.Body, &f) != nil {
		return nil, false
	}
	var typ string
	if json.Unmarshal(f["msgtype"], &typ) != nil || (typ != "text" && typ != "markdown") {
		return nil, false
	}
	var c struct {
		Content string `json:"content"`
	}
	if json.Unmarshal(f[typ], &c) != nil {
		return nil, false
	}
	return &mergeable{m: m, msgtype: typ, content: c.Content, fields: f}, true
}

// maxMerge bounds the queued messages read to merge behind one held back.
const maxMerge = 64

// deferHeld puts back the messages a member limit holds (hold[i] is how long msgs[i] waits). A member's text
// or markdown reply that is held takes the replies queued behind it along, as many as fit in WeCom's 2,048
// bytes, in order and never past a card, its first line saying they were held back: a burst arrives late but
// whole instead of spending the member's budget one fragment at a time.
func (s *Sender) deferHeld(ctx context.Context, msgs []db.OutboxMessage, hold []time.Duration, records *sync.WaitGroup) {
	for i := range msgs {
		m, at := &msgs[i], s.Now().Add(hold[i])
		if !s.mergeBehind(ctx, m, at, records) {
			s.deferMsg(ctx, m, at, records)
		}
	}
}

// mergeBehind merges the replies queued behind m into m and defers it until at; false when there was nothing
// to merge (m is a card, a push to several, alone in its queue, or too big to share a message).
func (s *Sender) mergeBehind(ctx context.Context, m *db.OutboxMessage, at time.Time, records *sync.WaitGroup) bool {
	first, ok := parseMergeable(m)
	if !ok {
		return false
	}
	queued, err := s.Store.QueuedAfter(ctx, m.Recipient, m.ID, maxMerge)
	if err != nil || len(queued) == 0 {
		return false
	}
	run := []*mergeable{first}
	for i := range queued {
		mg, ok := parseMergeable(&queued[i])
		if !ok || mg.msgtype != first.msgtype {
			break // a card, or a message of another type: the run ends, order is kept
		}
		run = append(run, mg)
	}
	return s.mergeRun(ctx, m.Recipient, run, at, records) > 1
}

// mergeRun merges the longest prefix of run that fits in one message, and returns its length (1: nothing
// merged, the first is too big to share).
func (s *Sender) mergeRun(ctx context.Context, user string, run []*mergeable, at time.Time, records *sync.WaitGroup) int {
	// The header for the whole run is at least as long as for any part of it (only its count differs): room
	// is reckoned with it once, not with a lookup of the member's language per reply.
	room := maxContent - len(s.header(ctx, user, len(run))) - 2
	n, size := 0, 0
	for _, mg := range run {
		add := len(mg.content)
		if n > 0 {
			add += 2 // the blank line between replies
		}
		if size+add > room {
			break
		}
		size += add
		n++
	}
	if n < 2 {
		return 1 // the first is too big to share a message: deferred alone
	}
	parts := []string{s.header(ctx, user, n)}
	for _, mg := range run[:n] {
		parts = append(parts, mg.content)
	}
	first := run[0]
	inner, _ := json.Marshal(map[string]string{"content": strings.Join(parts, "\n\n")})
	fields := maps.Clone(first.fields)
	fields[first.msgtype] = inner
	body, err := json.Marshal(fields)
	if err != nil {
		return 1
	}
	keep := first.m.ID
	var absorbed []int64
	for _, mg := range run[1:n] {
		absorbed = append(absorbed, mg.m.ID)
	}
	for range n {
		s.observe("held_back", first.m, 0)
	}
	records.Go(func() {
		if err := s.Store.MergeOutbox(ctx, keep, body, absorbed, at); err != nil {
			// Nothing merged (all or nothing): the held message waits on its own, the rest stay queued behind it.
			s.Logger.Error("cannot merge held-back messages; deferring the first alone", slog.Int64("outbox_id", keep), slog.String("err", err.Error()))
			if err := s.Store.RetryOutbox(ctx, keep, "", 0, at, false); err != nil {
				s.Logger.Error("cannot defer message", slog.Int64("outbox_id", keep), slog.String("err", err.Error()))
			}
		}
	})
	return n
}

func (s *Sender) header(ctx context.Context, user string, n int) string {
	if s.HeldBack != nil {
		return s.HeldBack(ctx, user, n)
	}
	return HeldBackHeader(n)
}
