package main

import (
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/config"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom/emulator"
	"github.com/wecombot/wecombot/wecom/wecomtest"
)

// Contact changes (issue 14): a change_contact event drops the cached roles at once and tells the security
// team when a role is granted or taken.

func countContaining(msgs []string, sub string) int {
	n := 0
	for _, m := range msgs {
		if strings.Contains(m, sub) {
			n++
		}
	}
	return n
}

func TestContacts_roleByTagFollowsTheAddressBookAtOnce(t *testing.T) {
	t.Parallel()
	s := startStackFull(t, emulator.Options{}, alertsTOML, func(cfg *config.Config, _ *wecomtest.Server) {
		cfg.Access.CacheTTL = config.Duration{Duration: time.Hour} // the cache alone would keep an answer an hour
	}, nil)
	// lisi holds no role: refused, and the refusal is cached.
	if got := s.say(t, "lisi", "/devices pending"); !contains(got, "not allowed") {
		t.Fatalf("lisi before any change: %q; want refused", got)
	}
	// An admin adds lisi to the 安全管理员 tag (the security role): WeCom pushes update_tag.
	s.control(t, "tag-members", map[string]any{"tag_id": 1, "add": []string{"lisi"}})
	waitFor(t, 10*time.Second, "the notice of the addition", func() bool { return countContaining(s.contents("zhangsan"), "was added to the tag") == 1 })
	if got := s.say(t, "lisi", "/devices pending"); contains(got, "not allowed") {
		t.Fatalf("lisi added to the security tag is still refused: %q", got)
	}
	// Removed again: refused on the very next message, not an hour later.
	ev, err := s.emu.ChangeTagMembers(1, nil, []string{"lisi"})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // WeCom redelivers: acted on once
		if res, err := s.emu.Deliver(t.Context(), ev); err != nil || res.Status != 200 {
			t.Fatalf("deliver update_tag: %+v %v", res, err)
		}
	}
	waitFor(t, 10*time.Second, "the notice of the removal", func() bool {
		return countContaining(s.contents("zhangsan"), "removed from the tag") == 1
	})
	if got := s.say(t, "lisi", "/devices pending"); !contains(got, "not allowed") {
		t.Fatalf("lisi after losing the tag: %q; want refused on this very message", got)
	}
	time.Sleep(200 * time.Millisecond) // a second notice, from the redelivery, would have arrived by now
	if n := countContaining(s.contents("zhangsan"), "removed from the tag"); n != 1 {
		t.Fatalf("zhangsan got %d notices of one change; want 1", n)
	}
	notice := s.contents("wujiu")
	if countContaining(notice, "李四 (`lisi`)") == 0 || countContaining(notice, "安全管理员") == 0 || countContaining(notice, "security") == 0 {
		t.Fatalf("the notice does not name 李四 (lisi), the tag and the role: %q", notice)
	}
	if rows, _ := s.app.db.ListAudit(t.Context(), db.AuditFilter{Actor: "sys", Command: "change_contact"}); len(rows) != 2 {
		t.Fatalf("the two changes in the trail: %+v", rows)
	}
}

func TestContacts_adminDeletedIsReported(t *testing.T) {
	t.Parallel()
	s := startStackFull(t, emulator.Options{}, alertsTOML, nil, nil)
	s.say(t, "zhangsan", "/whoami") // zhangsan's roles are cached: admin
	s.control(t, "delete-user", map[string]any{"userid": "zhangsan"})
	waitFor(t, 10*time.Second, "the notice", func() bool { return countContaining(s.contents("lisi"), "deleted from the organisation") == 1 })
	if n := s.contents("lisi"); countContaining(n, "admin") == 0 {
		t.Fatalf("the notice does not say zhangsan held admin: %q", n)
	}
	// A change to the tag the approvers role names is reported too.
	before := len(s.contents("lisi"))
	s.control(t, "tag-members", map[string]any{"tag_id": 2, "add": []string{"wangwu"}}) // 审批人: the approvers role
	waitFor(t, 10*time.Second, "the approvers notice", func() bool { return len(s.contents("lisi")) > before })
}

// TestContacts_roleByDepartmentFollowsTheAddressBook: the security role names dept:3 (安全部). A member moved
// into it gains the role on their next message and the security team is told; moved out, they are refused
// on their next message; a member created in it is reported as holding the role.
func TestContacts_roleByDepartmentFollowsTheAddressBook(t *testing.T) {
	t.Parallel()
	s := startStackFull(t, emulator.Options{}, alertsTOML, func(cfg *config.Config, _ *wecomtest.Server) {
		cfg.Access.CacheTTL = config.Duration{Duration: time.Hour}
	}, nil)
	if got := s.say(t, "sunqi", "/devices pending"); !contains(got, "not allowed") { // 研发部: no role, cached
		t.Fatalf("sunqi before any change: %q; want refused", got)
	}
	s.control(t, "move-user", map[string]any{"userid": "sunqi", "department": []int{3}})
	waitFor(t, 10*time.Second, "the notice of the move", func() bool {
		return countContaining(s.contents("wujiu"), "孙七 (`sunqi`) moved in the address book: their roles are now `alert-readers, security`") == 1
	})
	if got := s.say(t, "sunqi", "/devices pending"); contains(got, "not allowed") {
		t.Fatalf("sunqi moved into 安全部 is still refused: %q", got)
	}
	s.control(t, "move-user", map[string]any{"userid": "sunqi", "department": []int{2}})
	waitFor(t, 10*time.Second, "the notice of the move back", func() bool {
		return countContaining(s.contents("wujiu"), "their roles are now `alert-readers`") == 1
	})
	if got := s.say(t, "sunqi", "/devices pending"); !contains(got, "not allowed") {
		t.Fatalf("sunqi moved out of 安全部: %q; want refused on this very message", got)
	}
	// A member moved between departments that grant nothing is not worth a notice.
	before := len(s.contents("wujiu"))
	s.control(t, "move-user", map[string]any{"userid": "wangwu", "department": []int{2}})
	s.control(t, "create-user", map[string]any{"userid": "liuyi", "name": "刘一", "department": []int{3}})
	waitFor(t, 10*time.Second, "the notice of the new member", func() bool {
		return countContaining(s.contents("wujiu"), "刘一 (`liuyi`) joined the organisation and holds `security`") == 1
	})
	if got := s.contents("wujiu")[before:]; len(got) != 1 {
		t.Fatalf("notices after moving wangwu and creating liuyi: %q; want only liuyi's", got)
	}
	if got := s.say(t, "liuyi", "/devices pending"); contains(got, "not allowed") {
		t.Fatalf("liuyi, created in 安全部: %q; want the security role", got)
	}
}

// TestContacts_departmentMovedOrDeleted: a department moved under one the access config names gives its
// members that role at once, and the security team is told; moved back, they lose it on their next message;
// a department the config names, deleted, is reported so config.toml can be fixed.
func TestContacts_departmentMovedOrDeleted(t *testing.T) {
	t.Parallel()
	s := startStackFull(t, emulator.Options{}, alertsTOML, func(cfg *config.Config, _ *wecomtest.Server) {
		cfg.Access.CacheTTL = config.Duration{Duration: time.Hour}
	}, nil)
	if got := s.say(t, "wangwu", "/devices pending"); !contains(got, "not allowed") { // 平台组 (5), under 研发部
		t.Fatalf("wangwu before any change: %q; want refused", got)
	}
	s.control(t, "move-department", map[string]any{"id": 5, "parent_id": 3}) // under 安全部: dept:3 grants security
	waitFor(t, 10*time.Second, "the notice of the move", func() bool {
		return countContaining(s.contents("wujiu"), "Department `dept:5` is now under department `dept:3`, which grants `security`") == 1
	})
	if got := s.say(t, "wangwu", "/devices pending"); contains(got, "not allowed") {
		t.Fatalf("wangwu, whose department is now under 安全部: %q; want the security role", got)
	}
	s.control(t, "move-department", map[string]any{"id": 5, "parent_id": 2})
	// The move back tells nobody (the event names only the new parent), so wait for the bot to have handled
	// the event: the member's message and WeCom's event are handled side by side, and "the next message" is
	// the one after the bot learned of the change.
	waitFor(t, 10*time.Second, "the move-back event handled", func() bool {
		c, err := s.app.db.InboxCounts(t.Context())
		return err == nil && c["pending"] == 0 && c["working"] == 0
	})
	if got := s.say(t, "wangwu", "/devices pending"); !contains(got, "not allowed") {
		t.Fatalf("wangwu after the department moved back: %q; want refused on this very message", got)
	}
	// 人事部 (dept:4, the hr role) emptied and deleted.
	for _, u := range []string{"zhaoliu", "zhouba"} {
		s.control(t, "move-user", map[string]any{"userid": u, "department": []int{2}})
	}
	s.control(t, "delete-department", map[string]any{"id": 4})
	waitFor(t, 10*time.Second, "the notice of the deletion", func() bool {
		return countContaining(s.contents("wujiu"), "Department `dept:4`, which the access config names for `hr`, was deleted") == 1
	})
	if st, body := s.controlStatus(t, "delete-department", map[string]any{"id": 3}); st != 400 || !strings.Contains(body, "members") {
		t.Fatalf("deleting 安全部, which has members: %d %s; want refused as WeCom refuses it", st, body)
	}
}
