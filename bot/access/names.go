package access

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/wecombot/wecombot/wecom"
)

// Names shows members by name ("张三 (zhangsan)") and finds them by it, from WeCom's address book. The book is
// read in one walk (department/list, then user/simplelist per department) at most once an hour, and shared by
// every list and every name lookup; a member the walk did not cover is read alone (user/get) and cached too.
// A failed read only means the bare userid is shown.
type Names struct {
	c   *wecom.Client
	ttl time.Duration

	mu     sync.Mutex
	loaded time.Time           // when the walk last ran (successfully or not)
	byID   map[string]string   // UserKey(userid) → name
	byName map[string][]string // lower-case name → userids
}

// NewNames returns a name cache over the client.
func NewNames(c *wecom.Client) *Names {
	return &Names{c: c, ttl: time.Hour, byID: map[string]string{}, byName: map[string][]string{}}
}

// Bounds of one walk of the address book: departments read, and names kept.
const (
	maxNameDepts = 500
	maxNames     = 50_000
)

// Of returns the member's name, or "" when it cannot be read (unknown, invisible, WeCom unreachable).
func (n *Names) Of(ctx context.Context, userid string) string {
	if n == nil || userid == "" {
		return ""
	}
	n.walk(ctx, false)
	key := UserKey(userid)
	n.mu.Lock()
	name, ok := n.byID[key]
	n.mu.Unlock()
	if ok {
		return name
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second) // a name is a courtesy: never worth a slow reply
	defer cancel()
	u, err := n.c.User.Get(ctx, userid)
	if err != nil {
		return ""
	}
	n.mu.Lock()
	n.add(u.UserID, u.Name)
	n.mu.Unlock()
	return u.Name
}

// Find returns the userids of the members whose name is name (case and surrounding space ignored), at most
// limit. It reads the address book afresh: a name picks whom a command acts on, so a member added since the
// last walk (a second 李四) must count.
func (n *Names) Find(ctx context.Context, name string, limit int) ([]string, error) {
	if err := n.walk(ctx, true); err != nil {
		return nil, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	ids := n.byName[strings.ToLower(strings.TrimSpace(name))]
	return append([]string(nil), ids[:min(len(ids), limit)]...), nil
}

// walk reads the address book when forced or when the last walk is older than the TTL. Concurrent callers
// wait for the one walk; a failed walk is not retried before the TTL unless forced.
func (n *Names) walk(ctx context.Context, force bool) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !force && time.Since(n.loaded) < n.ttl {
		return nil
	}
	n.loaded = time.Now()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	depts, err := n.c.Department.List(ctx, 0)
	if err != nil {
		return err
	}
	byID, byName := map[string]string{}, map[string][]string{}
	n.byID, n.byName = byID, byName
	for i, d := range depts {
		if i == maxNameDepts {
			break // the rest are read member by member (Of)
		}
		users, err := n.c.User.ListSimple(ctx, d.ID, false)
		if err != nil {
			return err
		}
		for _, u := range users {
			n.add(u.UserID, u.Name)
		}
	}
	return nil
}

// add records a member's name; n.mu is held.
func (n *Names) add(userid, name string) {
	key := UserKey(userid)
	if _, dup := n.byID[key]; dup || len(n.byID) >= maxNames {
		return
	}
	n.byID[key] = name
	lower := strings.ToLower(strings.TrimSpace(name))
	n.byName[lower] = append(n.byName[lower], userid)
}
