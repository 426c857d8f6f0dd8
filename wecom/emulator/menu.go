package emulator

// The app menu: menu/create (自定义菜单, DOC/90231), as in the client's wecom/menu.go. Limits from the
// 企业号 menu docs WeCom inherited: 1–3 buttons, 5 sub-buttons each, names 16/40 bytes, keys 128 bytes, URLs
// 1024; the errcodes are those of the menu API family (40016–40027; docs/wecom-notes.md).

import (
	"encoding/json"
	"strconv"
)

const (
	codeMenuButtonCount  = 40016 // 不合法的按钮个数
	codeMenuButtonType   = 40017 // 不合法的按钮类型
	codeMenuButtonName   = 40018 // 不合法的按钮名字长度
	codeMenuButtonKey    = 40019 // 不合法的按钮KEY长度
	codeMenuButtonURL    = 40020 // 不合法的按钮URL长度
	codeMenuSubCount     = 40023 // 不合法的子菜单按钮个数
	codeMenuSubName      = 40025 // 不合法的子菜单按钮名字长度
	menuTop, menuSub     = 3, 5
	menuName, menuSubLen = 16, 40
)

type menuButton struct {
	Type      string       `json:"type"`
	Name      string       `json:"name"`
	Key       string       `json:"key"`
	URL       string       `json:"url"`
	SubButton []menuButton `json:"sub_button"`
}

// routesMenu registers menu/create.
func (s *Server) routesMenu() {
	s.handle("POST", "menu/create", s.menuCreate)
}

// Menu returns the menu the app set last (nil before any), as JSON, for tests and the demo.
func (s *Server) Menu() json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.menu
}

func (s *Server) menuCreate(c *apiCall) (obj, *apiError) {
	id, err := strconv.Atoi(c.query("agentid"))
	if err != nil || id <= 0 {
		return nil, errf(codeInvalidAgentID, "invalid agentid %q", c.query("agentid"))
	}
	if aerr := s.checkAgent(&id); aerr != nil {
		return nil, aerr
	}
	var req struct {
		Button []menuButton `json:"button"`
	}
	if aerr := c.decode(&req); aerr != nil {
		return nil, aerr
	}
	if n := len(req.Button); n < 1 || n > menuTop {
		return nil, errf(codeMenuButtonCount, "invalid button size: %d buttons, 1 to %d", n, menuTop)
	}
	for _, b := range req.Button {
		if b.Name == "" || len(b.Name) > menuName {
			return nil, errf(codeMenuButtonName, "invalid button name size: %q is %d bytes, at most %d", b.Name, len(b.Name), menuName)
		}
		if len(b.SubButton) > 0 {
			if len(b.SubButton) > menuSub {
				return nil, errf(codeMenuSubCount, "invalid sub button size: %d, at most %d", len(b.SubButton), menuSub)
			}
			for _, sb := range b.SubButton {
				if sb.Name == "" || len(sb.Name) > menuSubLen {
					return nil, errf(codeMenuSubName, "invalid sub button name size: %q is %d bytes, at most %d", sb.Name, len(sb.Name), menuSubLen)
				}
				if aerr := checkMenuAction(sb); aerr != nil {
					return nil, aerr
				}
			}
			continue
		}
		if aerr := checkMenuAction(b); aerr != nil {
			return nil, aerr
		}
	}
	s.mu.Lock()
	s.menu = append(json.RawMessage(nil), c.body...)
	s.mu.Unlock()
	return obj{}, nil
}

func checkMenuAction(b menuButton) *apiError {
	switch b.Type {
	case "click":
		if b.Key == "" || len(b.Key) > 128 {
			return errf(codeMenuButtonKey, "invalid button key size: %d bytes, 1 to 128", len(b.Key))
		}
	case "view":
		if b.URL == "" || len(b.URL) > 1024 {
			return errf(codeMenuButtonURL, "invalid button url size: %d bytes, 1 to 1024", len(b.URL))
		}
	case "scancode_push", "scancode_waitmsg", "pic_sysphoto", "pic_photo_or_album", "pic_weixin", "location_select", "view_miniprogram":
		if b.Key == "" && b.Type != "view_miniprogram" {
			return errf(codeMenuButtonKey, "invalid button key size: %s needs a key", b.Type)
		}
	default:
		return errf(codeMenuButtonType, "invalid button type %q", b.Type)
	}
	return nil
}
