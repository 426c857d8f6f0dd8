package wecom

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"
)

// Token is an access_token and when it stops being usable.
type Token struct {
	Value     string
	ExpiresAt time.Time
}

// TokenStore keeps tokens across restarts so that a restarted bot reuses a valid token instead of calling
// gettoken again (WeCom asks callers not to fetch it often). Keys never contain the secret.
type TokenStore interface {
	LoadToken(ctx context.Context, key string) (Token, bool, error)
	SaveToken(ctx context.Context, key string, t Token) error
}

// MemoryTokenStore is a TokenStore for one process.
type MemoryTokenStore struct {
	mu sync.Mutex
	m  map[string]Token
}

// LoadToken implements TokenStore.
func (s *MemoryTokenStore) LoadToken(_ context.Context, key string) (Token, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.m[key]
	return t, ok, nil
}

// SaveToken implements TokenStore.
func (s *MemoryTokenStore) SaveToken(_ context.Context, key string, t Token) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]Token{}
	}
	s.m[key] = t
	return nil
}

// TokenKey is the store key for one app's token: the corp id and a digest of the secret, so that a rotated
// secret never reuses the old app's token and the secret itself is never stored.
func TokenKey(corpID, secret string) string {
	sum := sha256.Sum256([]byte(corpID + "\x00" + secret))
	return corpID + ":" + hex.EncodeToString(sum[:8])
}

// tokenSource caches one app's access_token, refreshes it shortly before expiry, and makes sure that however
// many goroutines ask at once, only one gettoken request is in flight.
type tokenSource struct {
	fetch  func(ctx context.Context) (Token, error)
	store  TokenStore
	key    string
	now    func() time.Time
	margin time.Duration // refresh this long before ExpiresAt

	mu       sync.Mutex
	cur      Token
	loaded   bool // store consulted
	inflight *tokenFetch
}

type tokenFetch struct {
	done chan struct{}
	tok  Token
	err  error
}

// fetchTimeout bounds one gettoken request that waiters share, independent of any one waiter's context.
const fetchTimeout = 30 * time.Second

// token returns a valid access token.
func (ts *tokenSource) token(ctx context.Context) (string, error) {
	ts.mu.Lock()
	if !ts.loaded {
		ts.loaded = true
		if t, ok, err := ts.store.LoadToken(ctx, ts.key); err == nil && ok {
			ts.cur = t
		}
	}
	if ts.valid(ts.cur) {
		v := ts.cur.Value
		ts.mu.Unlock()
		return v, nil
	}
	f := ts.inflight
	if f == nil {
		f = &tokenFetch{done: make(chan struct{})}
		ts.inflight = f
		// The fetch must not die with the first caller's context: others wait on it too.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fetchTimeout)
		go func() {
			defer cancel()
			tok, err := ts.fetch(fctx)
			ts.mu.Lock()
			if err == nil {
				ts.cur = tok
			}
			ts.inflight = nil
			ts.mu.Unlock()
			if err == nil {
				// A store failure costs only a gettoken after a restart.
				_ = ts.store.SaveToken(fctx, ts.key, tok)
			}
			f.tok, f.err = tok, err
			close(f.done)
		}()
	}
	ts.mu.Unlock()
	select {
	case <-f.done:
		if f.err != nil {
			return "", f.err
		}
		return f.tok.Value, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (ts *tokenSource) valid(t Token) bool {
	return t.Value != "" && ts.now().Add(ts.margin).Before(t.ExpiresAt)
}

// invalidate drops the token if it is still the one that failed; a token another goroutine already refreshed
// is kept, so a burst of 42001s causes one refetch, not one per call.
func (ts *tokenSource) invalidate(ctx context.Context, bad string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.cur.Value == bad {
		ts.cur = Token{}
		_ = ts.store.SaveToken(ctx, ts.key, Token{})
	}
}
