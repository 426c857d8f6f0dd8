package alerts

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/config"
)

// fakeDir is a directory: tag 安全管理员 = zhangsan + department 3; department 3 has 6 below it.
type fakeDir struct {
	calls int
	fail  bool
}

func (d *fakeDir) err() error {
	d.calls++
	if d.fail {
		return errors.New("WeCom is down")
	}
	return nil
}

func (d *fakeDir) UserDepartments(ctx context.Context, userID string) ([]int, error) {
	return nil, d.err()
}
func (d *fakeDir) SubDepartments(ctx context.Context, dept int) ([]int, error) {
	if dept == 3 {
		return []int{3, 6}, d.err()
	}
	return []int{dept}, d.err()
}
func (d *fakeDir) TagID(ctx context.Context, name string) (int, error) { return 1, d.err() }
func (d *fakeDir) TagMembers(ctx context.Context, id int) ([]string, []int, error) {
	return []string{"zhangsan"}, []int{3}, d.err()
}
func (d *fakeDir) DeptMembers(ctx context.Context, dept int) ([]string, error) {
	return map[int][]string{3: {"wujiu", "zhangsan"}, 6: {"sunqi"}}[dept], d.err()
}

func TestTeams(t *testing.T) {
	t.Parallel()
	dir := &fakeDir{}
	now := time.Unix(1_700_000_000, 0)
	tm := &teams{cfg: map[string]config.Team{"secops": {Members: []string{"lisi", "tag:安全管理员"}}, "solo": {Members: []string{"lisi"}}},
		dir: dir, now: func() time.Time { return now }, log: slog.New(slog.DiscardHandler), cache: map[string]resolvedTeam{}}
	users, err := tm.members(t.Context(), "secops")
	if err != nil || !slices.Equal(users, []string{"lisi", "zhangsan", "wujiu", "sunqi"}) {
		t.Fatalf("members = %v, %v; want lisi, the tag's user and its department with sub-departments", users, err)
	}
	calls := dir.calls
	if _, err := tm.members(t.Context(), "secops"); err != nil || dir.calls != calls {
		t.Fatalf("second lookup within the TTL asked WeCom again (%d calls)", dir.calls-calls)
	}
	// After the TTL WeCom is asked again; when it fails, the last known members are used.
	now = now.Add(teamTTL + time.Second)
	dir.fail = true
	if users, err := tm.members(t.Context(), "secops"); err != nil || len(users) != 4 || dir.calls == calls {
		t.Fatalf("stale lookup = %v, %v", users, err)
	}
	// A team never resolved has nothing to fall back on.
	tm.cfg["new"] = config.Team{Members: []string{"dept:3"}}
	if _, err := tm.members(t.Context(), "new"); err == nil {
		t.Fatal("an unresolvable new team gave no error")
	}
	// Plain userids need no directory.
	if users, err := tm.members(t.Context(), "solo"); err != nil || !slices.Equal(users, []string{"lisi"}) {
		t.Fatalf("solo = %v, %v", users, err)
	}
}

func TestCheckTeams(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		team config.Team
		dir  bool
		want string
	}{
		{config.Team{Members: []string{"li si"}}, true, "not a userid"},
		{config.Team{Members: []string{"tag:"}}, true, "tag name"},
		{config.Team{Members: []string{"dept:x"}}, true, "department id"},
		{config.Team{Members: []string{"group:1"}}, true, "members are"},
		{config.Team{Members: []string{"dept:3"}}, false, "directory"},
		{config.Team{Chat: "bad-chat!"}, true, "not a chat id"},
		{config.Team{Members: []string{"lisi", "tag:值班", "dept:3"}, Chat: "wrSecOps01"}, true, ""},
	} {
		err := checkTeams(map[string]config.Team{"t": tt.team}, tt.dir)
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("checkTeams(%+v) = %v; want %q", tt.team, err, tt.want)
		}
	}
}

func TestParseKey(t *testing.T) {
	t.Parallel()
	for key, want := range map[string]string{
		"alert:ack:12":                      "ack 12",
		"alert:silence:new-device-login":    "silence new-device-login",
		"alert:silence:":                    "",
		"alert:mute:x":                      "",
		"approval:ack:1":                    "",
		"alert:ack":                         "",
		"alert:silence:a:b":                 "silence a:b",
		"alert:ack:99999999999999999999999": "ack 99999999999999999999999", // rejected later as a bad id
	} {
		a, arg, ok := parseKey(key)
		got := ""
		if ok {
			got = a + " " + arg
		}
		if got != want {
			t.Errorf("parseKey(%q) = %q; want %q", key, got, want)
		}
	}
}
