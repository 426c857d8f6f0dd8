package config

import (
	"fmt"
	"strings"
)

// Menu is the app's menu (the buttons at the bottom of its chat), which `wecombot menu sync` sets in WeCom: each
// button runs a command for the member who taps it, as if they had typed it. Without a [menu] section the
// default is 待我审批, 安全 (安全告警, 设备) and 帮助.
type Menu struct {
	Button []MenuButton `toml:"button"`
}

// MenuButton is a button that runs Command, or (with Sub) a group of up to 5 that do.
type MenuButton struct {
	Name    string       `toml:"name"`
	Command string       `toml:"command"`
	Sub     []MenuButton `toml:"sub"`
}

// DefaultMenu is the menu without a [menu] section.
var DefaultMenu = Menu{Button: []MenuButton{
	{Name: "待我审批", Command: "/order list"},
	{Name: "安全", Sub: []MenuButton{{Name: "安全告警", Command: "/alerts"}, {Name: "设备", Command: "/devices pending"}}},
	{Name: "帮助", Command: "/help"},
}}

// Buttons returns the menu in force: the configured one, or DefaultMenu.
func (m Menu) Buttons() []MenuButton {
	if len(m.Button) == 0 {
		return DefaultMenu.Button
	}
	return m.Button
}

// validate checks what WeCom's menu/create would refuse (1–3 buttons, 5 sub-buttons, names of 16 and 40 bytes)
// and that every leaf names a command line.
func (m Menu) validate() []error {
	if len(m.Button) == 0 {
		return nil
	}
	var errs []error
	if len(m.Button) > 3 {
		errs = append(errs, fmt.Errorf("menu.button: %d buttons; WeCom takes 1 to 3 (group more under one with sub)", len(m.Button)))
	}
	for i, b := range m.Button {
		where := fmt.Sprintf("menu.button[%d]", i)
		if b.Name == "" || len(b.Name) > 16 {
			errs = append(errs, fmt.Errorf("%s.name: %q is %d bytes; WeCom takes 1 to 16 (5 Chinese characters)", where, b.Name, len(b.Name)))
		}
		if len(b.Sub) > 5 {
			errs = append(errs, fmt.Errorf("%s.sub: %d buttons; WeCom takes at most 5", where, len(b.Sub)))
		}
		if len(b.Sub) == 0 && !strings.HasPrefix(b.Command, "/") {
			errs = append(errs, fmt.Errorf("%s.command: %q must be a command line, like \"/order list\"", where, b.Command))
		}
		if len(b.Sub) > 0 && b.Command != "" {
			errs = append(errs, fmt.Errorf("%s: a button with sub buttons only opens them; move its command to a sub button", where))
		}
		for j, sb := range b.Sub {
			w := fmt.Sprintf("%s.sub[%d]", where, j)
			if sb.Name == "" || len(sb.Name) > 40 {
				errs = append(errs, fmt.Errorf("%s.name: %q is %d bytes; WeCom takes 1 to 40", w, sb.Name, len(sb.Name)))
			}
			if !strings.HasPrefix(sb.Command, "/") || len(sb.Sub) > 0 {
				errs = append(errs, fmt.Errorf("%s.command: %q must be a command line, like \"/alerts\" (menus have two levels)", w, sb.Command))
			}
		}
	}
	return errs
}
