package main

import (
	"context"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/wecombot/wecombot/bot/inbox"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// ackHandler is the minimal callback handler until the command engine plugs in: it answers a text message
// with a short acknowledgement through the outbox and records every other kind as handled.
type ackHandler struct {
	agentID int
}

func (h *ackHandler) Handle(ctx context.Context, it *db.InboxItem) (inbox.Effects, error) {
	if it.Kind == "unparsed" {
		return nil, inbox.Permanent(fmt.Errorf("callback payload is not a WeCom message"))
	}
	m, err := wecom.ParseInbound(it.Payload)
	if err != nil {
		return nil, inbox.Permanent(err)
	}
	if m.MsgType != wecom.MsgTypeText {
		return nil, nil // stored and acknowledged; later handlers act on events
	}
	body, err := json.Marshal(map[string]any{
		"touser":  m.FromUserName,
		"msgtype": "text",
		"agentid": h.agentID,
		"text":    map[string]string{"content": "收到 (received): " + clip(m.Content, 200)},
	})
	if err != nil {
		return nil, inbox.Permanent(err)
	}
	return func(ctx context.Context, tx *db.Tx) error {
		return tx.AddOutbox(ctx, &db.OutboxMessage{InboxID: it.ID, Recipient: m.FromUserName, API: "message/send", Body: body})
	}, nil
}

// clip shortens s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
