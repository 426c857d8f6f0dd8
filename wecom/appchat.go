package wecom

import (
	"context"
	"fmt"
	"net/url"
	"unicode/utf8"
)

// AppChatService manages group chats created by the app (应用发送消息到群聊会话) and sends messages to them. Only
// a self-built app whose visibility is the root department may use it, and only for chats it created itself
// (errcode 86008 otherwise).
type AppChatService service

// Limits of appchat/create.
const (
	MinChatMembers   = 2
	MaxChatMembers   = 2000
	MaxChatIDChars   = 32
	MaxChatNameRunes = 50
)

type appChatSendRequest struct {
	ChatID   string    `json:"chatid"`
	MsgType  MsgType   `json:"msgtype"`
	Text     *Text     `json:"text,omitempty"`
	Markdown *Markdown `json:"markdown,omitempty"`
	TextCard *TextCard `json:"textcard,omitempty"`
	File     *File     `json:"file,omitempty"`
	Safe     int       `json:"safe,omitempty"`
}

// Send sends a text, markdown or text card message to a chat the app created. Template cards are not
// supported by appchat/send; msg's recipients must be empty (the chat is the recipient). Each member receives
// at most 200 messages a minute and 10,000 a day from one app; WeCom drops the excess silently.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90248
//
//meta:operation POST /cgi-bin/appchat/send
func (s *AppChatService) Send(ctx context.Context, chatID string, msg *Message) error {
	const op = "appchat/send"
	if err := required(op, "chatid", chatID); err != nil {
		return err
	}
	if msg == nil {
		return invalid(op, "message", "required")
	}
	typ, err := msg.validate(op, false, false)
	if err != nil {
		return err
	}
	req := &appChatSendRequest{
		ChatID:   chatID,
		MsgType:  typ,
		Text:     msg.Text,
		Markdown: msg.Markdown,
		TextCard: msg.TextCard,
		File:     msg.File,
		Safe:     boolInt(msg.Safe),
	}
	return s.client.post(ctx, op, req, nil)
}

// CreateChatRequest creates a group chat. Owner may be empty (WeCom picks one of UserList); ChatID may be
// empty (WeCom generates one).
type CreateChatRequest struct {
	Name     string   `json:"name,omitempty"`   // ≤50 characters
	Owner    string   `json:"owner,omitempty"`  // a userid in UserList
	UserList []string `json:"userlist"`         // 2..2000 userids
	ChatID   string   `json:"chatid,omitempty"` // ≤32 of [0-9a-zA-Z]
}

// Create creates a group chat and returns its chatid. WeCom allows 1,000 new chats a day per corp.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90245
//
//meta:operation POST /cgi-bin/appchat/create
func (s *AppChatService) Create(ctx context.Context, r *CreateChatRequest) (string, error) {
	const op = "appchat/create"
	if r == nil {
		return "", invalid(op, "request", "required")
	}
	if err := checkCount(op, "userlist", len(r.UserList), MinChatMembers, MaxChatMembers); err != nil {
		return "", err
	}
	if n := utf8.RuneCountInString(r.Name); n > MaxChatNameRunes {
		return "", invalid(op, "name", fmt.Sprintf("%d characters, over WeCom's %d (it would be truncated)", n, MaxChatNameRunes))
	}
	if len(r.ChatID) > MaxChatIDChars {
		return "", invalid(op, "chatid", fmt.Sprintf("%d characters, over WeCom's %d", len(r.ChatID), MaxChatIDChars))
	}
	for _, c := range r.ChatID {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return "", invalid(op, "chatid", fmt.Sprintf("character %q not allowed; use [0-9a-zA-Z]", c))
		}
	}
	var out struct {
		ChatID string `json:"chatid"`
	}
	if err := s.client.post(ctx, op, r, &out); err != nil {
		return "", err
	}
	return out.ChatID, nil
}

// Chat is a group chat created by the app.
type Chat struct {
	ChatID   string   `json:"chatid"`
	Name     string   `json:"name"`
	Owner    string   `json:"owner"`
	UserList []string `json:"userlist"`
	ChatType int      `json:"chat_type"` // 0 ordinary group, 1 class group (课程群)
}

// Get fetches a group chat the app created.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/98914
//
//meta:operation GET /cgi-bin/appchat/get
func (s *AppChatService) Get(ctx context.Context, chatID string) (*Chat, error) {
	const op = "appchat/get"
	if err := required(op, "chatid", chatID); err != nil {
		return nil, err
	}
	var out struct {
		ChatInfo Chat `json:"chat_info"`
	}
	if err := s.client.get(ctx, op, url.Values{"chatid": {chatID}}, &out); err != nil {
		return nil, err
	}
	return &out.ChatInfo, nil
}
