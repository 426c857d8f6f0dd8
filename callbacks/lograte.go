package callbacks

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// DefaultLogInterval is how often one kind of rejected callback is logged at most.
const DefaultLogInterval = 10 * time.Second

// logLimiter writes at most one line per kind (status and reason) per interval; the lines it holds back are
// counted and reported in one summary line when the interval ends. Kinds are the handler's fixed reasons, never
// request text, so its map stays a handful of entries however many requests are forged.
type logLimiter struct {
	mu    sync.Mutex
	kinds map[string]*logWindow
}

type logWindow struct {
	start      time.Time
	suppressed int
	last       []slog.Attr // of the latest suppressed line, for the summary
	timer      *time.Timer
}

// log writes the line now if it is the first of its kind in the interval, else counts it.
func (l *logLimiter) log(ctx context.Context, log *slog.Logger, every time.Duration, level slog.Level, kind, msg string, attrs ...slog.Attr) {
	now := time.Now()
	l.mu.Lock()
	if l.kinds == nil {
		l.kinds = map[string]*logWindow{}
	}
	w := l.kinds[kind]
	if w == nil || (w.timer == nil && now.Sub(w.start) >= every) {
		l.kinds[kind] = &logWindow{start: now}
		l.mu.Unlock()
		log.LogAttrs(ctx, level, msg, attrs...)
		return
	}
	w.suppressed++
	w.last = attrs
	if w.timer == nil {
		w.timer = time.AfterFunc(w.start.Add(every).Sub(now), func() { l.flush(log, every, level, kind, msg) })
	}
	l.mu.Unlock()
}

// flush ends kind's interval with the count of the lines held back; the next line of that kind is written.
func (l *logLimiter) flush(log *slog.Logger, every time.Duration, level slog.Level, kind, msg string) {
	l.mu.Lock()
	w := l.kinds[kind]
	delete(l.kinds, kind)
	l.mu.Unlock()
	if w == nil || w.suppressed == 0 {
		return
	}
	attrs := append([]slog.Attr{slog.Int("suppressed", w.suppressed)}, w.last...)
	log.LogAttrs(context.Background(), level, fmt.Sprintf("%s: and %d more like it in the last %s", msg, w.suppressed, every), attrs...)
}
