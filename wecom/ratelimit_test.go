package wecom_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"testing"
	"time"

	"github.com/wecombot/wecombot/wecom"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestLimiter_memberWindows(t *testing.T) {
	t.Parallel()
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	l := wecom.NewLimiter(wecom.MemberMessageLimits, clk.now)
	// 30 per minute for one member; another member is independent.
	for i := 0; i < 30; i++ {
		if !l.Allow("lisi") {
			t.Fatalf("message %d refused; want 30 allowed in a minute", i+1)
		}
		clk.advance(time.Second)
	}
	if l.Allow("lisi") {
		t.Fatal("31st message in a minute allowed")
	}
	if !l.Allow("wangwu") {
		t.Fatal("another member is limited by lisi's messages")
	}
	// The first message was at t0; 30 s have passed, so room comes back at t0+60s.
	if d := l.Delay("lisi"); d != 30*time.Second {
		t.Fatalf("Delay = %v; want 30s", d)
	}
	clk.advance(30 * time.Second)
	if !l.Allow("lisi") {
		t.Fatal("refused after the oldest left the window")
	}
}

func TestLimiter_hourWindow(t *testing.T) {
	t.Parallel()
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	l := wecom.NewLimiter(wecom.MemberMessageLimits, clk.now)
	sent := 0
	// 2 per minute never trips the minute window, but 1,000 in an hour must stop the 1,001st.
	for i := 0; i < 1000; i++ {
		if l.Allow("u") {
			sent++
		}
		clk.advance(3 * time.Second)
	}
	if sent != 1000 {
		t.Fatalf("sent %d; want 1000", sent)
	}
	if l.Allow("u") {
		t.Fatalf("1,001st message within an hour allowed")
	}
	if d := l.Delay("u"); d <= 0 || d > time.Hour {
		t.Fatalf("Delay = %v; want within the hour", d)
	}
}

func TestLimiter_waitHonoursContext(t *testing.T) {
	t.Parallel()
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	l := wecom.NewLimiter([]wecom.Window{{N: 1, Per: time.Minute}}, clk.now)
	var slept []time.Duration
	l.SetSleepForTest(func(ctx context.Context, d time.Duration) error {
		slept = append(slept, d)
		clk.advance(d)
		return ctx.Err()
	})
	ctx := t.Context()
	if err := l.Wait(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if err := l.Wait(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if len(slept) != 1 || slept[0] != time.Minute {
		t.Fatalf("slept %v; want one wait of 1m", slept)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := l.Wait(cctx, "k"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait on cancelled ctx = %v", err)
	}
}

func TestAll_pages(t *testing.T) {
	t.Parallel()
	pages := map[string]struct {
		items []int
		next  string
	}{"": {[]int{1, 2}, "c1"}, "c1": {[]int{3}, "c2"}, "c2": {[]int{4, 5}, ""}}
	var calls int
	fetch := func(ctx context.Context, cursor string) ([]int, string, bool, error) {
		calls++
		p := pages[cursor]
		return p.items, p.next, p.next != "", nil
	}
	got, err := wecom.Collect(wecom.All(t.Context(), fetch), 0)
	if err != nil || fmt.Sprint(got) != "[1 2 3 4 5]" || calls != 3 {
		t.Fatalf("Collect = %v, %v after %d calls; want [1 2 3 4 5] after 3", got, err, calls)
	}
	calls = 0
	got, _ = wecom.Collect(wecom.All(t.Context(), fetch), 2)
	if fmt.Sprint(got) != "[1 2]" || calls != 1 {
		t.Fatalf("Collect(limit 2) = %v after %d calls; want [1 2] after 1", got, calls)
	}
}

func TestAll_stopsOnRepeatedCursor(t *testing.T) {
	t.Parallel()
	var calls int
	loop := func(ctx context.Context, cursor string) ([]int, string, bool, error) {
		calls++
		return []int{calls}, "same", true, nil
	}
	_, err := wecom.Collect(iter.Seq2[int, error](wecom.All(t.Context(), loop)), 0)
	if !errors.Is(err, wecom.ErrTooManyPages) || calls != 2 {
		t.Fatalf("err = %v after %d calls; want ErrTooManyPages after 2", err, calls)
	}
}
