package db_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/wecombot/wecombot/db"
)

// Completions committed together: a failing or panicking effect rolls back only its own row (its savepoint),
// which stays working for a retry; the others' effects and completions commit.
func TestCompleteInbox_groupCommitSavepoints(t *testing.T) {
	t.Parallel()
	d, _ := MustOpen(t)
	ctx := t.Context()
	const n = 40
	for i := range n {
		if _, err := d.Enqueue(ctx, item(fmt.Sprint("k", i), fmt.Sprint("u", i))); err != nil {
			t.Fatal(err)
		}
	}
	items, err := d.ClaimInbox(ctx, n)
	if err != nil || len(items) != n {
		t.Fatalf("claimed %d, %v", len(items), err)
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, it := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = d.CompleteInbox(ctx, it.ID, func(ctx context.Context, tx *db.Tx) error {
				if err := tx.AddOutbox(ctx, &db.OutboxMessage{InboxID: it.ID, Recipient: it.From, API: "message/send", Body: []byte("{}")}); err != nil {
					return err
				}
				switch i % 10 {
				case 3:
					return errors.New("effect failed")
				case 7:
					panic("effect panicked")
				}
				return nil
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if fail := i%10 == 3 || i%10 == 7; fail != (err != nil) {
			t.Errorf("row %d: err %v", i, err)
		}
	}
	counts, _ := d.InboxCounts(ctx)
	if counts["done"] != n-8 || counts["working"] != 8 {
		t.Fatalf("inbox %v; want %d done, 8 working", counts, n-8)
	}
	out, _ := d.OutboxCounts(ctx)
	if out["pending"] != n-8 {
		t.Fatalf("outbox %v; want %d pending (one per completed row)", out, n-8)
	}
	// The failed rows are retried and complete.
	for i, it := range items {
		if errs[i] != nil {
			if err := d.CompleteInbox(ctx, it.ID, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	if counts, _ := d.InboxCounts(ctx); counts["done"] != n {
		t.Fatalf("inbox %v after retries", counts)
	}
}
