package db

import (
	"context"
	"time"
)

// PruneHistory deletes finished history older than before, in batches: delivered or failed outbox messages
// (a card's response code is usable for 72 hours at most, and the sender's rate windows need one hour), and
// alerts already pushed, silenced or suppressed with their digests (the watchers' dedupe needs only the few
// minutes they re-read). It returns how many rows it deleted.
func (db *DB) PruneHistory(ctx context.Context, before time.Time) (int64, error) {
	cut := before.Unix()
	var total int64
	for _, q := range []string{
		`DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE state IN ('sent', 'failed') AND created_at < ? LIMIT 1000)`,
		`DELETE FROM alerts WHERE id IN (SELECT id FROM alerts WHERE state <> 'pending' AND created_at < ? LIMIT 1000)`,
		`DELETE FROM alert_deliveries WHERE outbox_id IN (SELECT d.outbox_id FROM alert_deliveries d
			JOIN alert_digests g ON g.id = d.digest_id WHERE g.created_at < ? LIMIT 1000)`,
		`DELETE FROM alert_digests WHERE id IN (SELECT g.id FROM alert_digests g WHERE g.created_at < ?
			AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.digest_id = g.id)
			AND NOT EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.digest_id = g.id) LIMIT 1000)`,
	} {
		for {
			unlock := db.writeLock()
			res, err := db.sql.ExecContext(ctx, q, cut)
			unlock()
			if err != nil {
				return total, err
			}
			n, _ := res.RowsAffected()
			total += n
			if n < 1000 {
				break
			}
		}
	}
	return total, nil
}
