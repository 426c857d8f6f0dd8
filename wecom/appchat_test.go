package wecom

import (
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAppChatSend(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		msg  *Message
		body string
	}{
		{"text", &Message{Text: &Text{Content: "hello"}},
			`{"chatid":"CHATID","msgtype":"text","text":{"content":"hello"}}`},
		{"safe markdown", &Message{Markdown: &Markdown{Content: "**x**"}, Safe: true},
			`{"chatid":"CHATID","msgtype":"markdown","markdown":{"content":"**x**"},"safe":1}`},
		{"textcard", &Message{TextCard: &TextCard{Title: "T", Description: "D", URL: "https://u"}},
			`{"chatid":"CHATID","msgtype":"textcard","textcard":{"title":"T","description":"D","url":"https://u"}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			handle(t, mux, "appchat/send", "POST", tc.body, nil, `{"errcode":0,"errmsg":"ok"}`)
			if err := c.AppChat.Send(t.Context(), "CHATID", tc.msg); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestAppChatSend_validation(t *testing.T) {
	t.Parallel()
	send := func(chatID string, m *Message) func(c *Client) error {
		return func(c *Client) error { return c.AppChat.Send(t.Context(), chatID, m) }
	}
	card := &TemplateCard{CardType: CardTextNotice, MainTitle: &CardTitle{Title: "T"},
		CardAction: &CardAction{Type: 1, URL: "u"}}
	runValidation(t, "appchat/send", []validationCase{
		{"no chatid", "chatid", send("", &Message{Text: &Text{"x"}})},
		{"nil message", "message", send("c", nil)},
		{"template card", "msgtype", send("c", &Message{TemplateCard: card})},
		{"recipients set", "touser", send("c", NewText("x", "zhangsan"))},
		{"text too long", "text.content", send("c", &Message{Text: &Text{strings.Repeat("x", 2049)}})},
	})
}

func TestAppChatCreate(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	// DOC/90245's sample.
	handle(t, mux, "appchat/create", "POST",
		`{"name":"NAME","owner":"userid1","userlist":["userid1","userid2","userid3"],"chatid":"CHATID"}`, nil,
		`{"errcode":0,"errmsg":"ok","chatid":"CHATID"}`)
	got, err := c.AppChat.Create(t.Context(), &CreateChatRequest{Name: "NAME", Owner: "userid1",
		UserList: []string{"userid1", "userid2", "userid3"}, ChatID: "CHATID"})
	if err != nil {
		t.Fatal(err)
	}
	if got != "CHATID" {
		t.Errorf("Create = %q; want CHATID", got)
	}
}

func TestAppChatCreate_validation(t *testing.T) {
	t.Parallel()
	create := func(r *CreateChatRequest) func(c *Client) error {
		return func(c *Client) error { _, err := c.AppChat.Create(t.Context(), r); return err }
	}
	two := []string{"a", "b"}
	runValidation(t, "appchat/create", []validationCase{
		{"nil", "request", create(nil)},
		{"one member", "userlist", create(&CreateChatRequest{UserList: []string{"a"}})},
		{"2001 members", "userlist", create(&CreateChatRequest{UserList: make([]string, 2001)})},
		{"name 51 chars", "name", create(&CreateChatRequest{UserList: two, Name: strings.Repeat("群", 51)})},
		{"chatid 33 chars", "chatid", create(&CreateChatRequest{UserList: two, ChatID: strings.Repeat("a", 33)})},
		{"chatid bad char", "chatid", create(&CreateChatRequest{UserList: two, ChatID: "chat-1"})},
	})
}

func TestAppChatGet(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	// DOC/98914's sample.
	handle(t, mux, "appchat/get", "GET", "", url.Values{"chatid": {"CHATID"}},
		`{"errcode":0,"errmsg":"ok","chat_info":{"chatid":"CHATID","name":"NAME","owner":"userid2",`+
			`"userlist":["userid1","userid2","userid3"],"chat_type":0}}`)
	got, err := c.AppChat.Get(t.Context(), "CHATID")
	if err != nil {
		t.Fatal(err)
	}
	want := &Chat{ChatID: "CHATID", Name: "NAME", Owner: "userid2", UserList: []string{"userid1", "userid2", "userid3"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Get mismatch (-want +got):\n%s", diff)
	}
}

func TestAppChatGet_validation(t *testing.T) {
	t.Parallel()
	runValidation(t, "appchat/get", []validationCase{
		{"no chatid", "chatid", func(c *Client) error { _, err := c.AppChat.Get(t.Context(), ""); return err }},
	})
}
