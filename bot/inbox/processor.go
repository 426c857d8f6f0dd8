// Package inbox runs the workers that handle stored callbacks: a bounded pool claims pending inbox rows,
// hands each to a Handler, and commits the handler's effects together with marking the row done.
package inbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/wecombot/wecombot/internal/retry"

	"github.com/sourcegraph/conc/panics"
	"github.com/sourcegraph/conc/pool"

	"github.com/wecombot/wecombot/db"
)

// Effects are what handling a callback changes, applied in the transaction that marks its row done, so a
// crash either keeps all of them or replays the row.
type Effects func(ctx context.Context, tx *db.Tx) error

// Handler handles one callback. It may call WeCom to read; everything it changes goes into the returned
// Effects. An error is retried with backoff unless it is Permanent.
type Handler interface {
	Handle(ctx context.Context, it *db.InboxItem) (Effects, error)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, it *db.InboxItem) (Effects, error)

// Handle implements Handler.
func (f HandlerFunc) Handle(ctx context.Context, it *db.InboxItem) (Effects, error) {
	return f(ctx, it)
}

// permanentError marks an error that retrying cannot fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as not worth retrying: the row is failed at once.
func Permanent(err error) error { return &permanentError{err} }

// IsPermanent reports whether err was marked Permanent.
func IsPermanent(err error) bool {
	var pe *permanentError
	return errors.As(err, &pe)
}

// Store is the part of the database the processor uses; *db.DB implements it.
type Store interface {
	ClaimInbox(ctx context.Context, limit int) ([]db.InboxItem, error)
	CompleteInbox(ctx context.Context, id int64, effects func(ctx context.Context, tx *db.Tx) error) error
	RetryInbox(ctx context.Context, id int64, reason string, at time.Time) error
	FailInbox(ctx context.Context, id int64, reason string) error
	RequeueWorking(ctx context.Context) (int64, error)
	NextInboxDue(ctx context.Context) (time.Time, bool, error)
}

// Processor claims and handles inbox rows.
type Processor struct {
	Store   Store
	Handler Handler
	Logger  *slog.Logger

	Workers     int           // concurrent handlers; default 8
	MaxAttempts int           // attempts before a row is failed; default 5
	RetryBase   time.Duration // first retry delay, doubling; default 2 s
	RetryMax    time.Duration // default 5 min
	Timeout     time.Duration // per handling attempt; default 60 s
	Poll        time.Duration // fallback poll when nothing wakes the loop; default 1 s
	Drain       time.Duration // on shutdown, how long in-flight handlers may finish; default 10 s
	Now         func() time.Time
	// Done is called after a row's effects are committed (e.g. to wake the outbox sender); it must not block.
	Done func()
	// Observe, when set, is called after each handling attempt with its outcome ("done", "retry" or
	// "failed") and the time from the start of the attempt to its outcome's commit; for metrics, it must not
	// block.
	Observe func(outcome string, took time.Duration)

	wake retry.Wake
	once sync.Once
}

func (p *Processor) init() {
	p.once.Do(func() {
		p.wake = retry.NewWake()
		if p.Workers <= 0 {
			p.Workers = 8
		}
		if p.MaxAttempts <= 0 {
			p.MaxAttempts = 5
		}
		if p.RetryBase <= 0 {
			p.RetryBase = 2 * time.Second
		}
		if p.RetryMax <= 0 {
			p.RetryMax = 5 * time.Minute
		}
		if p.Timeout <= 0 {
			p.Timeout = 60 * time.Second
		}
		if p.Poll <= 0 {
			p.Poll = time.Second
		}
		if p.Drain <= 0 {
			p.Drain = 10 * time.Second
		}
		if p.Logger == nil {
			p.Logger = slog.New(slog.DiscardHandler)
		}
		if p.Now == nil {
			p.Now = time.Now
		}
	})
}

// Notify wakes the loop; it never blocks, so the callback handler can call it.
func (p *Processor) Notify() {
	p.init()
	p.wake.Notify()
}

// Run replays rows a crash left in flight, then handles rows until ctx ends. On shutdown it stops claiming and
// gives in-flight handlers up to Drain to finish; what they do not finish goes back to pending.
func (p *Processor) Run(ctx context.Context) error {
	p.init()
	if n, err := p.Store.RequeueWorking(ctx); err != nil {
		return fmt.Errorf("inbox: requeue: %w", err)
	} else if n > 0 {
		p.Logger.Info("replaying callbacks left in flight by the last run", slog.Int64("rows", n))
	}
	// Handlers run on a context that outlives ctx by Drain, so shutdown lets them finish.
	hctx, hcancel := context.WithCancel(context.WithoutCancel(ctx))
	defer hcancel()
	// A slot is a handler running: Workers bounds them. A row whose handler has returned gives its slot back
	// while its completion waits for the group commit, so the next claims overlap that commit instead of
	// queueing behind it. The rows waiting for a commit need no bound of their own: the claims that would add
	// more go through the same writer, after those commits.
	workers := pool.New()
	slots := make(chan struct{}, p.Workers)
	defer func() {
		timer := time.AfterFunc(p.Drain, hcancel)
		workers.Wait()
		timer.Stop()
	}()
	for {
		free := p.Workers - len(slots)
		if free > 0 {
			items, err := p.Store.ClaimInbox(ctx, free)
			if err != nil && ctx.Err() == nil {
				p.Logger.Error("inbox claim failed", slog.String("err", err.Error()))
			}
			for i := range items {
				it := items[i]
				slots <- struct{}{}
				workers.Go(func() {
					var once sync.Once
					release := func() { once.Do(func() { <-slots; p.Notify() }) }
					defer p.Notify() // the row is closed: the same member's next one may be claimable
					defer release()
					p.handle(hctx, &it, release)
				})
			}
			if len(items) == free {
				continue // there may be more
			}
		}
		wait := p.Poll
		if at, ok, err := p.Store.NextInboxDue(ctx); err == nil && ok {
			if d := at.Sub(p.Now()); d < wait {
				wait = max(d, 10*time.Millisecond)
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-p.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// handle handles one row and records the outcome; release is called once the handler has returned.
func (p *Processor) handle(ctx context.Context, it *db.InboxItem, release func()) {
	start := time.Now()
	log := p.Logger.With(slog.Int64("inbox_id", it.ID), slog.String("kind", it.Kind), slog.String("from", it.From),
		slog.Int("attempt", it.Attempts))
	var eff Effects
	var err error
	hctx, cancel := context.WithTimeout(ctx, p.Timeout)
	// A panicking handler must not take the process down with the other workers' rows.
	if r := panics.Try(func() { eff, err = p.Handler.Handle(hctx, it) }); r != nil {
		err = Permanent(fmt.Errorf("handler panic: %v", r.Value))
		log.Error("inbox handler panicked", slog.String("panic", fmt.Sprint(r.Value)), slog.String("stack", string(r.Stack)))
	}
	cancel()
	release()
	if err == nil {
		err = p.Store.CompleteInbox(ctx, it.ID, eff)
		if err == nil {
			log.Debug("callback handled", slog.Duration("took", time.Since(start)))
			p.observe("done", start)
			if p.Done != nil {
				p.Done()
			}
			return
		}
	}
	bg := context.WithoutCancel(ctx) // record the outcome even during shutdown
	if IsPermanent(err) || it.Attempts >= p.MaxAttempts {
		log.Error("callback failed; giving up", slog.String("err", err.Error()))
		if ferr := p.Store.FailInbox(bg, it.ID, err.Error()); ferr != nil {
			log.Error("cannot mark inbox row failed", slog.String("err", ferr.Error()))
		}
		p.observe("failed", start)
		return
	}
	at := p.Now().Add(p.backoff(it.Attempts))
	log.Warn("callback failed; will retry", slog.String("err", err.Error()), slog.Time("retry_at", at))
	if rerr := p.Store.RetryInbox(bg, it.ID, err.Error(), at); rerr != nil {
		log.Error("cannot requeue inbox row", slog.String("err", rerr.Error()))
	}
	p.observe("retry", start)
}

func (p *Processor) backoff(attempt int) time.Duration {
	return retry.Backoff(p.RetryBase, p.RetryMax, attempt-1)
}

func (p *Processor) observe(outcome string, start time.Time) {
	if p.Observe != nil {
		p.Observe(outcome, time.Since(start))
	}
}
