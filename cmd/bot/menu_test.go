package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/wecom/emulator"
)

// TestMenu_syncAndTap: bot menu sync sets the default menu in WeCom (the emulator checks it as WeCom would); a
// tap on a button runs its command for that member, with the member's own permissions; a key no button has
// any more is answered, not guessed at.
func TestMenu_syncAndTap(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	path := writeConfigFile(t, s.cfg, filepath.Join(t.TempDir(), "other.db"), "")
	out, err := runCmd(t, "menu", "sync", "--config", path)
	if err != nil || !strings.Contains(out, "menu set for agent") || !strings.Contains(out, "menu:1.1 → /devices pending") {
		t.Fatalf("bot menu sync: %v\n%s", err, out)
	}
	var menu struct {
		Button []struct {
			Name      string `json:"name"`
			Key       string `json:"key"`
			SubButton []struct {
				Name, Key string
			} `json:"sub_button"`
		} `json:"button"`
	}
	if err := json.Unmarshal(s.emu.Menu(), &menu); err != nil || len(menu.Button) != 3 || menu.Button[0].Name != "待我审批" ||
		len(menu.Button[1].SubButton) != 2 || menu.Button[1].SubButton[1].Key != "menu:1.1" {
		t.Fatalf("the emulator's menu = %s (%v)", s.emu.Menu(), err)
	}
	tap := func(user, key string) []string {
		t.Helper()
		before := len(s.emu.Delivered(user))
		s.control(t, "event", map[string]any{"from": user, "event": "click", "event_key": key})
		waitFor(t, 10*time.Second, "the answer to "+key, func() bool { return len(s.emu.Delivered(user)) > before })
		return s.contents(user)[before:]
	}
	if got := tap("zhangsan", "menu:1.1"); !contains(got, "awaiting an admin's decision") {
		t.Fatalf("zhangsan's 设备 tap = %q; want /devices pending's answer", got)
	}
	if got := tap("lisi", "menu:0"); !contains(got, "not allowed to run /order list") {
		t.Fatalf("lisi's 待我审批 tap = %q; want the refusal a typed /order list gets", got)
	}
	if got := tap("zhangsan", "menu:9"); !contains(got, "out of date") {
		t.Fatalf("an unknown key = %q; want it called out of date", got)
	}
}
