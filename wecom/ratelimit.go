package wecom

import (
	"context"
	"sync"
	"time"
)

// Window is one rate limit: at most N events in any interval of length Per.
type Window struct {
	N   int
	Per time.Duration
}

// WeCom's documented limits (DOC/90454; wecom-protocol.md §3.4).
var (
	// APILimits: per corp, per API: 10,000/min and 150,000/hour.
	APILimits = []Window{{10000, time.Minute}, {150000, time.Hour}}
	// MemberMessageLimits: one app to one member: 30/min and 1,000/hour. WeCom drops the excess silently, so
	// a sender must stay under them rather than rely on an error.
	MemberMessageLimits = []Window{{30, time.Minute}, {1000, time.Hour}}
	// PathLimits are the APIs with tighter documented limits than APILimits: the operation logs allow
	// 600 calls/min ("接口调用频率限制为600次/分钟", DOC/100178, DOC/100179).
	PathLimits = map[string][]Window{
		"security/member_oper_log/list": {{600, time.Minute}},
		"security/admin_oper_log/list":  {{600, time.Minute}},
	}
)

// Limiter enforces several sliding windows per key (an API path, a userid). A sliding log is exact: staying
// under N in every sliding interval also stays under N in whatever fixed intervals WeCom counts in.
//
// Memory is one timestamp per event still inside the longest window, per key; idle keys are forgotten.
type Limiter struct {
	windows []Window
	now     func() time.Time
	sleep   func(ctx context.Context, d time.Duration) error

	mu     sync.Mutex
	keys   map[string]*keyLog
	sweeps int
}

type keyLog struct {
	times []time.Time // sorted, within the longest window
}

// NewLimiter returns a limiter for the windows. now may be nil (time.Now).
func NewLimiter(windows []Window, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{windows: windows, now: now, sleep: sleepCtx, keys: map[string]*keyLog{}}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (l *Limiter) longest() time.Duration {
	var d time.Duration
	for _, w := range l.windows {
		d = max(d, w.Per)
	}
	return d
}

// reserve records an event for key now if every window allows it and returns 0; otherwise it records nothing
// and returns how long to wait before trying again.
func (l *Limiter) reserve(key string) time.Duration {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	k := l.keys[key]
	if k == nil {
		k = &keyLog{}
		l.keys[key] = k
	}
	cut := now.Add(-l.longest())
	i := 0
	for i < len(k.times) && !k.times[i].After(cut) {
		i++
	}
	k.times = k.times[i:]
	var wait time.Duration
	for _, w := range l.windows {
		// Count events inside (now-Per, now]; the oldest of the last N must leave the window first.
		if len(k.times) < w.N {
			continue
		}
		oldest := k.times[len(k.times)-w.N]
		if d := oldest.Add(w.Per).Sub(now); d > 0 {
			wait = max(wait, d)
		}
	}
	if wait > 0 {
		return wait
	}
	k.times = append(k.times, now)
	return 0
}

// sweep forgets idle keys every so often so a limiter keyed by userid stays bounded.
func (l *Limiter) sweep(now time.Time) {
	l.sweeps++
	if l.sweeps%1024 != 0 {
		return
	}
	cut := now.Add(-l.longest())
	for key, k := range l.keys {
		if len(k.times) == 0 || !k.times[len(k.times)-1].After(cut) {
			delete(l.keys, key)
		}
	}
}

// Seed records a past event for key at `at`, so a restarted process counts what it did before the restart.
func (l *Limiter) Seed(key string, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := l.keys[key]
	if k == nil {
		k = &keyLog{}
		l.keys[key] = k
	}
	i := len(k.times)
	for i > 0 && k.times[i-1].After(at) {
		i--
	}
	k.times = append(k.times, time.Time{})
	copy(k.times[i+1:], k.times[i:])
	k.times[i] = at
}

// Allow records an event for key and reports true if every window allows it now.
func (l *Limiter) Allow(key string) bool { return l.reserve(key) == 0 }

// Delay reports how long until key may have another event, recording nothing.
func (l *Limiter) Delay(key string) time.Duration {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	k := l.keys[key]
	if k == nil {
		return 0
	}
	var wait time.Duration
	for _, w := range l.windows {
		n := 0
		for j := len(k.times) - 1; j >= 0 && k.times[j].After(now.Add(-w.Per)); j-- {
			n++
		}
		if n >= w.N {
			oldest := k.times[len(k.times)-w.N]
			wait = max(wait, oldest.Add(w.Per).Sub(now))
		}
	}
	return wait
}

// Wait blocks until key may have another event, records it, and returns nil; or returns ctx's error.
func (l *Limiter) Wait(ctx context.Context, key string) error {
	for {
		d := l.reserve(key)
		if d == 0 {
			return nil
		}
		if err := l.sleep(ctx, d); err != nil {
			return err
		}
	}
}
