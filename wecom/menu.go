package wecom

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
)

// MenuService sets the app's menu (自定义菜单, menu/create): the buttons at the bottom of the app's chat.
type MenuService service

// Limits of menu/create: 1 to 3 buttons, each with up to 5 sub-buttons; a button's name at most 16 bytes,
// a sub-button's 40; a key at most 128 bytes, a URL 1024.
const (
	MaxMenuButtons    = 3
	MaxMenuSubButtons = 5
	MaxMenuName       = 16
	MaxMenuSubName    = 40
	MaxMenuKey        = 128
	MaxMenuURL        = 1024
)

// Menu is the app's menu.
type Menu struct {
	Button []MenuButton `json:"button"`
}

// MenuButton is one button: a click (its Key comes back in a click event), a view (opens URL), or, with
// SubButton, a parent that only opens its sub-buttons (and sends no event).
type MenuButton struct {
	Type      string       `json:"type,omitempty"` // "click" or "view"; empty for a parent
	Name      string       `json:"name"`
	Key       string       `json:"key,omitempty"`
	URL       string       `json:"url,omitempty"`
	SubButton []MenuButton `json:"sub_button,omitempty"`
}

// Check reports what WeCom would refuse in the menu.
func (m *Menu) Check() error {
	const op = "menu/create"
	if n := len(m.Button); n < 1 || n > MaxMenuButtons {
		return invalid(op, "button", fmt.Sprintf("%d buttons; 1 to %d", n, MaxMenuButtons))
	}
	for i, b := range m.Button {
		if err := b.check(op, fmt.Sprintf("button[%d]", i), MaxMenuName); err != nil {
			return err
		}
		if len(b.SubButton) > MaxMenuSubButtons {
			return invalid(op, fmt.Sprintf("button[%d].sub_button", i), fmt.Sprintf("%d sub-buttons; at most %d", len(b.SubButton), MaxMenuSubButtons))
		}
		for j, sb := range b.SubButton {
			if len(sb.SubButton) > 0 {
				return invalid(op, fmt.Sprintf("button[%d].sub_button[%d]", i, j), "menus have two levels only")
			}
			if err := sb.check(op, fmt.Sprintf("button[%d].sub_button[%d]", i, j), MaxMenuSubName); err != nil {
				return err
			}
		}
	}
	return nil
}

func (b MenuButton) check(op, where string, maxName int) error {
	switch {
	case b.Name == "" || len(b.Name) > maxName:
		return invalid(op, where+".name", fmt.Sprintf("%d bytes; 1 to %d", len(b.Name), maxName))
	case len(b.SubButton) > 0:
		return nil // a parent: its type is ignored
	case b.Type == "click" && (b.Key == "" || len(b.Key) > MaxMenuKey):
		return invalid(op, where+".key", fmt.Sprintf("%d bytes; 1 to %d", len(b.Key), MaxMenuKey))
	case b.Type == "view" && (b.URL == "" || len(b.URL) > MaxMenuURL):
		return invalid(op, where+".url", fmt.Sprintf("%d bytes; 1 to %d", len(b.URL), MaxMenuURL))
	case b.Type != "click" && b.Type != "view":
		return invalid(op, where+".type", fmt.Sprintf("%q; the bot uses click or view", b.Type))
	}
	return nil
}

// Create replaces the app's menu. agentID 0 is the client's own.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90231
//
//meta:operation POST /cgi-bin/menu/create
func (s *MenuService) Create(ctx context.Context, agentID int, m *Menu) error {
	if agentID == 0 {
		agentID = s.client.agentID
	}
	if err := m.Check(); err != nil {
		return err
	}
	return s.client.call(ctx, &request{method: "POST", path: "menu/create", query: url.Values{"agentid": {strconv.Itoa(agentID)}}, body: m}, nil)
}
