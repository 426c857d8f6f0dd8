package wecom

import (
	"strings"
	"testing"
)

func TestValidUserID(t *testing.T) {
	t.Parallel()
	for _, id := range []string{
		"zhangsan", "ZhangSan", "ChenJiaShun", "sys", "a", "0", "li.si", "li_si", "li-si", "lisi@example.com",
		strings.Repeat("a", 64),
		"wwhhhhccc7775555aaa/lisi", // a linked corp's member: CorpId/userid
		"ww1436e0e65a779aee/zhang.san@x",
	} {
		if !ValidUserID(id) {
			t.Errorf("ValidUserID(%q) = false; want true", id)
		}
	}
	for _, id := range []string{
		"", "@all", "@ALL", "@All", "ww1436e0e65a779aee/@all",
		"zhangsan|lisi", "zhangsan|", "|", "@all|lisi",
		strings.Repeat("a", 65),
		"ww1436e0e65a779aee/" + strings.Repeat("a", 65),
		"/lisi", "ww1436e0e65a779aee/", "a/b/c", "w w/lisi", "ww-1/lisi",
		"zhang san", "lisi\n", "\tlisi", "张三", "li,si", "li;si", "<lisi>", "li\x00si", "li%7Csi",
	} {
		if ValidUserID(id) {
			t.Errorf("ValidUserID(%q) = true; want false", id)
		}
	}
}

// The client never builds a touser (or an update's userids) from an id that is not one: "@all" in ToUser would
// reach every member, and "a|b" two of them. Sending to everyone takes the explicit ToAll.
func TestMessageSend_refusesRecipientsThatAreNotUserids(t *testing.T) {
	t.Parallel()
	send := func(m *Message) func(c *Client) error {
		return func(c *Client) error { _, err := c.Message.Send(t.Context(), m); return err }
	}
	update := func(r *UpdateTemplateCardRequest) func(c *Client) error {
		return func(c *Client) error { _, err := c.Message.UpdateTemplateCard(t.Context(), r); return err }
	}
	btn := &UpdateButton{ReplaceName: "done"}
	runValidation(t, "message/send", []validationCase{
		{"@all as a userid", "touser", send(NewMarkdown("x", "@all"))},
		{"AllMembers as a userid", "touser", send(NewText("x", AllMembers))},
		{"pipe-joined ids", "touser", send(NewText("x", "zhangsan|lisi"))},
		{"one bad among good", "touser", send(NewText("x", "zhangsan", "lisi|wangwu"))},
		{"empty userid", "touser", send(NewText("x", ""))},
		{"65 bytes", "touser", send(NewText("x", strings.Repeat("a", 65)))},
		{"card to @all", "touser", send(NewTemplateCard(&TemplateCard{CardType: CardTextNotice,
			MainTitle: &CardTitle{Title: "T"}, CardAction: &CardAction{Type: 1, URL: "u"}}, "@all"))},
		{"ToAll with ToUser", "touser", send(&Message{ToAll: true, ToUser: []string{"lisi"}, Text: &Text{"x"}})},
		{"pipe in toparty", "toparty", send(&Message{ToParty: []string{"1|2"}, Text: &Text{"x"}})},
		{"pipe in totag", "totag", send(&Message{ToTag: []string{"7|8"}, Text: &Text{"x"}})},
	})
	runValidation(t, "message/update_template_card", []validationCase{
		{"update @all as a userid", "userids", update(&UpdateTemplateCardRequest{UserIDs: []string{"@all"},
			ResponseCode: "r", Button: btn})},
		{"update pipe-joined ids", "userids", update(&UpdateTemplateCardRequest{UserIDs: []string{"a|b"},
			ResponseCode: "r", Button: btn})},
	})
	c, _ := setup(t)
	for _, m := range []*Message{NewMarkdown("x", "@all"), NewText("x", "zhangsan|lisi")} {
		if body, err := c.Message.Encode(m); err == nil {
			t.Errorf("Encode(%v) = %s; want a refusal (the outbox queues what Encode returns)", m.ToUser, body)
		}
	}
}
