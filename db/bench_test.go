package db_test

import (
	"context"
	"fmt"
	"github.com/wecombot/wecombot/db"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkEnqueue64 is the durable inbox alone: 64 goroutines enqueueing distinct callbacks, each waiting
// for its group commit (synchronous=FULL), as the callback handler does.
func BenchmarkEnqueue64(b *testing.B) {
	d, _ := MustOpen(b)
	payload := make([]byte, 400)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for g := 0; g < 64; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				if _, err := d.Enqueue(b.Context(), &db.InboxItem{Key: fmt.Sprint("k", i), From: fmt.Sprint("u", i%500), Kind: "text", Payload: payload}); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// BenchmarkEnqueueUnderLoad is the callback path's durable insert while the rest of the bot writes: 4 workers
// claim and complete rows into the outbox and a sender claims and marks it, as in production. It reports the
// enqueue latency percentiles a callback sees.
func BenchmarkEnqueueUnderLoad(b *testing.B) {
	d, _ := MustOpen(b)
	d.Now = time.Now
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var bg sync.WaitGroup
	for w := 0; w < 4; w++ {
		bg.Add(1)
		go func() {
			defer bg.Done()
			for ctx.Err() == nil {
				items, _ := d.ClaimInbox(ctx, 4)
				for _, it := range items {
					d.CompleteInbox(ctx, it.ID, func(ctx context.Context, tx *db.Tx) error {
						return tx.AddOutbox(ctx, &db.OutboxMessage{Recipient: it.From, API: "message/send", Body: []byte("{}")})
					})
				}
				ms, _ := d.ClaimOutbox(ctx, 4)
				for _, m := range ms {
					d.MarkOutboxSent(ctx, m.ID, "x", "")
				}
				if len(items) == 0 {
					time.Sleep(2 * time.Millisecond)
				}
			}
		}()
	}
	lat := make([]time.Duration, b.N)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for g := 0; g < 64; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				t0 := time.Now()
				if _, err := d.Enqueue(ctx, &db.InboxItem{Key: fmt.Sprint("k", i), From: fmt.Sprint("u", i%64), Kind: "text", Payload: []byte("x")}); err != nil {
					b.Error(err)
					return
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	cancel()
	bg.Wait()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2])/1e6, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100])/1e6, "p99-ms")
}
