package wecom

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sendResponse is message/send's documented sample answer (wecom-protocol.md §3.1).
const sendResponse = `{"errcode":0,"errmsg":"ok","invaliduser":"userid1|userid2","invalidparty":"partyid1|partyid2",` +
	`"invalidtag":"tagid1|tagid2","unlicenseduser":"userid3|userid4","msgid":"xxxx","response_code":"xyzxyz"}`

var sendResult = &SendResult{
	InvalidUser:    []string{"userid1", "userid2"},
	InvalidParty:   []string{"partyid1", "partyid2"},
	InvalidTag:     []string{"tagid1", "tagid2"},
	UnlicensedUser: []string{"userid3", "userid4"},
	MsgID:          "xxxx",
	ResponseCode:   "xyzxyz",
}

func TestMessageSend(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		msg  *Message
		body string
	}{
		{
			name: "text",
			msg:  NewText("hi\n<a href=\"https://x\">link</a>", "zhangsan"),
			body: `{"touser":"zhangsan","msgtype":"text","agentid":1000002,` +
				`"text":{"content":"hi\n<a href=\"https://x\">link</a>"}}`,
		},
		{
			name: "markdown",
			msg:  NewMarkdown(`**bold** <font color="info">ok</font>`, "zhangsan"),
			body: `{"touser":"zhangsan","msgtype":"markdown","agentid":1000002,` +
				`"markdown":{"content":"**bold** <font color=\"info\">ok</font>"}}`,
		},
		{
			name: "textcard",
			msg: NewTextCard(TextCard{Title: "T", URL: "URL", BtnTxt: "更多",
				Description: `<div class="gray">date</div><div class="highlight">x</div>`}, "zhangsan"),
			body: `{"touser":"zhangsan","msgtype":"textcard","agentid":1000002,"textcard":{"title":"T",` +
				`"description":"<div class=\"gray\">date</div><div class=\"highlight\">x</div>","url":"URL","btntxt":"更多"}}`,
		},
		{
			name: "recipients, flags and explicit agentid",
			msg: &Message{
				ToUser: []string{"a", "b"}, ToParty: []string{"1", "2"}, ToTag: []string{"7"},
				AgentID: 42, Text: &Text{Content: "x"}, Safe: true, EnableIDTrans: true,
				EnableDuplicateCheck: true, DuplicateCheckInterval: 600,
			},
			body: `{"touser":"a|b","toparty":"1|2","totag":"7","msgtype":"text","agentid":42,"text":{"content":"x"},` +
				`"safe":1,"enable_id_trans":1,"enable_duplicate_check":1,"duplicate_check_interval":600}`,
		},
		{
			name: "@all",
			msg:  &Message{ToAll: true, Text: &Text{Content: "x"}},
			body: `{"touser":"@all","msgtype":"text","agentid":1000002,"text":{"content":"x"}}`,
		},
		{
			// The button-interaction sample of wecom-protocol.md §3.1.
			name: "button_interaction card",
			msg: &Message{
				ToUser: []string{"OPENID"}, DuplicateCheckInterval: 1800,
				TemplateCard: &TemplateCard{
					CardType:              CardButtonInteraction,
					Source:                &CardSource{IconURL: "URL", Desc: "企业微信"},
					MainTitle:             &CardTitle{Title: "T", Desc: "D"},
					SubTitleText:          "S",
					TaskID:                "task_id",
					HorizontalContentList: []CardHorizontal{{KeyName: "邀请人", Value: "张三"}},
					CardAction:            &CardAction{Type: CardLinkURL, URL: "https://work.weixin.qq.com"},
					ButtonList: []CardButton{
						{Text: "按钮1", Style: 1, Key: "button_key_1"},
						{Text: "按钮2", Style: 2, Key: "button_key_2"},
					},
				},
			},
			body: `{"agentid":1000002,"touser":"OPENID","msgtype":"template_card","duplicate_check_interval":1800,
			 "template_card":{"card_type":"button_interaction","source":{"icon_url":"URL","desc":"企业微信"},
			  "main_title":{"title":"T","desc":"D"},"sub_title_text":"S",
			  "task_id":"task_id","horizontal_content_list":[{"keyname":"邀请人","value":"张三"}],
			  "card_action":{"type":1,"url":"https://work.weixin.qq.com"},
			  "button_list":[{"text":"按钮1","style":1,"key":"button_key_1"},{"text":"按钮2","style":2,"key":"button_key_2"}]}}`,
		},
		{
			name: "text_notice card",
			msg: NewTemplateCard(&TemplateCard{
				CardType:        CardTextNotice,
				MainTitle:       &CardTitle{Title: "新设备登录"},
				EmphasisContent: &CardTitle{Title: "3", Desc: "待确认设备"},
				QuoteArea:       &CardQuoteArea{Type: CardLinkURL, URL: "https://bot/q", Title: "引用", QuoteText: "lisi"},
				JumpList:        []CardJump{{Type: CardLinkURL, Title: "查看", URL: "https://bot/d"}},
				CardAction:      &CardAction{Type: CardLinkURL, URL: "https://bot/devices"},
				ActionMenu:      &CardActionMenu{Desc: "更多", ActionList: []CardActionItem{{Text: "忽略", Key: "ignore"}}},
				TaskID:          "dev-1@x_y",
			}, "zhangsan"),
			body: `{"touser":"zhangsan","msgtype":"template_card","agentid":1000002,"template_card":{
			  "card_type":"text_notice","main_title":{"title":"新设备登录"},
			  "emphasis_content":{"title":"3","desc":"待确认设备"},
			  "quote_area":{"type":1,"url":"https://bot/q","title":"引用","quote_text":"lisi"},
			  "jump_list":[{"type":1,"title":"查看","url":"https://bot/d"}],
			  "card_action":{"type":1,"url":"https://bot/devices"},
			  "action_menu":{"desc":"更多","action_list":[{"text":"忽略","key":"ignore"}]},
			  "task_id":"dev-1@x_y"}}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			handle(t, mux, "message/send", "POST", tc.body, nil, sendResponse)
			got, err := c.Message.Send(t.Context(), tc.msg)
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			if diff := cmp.Diff(sendResult, got); diff != "" {
				t.Errorf("Send result mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMessageSend_pipeSplit(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "message/send", "POST", `{"touser":"a|B","msgtype":"text","agentid":1000002,"text":{"content":"x"}}`,
		nil, `{"errcode":0,"errmsg":"ok","invaliduser":"b","invalidparty":"","invalidtag":"","msgid":"m1"}`)
	got, err := c.Message.Send(t.Context(), NewText("x", "a", "B"))
	if err != nil {
		t.Fatal(err)
	}
	want := &SendResult{InvalidUser: []string{"b"}, MsgID: "m1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Send mismatch (-want +got):\n%s", diff)
	}
}

func TestMessageSplitPipe(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"a", []string{"a"}},
		{"userid1|userid2", []string{"userid1", "userid2"}},
		{"a||b|", []string{"a", "b"}},
		{"|", nil},
	}
	for _, tc := range tests {
		if got := splitPipe(tc.in); !cmp.Equal(got, tc.want) {
			t.Errorf("splitPipe(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

func TestMessageSend_validation(t *testing.T) {
	t.Parallel()
	card := func(mod func(*TemplateCard)) *Message {
		c := &TemplateCard{CardType: CardButtonInteraction, TaskID: "t1", MainTitle: &CardTitle{Title: "T"},
			ButtonList: []CardButton{{Text: "OK", Key: "ok"}}}
		mod(c)
		return NewTemplateCard(c, "zhangsan")
	}
	send := func(m *Message) func(c *Client) error {
		return func(c *Client) error { _, err := c.Message.Send(t.Context(), m); return err }
	}
	many := func(n int) []string {
		s := make([]string, n)
		for i := range s {
			s[i] = "u"
		}
		return s
	}
	buttons := func(n int) []CardButton {
		b := make([]CardButton, n)
		for i := range b {
			b[i] = CardButton{Text: "b", Key: strings.Repeat("k", i+1)}
		}
		return b
	}
	runValidation(t, "message/send", []validationCase{
		{"nil message", "message", send(nil)},
		{"no content", "msgtype", send(&Message{ToUser: []string{"a"}})},
		{"two contents", "msgtype", send(&Message{ToUser: []string{"a"}, Text: &Text{"x"}, Markdown: &Markdown{"y"}})},
		{"msgtype mismatch", "msgtype", send(&Message{ToUser: []string{"a"}, MsgType: MsgMarkdown, Text: &Text{"x"}})},
		{"empty text", "text.content", send(NewText("", "a"))},
		{"text 2049 bytes", "text.content", send(NewText(strings.Repeat("x", 2049), "a"))},
		{"text 683 chinese chars", "text.content", send(NewText(strings.Repeat("中", 683), "a"))},
		{"empty markdown", "markdown.content", send(NewMarkdown("", "a"))},
		{"markdown too long", "markdown.content", send(NewMarkdown(strings.Repeat("#", 2049), "a"))},
		{"textcard no title", "textcard.title", send(NewTextCard(TextCard{Description: "d", URL: "u"}, "a"))},
		{"textcard title 129 bytes", "textcard.title",
			send(NewTextCard(TextCard{Title: strings.Repeat("t", 129), Description: "d", URL: "u"}, "a"))},
		{"textcard description 513 bytes", "textcard.description",
			send(NewTextCard(TextCard{Title: "t", Description: strings.Repeat("d", 513), URL: "u"}, "a"))},
		{"textcard no url", "textcard.url", send(NewTextCard(TextCard{Title: "t", Description: "d"}, "a"))},
		{"textcard btntxt 5 chars", "textcard.btntxt",
			send(NewTextCard(TextCard{Title: "t", Description: "d", URL: "u", BtnTxt: "查看详情呀"}, "a"))},
		{"no recipient", "touser", send(NewText("x"))},
		{"1001 users", "touser", send(NewText("x", many(1001)...))},
		{"101 parties", "toparty", send(&Message{ToParty: many(101), Text: &Text{"x"}})},
		{"101 tags", "totag", send(&Message{ToTag: many(101), Text: &Text{"x"}})},
		{"duplicate interval over 4h", "duplicate_check_interval",
			send(&Message{ToUser: []string{"a"}, Text: &Text{"x"}, DuplicateCheckInterval: 14401})},
		{"unknown card type", "template_card.card_type", send(card(func(c *TemplateCard) { c.CardType = "fancy" }))},
		{"task_id missing", "template_card.task_id", send(card(func(c *TemplateCard) { c.TaskID = "" }))},
		{"task_id bad char", "template_card.task_id", send(card(func(c *TemplateCard) { c.TaskID = "task 1" }))},
		{"task_id 129 bytes", "template_card.task_id",
			send(card(func(c *TemplateCard) { c.TaskID = strings.Repeat("a", 129) }))},
		{"7 buttons", "template_card.button_list", send(card(func(c *TemplateCard) { c.ButtonList = buttons(7) }))},
		{"row without keyname", "template_card.horizontal_content_list[0].keyname",
			send(card(func(c *TemplateCard) { c.HorizontalContentList = []CardHorizontal{{Value: "张三"}} }))},
		{"url row without url", "template_card.horizontal_content_list[0].url",
			send(card(func(c *TemplateCard) { c.HorizontalContentList = []CardHorizontal{{KeyName: "页面", Type: 1}} }))},
		{"file row without media_id", "template_card.horizontal_content_list[0].media_id",
			send(card(func(c *TemplateCard) { c.HorizontalContentList = []CardHorizontal{{KeyName: "附件", Type: 2}} }))},
		{"url quote without url", "template_card.quote_area.url",
			send(card(func(c *TemplateCard) { c.QuoteArea = &CardQuoteArea{Type: CardLinkURL, QuoteText: "q"} }))},
		{"no buttons", "template_card.button_list", send(card(func(c *TemplateCard) { c.ButtonList = nil }))},
		{"duplicate button key", "template_card.button_list.key", send(card(func(c *TemplateCard) {
			c.ButtonList = []CardButton{{Text: "a", Key: "k"}, {Text: "b", Key: "k"}}
		}))},
		{"button key 1025 bytes", "template_card.button_list[0].key", send(card(func(c *TemplateCard) {
			c.ButtonList = []CardButton{{Text: "a", Key: strings.Repeat("k", 1025)}}
		}))},
		{"callback button without key", "template_card.button_list[0].key", send(card(func(c *TemplateCard) {
			c.ButtonList = []CardButton{{Text: "a"}}
		}))},
		{"url button without url", "template_card.button_list[0].url", send(card(func(c *TemplateCard) {
			c.ButtonList = []CardButton{{Text: "a", Type: CardButtonURL}}
		}))},
		{"text_notice without card_action", "template_card.card_action", send(card(func(c *TemplateCard) {
			c.CardType, c.ButtonList = CardTextNotice, nil
		}))},
		{"text_notice without title", "template_card.main_title.title", send(card(func(c *TemplateCard) {
			c.CardType, c.ButtonList, c.MainTitle = CardTextNotice, nil, nil
			c.CardAction = &CardAction{Type: 1, URL: "u"}
		}))},
		{"action_menu without task_id", "template_card.task_id", send(card(func(c *TemplateCard) {
			c.CardType, c.ButtonList, c.TaskID = CardTextNotice, nil, ""
			c.CardAction = &CardAction{Type: 1, URL: "u"}
			c.ActionMenu = &CardActionMenu{ActionList: []CardActionItem{{Text: "x", Key: "x"}}}
		}))},
		{"vote without checkbox", "template_card.checkbox", send(card(func(c *TemplateCard) {
			c.CardType, c.ButtonList = CardVoteInteraction, nil
		}))},
		{"selection duplicate option", "template_card.button_selection.option_list.id", send(card(func(c *TemplateCard) {
			c.ButtonSelection = &CardSelection{QuestionKey: "q", OptionList: []CardOption{{ID: "1"}, {ID: "1"}}}
		}))},
	})
}

func TestMessageUpdateTemplateCard(t *testing.T) {
	t.Parallel()
	t.Run("button", func(t *testing.T) {
		t.Parallel()
		c, mux := setup(t)
		// The sample request and answer of wecom-protocol.md §3.2.
		handle(t, mux, "message/update_template_card", "POST",
			`{"userids":["userid1"],"partyids":[2],"tagids":[44],"agentid":1,"response_code":"response_code",`+
				`"button":{"replace_name":"已处理"}}`,
			nil, `{"errcode":0,"errmsg":"ok","invaliduser":["userid1"]}`)
		got, err := c.Message.UpdateTemplateCard(t.Context(), &UpdateTemplateCardRequest{
			UserIDs: []string{"userid1"}, PartyIDs: []int{2}, TagIDs: []int{44}, AgentID: 1,
			ResponseCode: "response_code", Button: &UpdateButton{ReplaceName: "已处理"},
		})
		if err != nil {
			t.Fatal(err)
		}
		want := &UpdateTemplateCardResult{InvalidUser: []string{"userid1"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("UpdateTemplateCard mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("whole card to all", func(t *testing.T) {
		t.Parallel()
		c, mux := setup(t)
		handle(t, mux, "message/update_template_card", "POST",
			`{"atall":1,"agentid":1000002,"response_code":"rc","enable_id_trans":1,"template_card":{
			  "card_type":"button_interaction","main_title":{"title":"已批准"},"task_id":"t1",
			  "button_list":[{"text":"已批准","style":3,"key":"done"}]}}`,
			nil, `{"errcode":0,"errmsg":"ok","invaliduser":[]}`)
		got, err := c.Message.UpdateTemplateCard(t.Context(), &UpdateTemplateCardRequest{
			AtAll: true, ResponseCode: "rc", EnableIDTrans: true,
			TemplateCard: &TemplateCard{CardType: CardButtonInteraction, MainTitle: &CardTitle{Title: "已批准"},
				TaskID: "t1", ButtonList: []CardButton{{Text: "已批准", Style: 3, Key: "done"}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&UpdateTemplateCardResult{InvalidUser: []string{}}, got); diff != "" {
			t.Errorf("UpdateTemplateCard mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestMessageUpdateTemplateCard_validation(t *testing.T) {
	t.Parallel()
	update := func(r *UpdateTemplateCardRequest) func(c *Client) error {
		return func(c *Client) error { _, err := c.Message.UpdateTemplateCard(t.Context(), r); return err }
	}
	btn := &UpdateButton{ReplaceName: "done"}
	runValidation(t, "message/update_template_card", []validationCase{
		{"nil", "request", update(nil)},
		{"no response_code", "response_code", update(&UpdateTemplateCardRequest{AtAll: true, Button: btn})},
		{"no recipient", "userids", update(&UpdateTemplateCardRequest{ResponseCode: "r", Button: btn})},
		{"neither button nor card", "button", update(&UpdateTemplateCardRequest{ResponseCode: "r", AtAll: true})},
		{"both button and card", "button", update(&UpdateTemplateCardRequest{ResponseCode: "r", AtAll: true,
			Button: btn, TemplateCard: &TemplateCard{CardType: CardTextNotice}})},
		{"empty replace_name", "button.replace_name", update(&UpdateTemplateCardRequest{ResponseCode: "r",
			AtAll: true, Button: &UpdateButton{}})},
		{"bad card", "template_card.card_type", update(&UpdateTemplateCardRequest{ResponseCode: "r", AtAll: true,
			TemplateCard: &TemplateCard{CardType: "nope"}})},
	})
}

func TestMessageRecall(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "message/recall", "POST",
		`{"msgid":"vcT8gGc-7dFb4bxT35ONjBDz901sLlXPZw1DAMC_Gc26qRpK-AK5sTJkkb0128t"}`, nil,
		`{"errcode":0,"errmsg":"ok"}`)
	if err := c.Message.Recall(t.Context(), "vcT8gGc-7dFb4bxT35ONjBDz901sLlXPZw1DAMC_Gc26qRpK-AK5sTJkkb0128t"); err != nil {
		t.Fatal(err)
	}
}

func TestMessageRecall_validation(t *testing.T) {
	t.Parallel()
	runValidation(t, "message/recall", []validationCase{
		{"no msgid", "msgid", func(c *Client) error { return c.Message.Recall(t.Context(), "") }},
	})
}

func TestMessageSend_errcodeIsTyped(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "message/send", "POST", `{"touser":"ghost","msgtype":"text","agentid":1000002,"text":{"content":"x"}}`,
		nil, `{"errcode":81013,"errmsg":"user & party & tag all invalid"}`)
	res, err := c.Message.Send(t.Context(), NewText("x", "ghost"))
	if res != nil || !IsCode(err, CodeAllInvalid) {
		t.Fatalf("Send = %v, %v; want nil, errcode 81013", res, err)
	}
}
