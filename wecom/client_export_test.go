package wecom

import (
	"context"
	"time"
)

// CallForTest exposes the internal call path to the external tests.
func (c *Client) CallForTest(ctx context.Context, method, path string, idempotent bool, in, out any) error {
	return c.call(ctx, &request{method: method, path: path, body: in, idempotent: idempotent}, out)
}

// SetSleepForTest replaces the backoff sleep so retry tests run instantly; it records the waits.
func (c *Client) SetSleepForTest(f func(ctx context.Context, d time.Duration) error) { c.sleep = f }

// SetLimiterSleepForTest replaces a limiter's sleep.
func (l *Limiter) SetSleepForTest(f func(ctx context.Context, d time.Duration) error) { l.sleep = f }
