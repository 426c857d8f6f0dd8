// Package commandtest runs commands the way the bot does, without the bot around them: a desk's tests build a
// Harness with the desk's commands and talk to it as members do.
//
//	h := commandtest.New(t, commandtest.Options{Commands: func(h *commandtest.Harness) []*commands.Command {
//		return security.Commands(security.Deps{Client: h.Client, DB: h.DB, Location: h.Location})
//	}})
//	got := h.Say("zhangsan", "/devices unknown")
//
// A Harness is real underneath: the WeCom emulator served on loopback (wecomtest.NewServer, with its seeded
// sample organisation), a wecom.Client against it, a SQLite database in t.TempDir(), access control (by default
// the sample roles the demo and cmd/bot's tests use), a Registry with the built-in commands, and an Engine.
// What it leaves out is the transport: no inbox or outbox. Say hands the text to Engine.Handle, commits the
// Outcome's Effects in one transaction as the router does, and returns what the member would read. The engine
// has no CardEnder (Engine.Cards): an ended confirmation's card is not updated.
//
// Events the emulator delivers (its control API's "event", e.g. submit_vip_account_approval) reach the
// harness's callback URL, are verified and decrypted as the bot's, and go straight to the handler given to
// HandleEvents for their Event, whose Effects are committed before the emulator hears the answer. Replies
// that handlers queue in the outbox are stored, never sent.
//
// The package imports testing; only tests may import it.
package commandtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/access"
	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/inbox"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/callbacks"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
	"github.com/wecombot/wecombot/wecom/emulator"
	"github.com/wecombot/wecombot/wecom/wecomtest"
)

// Options configure a Harness. The zero value is the sample organisation with the sample access config and
// only the built-in commands.
type Options struct {
	// Emulator configures the emulator; its zero value is the seeded sample organisation. Its CallbackURL,
	// Token and EncodingAESKey are the harness's.
	Emulator emulator.Options
	// Admins and Roles are the access config. When both are nil, SampleAdmins and SampleRoles are used; to run
	// with no admins and no roles, give an empty, non-nil Admins.
	Admins []string
	Roles  []access.Role
	// Location is the corp's time zone; default replies.China (Asia/Shanghai), as the bot's default.
	Location *time.Location
	// Commands returns the commands to register next to the built-ins. It is called once, with the harness's
	// Emu, Client, DB, Location, Directory, Access and Registry set (Engine is not yet); it may call HandleEvents.
	Commands func(h *Harness) []*commands.Command
}

// SampleAdmins and SampleRoles are the sample access config of cmd/bot (sampleAccessTOML), over the emulator's
// sample organisation: zhangsan is an admin; the 安全管理员 tag (zhangsan, wujiu) and department 3 are security;
// the 审批人 tag (zhangsan, zhaoliu) approves applications; department 4 (zhaoliu) is HR. lisi, wangwu and sunqi
// hold no role. cmd/bot's tests check the two stay the same.
var (
	SampleAdmins = []string{"zhangsan"}
	SampleRoles  = []access.Role{
		{Name: "approvers", Members: []string{"tag:审批人"}, Perms: []string{"order.*", "vip.read"}},
		{Name: "hr", Members: []string{"dept:4"}, Perms: []string{"staff.*"}},
		{Name: "security", Members: []string{"tag:安全管理员", "dept:3"},
			Perms: []string{"devices.*", "oplog.*", "domainip.*", "whois.*", "alerts.*", "audit.read", "schedule.*"}},
	}
)

// Harness is one bot's command engine over the emulator, for one test.
type Harness struct {
	T         testing.TB
	Emu       *wecomtest.Server
	Client    *wecom.Client
	DB        *db.DB
	Location  *time.Location
	Directory access.Directory // the address book as access control reads it, through Client
	Access    *access.Control
	Registry  *commands.Registry
	Engine    *commands.Engine
	// CallbackURL is where the emulator delivers callbacks.
	CallbackURL string

	mu      sync.Mutex
	inboxID int64                   // the last InboxID handed out
	events  map[string]EventHandler // by Event; see HandleEvents
}

// EventHandler handles one kind of event; router.EventHandler, which bot/approvals and bot/alerts implement.
type EventHandler interface {
	HandleEvent(ctx context.Context, it *db.InboxItem, m *wecom.Inbound) (inbox.Effects, error)
}

// New builds a Harness; everything it starts is stopped by t's cleanup.
func New(t testing.TB, opts Options) *Harness {
	t.Helper()
	d, err := db.Open(filepath.Join(t.TempDir(), "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	h := &Harness{T: t, DB: d}
	// The callback endpoint is up before the emulator, which needs its URL. Its handler reads h.Client and the
	// rest only once a callback arrives, after New returns.
	eo := opts.Emulator
	eo.Token, eo.EncodingAESKey = emulator.DefaultToken, emulator.DefaultAESKey
	if eo.CorpID == "" {
		eo.CorpID = emulator.DefaultCorpID
	}
	crypter, err := wecom.NewCrypter(eo.Token, eo.EncodingAESKey, eo.CorpID)
	if err != nil {
		t.Fatal(err)
	}
	cb := httptest.NewServer(&callbacks.Handler{Crypter: crypter, Inbox: (*callbackInbox)(h)})
	t.Cleanup(cb.Close)
	h.CallbackURL = cb.URL + "/wecom/callback"
	eo.CallbackURL = h.CallbackURL
	emu := wecomtest.NewServer(t, eo)
	eo = emu.Options()
	// As the bot: its tokens are kept in the database.
	client, err := wecom.NewClient(wecom.Config{CorpID: eo.CorpID, Secret: eo.Secret, AgentID: eo.AgentID, BaseURL: emu.URL,
		TokenStore: d.Tokens()})
	if err != nil {
		t.Fatal(err)
	}
	loc := opts.Location
	if loc == nil {
		loc = replies.China
	}
	admins, roles := opts.Admins, opts.Roles
	if admins == nil && roles == nil {
		admins, roles = SampleAdmins, SampleRoles
	}
	dir := access.WeCom(client)
	ac, err := access.New(admins, roles, dir, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	h.Emu, h.Client, h.Location, h.Directory, h.Access, h.Registry = emu, client, loc, dir, ac, commands.NewRegistry()
	h.Registry.Register(commands.Builtins(h.Registry, d, loc)...)
	if opts.Commands != nil {
		h.Registry.Register(opts.Commands(h)...)
	}
	if err := h.Registry.Err(); err != nil {
		t.Fatal(err)
	}
	h.Engine = &commands.Engine{Registry: h.Registry, Access: ac, Store: d, Files: client.Media}
	return h
}

// HandleEvents makes eh handle the events the emulator delivers whose Event is one of events, as the router's
// Events do. Events without a handler are acknowledged and dropped, and so are text callbacks (use Say).
func (h *Harness) HandleEvents(eh EventHandler, events ...string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.events == nil {
		h.events = map[string]EventHandler{}
	}
	for _, e := range events {
		h.events[e] = eh
	}
}

// NextInboxID is the InboxID the next Say or Click hands the engine: each message gets its own, as each
// callback has its own inbox row (intents are keyed by it).
func (h *Harness) NextInboxID() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.inboxID + 1
}

func (h *Harness) nextInboxID() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.inboxID++
	return h.inboxID
}

// Say handles a text message from user as the router does (Engine.Handle, then its Effects in one
// transaction) and returns what user reads: the Content the emulator records for each message the replies
// compose to (see Contents).
func (h *Harness) Say(user, line string) []string {
	h.T.Helper()
	return h.sayCtx(h.ctx(), user, line)
}

func (h *Harness) sayCtx(ctx context.Context, user, line string) []string {
	h.T.Helper()
	out, err := h.Engine.Handle(ctx, commands.Message{From: user, Text: line, InboxID: h.nextInboxID()})
	if err != nil {
		h.T.Fatalf("%s says %q: %v", user, line, err)
	}
	return h.apply(user, out)
}

// Click handles a click by user on a confirmation card's button (key "confirm:yes:TOKEN" or
// "confirm:no:TOKEN"; taskID the card's) and returns what user reads. The click carries no response_code:
// there is no card in WeCom to update.
func (h *Harness) Click(user, key, taskID string) []string {
	h.T.Helper()
	out, err := h.Engine.HandleConfirmClick(h.ctx(), user, key, taskID, "", h.nextInboxID())
	if err != nil {
		h.T.Fatalf("%s clicks %q: %v", user, key, err)
	}
	return h.apply(user, out)
}

func (h *Harness) apply(user string, out *commands.Outcome) []string {
	h.T.Helper()
	if err := h.DB.Tx(h.ctx(), out.Effects); err != nil {
		h.T.Fatalf("effects: %v", err)
	}
	return h.Contents(user, out.Replies...)
}

// Contents composes replies to user as the router does (replies.Composer, markdown) and returns what the
// emulator would record as each delivered message's Content: a text or markdown message's content (text cut
// to 2,048 bytes), a textcard's description (cut to 512), a template card's text (CardShown). Each message is
// encoded as the router encodes it; one WeCom would refuse fails the test.
func (h *Harness) Contents(user string, rs ...*replies.Reply) []string {
	h.T.Helper()
	var got []string
	for _, m := range (replies.Composer{}).Messages(user, rs...) {
		if _, err := h.Client.Message.Encode(m); err != nil {
			h.T.Fatalf("reply to %s: %v", user, err)
		}
		got = append(got, Content(m))
	}
	return got
}

// Content is what the emulator records as a message's Content (emulator.SentMessage).
func Content(m *wecom.Message) string {
	switch {
	case m.Markdown != nil:
		return m.Markdown.Content
	case m.Text != nil:
		return cut(m.Text.Content, 2048)
	case m.TextCard != nil:
		return cut(m.TextCard.Description, 512)
	case m.TemplateCard != nil:
		return CardShown(m.TemplateCard)
	case m.File != nil:
		return "[file " + m.File.MediaID + "]"
	}
	return ""
}

// CardShown is a template card's text as the emulator records it (emulator.CardShown): what the member reads
// below its title.
func CardShown(c *wecom.TemplateCard) string {
	b, err := json.Marshal(c)
	if err != nil {
		return ""
	}
	return emulator.CardShown(b)
}

// cut cuts s to at most n bytes on a UTF-8 boundary, as WeCom (and the emulator) does.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

func (h *Harness) ctx() context.Context {
	if t, ok := h.T.(interface{ Context() context.Context }); ok {
		return t.Context()
	}
	return context.Background()
}

// Control posts body as JSON to the emulator's control API (path "event", "send", …, under /_emulator/) and
// returns its JSON answer; anything but HTTP 200 fails the test. An event it delivers is handled (see
// HandleEvents) before it returns.
func (h *Harness) Control(path string, body any) map[string]any {
	h.T.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		h.T.Fatal(err)
	}
	resp, err := http.Post(h.Emu.URL+"/_emulator/"+path, "application/json", bytes.NewReader(b))
	if err != nil {
		h.T.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		h.T.Fatalf("control %s %s: HTTP %d %s", path, b, resp.StatusCode, raw)
	}
	var out map[string]any
	json.Unmarshal(raw, &out)
	return out
}

// callbackInbox handles each verified callback as it is stored: an event goes to its handler, whose
// Effects are committed before the emulator gets its answer. It runs on the callback server's goroutine, so a
// failure is reported with Errorf.
type callbackInbox Harness

func (ci *callbackInbox) Enqueue(ctx context.Context, it *db.InboxItem) (bool, error) {
	h := (*Harness)(ci)
	it.ID = h.nextInboxID()
	m, err := wecom.ParseInbound(it.Payload)
	if err != nil || m.MsgType != wecom.MsgTypeEvent {
		return true, nil
	}
	h.mu.Lock()
	eh, ok := h.events[m.Event]
	h.mu.Unlock()
	if !ok {
		return true, nil
	}
	effects, err := eh.HandleEvent(ctx, it, m)
	if err == nil && effects != nil {
		err = h.DB.Tx(ctx, effects)
	}
	if err != nil {
		h.T.Errorf("event %s from %s: %v", m.Event, m.FromUserName, err)
	}
	return true, nil
}

// Asked reports whether user has a confirmation waiting: what "the bot asked to confirm" means, whatever the
// words or card that asked (a short preview is a card whose text need not say "yes").
func (h *Harness) Asked(user string) bool {
	h.T.Helper()
	c, err := h.DB.GetConversation(h.ctx(), user)
	if err != nil {
		h.T.Fatal(err)
	}
	return c != nil && c.Kind == db.ConvConfirm
}

// SayIn is Say by a member who reads lang (as the router puts it in ctx).
func (h *Harness) SayIn(lang i18n.Lang, user, line string) []string {
	h.T.Helper()
	return h.sayCtx(i18n.With(h.ctx(), lang), user, line)
}
