package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom/emulator"
	"github.com/wecombot/wecombot/wecom/wecomtest"
)

// say delivers a text message from a member and waits until the bot has handled it and sent everything it
// queued; it returns the contents the member received for it.
func (s *stack) say(t *testing.T, from, text string) []string {
	t.Helper()
	before := len(s.emu.Delivered(from))
	id := s.nextID()
	res, err := s.emu.Deliver(t.Context(), s.emu.TextMessage(from, text, id, time.Now()))
	if err != nil || res.Status != 200 {
		t.Fatalf("deliver %q: %+v %v", text, res, err)
	}
	waitFor(t, 10*time.Second, "the bot to handle "+text, func() bool {
		_, state, err := s.app.db.GetInbox(t.Context(), fmt.Sprintf("msg:%d", id))
		if err != nil || (state != "done" && state != "failed") {
			return false
		}
		c, _ := s.app.db.OutboxCounts(t.Context())
		return c["pending"] == 0 && c["sending"] == 0
	})
	var out []string
	for _, m := range s.emu.Delivered(from)[before:] {
		out = append(out, m.Content)
	}
	return out
}

var msgSeq atomic.Uint64

func (s *stack) nextID() uint64 { return 9_000_000 + msgSeq.Add(1) }

func contains(replies []string, sub string) bool {
	for _, r := range replies {
		if strings.Contains(r, sub) {
			return true
		}
	}
	return false
}

// pokeCommand is a mutating test command: it counts its runs.
func pokeCommand(runs *atomic.Int32) *commands.Command {
	return &commands.Command{
		Path: "test poke", Summary: "poke", Perm: "test.poke", Mutates: true,
		Args:     []commands.Arg{{Name: "target", Prompt: "Poke whom?"}},
		Examples: []string{"/test poke lisi"},
		Run: func(ctx context.Context, inv *commands.Invocation) (*replies.Reply, error) {
			runs.Add(1)
			return replies.Say(inv.P, "poked %s", inv.Arg("target")), nil
		},
	}
}

func TestEngine_refusalIsExplainedAndAudited(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	got := s.say(t, "wangwu", "/audit") // wangwu is in no role
	if !contains(got, "not allowed to run /audit") || !contains(got, "audit.read") {
		t.Fatalf("reply = %q; want a refusal naming the permission", got)
	}
	entries, err := s.app.db.ListAudit(t.Context(), db.AuditFilter{Actor: "wangwu"})
	if err != nil || len(entries) != 1 || entries[0].Decision != db.DecisionDenied || entries[0].Command != "audit" {
		t.Fatalf("audit = %+v, %v; want one denied /audit by wangwu", entries, err)
	}
	// The admin may, and sees the refusal in the trail.
	got = s.say(t, "zhangsan", "/audit --decision denied")
	if !contains(got, "wangwu") || !contains(got, "denied") {
		t.Fatalf("admin's /audit = %q; want wangwu's denial listed", got)
	}
	// Reading the trail is itself recorded: who looked, and with which filter.
	entries, err = s.app.db.ListAudit(t.Context(), db.AuditFilter{Actor: "zhangsan", Command: "audit"})
	if err != nil || len(entries) != 1 || entries[0].Decision != db.DecisionOK || entries[0].Args["--decision"] != "denied" {
		t.Fatalf("audit of the read = %+v, %v; want zhangsan's /audit --decision denied", entries, err)
	}
}

func TestEngine_didYouMeanAndHints(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	if got := s.say(t, "lisi", "/hepl"); !contains(got, "did you mean /help") {
		t.Fatalf("/hepl → %q", got)
	}
	if got := s.say(t, "lisi", "hello bot"); !contains(got, "start with") || !contains(got, "/help") {
		t.Fatalf("no slash → %q; want a hint", got)
	}
	got := s.say(t, "lisi", "/help")
	if !contains(got, "/whoami") || contains(got, "/audit") {
		t.Fatalf("lisi's /help = %q; want public commands only", got)
	}
	if got := s.say(t, "zhangsan", "/help"); !contains(got, "/audit") || len(got) != 1 {
		t.Fatalf("admin's /help = %d messages %q; want one message, with /audit listed", len(got), got)
	}
	if got := s.say(t, "zhangsan", "/whoami"); !contains(got, "zhangsan") || !contains(got, "Admin") {
		t.Fatalf("/whoami = %q", got)
	}
	// Roles through a tag: wujiu carries the 安全管理员 tag.
	if got := s.say(t, "wujiu", "/whoami"); !contains(got, "security") || !contains(got, "audit.read") {
		t.Fatalf("wujiu's /whoami = %q; want the security role from the tag", got)
	}
}

func TestEngine_confirmedOnceWithDuplicateYes(t *testing.T) {
	t.Parallel()
	var runs atomic.Int32
	s := startStack(t, emulator.Options{}, func(a *app) { a.registry.Register(pokeCommand(&runs)) })
	got := s.say(t, "zhangsan", "/test poke lisi")
	if len(got) != 1 || !contains(got, "You are about to run /test poke lisi.") || runs.Load() != 0 {
		t.Fatalf("first reply = %q, runs %d; want one confirmation card carrying the preview, and nothing run", got, runs.Load())
	}
	got = s.say(t, "zhangsan", "yes")
	if !contains(got, "poked lisi") {
		t.Fatalf("after yes = %q", got)
	}
	got = s.say(t, "zhangsan", "yes") // typed twice
	if !contains(got, "Nothing is waiting") {
		t.Fatalf("second yes = %q", got)
	}
	if n := runs.Load(); n != 1 {
		t.Fatalf("ran %d times; want exactly once", n)
	}
	entries, _ := s.app.db.ListAudit(t.Context(), db.AuditFilter{Command: "test poke"})
	decisions := []string{}
	for _, e := range entries {
		decisions = append(decisions, e.Decision)
	}
	if fmt.Sprint(decisions) != "[ok proposed]" {
		t.Fatalf("audit decisions (newest first) = %v; want [ok proposed]", decisions)
	}
}

func TestEngine_missingArgumentIsAskedAndCancel(t *testing.T) {
	t.Parallel()
	var runs atomic.Int32
	s := startStack(t, emulator.Options{}, func(a *app) { a.registry.Register(pokeCommand(&runs)) })
	if got := s.say(t, "zhangsan", "/test poke"); !contains(got, "Poke whom?") {
		t.Fatalf("missing arg → %q; want the prompt", got)
	}
	if got := s.say(t, "zhangsan", "wangwu"); !contains(got, "/test poke wangwu") {
		t.Fatalf("answer → %q; want the confirmation preview", got)
	}
	if got := s.say(t, "zhangsan", "/cancel"); !contains(got, "Cancelled /test poke") {
		t.Fatalf("/cancel → %q", got)
	}
	if got := s.say(t, "zhangsan", "yes"); !contains(got, "Nothing is waiting") || runs.Load() != 0 {
		t.Fatalf("yes after cancel → %q, runs %d", got, runs.Load())
	}
}

func TestEngine_conversationSurvivesRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var runs atomic.Int32
	start := func() (*stack, func()) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		emu := wecomtest.NewServer(t, emulator.Options{CallbackURL: "http://" + addr + "/wecom/callback", Token: testToken, EncodingAESKey: testAESKey})
		cfg := testConfig(t, addr, emu.URL, filepath.Join(dir, "bot.db"))
		a, err := newApp(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
		if err != nil {
			t.Fatal(err)
		}
		a.registry.Register(pokeCommand(&runs))
		a.processor.Poll, a.sender.Poll = 20*time.Millisecond, 20*time.Millisecond
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- a.run(ctx, ln) }()
		return &stack{app: a, emu: emu, cfg: cfg, addr: addr}, func() { cancel(); <-done }
	}
	s1, stop1 := start()
	if got := s1.say(t, "zhangsan", "/test poke sunqi"); !contains(got, "You are about to run /test poke sunqi.") {
		t.Fatalf("preview = %q", got)
	}
	stop1()
	s2, stop2 := start() // a new process on the same database
	defer stop2()
	if got := s2.say(t, "zhangsan", "yes"); !contains(got, "poked sunqi") {
		t.Fatalf("yes after restart = %q; want the pending command to run", got)
	}
	if n := runs.Load(); n != 1 {
		t.Fatalf("runs = %d", n)
	}
}

func TestEngine_longReplySplitInOrder(t *testing.T) {
	t.Parallel()
	var want strings.Builder
	for i := 0; want.Len() < 5000; i++ {
		fmt.Fprintf(&want, "line %03d: 设备 %s\n\n", i, strings.Repeat("x", 40))
	}
	long := &commands.Command{Path: "test long", Summary: "long", Examples: []string{"/test long"},
		Run: func(ctx context.Context, inv *commands.Invocation) (*replies.Reply, error) {
			return &replies.Reply{Markdown: want.String()}, nil
		}}
	s := startStack(t, emulator.Options{}, func(a *app) { a.registry.Register(long) })
	got := s.say(t, "lisi", "/test long")
	if len(got) < 3 {
		t.Fatalf("a ~5,000-byte reply came as %d messages; want several", len(got))
	}
	for i, m := range got {
		if len(m) > 2048 {
			t.Fatalf("message %d is %d bytes; WeCom's limit is 2048", i, len(m))
		}
	}
	joined := strings.Join(got, "\n\n")
	if strings.TrimSpace(joined) != strings.TrimSpace(want.String()) {
		t.Fatalf("the parts do not reassemble the reply in order")
	}
}
