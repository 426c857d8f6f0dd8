package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/wecom/emulator"
)

// TestMenu_syncAndTap: wecombot menu sync sets the default menu in WeCom (the emulator checks it as WeCom would); a
// tap on a button runs its command for that member, with the member's own permissions; a key no button has
// any more is answered, not guessed at.
func TestMenu_syncAndTap(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	path := writeConfigFile(t, s.cfg, filepath.Join(t.TempDir(), "other.db"), "")
	out, err := runCmd(t, "menu", "sync", "--config", path)
	if err != nil || !strings.Contains(out, "menu set for agent") || !strings.Contains(out, "menu:1.1 → /devices pending") {
		t.Fatalf("wecombot menu sync: %v\n%s", err, out)
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

// TestMenu_greeting: a member who opens the app gets one card with the menu's actions they may run (an admin
// all four, lisi only 帮助); its buttons run their commands. (Once a day: TestGreet in db.)
func TestMenu_greeting(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	enter := func(user string) {
		t.Helper()
		s.control(t, "event", map[string]any{"from": user, "event": "enter_agent"})
	}
	buttons := func(user string) (task string, names []string) {
		for _, m := range s.emu.Delivered(user) {
			if m.MsgType != "template_card" {
				continue
			}
			var b struct {
				Card struct {
					TaskID  string `json:"task_id"`
					Buttons []struct {
						Text, Key string
					} `json:"button_list"`
				} `json:"template_card"`
			}
			json.Unmarshal(m.Body, &b)
			if strings.HasPrefix(b.Card.TaskID, "hi-") {
				task, names = b.Card.TaskID, nil
				for _, x := range b.Card.Buttons {
					names = append(names, x.Text+"="+x.Key)
				}
			}
		}
		return task, names
	}
	enter("zhangsan")
	waitFor(t, 10*time.Second, "the greeting", func() bool { task, _ := buttons("zhangsan"); return task != "" })
	task, got := buttons("zhangsan")
	if strings.Join(got, " ") != "待我审批=menu:0 安全告警=menu:1.0 设备=menu:1.1 帮助=menu:2" {
		t.Fatalf("zhangsan's greeting buttons = %q", got)
	}
	enter("lisi")
	waitFor(t, 10*time.Second, "lisi's greeting", func() bool { task, _ := buttons("lisi"); return task != "" })
	if _, got := buttons("lisi"); strings.Join(got, " ") != "帮助=menu:2" {
		t.Fatalf("lisi's greeting buttons = %q; want only what lisi may run", got)
	}
	before := len(s.emu.Delivered("zhangsan"))
	s.control(t, "event", map[string]any{"from": "zhangsan", "event": "template_card_event", "event_key": "menu:2",
		"task_id": task, "card_type": "button_interaction"})
	waitFor(t, 10*time.Second, "the help", func() bool { return contains(s.contents("zhangsan")[before:], "Commands you can run") })
}
