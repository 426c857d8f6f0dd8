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
// What it leaves out is the transport: no callbacks, inbox or outbox. Say hands the text to Engine.Handle,
// commits the Outcome's Effects in one transaction as the router does, and returns what the member would read.
//
// The package imports testing; only tests may import it.
package commandtest

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/access"
	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
	"github.com/wecombot/wecombot/wecom/emulator"
	"github.com/wecombot/wecombot/wecom/wecomtest"
)

// Options configure a Harness. The zero value is the sample organisation with the sample access config and
// only the built-in commands.
type Options struct {
	// Emulator configures the emulator; its zero value is the seeded sample organisation.
	Emulator emulator.Options
	// Admins and Roles are the access config. When both are nil, SampleAdmins and SampleRoles are used; to run
	// with no admins and no roles, give an empty, non-nil Admins.
	Admins []string
	Roles  []access.Role
	// Location is the corp's time zone; default replies.China (Asia/Shanghai), as the bot's default.
	Location *time.Location
	// Commands returns the commands to register next to the built-ins. It is called once, with the harness's
	// Emu, Client, DB, Location, Directory, Access and Registry set (Engine is not yet).
	Commands func(h *Harness) []*commands.Command
}

// SampleAdmins and SampleRoles are the sample access config of cmd/bot (sampleAccessTOML), over the emulator's
// sample organisation: zhangsan is an admin; the 安全管理员 tag (zhangsan, wujiu) and department 3 are security;
// the 审批人 tag (zhangsan, zhaoliu) approves applications; department 4 (zhaoliu) is HR. lisi, wangwu and sunqi
// hold no role.
var (
	SampleAdmins = []string{"zhangsan"}
	SampleRoles  = []access.Role{
		{Name: "approvers", Members: []string{"tag:审批人"}, Perms: []string{"order.*", "vip.read"}},
		{Name: "hr", Members: []string{"dept:4"}, Perms: []string{"staff.*"}},
		{Name: "security", Members: []string{"tag:安全管理员", "dept:3"},
			Perms: []string{"devices.*", "oplog.*", "domainip.*", "whois.*", "alerts.*", "audit.read"}},
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

	inboxID int64 // the last InboxID handed out
}

// New builds a Harness; everything it starts is stopped by t's cleanup.
func New(t testing.TB, opts Options) *Harness {
	t.Helper()
	emu := wecomtest.NewServer(t, opts.Emulator)
	eo := emu.Options()
	d, err := db.Open(filepath.Join(t.TempDir(), "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
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
	dir := Directory{client}
	ac, err := access.New(admins, roles, dir, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	h := &Harness{T: t, Emu: emu, Client: client, DB: d, Location: loc, Directory: dir, Access: ac,
		Registry: commands.NewRegistry()}
	h.Registry.Register(commands.Builtins(h.Registry, d, loc)...)
	if opts.Commands != nil {
		h.Registry.Register(opts.Commands(h)...)
	}
	if err := h.Registry.Err(); err != nil {
		t.Fatal(err)
	}
	h.Engine = &commands.Engine{Registry: h.Registry, Access: ac, Store: d}
	return h
}

// NextInboxID is the InboxID the next Say or Click hands the engine: each message gets its own, as each
// callback has its own inbox row (intents are keyed by it).
func (h *Harness) NextInboxID() int64 { return h.inboxID + 1 }

// Say handles a text message from user as the router does (Engine.Handle, then its Effects in one
// transaction) and returns what user reads: the Content the emulator records for each message the replies
// compose to (see Contents).
func (h *Harness) Say(user, line string) []string {
	h.T.Helper()
	h.inboxID++
	out, err := h.Engine.Handle(h.ctx(), commands.Message{From: user, Text: line, InboxID: h.inboxID})
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
	h.inboxID++
	out, err := h.Engine.HandleConfirmClick(h.ctx(), user, key, taskID, "", h.inboxID)
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
// to 2,048 bytes), a textcard's description (cut to 512), a template card's sub_title_text. Each message is
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
		return m.TemplateCard.SubTitleText
	}
	return ""
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

// Directory answers access control's membership questions from the emulator's address book through a
// wecom.Client, as cmd/bot's directory does for the bot.
type Directory struct{ C *wecom.Client }

var _ access.Directory = Directory{}

func (d Directory) UserDepartments(ctx context.Context, userID string) ([]int, error) {
	u, err := d.C.User.Get(ctx, userID)
	if err != nil {
		return nil, err
	}
	return u.Department, nil
}

func (d Directory) SubDepartments(ctx context.Context, deptID int) ([]int, error) {
	list, err := d.C.Department.List(ctx, deptID)
	if err != nil {
		return nil, err
	}
	ids := make([]int, 0, len(list))
	for _, dep := range list {
		ids = append(ids, dep.ID)
	}
	return ids, nil
}

func (d Directory) TagID(ctx context.Context, name string) (int, error) {
	tags, err := d.C.Tag.List(ctx)
	if err != nil {
		return 0, err
	}
	for _, t := range tags {
		if t.TagName == name {
			return t.TagID, nil
		}
	}
	return 0, fmt.Errorf("no tag named %q is visible to the app", name)
}

func (d Directory) TagMembers(ctx context.Context, tagID int) ([]string, []int, error) {
	t, err := d.C.Tag.Get(ctx, tagID)
	if err != nil {
		return nil, nil, err
	}
	users := make([]string, 0, len(t.UserList))
	for _, u := range t.UserList {
		users = append(users, u.UserID)
	}
	return users, t.PartyList, nil
}

func (d Directory) DeptMembers(ctx context.Context, deptID int) ([]string, error) {
	users, err := d.C.User.ListSimple(ctx, deptID, false)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(users))
	for _, u := range users {
		ids = append(ids, u.UserID)
	}
	return ids, nil
}
