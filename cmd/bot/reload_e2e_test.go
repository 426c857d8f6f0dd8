package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/config"
	"github.com/wecombot/wecombot/wecom/emulator"
	"github.com/wecombot/wecombot/wecom/wecomtest"
)

// TestReload_rolesApproversAlertsWithoutRestart: a reload (SIGHUP in wecombot serve) changes who may do what and
// who approves, keeps the old settings of a part whose new ones are invalid, and says that the rest needs a
// restart instead of half-applying it.
func TestReload_rolesApproversAlertsWithoutRestart(t *testing.T) {
	t.Parallel()
	s := startStackWith(t, emulator.Options{}, approvalsTOML, nil)
	if got := s.say(t, "wangwu", "/audit"); !contains(got, "not allowed to run /audit") {
		t.Fatalf("before: %q; want wangwu refused", got)
	}
	next := *s.cfg
	next.Access.Admins = []string{"zhangsan", "wangwu"}
	next.Approvals.Approvers = []string{"zhaoliu"}
	if err := s.app.reload(&next); err != nil {
		t.Fatalf("reload: %v", err)
	}
	if got := s.say(t, "wangwu", "/audit"); contains(got, "not allowed") {
		t.Fatalf("after: %q; want wangwu, now an admin, allowed", got)
	}
	// A new application goes to the new approver only.
	id := s.apply(t, "lisi", 1, "after reload")
	waitFor(t, 10*time.Second, "the card", func() bool { return s.card(t, "zhaoliu", id) != "" })
	if c := s.card(t, "zhangsan", id); c != "" {
		t.Fatalf("zhangsan, no longer an approver, got the card %s", c)
	}

	// Invalid roles: access keeps what it had, and the error names the part.
	bad := next
	bad.Access.Admins = []string{"wangwu", "tag:"}
	if err := s.app.reload(&bad); err == nil || !strings.Contains(err.Error(), "access:") {
		t.Fatalf("reload with a bad admin: %v; want an access error", err)
	}
	if got := s.say(t, "wangwu", "/audit"); contains(got, "not allowed") {
		t.Fatalf("after a refused reload: %q; want the previous roles kept", got)
	}
	// What needs a restart is reported, not applied; the alerts' interval too.
	other := next
	other.Callback.Token = "AnotherToken1"
	other.Alerts.Interval = config.Duration{Duration: time.Hour}
	err := s.app.reload(&other)
	if err == nil || !strings.Contains(err.Error(), "[callback] changed: restart") || !strings.Contains(err.Error(), "alerts.interval changed") {
		t.Fatalf("reload with a new token: %v; want it reported as needing a restart", err)
	}
}

// TestReload_onSignal: reloadOn applies the config each time the signal arrives, and keeps running when the
// file cannot be read.
func TestReload_onSignal(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	sigs := make(chan os.Signal, 1)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	loads := make(chan *config.Config, 2)
	go s.app.reloadOn(ctx, sigs, func() (*config.Config, error) {
		c := <-loads
		if c == nil {
			return nil, os.ErrNotExist
		}
		return c, nil
	})
	loads <- nil // an unreadable file first: nothing changes, the loop goes on
	sigs <- syscall.SIGHUP
	next := *s.cfg
	next.Access.Admins = []string{"zhangsan", "sunqi"}
	loads <- &next
	sigs <- syscall.SIGHUP
	waitFor(t, 10*time.Second, "the reload", func() bool { return !contains(s.say(t, "sunqi", "/audit"), "not allowed") })
}

// TestConfig_unknownPermissionRefused: a role permission that grants no command (a typo) stops the bot at
// start, naming it, with a suggestion and the list; a reload with one is refused and changes nothing.
func TestConfig_unknownPermissionRefused(t *testing.T) {
	t.Parallel()
	emu := wecomtest.NewServer(t, emulator.Options{})
	cfg := testConfigExtra(t, "127.0.0.1:0", emu.URL, filepath.Join(t.TempDir(), "bot.db"), "")
	cfg.Access.Roles["approvers"] = config.Role{Members: []string{"tag:审批人"}, Permissions: []string{"order.aprove"}}
	_, err := newApp(cfg, slog.New(slog.DiscardHandler), nil)
	if err == nil || !strings.Contains(err.Error(), `access.roles.approvers.permissions: "order.aprove" grants no command (did you mean order.approve?)`) {
		t.Fatalf("newApp with a misspelt permission: %v", err)
	}
	s := startStack(t, emulator.Options{}, nil)
	next := *s.cfg
	next.Access.Roles = map[string]config.Role{"x": {Members: []string{"wangwu"}, Permissions: []string{"audit.reed"}}}
	if err := s.app.reload(&next); err == nil || !strings.Contains(err.Error(), "audit.reed") {
		t.Fatalf("reload with a misspelt permission: %v", err)
	}
	if got := s.say(t, "wangwu", "/audit"); !contains(got, "not allowed") {
		t.Fatalf("after a refused reload wangwu got %q; want the old roles (none)", got)
	}
}
