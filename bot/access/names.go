package access

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/wecombot/wecombot/wecom"
)

// Names shows members by name ("张三 (zhangsan)") and finds them by it, from WeCom's address book, cached: a
// name is looked up at most once an hour per member, and a failed lookup only means the bare userid is shown.
type Names struct {
	c   *wecom.Client
	ttl time.Duration

	mu    sync.Mutex
	cache map[string]cachedName // UserKey(userid) → name
}

type cachedName struct {
	name string
	at   time.Time
}

// NewNames returns a name cache over the client.
func NewNames(c *wecom.Client) *Names {
	return &Names{c: c, ttl: time.Hour, cache: map[string]cachedName{}}
}

// maxNames bounds the cache: a corp's members, at most.
const maxNames = 50_000

// Of returns the member's name, or "" when it cannot be read (unknown, invisible, WeCom unreachable).
func (n *Names) Of(ctx context.Context, userid string) string {
	if n == nil || userid == "" {
		return ""
	}
	key := UserKey(userid)
	n.mu.Lock()
	if c, ok := n.cache[key]; ok && time.Since(c.at) < n.ttl {
		n.mu.Unlock()
		return c.name
	}
	n.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second) // a name is a courtesy: never worth a slow reply
	defer cancel()
	u, err := n.c.User.Get(ctx, userid)
	if err != nil {
		return ""
	}
	n.mu.Lock()
	if len(n.cache) >= maxNames {
		clear(n.cache)
	}
	n.cache[key] = cachedName{name: u.Name, at: time.Now()}
	n.mu.Unlock()
	return u.Name
}

// Find returns the userids of the members whose name is name (case and surrounding space ignored), walking
// the departments the app can see. At most limit are returned.
func (n *Names) Find(ctx context.Context, name string, limit int) ([]string, error) {
	name = strings.TrimSpace(name)
	depts, err := n.c.Department.List(ctx, 0)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, d := range depts {
		users, err := n.c.User.ListSimple(ctx, d.ID, false)
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			if strings.EqualFold(strings.TrimSpace(u.Name), name) && !seen[UserKey(u.UserID)] {
				seen[UserKey(u.UserID)] = true
				out = append(out, u.UserID)
				n.mu.Lock()
				n.cache[UserKey(u.UserID)] = cachedName{name: u.Name, at: time.Now()}
				n.mu.Unlock()
				if len(out) >= limit {
					return out, nil
				}
			}
		}
	}
	return out, nil
}
