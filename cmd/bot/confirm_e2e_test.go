package main

import (
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom/emulator"
)

type sentCard struct{ task, yes, no string }

// confirmCards returns every confirmation card the member received, oldest first.
func (s *stack) confirmCards(user string) []sentCard {
	var out []sentCard
	for _, m := range s.emu.Delivered(user) {
		if m.MsgType != "template_card" {
			continue
		}
		var body struct {
			Card struct {
				TaskID  string `json:"task_id"`
				Buttons []struct {
					Key string `json:"key"`
				} `json:"button_list"`
			} `json:"template_card"`
		}
		json.Unmarshal(m.Body, &body)
		c := sentCard{task: body.Card.TaskID}
		for _, b := range body.Card.Buttons {
			switch {
			case strings.HasPrefix(b.Key, "confirm:yes:"):
				c.yes = b.Key
			case strings.HasPrefix(b.Key, "confirm:no:"):
				c.no = b.Key
			}
		}
		if c.yes != "" {
			out = append(out, c)
		}
	}
	return out
}

// cardUpdates returns the labels that replaced the buttons of the card with task id, in order.
func (s *stack) cardUpdates(user, task string) []string {
	var out []string
	for _, m := range s.emu.Messages(user) {
		if m.API == "message/update_template_card" && m.TaskID == task {
			out = append(out, m.Title)
		}
	}
	return out
}

func (s *stack) clickCard(t *testing.T, user, task, key string) {
	t.Helper()
	s.control(t, "event", map[string]any{"from": user, "event": "template_card_event", "event_key": key,
		"task_id": task, "card_type": "button_interaction"})
}

func TestConfirm_cardButtonRunsOnceAndCardCloses(t *testing.T) {
	t.Parallel()
	var runs atomic.Int32
	s := startStack(t, emulator.Options{}, func(a *app) { a.registry.Register(pokeCommand(&runs)) })
	s.say(t, "zhangsan", "/test poke wujiu")
	cards := s.confirmCards("zhangsan")
	if len(cards) != 1 {
		t.Fatalf("confirmation cards = %d; want 1", len(cards))
	}
	c := cards[0]
	s.clickCard(t, "zhangsan", c.task, c.yes)
	waitFor(t, 10*time.Second, "the command to run", func() bool { return contains(s.contents("zhangsan"), "poked wujiu") })
	waitFor(t, 10*time.Second, "the card update", func() bool { return len(s.cardUpdates("zhangsan", c.task)) == 1 })
	if u := s.cardUpdates("zhangsan", c.task)[0]; !strings.Contains(u, "Confirmed") {
		t.Fatalf("card update = %q; want Confirmed", u)
	}
	// The card has no buttons now; a click made before the update arrived runs nothing and is told why.
	s.lateClick(t, "zhangsan", c.task, c.yes)
	waitFor(t, 10*time.Second, "the stale-card answer", func() bool { return contains(s.contents("zhangsan"), "has ended") })
	if n := runs.Load(); n != 1 {
		t.Fatalf("ran %d times; want 1", n)
	}
	// Only one update per card: the sent card's own response_code was not spent as well.
	if n := len(s.cardUpdates("zhangsan", c.task)); n != 1 {
		t.Fatalf("card updates = %d; want 1", n)
	}
}

// The same command twice within a second made the same task_id (sha256 of user, command, second): WeCom
// refused the second card with 42014, and the first card's button confirmed the second proposal.
func TestConfirm_sameCommandTwiceInASecond(t *testing.T) {
	t.Parallel()
	var runs atomic.Int32
	s := startStack(t, emulator.Options{}, func(a *app) { a.registry.Register(pokeCommand(&runs)) })
	start := time.Now()
	s.say(t, "zhangsan", "/test poke wujiu")
	s.say(t, "zhangsan", "/test poke wujiu")
	if time.Since(start) > 900*time.Millisecond {
		t.Logf("the two proposals took %v; the old ids collided only within one second", time.Since(start))
	}
	cards := s.confirmCards("zhangsan")
	if len(cards) != 2 {
		t.Fatalf("confirmation cards delivered = %d; want 2 (a reused task_id is refused with 42014)", len(cards))
	}
	if cards[0].task == cards[1].task || cards[0].yes == cards[1].yes {
		t.Fatalf("two proposals share a card id: %+v", cards)
	}
	if n := len(s.cardUpdates("zhangsan", cards[0].task)); n != 1 {
		t.Fatalf("first card updates = %d; want 1 (replaced)", n)
	}
	if u := s.cardUpdates("zhangsan", cards[0].task)[0]; !strings.Contains(u, "Replaced") {
		t.Fatalf("first card update = %q; want Replaced", u)
	}
	counts, err := s.app.db.OutboxCounts(t.Context())
	if err != nil || counts["failed"] != 0 {
		t.Fatalf("outbox = %v, %v; want nothing failed", counts, err)
	}
	// The first card's Run button, clicked before its update arrived, must not confirm the second proposal.
	s.lateClick(t, "zhangsan", cards[0].task, cards[0].yes)
	waitFor(t, 10*time.Second, "the stale-card answer", func() bool { return contains(s.contents("zhangsan"), "has ended") })
	if n := runs.Load(); n != 0 {
		t.Fatalf("an old card ran the newer proposal (%d runs)", n)
	}
	// The second card still works.
	s.clickCard(t, "zhangsan", cards[1].task, cards[1].yes)
	waitFor(t, 10*time.Second, "the command to run", func() bool { return runs.Load() == 1 })
}

func TestConfirm_typedAnswersCloseTheCard(t *testing.T) {
	t.Parallel()
	var runs atomic.Int32
	s := startStack(t, emulator.Options{}, func(a *app) { a.registry.Register(pokeCommand(&runs)) })
	s.say(t, "zhangsan", "/test poke wujiu")
	s.say(t, "zhangsan", "yes")
	s.say(t, "zhangsan", "/test poke lisi")
	s.say(t, "zhangsan", "/cancel")
	cards := s.confirmCards("zhangsan")
	if len(cards) != 2 {
		t.Fatalf("confirmation cards = %d; want 2", len(cards))
	}
	for i, want := range []string{"Confirmed", "Cancelled"} {
		u := s.cardUpdates("zhangsan", cards[i].task)
		if len(u) != 1 || !strings.Contains(u[0], want) {
			t.Fatalf("card %d updates = %q; want one saying %s", i, u, want)
		}
	}
	if n := runs.Load(); n != 1 {
		t.Fatalf("ran %d times; want 1", n)
	}
}

func TestConfirm_expiryClosesTheCardUnprompted(t *testing.T) {
	t.Parallel()
	var runs atomic.Int32
	s := startStack(t, emulator.Options{}, func(a *app) {
		a.registry.Register(pokeCommand(&runs))
		a.engine.ConfirmTTL = 2 * time.Second // stored in whole seconds: at least 1 s
		a.engine.SweepEvery = 50 * time.Millisecond
	})
	s.say(t, "zhangsan", "/test poke wujiu")
	cards := s.confirmCards("zhangsan")
	if len(cards) != 1 {
		t.Fatalf("confirmation cards = %d; want 1", len(cards))
	}
	// Nobody answers: the sweep ends it, audits it and closes the card without a message from the member.
	waitFor(t, 10*time.Second, "the card to close", func() bool { return len(s.cardUpdates("zhangsan", cards[0].task)) == 1 })
	if u := s.cardUpdates("zhangsan", cards[0].task)[0]; !strings.Contains(u, "Expired") {
		t.Fatalf("card update = %q; want Expired", u)
	}
	conv, err := s.app.db.GetConversation(t.Context(), "zhangsan")
	if err != nil || conv != nil {
		t.Fatalf("conversation = %+v, %v; want none", conv, err)
	}
	entries, err := s.app.db.ListAudit(t.Context(), db.AuditFilter{Actor: "zhangsan", Decision: db.DecisionExpired})
	if err != nil || len(entries) != 1 || entries[0].Command != "test poke" {
		t.Fatalf("audit = %+v, %v; want one expired /test poke", entries, err)
	}
	if got := s.say(t, "zhangsan", "yes"); !contains(got, "Nothing is waiting") || runs.Load() != 0 {
		t.Fatalf("yes after expiry: %q, %d runs", got, runs.Load())
	}

}
