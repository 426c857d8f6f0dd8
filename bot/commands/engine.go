package commands

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/wecombot/wecombot/bot/access"

	"github.com/wecombot/wecombot/bot"
	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// Store is the state the engine reads before acting; *db.DB implements it. Everything it writes goes into
// Outcome.Effects, committed with the callback.
type Store interface {
	GetConversation(ctx context.Context, userID string) (*db.Conversation, error)
	BeginIntent(ctx context.Context, in *db.Intent) (*db.Intent, error)
}

// Engine runs users' messages through the commands.
type Engine struct {
	Registry *Registry
	Access   *access.Control
	Store    Store
	Logger   *slog.Logger
	Now      func() time.Time

	ConfirmTTL time.Duration // how long a confirmation waits; default 5 min
	AskTTL     time.Duration // how long a question for a missing argument waits; default 5 min
	Timeout    time.Duration // per command run; default 30 s
	SweepEvery time.Duration // how often RunExpiry ends expired conversations; default 30 s

	// Cards ends a confirmation's card when its proposal ends (confirmed, cancelled, replaced, expired), so
	// its buttons are gone. Nil leaves cards as they are; their clicks are still answered as ended.
	Cards CardEnder

	// Observe, when set, is called with the path and decision ("ok" or "failed") of each command run that is
	// not audited (the public ones: /help, /whoami, /ping); audited commands are counted from their audit rows.
	// For metrics; it must not block.
	Observe func(command, decision string)

	// Policies hold confirmed commands for a second person's approval (four eyes, foureyes.go); FourEyes
	// stores their requests and Mail sends the cards and notices to others. Without FourEyes and Mail a
	// policy refuses what it holds.
	Policies []Policy
	FourEyes FourEyesStore
	Mail     Mailer
	// Names shows members as 张三 (zhangsan) in four-eyes cards and notices; nil shows userids.
	Names interface {
		Of(ctx context.Context, userID string) string
	}
	// Location is where the times shown live; default Asia/Shanghai.
	Location *time.Location
	// Files uploads what --csv exports (Command.CSV); nil refuses --csv. MaxFileBytes is the largest file
	// sent; default WeCom's 20 MB (wecom.MaxFileBytes). Tests lower it.
	Files        Uploader
	MaxFileBytes int

	// Langs says which language a member reads, for what the engine writes outside a member's message (the
	// expiry sweep). Messages carry theirs in ctx (the router sets it). Nil: English.
	Langs interface {
		Of(ctx context.Context, userID string) i18n.Lang
	}
}

// CardEnder updates the card an ended proposal sent, in the transaction that ends it. code is the
// response_code of the click that ended it, or "" to use the code message/send returned; label replaces the
// buttons. The router implements it.
type CardEnder interface {
	EndCard(ctx context.Context, tx *db.Tx, userID, taskID, code, label string) error
}

// Labels that replace an ended card's buttons (message ids; translated for the member).
var (
	labelConfirmed = i18n.N("Confirmed")
	// A confirmed command a four-eyes policy holds: it has gone to the approvers, it has not run.
	labelSentForApproval = i18n.N("Sent for approval")
	labelCancelled       = i18n.N("Cancelled")
	labelReplaced        = i18n.N("Replaced by a newer command")
	labelExpired         = i18n.N("Expired")
	labelEnded           = i18n.N("Ended")
)

// Message is a text message from a member.
type Message struct {
	From    string // the decrypted callback's FromUserName
	Text    string
	InboxID int64

	// The click that sent this message, when it came from a confirmation card's button: its token and the
	// click's response_code, which updates that card.
	clickToken, clickCode string
}

// Outcome is what handling a message produced: replies to the sender, and the state changes to commit with
// the callback (conversation, audit rows, intent outcomes).
type Outcome struct {
	Replies []*replies.Reply
	effects []func(ctx context.Context, tx *db.Tx) error
	p       *i18n.Printer // the member's language
}

func newOutcome(ctx context.Context) *Outcome { return &Outcome{p: i18n.From(ctx)} }

// Effects applies the outcome's state changes in tx.
func (o *Outcome) Effects(ctx context.Context, tx *db.Tx) error {
	for _, f := range o.effects {
		if err := f(ctx, tx); err != nil {
			return err
		}
	}
	return nil
}

func (o *Outcome) reply(r *replies.Reply)         { o.Replies = append(o.Replies, r) }
func (o *Outcome) say(format string, args ...any) { o.reply(replies.Say(o.p, format, args...)) }
func (o *Outcome) effect(f func(ctx context.Context, tx *db.Tx) error) {
	o.effects = append(o.effects, f)
}

// savedLine is a conversation's invocation, stored as JSON.
type savedLine struct {
	Args  map[string][]string `json:"args"`
	Flags map[string]string   `json:"flags"`
}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

func (e *Engine) log() *slog.Logger {
	if e.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return e.Logger
}

func ttl(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

var (
	yesWords    = []string{"yes", "y", "是", "是的", "确认", "confirm", "ok"}
	noWords     = []string{"no", "n", "否", "不"}
	cancelWords = []string{"/cancel", "cancel", "取消"}
)

// Handle answers one text message. It returns an error only when the message should be retried (the
// database could not be read); everything the user did wrong is a reply.
func (e *Engine) Handle(ctx context.Context, m Message) (*Outcome, error) {
	out := newOutcome(ctx)
	text := Normalize(m.Text)
	word := strings.ToLower(text)
	conv, err := e.Store.GetConversation(ctx, m.From)
	if err != nil {
		return nil, err
	}
	if conv != nil && !e.now().Before(conv.ExpiresAt) {
		e.expire(out, conv, m)
		if conv.Kind == db.ConvConfirm && slices.Contains(yesWords, word) {
			out.say("That confirmation expired (they last %s). Send the command again.", humanDuration(out.p, ttl(e.ConfirmTTL, 5*time.Minute)))
			return out, nil
		}
		conv = nil
	}
	if conv != nil {
		if done, err := e.continueConversation(ctx, out, conv, m, text, word); done || err != nil {
			return out, err
		}
	}
	switch {
	case text == "":
		return out, nil
	case !strings.HasPrefix(text, "/"):
		switch {
		case slices.Contains(yesWords, word) || slices.Contains(noWords, word):
			out.say("Nothing is waiting for your confirmation (a confirmation lasts %s). Send /help to see the commands.", humanDuration(out.p, ttl(e.ConfirmTTL, 5*time.Minute)))
		default:
			out.say("I answer commands that start with **/**. Send /help to see what you can run.")
		}
		return out, nil
	}
	return out, e.command(ctx, out, m, text)
}

// expire ends a conversation that timed out: only if it is still the one read (a sweep must not end one
// started since), auditing an unanswered confirmation and ending its card.
func (e *Engine) expire(out *Outcome, conv *db.Conversation, m Message) {
	out.effect(func(ctx context.Context, tx *db.Tx) error {
		ended, err := tx.EndConversation(ctx, conv)
		if err != nil || !ended || conv.Kind != db.ConvConfirm {
			return err
		}
		if err := tx.AppendAudit(ctx, &db.AuditEntry{Actor: conv.UserID, Command: conv.Command, Args: auditArgsJSON(e.Registry.Lookup(conv.Command), conv.Line),
			Decision: db.DecisionExpired, Result: "confirmation expired", InboxID: m.InboxID}); err != nil {
			return err
		}
		return e.endCardTx(ctx, tx, conv, m, out.p.T(labelExpired))
	})
}

// endCard ends the card of a confirmation that is ending, as one of out's effects.
func (e *Engine) endCard(out *Outcome, conv *db.Conversation, m Message, label string) {
	if conv.Kind != db.ConvConfirm || conv.Token == "" || e.Cards == nil {
		return
	}
	label = out.p.T(label)
	out.effect(func(ctx context.Context, tx *db.Tx) error { return e.endCardTx(ctx, tx, conv, m, label) })
}

func (e *Engine) endCardTx(ctx context.Context, tx *db.Tx, conv *db.Conversation, m Message, label string) error {
	if conv.Kind != db.ConvConfirm || conv.Token == "" || e.Cards == nil {
		return nil
	}
	code := ""
	if m.clickToken == conv.Token {
		code = m.clickCode
	}
	return e.Cards.EndCard(ctx, tx, conv.UserID, CardTaskID(conv.Token), code, label)
}

// ExpiryStore is what SweepExpired reads and writes; *db.DB implements it.
type ExpiryStore interface {
	ExpiredConversations(ctx context.Context, now time.Time, limit int) ([]*db.Conversation, error)
	Tx(ctx context.Context, f func(ctx context.Context, tx *db.Tx) error) error
}

// sweepBatch bounds one sweep; the next tick takes the rest.
const sweepBatch = 200

// SweepExpired ends the conversations that expired with nobody answering: an expired confirmation is
// audited and its card loses its buttons, instead of waiting for the member's next message. It returns how
// many it looked at.
func (e *Engine) SweepExpired(ctx context.Context, s ExpiryStore) (int, error) {
	convs, err := s.ExpiredConversations(ctx, e.now(), sweepBatch)
	if err != nil {
		return 0, err
	}
	for _, c := range convs {
		cctx := ctx
		if e.Langs != nil {
			cctx = i18n.With(ctx, e.Langs.Of(ctx, c.UserID))
		}
		out := newOutcome(cctx)
		e.expire(out, c, Message{From: c.UserID})
		if err := s.Tx(ctx, out.Effects); err != nil {
			return 0, err
		}
	}
	n, err := e.expireRequests(ctx, s)
	return len(convs) + n, err
}

// RunExpiry sweeps expired conversations every SweepEvery until ctx ends.
func (e *Engine) RunExpiry(ctx context.Context, s ExpiryStore) error {
	t := time.NewTicker(ttl(e.SweepEvery, 30*time.Second))
	defer t.Stop()
	for {
		if _, err := e.SweepExpired(ctx, s); err != nil && ctx.Err() == nil {
			e.log().Warn("cannot end expired conversations; retrying", slog.String("err", err.Error()))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// continueConversation handles a message while a conversation is pending. done means the message was
// consumed; otherwise it is a new command that replaces the conversation.
func (e *Engine) continueConversation(ctx context.Context, out *Outcome, conv *db.Conversation, m Message, text, word string) (bool, error) {
	cmd := e.Registry.Lookup(conv.Command)
	var saved savedLine
	if cmd == nil || json.Unmarshal(conv.Line, &saved) != nil {
		// A command removed by an upgrade, or a corrupt row: drop it and treat the message afresh.
		out.effect(func(ctx context.Context, tx *db.Tx) error { return tx.DeleteConversation(ctx, m.From) })
		e.endCard(out, conv, m, labelEnded)
		return false, nil
	}
	drop := func(decision, result, label string) {
		out.effect(func(ctx context.Context, tx *db.Tx) error { return tx.DeleteConversation(ctx, m.From) })
		e.endCard(out, conv, m, label)
		if conv.Kind == db.ConvConfirm {
			out.effect(func(ctx context.Context, tx *db.Tx) error {
				return tx.AppendAudit(ctx, &db.AuditEntry{Actor: m.From, Command: cmd.Path, Args: auditArgs(cmd, saved.Args, saved.Flags),
					Decision: decision, Result: result, InboxID: m.InboxID})
			})
		}
	}
	switch {
	case slices.Contains(cancelWords, word) || (conv.Kind == db.ConvConfirm && slices.Contains(noWords, word)):
		drop(db.DecisionCancelled, "cancelled by the user", labelCancelled)
		out.say("Cancelled /%s.", cmd.Path)
		return true, nil
	case conv.Kind == db.ConvConfirm && slices.Contains(yesWords, word):
		out.effect(func(ctx context.Context, tx *db.Tx) error { return tx.DeleteConversation(ctx, m.From) })
		label := labelConfirmed
		if e.policyFor(&Invocation{Command: cmd, Args: saved.Args, Flags: saved.Flags}) != nil {
			label = labelSentForApproval
		}
		e.endCard(out, conv, m, label)
		p := &Parsed{Command: cmd, Args: saved.Args, Flags: saved.Flags}
		return true, e.runConfirmed(ctx, out, m, p)
	case strings.HasPrefix(text, "/"):
		drop(db.DecisionCancelled, "replaced by another command", labelReplaced)
		out.say("(Dropped the pending /%s.)", cmd.Path)
		return false, nil
	case conv.Kind == db.ConvAsk:
		p := &Parsed{Command: cmd, Args: saved.Args, Flags: saved.Flags}
		if p.Args == nil {
			p.Args = map[string][]string{}
		}
		if err := fillMissing(p, conv.Missing, text); err != nil {
			out.say("%s\n\n%s (or /cancel)", bot.Markdown(out.p.Error(err)), prompt(out.p, cmd, conv.Missing))
			return true, nil // keep asking; the conversation row stays as it is
		}
		for _, a := range cmd.Args {
			if !a.Optional && len(p.Args[a.Name]) == 0 && !slices.Contains(p.Missing, a.Name) {
				p.Missing = append(p.Missing, a.Name)
			}
		}
		// The question is answered; proceed may start the next one or a confirmation in its place.
		out.effect(func(ctx context.Context, tx *db.Tx) error { return tx.DeleteConversation(ctx, m.From) })
		return true, e.proceed(ctx, out, m, p)
	default:
		out.say("/%s is waiting for your confirmation: reply **yes** to run it, or /cancel.", cmd.Path)
		return true, nil
	}
}

// fillMissing reads the answer to a question for argument name.
func fillMissing(p *Parsed, name, text string) error {
	for i := range p.Command.Args {
		a := &p.Command.Args[i]
		if a.Name != name {
			continue
		}
		var vals []string
		if a.Many {
			words, err := Split(text)
			if err != nil {
				return err
			}
			if len(words) > MaxMany {
				return bot.Errorf(bot.EINVALID, "at most %d %s at once", MaxMany, a.Name)
			}
			vals = Unique(words)
		} else if a.Rest {
			vals = strings.Fields(text)
		} else {
			vals = []string{strings.TrimSpace(text)}
		}
		if len(vals) == 0 {
			return bot.Errorf(bot.EINVALID, "%s cannot be empty", a.Name)
		}
		check := vals
		if a.Rest {
			check = []string{strings.Join(vals, " ")}
		}
		for _, v := range check {
			if err := a.validate(v); err != nil {
				return err
			}
		}
		p.Args[name] = vals
		p.Missing = slices.DeleteFunc(p.Missing, func(m string) bool { return m == name })
		return nil
	}
	return bot.Errorf(bot.EINVALID, "unexpected answer")
}

func prompt(p *i18n.Printer, c *Command, arg string) string {
	for _, a := range c.Args {
		if a.Name == arg {
			if a.Prompt != "" {
				return p.T(a.Prompt)
			}
			if a.Help != "" {
				return p.Sprintf("What %s? (%s)", a.Name, p.T(a.Help))
			}
			return p.Sprintf("What %s?", a.Name)
		}
	}
	return p.Sprintf("What %s?", arg)
}

// command handles a fresh command line.
func (e *Engine) command(ctx context.Context, out *Outcome, m Message, text string) error {
	p, err := e.Registry.Parse(text)
	if err != nil {
		out.say("%s", bot.Markdown(out.p.Error(err)))
		return nil
	}
	// Missing arguments are worked out against the declaration again after each answer.
	p.Missing = nil
	for _, a := range p.Command.Args {
		if !a.Optional && len(p.Args[a.Name]) == 0 {
			p.Missing = append(p.Missing, a.Name)
		}
	}
	return e.proceed(ctx, out, m, p)
}

// proceed checks permission, asks for what is missing, asks to confirm what mutates, and runs the rest.
func (e *Engine) proceed(ctx context.Context, out *Outcome, m Message, p *Parsed) error {
	cmd := p.Command
	caller, ok := e.authorize(ctx, out, m, cmd, p)
	if !ok {
		return nil
	}
	if len(p.Missing) > 0 {
		return e.ask(out, m, p, p.Missing[0])
	}
	inv := &Invocation{Command: cmd, Caller: caller, Args: p.Args, Flags: p.Flags, InboxID: m.InboxID, Now: e.now(), P: out.p}
	if cmd.Mutates {
		return e.confirm(ctx, out, m, inv)
	}
	e.run(ctx, out, m, inv)
	return nil
}

// authorize resolves the caller and checks the command's permission, replying and auditing a denial.
func (e *Engine) authorize(ctx context.Context, out *Outcome, m Message, cmd *Command, p *Parsed) (*access.Caller, bool) {
	caller, err := e.Access.Resolve(ctx, m.From)
	if caller.Can(cmd.Perm) {
		return caller, true
	}
	reason := fmt.Sprintf("missing permission %s", cmd.Perm)
	if err != nil {
		e.log().Warn("cannot resolve roles", slog.String("user", m.From), slog.String("err", err.Error()))
		out.say("I could not check your roles just now (%s), so /%s is refused. Try again in a minute.", bot.Markdown(out.p.Error(err)), cmd.Path)
		reason = "roles could not be checked: " + err.Error()
	} else {
		out.say("You are not allowed to run /%s: it needs the permission %s. Ask an admin to give you a role that grants it (send /whoami to see yours).",
			cmd.Path, bot.Markdown(replies.Code(cmd.Perm)))
	}
	args := auditArgs(cmd, p.Args, p.Flags)
	out.effect(func(ctx context.Context, tx *db.Tx) error {
		return tx.AppendAudit(ctx, &db.AuditEntry{Actor: m.From, Command: cmd.Path, Args: args, Decision: db.DecisionDenied,
			Result: reason, InboxID: m.InboxID})
	})
	return caller, false
}

// ask starts (or continues) a conversation asking for one missing argument.
func (e *Engine) ask(out *Outcome, m Message, p *Parsed, arg string) error {
	line, err := json.Marshal(savedLine{Args: p.Args, Flags: p.Flags})
	if err != nil {
		return err
	}
	now := e.now()
	conv := &db.Conversation{UserID: m.From, Kind: db.ConvAsk, Command: p.Command.Path, Line: line, Missing: arg,
		CreatedAt: now, ExpiresAt: now.Add(ttl(e.AskTTL, 5*time.Minute))}
	out.effect(func(ctx context.Context, tx *db.Tx) error { return tx.PutConversation(ctx, conv) })
	out.say("%s (or /cancel)\n\nUsage: %s", prompt(out.p, p.Command, arg), bot.Markdown(replies.Code(p.Command.Usage())))
	return nil
}

// confirm previews a mutating command and waits for "yes".
func (e *Engine) confirm(ctx context.Context, out *Outcome, m Message, inv *Invocation) error {
	cmd := inv.Command
	pol, ok := e.checkApprovers(ctx, out, m, inv)
	if !ok {
		return nil
	}
	preview := ""
	if cmd.Preview != nil {
		pctx, cancel := context.WithTimeout(ctx, ttl(e.Timeout, 30*time.Second))
		pv, err := cmd.Preview(pctx, inv)
		cancel()
		if err != nil {
			out.say("%s", bot.Markdown(replies.Describe(ctx, err)))
			if bot.ErrorCode(err) == bot.EFORBIDDEN {
				// A refusal decided while previewing (e.g. deciding one's own application) is a denial like any other.
				args := auditArgs(cmd, inv.Args, inv.Flags)
				out.effect(func(ctx context.Context, tx *db.Tx) error {
					return tx.AppendAudit(ctx, &db.AuditEntry{Actor: m.From, Command: cmd.Path, Args: args, Decision: db.DecisionDenied,
						Result: bot.ErrorText(err), InboxID: m.InboxID})
				})
			}
			return nil
		}
		preview = pv
	} else {
		preview = out.p.Sprintf("You are about to run %s.", replies.Code(redactedLine(cmd, inv.Args, inv.Flags)))
	}
	line, err := json.Marshal(savedLine{Args: inv.Args, Flags: inv.Flags})
	if err != nil {
		return err
	}
	now := e.now()
	wait := ttl(e.ConfirmTTL, 5*time.Minute)
	token, err := newToken()
	if err != nil {
		return err
	}
	conv := &db.Conversation{UserID: m.From, Kind: db.ConvConfirm, Command: cmd.Path, Line: line, Token: token, CreatedAt: now, ExpiresAt: now.Add(wait)}
	args := auditArgs(cmd, inv.Args, inv.Flags)
	out.effect(func(ctx context.Context, tx *db.Tx) error { return tx.PutConversation(ctx, conv) })
	out.effect(func(ctx context.Context, tx *db.Tx) error {
		return tx.AppendAudit(ctx, &db.AuditEntry{Actor: m.From, Command: cmd.Path, Args: args, Decision: db.DecisionProposed,
			Result: "awaiting confirmation", InboxID: m.InboxID})
	})
	out.reply(confirmation(out.p, cmd, inv, token, preview, wait, pol != nil))
	return nil
}

// MaxCardPreview bounds the first line of a preview that goes on the confirmation card itself (its
// sub_title_text, which DOC/90372 suggests keep to 112 characters); cardPreview says what else fits. A
// preview that does not fit whole (a list of devices with their details) goes before the card as markdown,
// which keeps its layout: two messages instead of one.
const MaxCardPreview = 112

// confirmation is the proposal a member answers: one card carrying the preview (its first line, its list as
// the card's rows, what follows as its quote) and the buttons where the preview fits on it (a member gets 30
// messages a minute), the markdown preview and then the card where it does not. Corps that read the bot in
// WeChat (no template cards) get the markdown, which says to reply yes.
//
// held says a four-eyes policy holds the command: confirming sends it for a second approval, and the card and
// the text say so rather than "run it".
func confirmation(p *i18n.Printer, cmd *Command, inv *Invocation, token, preview string, wait time.Duration, held bool) *replies.Reply {
	md := p.Markdownf("%s\n\nReply **yes** within %s to run it, or /cancel.", bot.Markdown(preview), humanDuration(p, wait))
	buttons := []replies.Button{{Text: p.T("Run it"), Key: "confirm:yes:" + token, Style: 1}, {Text: p.T("Cancel"), Key: "confirm:no:" + token, Style: 2}}
	title := p.Sprintf("Confirm /%s", cmd.Path)
	if held {
		md = p.Markdownf("%s\n\nThis needs a second approval: reply **yes** within %s to send it to the approvers, or /cancel.", bot.Markdown(preview), humanDuration(p, wait))
		buttons[0].Text = p.T("Ask approval")
		title = p.Sprintf("Confirm /%s (needs approval)", cmd.Path)
	}
	if pc, ok := cardPreview(preview); ok {
		card := replies.ButtonCard(CardTaskID(token), title, p.Sprintf("Tap a button, or reply yes within %s", humanDuration(p, wait)), pc.fields, buttons)
		card.SubTitleText = pc.sub
		if pc.quote != "" {
			card.QuoteArea = &wecom.CardQuoteArea{QuoteText: pc.quote}
		}
		return &replies.Reply{TemplateCard: card, Fallback: &replies.Reply{Markdown: md}}
	}
	return &replies.Reply{Markdown: md, TemplateCard: replies.ButtonCard(CardTaskID(token), title, redactedLine(cmd, inv.Args, inv.Flags), nil, buttons)}
}

// newToken returns a proposal's token: 16 random bytes, so no two proposals share a card (WeCom refuses a
// task_id used before, 42014) and no click on an old card matches a newer proposal.
func newToken() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

// CardTaskID is the task_id of the card of the proposal with this token.
func CardTaskID(token string) string { return "cf-" + token }

// HandleConfirmClick handles a click on a confirmation card (key "confirm:yes:TOKEN" or "confirm:no:TOKEN")
// as if the member had typed yes or /cancel — if that confirmation is still the one pending. code is the
// click's response_code: it updates the clicked card, whose buttons are replaced by what became of it.
func (e *Engine) HandleConfirmClick(ctx context.Context, from, key, taskID, code string, inboxID int64) (*Outcome, error) {
	parts := strings.SplitN(key, ":", 3)
	if len(parts) != 3 || (parts[1] != "yes" && parts[1] != "no") {
		return &Outcome{}, nil
	}
	conv, err := e.Store.GetConversation(ctx, from)
	if err != nil {
		return nil, err
	}
	if conv == nil || conv.Kind != db.ConvConfirm || conv.Token == "" || conv.Token != parts[2] || !e.now().Before(conv.ExpiresAt) {
		out := newOutcome(ctx)
		out.say("That confirmation has ended (confirmed, cancelled, replaced or expired), so the click ran nothing. Send the command again if you still want it.")
		if code != "" && e.Cards != nil && taskID != "" {
			out.effect(func(ctx context.Context, tx *db.Tx) error {
				return e.Cards.EndCard(ctx, tx, from, taskID, code, out.p.T(labelEnded))
			})
		}
		return out, nil
	}
	text := "yes"
	if parts[1] == "no" {
		text = "/cancel"
	}
	return e.Handle(ctx, Message{From: from, Text: text, InboxID: inboxID, clickToken: conv.Token, clickCode: code})
}

// runConfirmed runs a confirmed mutating command, recording its intent first.
func (e *Engine) runConfirmed(ctx context.Context, out *Outcome, m Message, p *Parsed) error {
	cmd := p.Command
	// Permissions are checked again: a role may have been removed while the confirmation waited.
	caller, ok := e.authorize(ctx, out, m, cmd, p)
	if !ok {
		return nil
	}
	inv := &Invocation{Command: cmd, Caller: caller, Args: p.Args, Flags: p.Flags, InboxID: m.InboxID, Now: e.now(), P: out.p}
	if pol := e.policyFor(inv); pol != nil {
		// Four eyes: the confirmation becomes a request to the policy's approvers; it runs when one approves.
		return e.request(ctx, out, m, inv, pol)
	}
	_, err := e.execute(ctx, out, m, inv, nil)
	return err
}

// execute runs a confirmed (and, under a policy, approved) mutating command as m.From, recording its intent
// first, keyed by m.InboxID; extra goes into its audit row's arguments (who approved it).
func (e *Engine) execute(ctx context.Context, out *Outcome, m Message, inv *Invocation, extra map[string]string) (decision string, err error) {
	cmd := inv.Command
	args := auditArgs(cmd, inv.Args, inv.Flags)
	for k, v := range extra {
		args[k] = v
	}
	argsJSON, _ := json.Marshal(args)
	intent := &db.Intent{InboxID: m.InboxID, Actor: m.From, Command: cmd.Path, Args: string(argsJSON)}
	prior, err := e.Store.BeginIntent(ctx, intent)
	if err != nil {
		return "", err // retried: nothing has been called yet
	}
	if prior != nil {
		e.reconcile(ctx, out, m, inv, prior, args)
		return "reconciled", nil
	}
	start := time.Now()
	reply, runErr := e.call(ctx, inv)
	result, code := "done", 0
	decision = db.DecisionOK
	var partial *Partial
	switch {
	case errors.As(runErr, &partial):
		// Some of a batch failed: the reply says which; the trail says it was not all done.
		decision, result = db.DecisionPartial, partial.Error()
		if reply != nil {
			out.reply(reply)
		}
	case runErr != nil:
		decision, result, code = db.DecisionFailed, runErr.Error(), wecom.ErrorCode(runErr)
		out.say("/%s failed: %s", cmd.Path, bot.Markdown(replies.Describe(ctx, runErr)))
	default:
		if reply != nil {
			out.reply(reply)
		}
	}
	if runErr == nil || partial != nil {
		out.effects = append(out.effects, inv.commits...)
	}
	dur := time.Since(start)
	out.effect(func(ctx context.Context, tx *db.Tx) error {
		return tx.FinishIntent(ctx, intent.ID, decision+": "+result)
	})
	out.effect(func(ctx context.Context, tx *db.Tx) error {
		return tx.AppendAudit(ctx, &db.AuditEntry{Actor: m.From, Command: cmd.Path, Args: args, Decision: decision, ErrCode: code,
			Result: replies.Truncate(result, 500), Duration: dur, InboxID: m.InboxID})
	})
	return decision, nil
}

// reconcile handles a confirmed command whose earlier run was cut off after its intent was recorded.
func (e *Engine) reconcile(ctx context.Context, out *Outcome, m Message, inv *Invocation, prior *db.Intent, args map[string]string) {
	cmd := inv.Command
	e.log().Warn("reconciling an interrupted command instead of repeating it", slog.String("command", cmd.Path),
		slog.String("user", m.From), slog.Int64("intent", prior.ID))
	result := "interrupted by a restart; outcome unknown"
	if cmd.Reconcile != nil {
		reply, err := cmd.Reconcile(ctx, inv)
		if err != nil {
			out.say("/%s was interrupted by a restart and its outcome could not be read back: %s", cmd.Path, bot.Markdown(replies.Describe(ctx, err)))
		} else {
			// One header for every command: the run reached WeCom (or may have), so it was not repeated.
			header := out.p.Markdownf("/%s was interrupted by a restart, so it was not repeated (it may have reached WeCom). What WeCom shows now:", cmd.Path)
			if reply == nil {
				reply = &replies.Reply{}
			}
			r := *reply
			r.Markdown = header + "\n\n" + r.Markdown
			out.reply(&r)
			result = "interrupted by a restart; state read back"
		}
	} else {
		out.say("/%s was interrupted by a restart while it ran, so it was not repeated. Check the result before running it again.", cmd.Path)
	}
	out.effect(func(ctx context.Context, tx *db.Tx) error {
		return tx.FinishIntent(ctx, prior.ID, "reconciled: "+result)
	})
	out.effect(func(ctx context.Context, tx *db.Tx) error {
		return tx.AppendAudit(ctx, &db.AuditEntry{Actor: m.From, Command: cmd.Path, Args: args, Decision: db.DecisionFailed,
			Result: result, InboxID: m.InboxID})
	})
}

// run runs a command that does not mutate.
func (e *Engine) run(ctx context.Context, out *Outcome, m Message, inv *Invocation) {
	e.runVia(ctx, out, m, inv, "")
}

// runVia is run for a line that did not come from the member's keyboard: via ("schedule #3") goes into the
// audit row's arguments.
func (e *Engine) runVia(ctx context.Context, out *Outcome, m Message, inv *Invocation, via string) {
	start := time.Now()
	var reply *replies.Reply
	var err error
	exported, detail := inv.Command.CSV != nil && inv.FlagBool(csvFlag.Name), ""
	if exported {
		reply, detail, err = e.export(ctx, inv)
	} else {
		reply, err = e.call(ctx, inv)
	}
	if err != nil {
		out.say("%s", bot.Markdown(replies.Describe(ctx, err)))
		if bot.ErrorCode(err) == bot.EINTERNAL {
			e.log().Error("command failed", slog.String("command", inv.Command.Path), slog.String("err", err.Error()))
		}
	} else {
		if reply != nil {
			out.reply(reply)
		}
		out.effects = append(out.effects, inv.commits...)
	}
	audited := inv.Command.Audited || exported // a file of records is audited like any read of them
	if !audited && e.Observe != nil {
		decision := db.DecisionOK
		if err != nil {
			decision = db.DecisionFailed
		}
		e.Observe(inv.Command.Path, decision)
	}
	if audited {
		decision, result := db.DecisionOK, "done"
		if detail != "" {
			result = detail
		}
		if err != nil {
			decision, result = db.DecisionFailed, err.Error()
		}
		args := auditArgs(inv.Command, inv.Args, inv.Flags)
		if via != "" {
			args["via"] = via
		}
		dur := time.Since(start)
		out.effect(func(ctx context.Context, tx *db.Tx) error {
			return tx.AppendAudit(ctx, &db.AuditEntry{Actor: m.From, Command: inv.Command.Path, Args: args, Decision: decision,
				ErrCode: wecom.ErrorCode(err), Result: replies.Truncate(result, 500), Duration: dur, InboxID: m.InboxID})
		})
	}
}

func (e *Engine) call(ctx context.Context, inv *Invocation) (*replies.Reply, error) {
	ctx, cancel := context.WithTimeout(ctx, ttl(e.Timeout, 30*time.Second))
	defer cancel()
	return inv.Command.Run(ctx, inv)
}

// auditArgs flattens arguments and flags for the audit trail, redacting secrets.
func auditArgs(c *Command, args map[string][]string, flags map[string]string) map[string]string {
	out := map[string]string{}
	if c == nil {
		return out
	}
	for _, a := range c.Args {
		v, ok := args[a.Name]
		if !ok {
			continue
		}
		if a.Secret {
			out[a.Name] = "[redacted]"
			continue
		}
		out[a.Name] = strings.Join(v, " ")
	}
	for n, v := range flags {
		out["--"+n] = v
	}
	return out
}

func auditArgsJSON(c *Command, line []byte) map[string]string {
	var s savedLine
	if json.Unmarshal(line, &s) != nil {
		return map[string]string{}
	}
	return auditArgs(c, s.Args, s.Flags)
}

// redactedLine is the command line with secret arguments hidden, for previews.
func redactedLine(c *Command, args map[string][]string, flags map[string]string) string {
	shown := map[string][]string{}
	for _, a := range c.Args {
		if v, ok := args[a.Name]; ok {
			if a.Secret {
				v = []string{"[redacted]"}
			}
			shown[a.Name] = v
		}
	}
	return Format(c, shown, flags)
}

func humanDuration(p *i18n.Printer, d time.Duration) string { return HumanDuration(p, d) }

// HumanDuration writes d for people in p's language: "3 days", "2 hours", "5 minutes" (3 天, 2 小时, 5 分钟),
// or Go's form when it is not whole minutes.
func HumanDuration(p *i18n.Printer, d time.Duration) string {
	if day := 24 * time.Hour; d >= day && d%day == 0 {
		return p.Plural(int(d/day), "day", "days")
	}
	if d >= time.Hour && d%time.Hour == 0 {
		return p.Plural(int(d/time.Hour), "hour", "hours")
	}
	if d%time.Minute == 0 {
		return p.Plural(int(d/time.Minute), "minute", "minutes")
	}
	return d.String()
}
