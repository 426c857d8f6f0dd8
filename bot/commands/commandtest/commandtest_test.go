package commandtest_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/bot/commands/commandtest"
	"github.com/wecombot/wecombot/bot/inbox"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

func joined(got []string) string { return strings.Join(got, "\n---\n") }

// poke is a mutating command that counts its runs and records the InboxID of each.
func poke(runs *atomic.Int32, inboxIDs *[]int64) *commands.Command {
	return &commands.Command{
		Path: "test poke", Summary: "poke", Perm: "test.poke", Mutates: true,
		Args:     []commands.Arg{{Name: "target", Prompt: "Poke whom?"}},
		Examples: []string{"/test poke lisi"},
		Run: func(ctx context.Context, inv *commands.Invocation) (*replies.Reply, error) {
			runs.Add(1)
			*inboxIDs = append(*inboxIDs, inv.InboxID)
			return replies.Say(inv.P, "poked %s", inv.Arg("target")), nil
		},
	}
}

func TestHarness_builtinsAndSampleAccess(t *testing.T) {
	t.Parallel()
	h := commandtest.New(t, commandtest.Options{})
	if got := h.Say("lisi", "/ping"); len(got) != 1 || !strings.Contains(got[0], "pong") {
		t.Fatalf("/ping = %q; want one reply saying pong", got)
	}
	// zhangsan is the sample admin; wujiu holds security through the 安全管理员 tag, read from the emulator.
	if got := h.Say("zhangsan", "/whoami"); !strings.Contains(joined(got), "**Admin**") {
		t.Fatalf("zhangsan's /whoami = %q; want admin", got)
	}
	if got := h.Say("wujiu", "/whoami"); !strings.Contains(joined(got), "security") {
		t.Fatalf("wujiu's /whoami = %q; want the security role", got)
	}
	// The refusal's audit row is committed: Say applies the Effects.
	got := h.Say("wangwu", "/audit")
	if !strings.Contains(joined(got), "not allowed to run /audit") {
		t.Fatalf("wangwu's /audit = %q; want a refusal", got)
	}
	entries, err := h.DB.ListAudit(t.Context(), db.AuditFilter{Actor: "wangwu"})
	if err != nil || len(entries) != 1 || entries[0].Decision != db.DecisionDenied {
		t.Fatalf("audit = %+v, %v; want wangwu's denial", entries, err)
	}
	if h.Registry.Lookup("ping") == nil || h.Engine == nil || h.Client == nil || h.Emu == nil {
		t.Fatal("the harness does not expose its parts")
	}
}

func TestHarness_confirmSayAndClick(t *testing.T) {
	t.Parallel()
	var runs atomic.Int32
	var ids []int64
	h := commandtest.New(t, commandtest.Options{
		Admins: []string{"zhangsan"}, // no roles: lisi may not poke
		Commands: func(h *commandtest.Harness) []*commands.Command {
			if h.Client == nil || h.DB == nil || h.Location == nil || h.Registry == nil || h.Access == nil {
				t.Error("Commands called before the harness's parts are set")
			}
			return []*commands.Command{poke(&runs, &ids)}
		},
	})
	got := h.Say("zhangsan", "/test poke lisi")
	// A short preview is one message: the confirmation card, whose Content is its text as the emulator
	// records it, the title's desc and then the preview (issue 10: a confirmation is one card that carries the
	// preview).
	if len(got) != 1 || got[0] != "Tap a button, or reply yes within 5 minutes\nYou are about to run /test poke lisi." {
		t.Fatalf("preview = %q; want one card carrying the preview", got)
	}
	if runs.Load() != 0 {
		t.Fatal("ran before the confirmation")
	}
	if got := h.Say("zhangsan", "yes"); joined(got) != "poked lisi" {
		t.Fatalf("yes = %q", got)
	}
	// A click on the card of a second proposal runs it; one on the first card's (ended) runs nothing.
	h.Say("zhangsan", "/test poke wangwu")
	conv, err := h.DB.GetConversation(t.Context(), "zhangsan")
	if err != nil || conv == nil {
		t.Fatalf("no pending confirmation: %v", err)
	}
	if got := h.Click("zhangsan", "confirm:yes:"+conv.Token, commands.CardTaskID(conv.Token)); joined(got) != "poked wangwu" {
		t.Fatalf("click = %q", got)
	}
	if got := h.Click("zhangsan", "confirm:yes:"+conv.Token, commands.CardTaskID(conv.Token)); !strings.Contains(joined(got), "has ended") {
		t.Fatalf("second click = %q; want the confirmation ended", got)
	}
	// Every message has its own InboxID: the two runs' intents did not collide.
	if runs.Load() != 2 || len(ids) != 2 || ids[0] == ids[1] || ids[1] >= h.NextInboxID() {
		t.Fatalf("runs = %d with inbox ids %v (next %d); want 2 distinct", runs.Load(), ids, h.NextInboxID())
	}
	if got := h.Say("lisi", "/test poke zhangsan"); !strings.Contains(joined(got), "test.poke") {
		t.Fatalf("lisi's poke = %q; want a refusal naming test.poke", got)
	}
}

// entered counts enter_agent events and commits an audit row for each, as a handler's Effects.
type entered struct{ n atomic.Int32 }

func (e *entered) HandleEvent(ctx context.Context, it *db.InboxItem, m *wecom.Inbound) (inbox.Effects, error) {
	e.n.Add(1)
	return func(ctx context.Context, tx *db.Tx) error {
		return tx.AppendAudit(ctx, &db.AuditEntry{Actor: m.FromUserName, Command: "enter", Decision: db.DecisionOK, InboxID: it.ID})
	}, nil
}

func TestHarness_events(t *testing.T) {
	t.Parallel()
	h := commandtest.New(t, commandtest.Options{})
	var e entered
	h.HandleEvents(&e, "enter_agent")
	h.Control("event", map[string]any{"from": "lisi", "event": "enter_agent"})
	h.Control("event", map[string]any{"from": "lisi", "event": "click", "event_key": "menu"}) // no handler: dropped
	if n := e.n.Load(); n != 1 {
		t.Fatalf("handled %d enter_agent events; want 1", n)
	}
	// Committed before the emulator got its answer; the event took an InboxID of its own.
	entries, err := h.DB.ListAudit(t.Context(), db.AuditFilter{Command: "enter"})
	if err != nil || len(entries) != 1 || entries[0].Actor != "lisi" || entries[0].InboxID == 0 || entries[0].InboxID >= h.NextInboxID() {
		t.Fatalf("audit = %+v, %v; want lisi's entry with its own inbox id", entries, err)
	}
}

func TestContent(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("好", 700) // 2,100 bytes
	for _, tc := range []struct {
		m    *wecom.Message
		want string
	}{
		{&wecom.Message{Markdown: &wecom.Markdown{Content: "**hi**"}}, "**hi**"},
		{&wecom.Message{Text: &wecom.Text{Content: long}}, strings.Repeat("好", 682)}, // cut to 2,048 bytes, whole runes
		{&wecom.Message{TextCard: &wecom.TextCard{Title: "t", Description: "d"}}, "d"},
		{&wecom.Message{TemplateCard: &wecom.TemplateCard{SubTitleText: "sub"}}, "sub"},
	} {
		if got := commandtest.Content(tc.m); got != tc.want {
			t.Errorf("Content = %q (%d bytes); want %d bytes", got, len(got), len(tc.want))
		}
	}
}
