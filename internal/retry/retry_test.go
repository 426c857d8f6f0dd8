package retry

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	for _, c := range []struct {
		n        int
		lo, hi   time.Duration
		base, mx time.Duration
	}{
		{0, 50 * time.Millisecond, 100 * time.Millisecond, 100 * time.Millisecond, time.Second},
		{3, 400 * time.Millisecond, 800 * time.Millisecond, 100 * time.Millisecond, time.Second},
		{10, 500 * time.Millisecond, time.Second, 100 * time.Millisecond, time.Second}, // capped
		{-1, 50 * time.Millisecond, 100 * time.Millisecond, 100 * time.Millisecond, time.Second},
		{80, 5 * time.Second, 10 * time.Second, time.Second, 10 * time.Second}, // no overflow
	} {
		seen := map[time.Duration]bool{}
		for i := 0; i < 200; i++ {
			d := Backoff(c.base, c.mx, c.n)
			if d < c.lo || d > c.hi {
				t.Fatalf("Backoff(%v, %v, %d) = %v; want within [%v, %v]", c.base, c.mx, c.n, d, c.lo, c.hi)
			}
			seen[d] = true
		}
		if len(seen) < 2 {
			t.Fatalf("Backoff(%v, %v, %d) gave one value in 200 draws: no jitter", c.base, c.mx, c.n)
		}
	}
}

func TestWakeCollapsesAndNeverBlocks(t *testing.T) {
	w := NewWake()
	for i := 0; i < 5; i++ {
		w.Notify() // must not block
	}
	select {
	case <-w:
	default:
		t.Fatal("no wake-up after Notify")
	}
	select {
	case <-w:
		t.Fatal("five Notifies woke the loop twice")
	default:
	}
}
