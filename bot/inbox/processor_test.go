package inbox_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/inbox"
	"github.com/wecombot/wecombot/db"
)

func openDB(t *testing.T) *db.DB {
	t.Helper()
	d, err := db.Open(filepath.Join(t.TempDir(), "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func enqueue(t *testing.T, d *db.DB, key, from string) {
	t.Helper()
	if _, err := d.Enqueue(t.Context(), &db.InboxItem{Key: key, From: from, Kind: "text", Payload: []byte(key)}); err != nil {
		t.Fatal(err)
	}
}

// run starts the processor and returns a stop function that waits for it.
func run(t *testing.T, p *inbox.Processor) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func waitCounts(t *testing.T, d *db.DB, want map[string]int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := d.InboxCounts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) == fmt.Sprint(want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("inbox counts = %v; want %v", got, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestProcessor_effectsCommittedWithDone(t *testing.T) {
	t.Parallel()
	d := openDB(t)
	enqueue(t, d, "m1", "lisi")
	p := &inbox.Processor{Store: d, Poll: 10 * time.Millisecond, Handler: inbox.HandlerFunc(
		func(ctx context.Context, it *db.InboxItem) (inbox.Effects, error) {
			return func(ctx context.Context, tx *db.Tx) error {
				return tx.AddOutbox(ctx, &db.OutboxMessage{InboxID: it.ID, Recipient: it.From, API: "message/send", Body: []byte(`{}`)})
			}, nil
		})}
	run(t, p)
	waitCounts(t, d, map[string]int{"done": 1})
	if c, _ := d.OutboxCounts(t.Context()); c["pending"] != 1 {
		t.Fatalf("outbox = %v; want the handler's message", c)
	}
}

func TestProcessor_retriesThenFails(t *testing.T) {
	t.Parallel()
	d := openDB(t)
	enqueue(t, d, "flaky", "a")
	enqueue(t, d, "broken", "b")
	enqueue(t, d, "hopeless", "c")
	var mu sync.Mutex
	calls := map[string]int{}
	p := &inbox.Processor{Store: d, Poll: 10 * time.Millisecond, MaxAttempts: 3, RetryBase: time.Millisecond,
		RetryMax: 2 * time.Millisecond, Handler: inbox.HandlerFunc(func(ctx context.Context, it *db.InboxItem) (inbox.Effects, error) {
			mu.Lock()
			calls[it.Key]++
			n := calls[it.Key]
			mu.Unlock()
			switch it.Key {
			case "flaky":
				if n < 3 {
					return nil, errors.New("WeCom busy")
				}
				return nil, nil
			case "broken":
				return nil, inbox.Permanent(errors.New("not a command"))
			default:
				return nil, errors.New("always down")
			}
		})}
	run(t, p)
	waitCounts(t, d, map[string]int{"done": 1, "failed": 2})
	mu.Lock()
	defer mu.Unlock()
	if calls["flaky"] != 3 || calls["broken"] != 1 || calls["hopeless"] != 3 {
		t.Fatalf("calls = %v; want flaky 3 (2 failures then success), broken 1 (permanent), hopeless 3 (max attempts)", calls)
	}
	it, _, _ := d.GetInbox(t.Context(), "hopeless")
	if it.LastError != "always down" || it.Attempts != 3 {
		t.Fatalf("hopeless row = %+v; want the last error and 3 attempts recorded", it)
	}
}

func TestProcessor_panicIsContained(t *testing.T) {
	t.Parallel()
	d := openDB(t)
	enqueue(t, d, "boom", "a")
	enqueue(t, d, "fine", "b")
	p := &inbox.Processor{Store: d, Poll: 10 * time.Millisecond, Handler: inbox.HandlerFunc(
		func(ctx context.Context, it *db.InboxItem) (inbox.Effects, error) {
			if it.Key == "boom" {
				panic("nil map")
			}
			return nil, nil
		})}
	run(t, p)
	waitCounts(t, d, map[string]int{"done": 1, "failed": 1})
	it, _, _ := d.GetInbox(t.Context(), "boom")
	if it.LastError == "" {
		t.Fatal("panic not recorded as the failure reason")
	}
}

func TestProcessor_perUserOrder(t *testing.T) {
	t.Parallel()
	d := openDB(t)
	const perUser = 40
	for i := 0; i < perUser; i++ {
		for _, u := range []string{"lisi", "wangwu", "zhaoliu"} {
			enqueue(t, d, fmt.Sprintf("%s-%02d", u, i), u)
		}
	}
	var mu sync.Mutex
	seen := map[string][]string{}
	p := &inbox.Processor{Store: d, Workers: 8, Poll: 10 * time.Millisecond, Handler: inbox.HandlerFunc(
		func(ctx context.Context, it *db.InboxItem) (inbox.Effects, error) {
			time.Sleep(time.Millisecond) // let workers overlap
			mu.Lock()
			seen[it.From] = append(seen[it.From], it.Key)
			mu.Unlock()
			return nil, nil
		})}
	run(t, p)
	waitCounts(t, d, map[string]int{"done": 3 * perUser})
	for u, keys := range seen {
		for i, k := range keys {
			if want := fmt.Sprintf("%s-%02d", u, i); k != want {
				t.Fatalf("%s's message %d handled as %s; want %s (arrival order)", u, i, k, want)
			}
		}
	}
}

func TestProcessor_shutdownLeavesUnfinishedPending(t *testing.T) {
	t.Parallel()
	d := openDB(t)
	enqueue(t, d, "slow", "a")
	started := make(chan struct{})
	p := &inbox.Processor{Store: d, Poll: 10 * time.Millisecond, Drain: 50 * time.Millisecond, Handler: inbox.HandlerFunc(
		func(ctx context.Context, it *db.InboxItem) (inbox.Effects, error) {
			close(started)
			<-ctx.Done() // outlives the drain period
			return nil, ctx.Err()
		})}
	stop := run(t, p)
	<-started
	stop()
	waitCounts(t, d, map[string]int{"pending": 1})
	// The next run picks it up.
	p2 := &inbox.Processor{Store: d, Poll: 10 * time.Millisecond, Handler: inbox.HandlerFunc(
		func(ctx context.Context, it *db.InboxItem) (inbox.Effects, error) { return nil, nil })}
	run(t, p2)
	waitCounts(t, d, map[string]int{"done": 1})
}
