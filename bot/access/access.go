// Package access decides who may do what: the caller of a message (from the decrypted callback, never from
// its text), the roles they hold (by userid, tag or department, looked up in WeCom's directory and cached),
// and the permissions those roles grant. Userids compare case-insensitively, as WeCom's do.
package access

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wecombot/wecombot/bot"
)

// Caller is who sent a message, as the decrypted callback says (never anything typed), with what they may do.
type Caller struct {
	UserID string
	Admin  bool
	Roles  []string
	Perms  []string // permission patterns granted by the roles: "order.*", "audit.read", "*"
	// Unchecked names the roles ("admin" for access.admins) whose membership could not be looked up just now
	// (a tag or department lookup failed); they are not granted.
	Unchecked []string
}

// SameUser reports whether two userids name the same member. WeCom userids are case-insensitive (user/create:
// "不区分大小写"), so every comparison of userids goes through here.
func SameUser(a, b string) bool { return strings.EqualFold(a, b) }

// HasUser reports whether users holds u, as SameUser compares.
func HasUser(users []string, u string) bool {
	return slices.ContainsFunc(users, func(x string) bool { return SameUser(x, u) })
}

// UserKey is a userid in the one case used for map keys, so that lookups agree with SameUser.
func UserKey(u string) string { return strings.ToLower(u) }

// Can reports whether the caller holds perm. "" is public. A pattern grants itself, and "x.*" grants x and
// everything under it; admins hold everything.
func (c *Caller) Can(perm string) bool {
	if perm == "" || c.Admin {
		return true
	}
	for _, p := range c.Perms {
		if permMatches(p, perm) {
			return true
		}
	}
	return false
}

func permMatches(pattern, perm string) bool {
	if pattern == "*" || pattern == perm {
		return true
	}
	if prefix, ok := strings.CutSuffix(pattern, ".*"); ok {
		return perm == prefix || strings.HasPrefix(perm, prefix+".")
	}
	return false
}

// Directory answers the membership questions roles need; an adapter over the WeCom client implements it.
type Directory interface {
	UserDepartments(ctx context.Context, userID string) ([]int, error)
	SubDepartments(ctx context.Context, deptID int) ([]int, error) // the department and all below it
	TagID(ctx context.Context, name string) (int, error)
	TagMembers(ctx context.Context, tagID int) (users []string, depts []int, err error)
	DeptMembers(ctx context.Context, deptID int) ([]string, error) // direct members of one department
}

// MaxExpanded bounds the userids one member list expands to: message/send takes 1,000 per call, and a role
// or team larger than that is a configuration mistake worth an error, not a flood.
const MaxExpanded = 1000

// ExpandMembers resolves member references (userid, "tag:NAME", "dept:ID" with sub-departments) to userids,
// in first-seen order without duplicates.
func ExpandMembers(ctx context.Context, dir Directory, refs []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(users ...string) error {
		for _, u := range users {
			if k := UserKey(u); !seen[k] {
				seen[k] = true
				out = append(out, u)
			}
		}
		if len(out) > MaxExpanded {
			return bot.Errorf(bot.EINVALID, "members expand to more than %d users", MaxExpanded)
		}
		return nil
	}
	addDept := func(id int) error {
		subs, err := dir.SubDepartments(ctx, id)
		if err != nil {
			return err
		}
		for _, d := range subs {
			users, err := dir.DeptMembers(ctx, d)
			if err != nil {
				return err
			}
			if err := add(users...); err != nil {
				return err
			}
		}
		return nil
	}
	for _, ref := range refs {
		kind, v, ok := strings.Cut(ref, ":")
		switch {
		case !ok:
			if err := add(ref); err != nil {
				return nil, err
			}
		case kind == "tag":
			id, err := dir.TagID(ctx, v)
			if err != nil {
				return nil, err
			}
			users, depts, err := dir.TagMembers(ctx, id)
			if err != nil {
				return nil, err
			}
			if err := add(users...); err != nil {
				return nil, err
			}
			for _, d := range depts {
				if err := addDept(d); err != nil {
					return nil, err
				}
			}
		case kind == "dept":
			id, err := strconv.Atoi(v)
			if err != nil {
				return nil, bot.Errorf(bot.EINVALID, "%q is not a department reference", ref)
			}
			if err := addDept(id); err != nil {
				return nil, err
			}
		default:
			return nil, bot.Errorf(bot.EINVALID, "%q: members are userids, tag:NAME or dept:ID", ref)
		}
	}
	return out, nil
}

// Role grants permissions to members.
type Role struct {
	Name    string
	Members []string // userid, "tag:NAME" or "dept:ID"
	Perms   []string
}

// Control decides who may do what. Admins and roles come from config.toml; membership through tags and
// departments is looked up in WeCom and cached for TTL.
type Control struct {
	dir Directory
	ttl time.Duration
	now func() time.Time

	mu     sync.Mutex
	admins []string // guarded by mu: Reload replaces them
	roles  []Role
	gen    int // bumped by Reload, so a lookup begun before it is not cached after it
	cache  map[string]cachedCaller
}

type cachedCaller struct {
	c  *Caller
	at time.Time
}

// UserIDRE matches a userid: 1–64 bytes of letters, digits and _-@., starting with a letter or digit
// (DOC/90195, 创建成员).
var UserIDRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$`)

// CheckRef checks one member reference of the config (a userid, "tag:NAME" or "dept:ID") and names where it
// is when it is wrong; haveDir says whether the WeCom directory that tags and departments need is there.
func CheckRef(where, m string, haveDir bool) error {
	kind, v, ok := strings.Cut(m, ":")
	switch {
	case !ok:
		if !UserIDRE.MatchString(m) {
			return fmt.Errorf("%s: %q is not a userid (letters, digits and _-@. only, at most 64 bytes, starting with a letter or digit: the account in WeCom's admin console, not the display name), tag:NAME or dept:ID", where, m)
		}
	case kind == "tag":
		if v == "" {
			return fmt.Errorf("%s: %q needs a tag name, like tag:安全管理员", where, m)
		}
	case kind == "dept":
		if n, err := strconv.Atoi(v); err != nil || n <= 0 {
			return fmt.Errorf("%s: %q needs a department id, like dept:3", where, m)
		}
	default:
		return fmt.Errorf("%s: %q: members are userids, tag:NAME or dept:ID", where, m)
	}
	if ok && !haveDir {
		return fmt.Errorf("%s: %q needs the WeCom directory", where, m)
	}
	return nil
}

// New checks the declarations and returns the access policy. dir may be nil when no member uses tag:
// or dept:.
func New(admins []string, roles []Role, dir Directory, ttl time.Duration) (*Control, error) {
	check := func(where, m string) error { return CheckRef(where, m, dir != nil) }
	for _, m := range admins {
		if err := check("access.admins", m); err != nil {
			return nil, err
		}
	}
	for _, r := range roles {
		for _, m := range r.Members {
			if err := check("access.roles."+r.Name+".members", m); err != nil {
				return nil, err
			}
		}
		for _, p := range r.Perms {
			if p != "*" && !ValidPerm(strings.TrimSuffix(p, ".*")) {
				return nil, fmt.Errorf("access.roles.%s.permissions: %q is not a permission pattern (like order.* or audit.read)", r.Name, p)
			}
		}
	}
	if ttl <= 0 {
		ttl = 5 * time.Minute
	}
	return &Control{admins: admins, roles: roles, dir: dir, ttl: ttl, now: time.Now, cache: map[string]cachedCaller{}}, nil
}

// Reload replaces the admins and roles (SIGHUP re-reads them from config.toml), checked as New checks them;
// on an error nothing changes. Cached answers are dropped, so the next message from each member sees the new
// roles.
func (a *Control) Reload(admins []string, roles []Role) error {
	if _, err := New(admins, roles, a.dir, a.ttl); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.admins, a.roles = admins, roles
	a.gen++
	clear(a.cache)
	return nil
}

// Forget drops every cached answer: an address-book change (a member removed from a tag, a department or the
// corp) takes effect on the member's next message instead of after the cache's TTL.
func (a *Control) Forget() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.gen++
	clear(a.cache)
}

// Cached returns the last answer for userID still in the cache, or nil (for what a member held before a change).
func (a *Control) Cached(userID string) *Caller {
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, ok := a.cache[UserKey(userID)]; ok {
		return c.c
	}
	return nil
}

// Granting returns what naming ref ("tag:NAME", "dept:ID" or a userid) in the config grants: "admin" when
// access.admins names it, and the names of the roles whose members name it.
func (a *Control) Granting(ref string) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	if slices.ContainsFunc(a.admins, func(m string) bool { return strings.EqualFold(m, ref) }) {
		out = append(out, "admin")
	}
	for _, r := range a.roles {
		if slices.ContainsFunc(r.Members, func(m string) bool { return strings.EqualFold(m, ref) }) {
			out = append(out, r.Name)
		}
	}
	return out
}

// Refs returns every tag: and dept: reference of the config (admins and roles), deduplicated.
func (a *Control) Refs() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	seen := map[string]bool{}
	var out []string
	add := func(ms []string) {
		for _, m := range ms {
			if strings.Contains(m, ":") && !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	add(a.admins)
	for _, r := range a.roles {
		add(r.Members)
	}
	return out
}

// TagID looks a tag's id up in the directory.
func (a *Control) TagID(ctx context.Context, name string) (int, error) { return a.dir.TagID(ctx, name) }

// Resolve returns the caller's roles and permissions. Explicit userids (in access.admins or a role's members)
// need no lookup and are granted even when WeCom cannot be reached; a role that needs a tag or department lookup
// that failed is not granted (deny by default), is named in Caller.Unchecked, and the error says why. Only a
// complete answer is cached.
func (a *Control) Resolve(ctx context.Context, userID string) (*Caller, error) {
	key := UserKey(userID)
	a.mu.Lock()
	if c, ok := a.cache[key]; ok && a.now().Sub(c.at) < a.ttl {
		a.mu.Unlock()
		if c.c.UserID == userID {
			return c.c, nil
		}
		cp := *c.c // the same member, spelt differently: answer with the caller's own spelling
		cp.UserID = userID
		return &cp, nil
	}
	admins, roles, gen := a.admins, a.roles, a.gen
	a.mu.Unlock()
	c := &Caller{UserID: userID}
	m := &membership{a: a, user: userID}
	var firstErr error
	isAdmin, err := m.anyOf(ctx, admins)
	if err != nil {
		firstErr = err
		c.Unchecked = append(c.Unchecked, "admin")
	}
	c.Admin = isAdmin
	for _, r := range roles {
		in, err := m.anyOf(ctx, r.Members)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			c.Unchecked = append(c.Unchecked, r.Name)
			continue
		}
		if in {
			c.Roles = append(c.Roles, r.Name)
			c.Perms = append(c.Perms, r.Perms...)
		}
	}
	sort.Strings(c.Perms)
	c.Perms = slices.Compact(c.Perms)
	if firstErr != nil {
		return c, firstErr
	}
	a.mu.Lock()
	if gen != a.gen { // reloaded meanwhile: this answer is for the old roles
		a.mu.Unlock()
		return c, nil
	}
	a.cache[key] = cachedCaller{c: c, at: a.now()}
	if len(a.cache) > 10000 { // bounded: a corp's members, at most; drop all rather than track ages
		clear(a.cache)
	}
	a.mu.Unlock()
	return c, nil
}

// membership answers "is the user one of these members" with at most one directory lookup per question.
type membership struct {
	a       *Control
	user    string
	depts   []int
	deptErr error
	got     bool
}

func (m *membership) userDepts(ctx context.Context) ([]int, error) {
	if !m.got {
		// A failure is remembered too: one Resolve asks WeCom once, not once per department role.
		m.depts, m.deptErr = m.a.dir.UserDepartments(ctx, m.user)
		m.got = true
	}
	return m.depts, m.deptErr
}

func (m *membership) inDept(ctx context.Context, dept int) (bool, error) {
	mine, err := m.userDepts(ctx)
	if err != nil {
		return false, err
	}
	sub, err := m.a.dir.SubDepartments(ctx, dept)
	if err != nil {
		return false, err
	}
	for _, d := range mine {
		if slices.Contains(sub, d) {
			return true, nil
		}
	}
	return false, nil
}

// anyOf reports whether the user is one of members. Explicit userids are checked first, without a lookup, so
// that a failing directory never locks out a member named outright; an error means no explicit userid matched
// and a lookup needed to decide failed.
func (m *membership) anyOf(ctx context.Context, members []string) (bool, error) {
	for _, ref := range members {
		if !strings.Contains(ref, ":") && SameUser(ref, m.user) {
			return true, nil
		}
	}
	for _, ref := range members {
		kind, v, ok := strings.Cut(ref, ":")
		switch {
		case !ok:
		case kind == "dept":
			id, _ := strconv.Atoi(v)
			in, err := m.inDept(ctx, id)
			if err != nil {
				return false, bot.Wrap(bot.EUNAVAILABLE, err, "cannot check department %d membership", id)
			}
			if in {
				return true, nil
			}
		case kind == "tag":
			id, err := m.a.dir.TagID(ctx, v)
			if err != nil {
				return false, bot.Wrap(bot.EUNAVAILABLE, err, "cannot look up tag %q", v)
			}
			users, depts, err := m.a.dir.TagMembers(ctx, id)
			if err != nil {
				return false, bot.Wrap(bot.EUNAVAILABLE, err, "cannot read tag %q", v)
			}
			if HasUser(users, m.user) {
				return true, nil
			}
			for _, d := range depts {
				in, err := m.inDept(ctx, d)
				if err != nil {
					return false, bot.Wrap(bot.EUNAVAILABLE, err, "cannot check tag %q membership", v)
				}
				if in {
					return true, nil
				}
			}
		}
	}
	return false, nil
}

var permRE = regexp.MustCompile(`^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$`)

// ValidPerm reports whether s is a permission name: dot-separated lower-case words ("order.approve").
func ValidPerm(s string) bool { return permRE.MatchString(s) }
