package db_test

import (
	"fmt"
	"github.com/wecombot/wecombot/db"
	"sync"
	"sync/atomic"
	"testing"
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
