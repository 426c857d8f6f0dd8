// Package router handles stored callbacks: text messages go to the command engine, events to their
// handlers, and every reply is rendered for WeCom and queued in the outbox in the transaction that completes
// the callback.
package router

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/inbox"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// EventHandler handles one kind of event (Event value, e.g. "template_card_event").
type EventHandler interface {
	HandleEvent(ctx context.Context, it *db.InboxItem, m *wecom.Inbound) (inbox.Effects, error)
}

// Encoder validates a message and returns its message/send body; *wecom.MessageService implements it.
type Encoder interface {
	Encode(m *wecom.Message) ([]byte, error)
}

// Router implements inbox.Handler.
type Router struct {
	Engine  *commands.Engine
	Encoder Encoder
	Events  map[string]EventHandler
	// Cards handle template_card_event clicks by the namespace of the button key: a key "alert:ack:42" goes
	// to Cards["alert"]. Keys are ours (set when the card was sent), so the namespace says who sent it.
	Cards map[string]EventHandler
	// Menu maps the app menu's click keys ("menu:1.0") to the buttons (wecombot menu sync set the menu): a tap runs
	// the button's command line as if the member had typed it, with the same checks.
	Menu map[string]MenuItem
	// Greet answers a member who opens the app (enter_agent) with one card of the menu's actions they may
	// run, at most once a day; Location says when a day starts (default Asia/Shanghai).
	Greet    bool
	Location *time.Location
	// Text sends plain text instead of markdown, for corps whose members read the bot in WeChat (the WeChat
	// plugin does not show markdown messages).
	Text bool
	// Langs says which language each member reads; every handler finds the sender's in ctx (i18n.From). Nil:
	// English.
	Langs interface {
		For(ctx context.Context, userID string) context.Context
	}
	Logger *slog.Logger
	// Kinds handle the bot's own inbox rows by their Kind (db.KindSchedule: a schedule's slot), with the
	// sender's language in ctx; their rows carry no WeCom XML.
	Kinds map[string]inbox.Handler
}

var _ inbox.Handler = (*Router)(nil)

// Handle implements inbox.Handler.
func (r *Router) Handle(ctx context.Context, it *db.InboxItem) (inbox.Effects, error) {
	if it.Kind == db.KindUnparsed {
		return nil, inbox.Permanent(errors.New("callback payload is not a WeCom message"))
	}
	if h, ok := r.Kinds[it.Kind]; ok {
		if r.Langs != nil {
			ctx = r.Langs.For(ctx, it.From)
		}
		return h.Handle(ctx, it)
	}
	m, err := wecom.ParseInbound(it.Payload)
	if err != nil {
		return nil, inbox.Permanent(err)
	}
	// FromUserName becomes a reply's touser and the actor of every check and audit row: anything that is not a
	// userid ("@all" reaches every member, "a|b" two) is refused here, before any command or event handler runs.
	// The row stays, failed with this reason.
	if !wecom.ValidUserID(m.FromUserName) {
		return nil, inbox.Permanent(fmt.Errorf("refused: the sender %.64q is not a WeCom userid (1-64 bytes of letters, digits and _-@.), so the callback gets no reply and runs nothing", m.FromUserName))
	}
	if r.Langs != nil {
		ctx = r.Langs.For(ctx, m.FromUserName)
	}
	switch m.MsgType {
	case wecom.MsgTypeText:
		out, err := r.Engine.Handle(ctx, commands.Message{From: m.FromUserName, Text: m.Content, InboxID: it.ID})
		return r.effects(it, m.FromUserName, out, err)
	case wecom.MsgTypeEvent:
		if m.Event == "template_card_event" && strings.HasPrefix(m.EventKey, "confirm:") {
			return r.confirmClick(ctx, it, m)
		}
		// An approver's Approve/Reject on a four-eyes request card.
		if m.Event == "template_card_event" && strings.HasPrefix(m.EventKey, "policy:") {
			out, err := r.Engine.HandlePolicyClick(ctx, m.FromUserName, m.EventKey, m.TaskID, m.ResponseCode, it.ID)
			return r.effects(it, m.FromUserName, out, err)
		}
		// A menu tap, or a button of the greeting card: the button's command, for this member.
		if (m.Event == "click" || m.Event == "template_card_event") && strings.HasPrefix(m.EventKey, "menu:") {
			return r.menuTap(ctx, it, m)
		}
		if m.Event == "template_card_event" {
			ns, _, _ := strings.Cut(m.EventKey, ":")
			if h, ok := r.Cards[ns]; ok {
				return h.HandleEvent(ctx, it, m)
			}
			r.log().Warn("card click with an unknown key; acknowledged", slog.String("key", m.EventKey), slog.String("from", m.FromUserName))
			return nil, nil
		}
		if m.Event == "enter_agent" && r.Greet {
			return r.greet(ctx, it, m)
		}
		if h, ok := r.Events[m.Event]; ok {
			return h.HandleEvent(ctx, it, m)
		}
		r.log().Debug("event without a handler; acknowledged", slog.String("event", m.Event), slog.String("from", m.FromUserName))
		return nil, nil
	default:
		// Pictures, voice, files: acknowledged and answered with a hint, never retried.
		rows, err := r.Render(m.FromUserName, it.ID, []*replies.Reply{replies.Say(i18n.From(ctx), "I read text commands only. Send /help to see them.")})
		if err != nil {
			return nil, inbox.Permanent(err)
		}
		return func(ctx context.Context, tx *db.Tx) error { return addAll(ctx, tx, rows) }, nil
	}
}

// confirmClick runs a Confirm/Cancel click through the engine, which also updates the clicked card (with
// the click's response_code) to say what became of it.
func (r *Router) confirmClick(ctx context.Context, it *db.InboxItem, m *wecom.Inbound) (inbox.Effects, error) {
	out, err := r.Engine.HandleConfirmClick(ctx, m.FromUserName, m.EventKey, m.TaskID, m.ResponseCode, it.ID)
	return r.effects(it, m.FromUserName, out, err)
}

// effects commits what the engine decided (conversation, audit, card updates) with its replies to the member,
// in the transaction that completes the callback. An engine error is retried; a reply that cannot be encoded
// is not (it would fail the same way again).
func (r *Router) effects(it *db.InboxItem, to string, out *commands.Outcome, err error) (inbox.Effects, error) {
	if err != nil {
		return nil, err
	}
	rows, err := r.Render(to, it.ID, out.Replies)
	if err != nil {
		return nil, inbox.Permanent(err)
	}
	return func(ctx context.Context, tx *db.Tx) error {
		if err := out.Effects(ctx, tx); err != nil {
			return err
		}
		return addAll(ctx, tx, rows)
	}, nil
}

// MenuItem is one menu button: its name and the command line it runs.
type MenuItem struct{ Name, Line string }

// menuTap runs the command of a menu button (a click event, or a button of the greeting card).
func (r *Router) menuTap(ctx context.Context, it *db.InboxItem, m *wecom.Inbound) (inbox.Effects, error) {
	item, ok := r.Menu[m.EventKey]
	if !ok {
		// A menu set from an older config: say so rather than run something else.
		rows, err := r.Render(m.FromUserName, it.ID, []*replies.Reply{replies.Say(i18n.From(ctx), "That menu button is out of date; ask an admin to run `wecombot menu sync`. Send /help to see the commands.")})
		if err != nil {
			return nil, inbox.Permanent(err)
		}
		return func(ctx context.Context, tx *db.Tx) error { return addAll(ctx, tx, rows) }, nil
	}
	out, err := r.Engine.Handle(ctx, commands.Message{From: m.FromUserName, Text: item.Line, InboxID: it.ID})
	return r.effects(it, m.FromUserName, out, err)
}

// greet answers enter_agent: one card with a button for each menu action the member may run, once a day.
func (r *Router) greet(ctx context.Context, it *db.InboxItem, m *wecom.Inbound) (inbox.Effects, error) {
	caller, err := r.Engine.Access.Resolve(ctx, m.FromUserName)
	if err != nil && caller == nil {
		return nil, nil // roles unknown just now: no greeting rather than a wrong one
	}
	keys := make([]string, 0, len(r.Menu))
	for k := range r.Menu {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var buttons []replies.Button
	var lines []string
	for _, k := range keys {
		item := r.Menu[k]
		p, perr := r.Engine.Registry.Parse(item.Line)
		if perr != nil || !caller.Can(p.Command.Perm) || len(buttons) == wecom.MaxCardButtons {
			continue
		}
		buttons = append(buttons, replies.Button{Text: item.Name, Key: k, Style: 1})
		lines = append(lines, fmt.Sprintf("- %s: %s", replies.Escape(item.Name), replies.Code(item.Line)))
	}
	if len(buttons) == 0 {
		return nil, nil
	}
	tag := make([]byte, 8)
	if _, err := rand.Read(tag); err != nil {
		return nil, err
	}
	p := i18n.From(ctx)
	card := replies.ButtonCard("hi-"+hex.EncodeToString(tag), "我可以帮你做这些", p.T("What I can do for you"), nil, buttons)
	rows, err := r.Render(m.FromUserName, it.ID, []*replies.Reply{{TemplateCard: card,
		Fallback: &replies.Reply{Markdown: p.T("What I can do for you:") + "\n\n" + strings.Join(lines, "\n")}}})
	if err != nil {
		return nil, inbox.Permanent(err)
	}
	loc := r.Location
	if loc == nil {
		loc = replies.China
	}
	day := it.ReceivedAt.In(loc).Format("2006-01-02")
	return func(ctx context.Context, tx *db.Tx) error {
		if first, err := tx.Greet(ctx, m.FromUserName, day); err != nil || !first {
			return err
		}
		return addAll(ctx, tx, rows)
	}, nil
}

// CardUpdater encodes update_template_card requests; *wecom.MessageService implements it.
type CardUpdater interface {
	EncodeUpdate(r *wecom.UpdateTemplateCardRequest) ([]byte, error)
}

var _ commands.CardEnder = (*Router)(nil)

// cardRef is the outbox ref of a reply's template card, by which its proposal's end finds it again.
func cardRef(taskID string) string { return "card:" + taskID }

// EndCard implements commands.CardEnder: it queues the update that replaces the card's buttons with label,
// using the click's code, or else the code message/send returned; a card not sent yet is withdrawn instead.
// An encoder that cannot update cards leaves them (their clicks are answered as ended).
func (r *Router) EndCard(ctx context.Context, tx *db.Tx, userID, taskID, code, label string) error {
	u, ok := r.Encoder.(CardUpdater)
	if !ok {
		return nil
	}
	// Taken even when the click brought a code: the sent row's code must not update the card a second time.
	sent, err := tx.TakeCardCode(ctx, cardRef(taskID), "its proposal ended before it was sent")
	if err != nil {
		return err
	}
	if code == "" {
		code = sent
	}
	if code == "" {
		return nil
	}
	body, err := u.EncodeUpdate(&wecom.UpdateTemplateCardRequest{UserIDs: []string{userID}, ResponseCode: code,
		Button: &wecom.UpdateButton{ReplaceName: label}})
	if err != nil {
		return err
	}
	return tx.AddOutbox(ctx, &db.OutboxMessage{Recipient: userID, API: "message/update_template_card", Body: body,
		Ref: cardRef(taskID) + ":update"})
}

var _ commands.Mailer = (*Router)(nil)

// Mail implements commands.Mailer: replies to a member other than the sender (a four-eyes approver or
// requester), rendered as the sender's are and queued in tx.
func (r *Router) Mail(ctx context.Context, tx *db.Tx, to string, inboxID int64, rs ...*replies.Reply) error {
	rows, err := r.Render(to, inboxID, rs)
	if err != nil {
		return err
	}
	return addAll(ctx, tx, rows)
}

func addAll(ctx context.Context, tx *db.Tx, rows []*db.OutboxMessage) error {
	for _, row := range rows {
		if err := tx.AddOutbox(ctx, row); err != nil {
			return err
		}
	}
	return nil
}

func (r *Router) log() *slog.Logger {
	if r.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Logger
}

// Render turns replies to one member into outbox rows: markdown (or text) split into messages of at most
// 2,048 bytes in order, and cards as they are (not in text mode).
func (r *Router) Render(to string, inboxID int64, rs []*replies.Reply) ([]*db.OutboxMessage, error) {
	var rows []*db.OutboxMessage
	for _, m := range r.Composer().Messages(to, rs...) {
		body, err := r.Encoder.Encode(m)
		if err != nil {
			return nil, fmt.Errorf("render reply: %w", err)
		}
		row := &db.OutboxMessage{InboxID: inboxID, Recipient: to, API: "message/send", Body: body}
		if m.TemplateCard != nil && m.TemplateCard.TaskID != "" {
			row.Ref = cardRef(m.TemplateCard.TaskID)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// Composer is how the router's replies become messages.
func (r *Router) Composer() replies.Composer { return replies.Composer{Text: r.Text} }
