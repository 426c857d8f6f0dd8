// Package retry holds the two pieces every loop of the bot shares: a jittered exponential backoff, and a
// wake-up signal that never blocks its sender.
package retry

import (
	"math/rand/v2"
	"time"
)

// Backoff is base doubled n times (n < 0 counts as 0), capped at limit, then jittered into [d/2, d]: callers
// that failed together (a 45009 burst, a restart) do not retry in step.
func Backoff(base, limit time.Duration, n int) time.Duration {
	d := base << min(max(n, 0), 30)
	if d > limit || d <= 0 {
		d = limit
	}
	return d/2 + rand.N(d/2+1)
}

// Wake is a wake-up signal for a loop: Notify never blocks, and any number of Notifies before the loop
// looks collapse into one receive (<-w). Make it with NewWake.
type Wake chan struct{}

// NewWake returns a Wake.
func NewWake() Wake { return make(Wake, 1) }

// Notify wakes the loop, if it is not already due to wake.
func (w Wake) Notify() {
	select {
	case w <- struct{}{}:
	default:
	}
}
