package replies_test

import (
	"errors"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/wecom"
	"github.com/wecombot/wecombot/wecom/emulator"
	"github.com/wecombot/wecombot/wecom/wecomtest"
)

// emulated returns a client for the WeCom emulator, which validates requests the way WeCom does; the client
// itself refuses what WeCom would reject or truncate with a *wecom.ValidationError.
func emulated(t *testing.T) (*wecom.Client, *wecomtest.Server) {
	t.Helper()
	emu := wecomtest.NewServer(t, emulator.Options{})
	o := emu.Options()
	c, err := wecom.NewClient(wecom.Config{CorpID: o.CorpID, Secret: o.Secret, AgentID: o.AgentID, BaseURL: emu.URL,
		RetryBase: time.Millisecond, RetryMax: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c, emu
}

// send sends m to lisi and fails the test if the client or WeCom refuses it.
func send(t *testing.T, c *wecom.Client, m *wecom.Message) *wecom.SendResult {
	t.Helper()
	res, err := c.Message.Send(t.Context(), m)
	var ve *wecom.ValidationError
	if errors.As(err, &ve) {
		t.Fatalf("the builder produced an invalid message: %v", err)
	}
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	return res
}

// entityRE matches what html.EscapeString writes; any other '&' in a description would be a broken entity.
var entityRE = regexp.MustCompile(`&(?:amp|lt|gt|#34|#39);`)

func checkDescription(t *testing.T, desc string) {
	t.Helper()
	if len(desc) > wecom.MaxTextCardDescBytes || !utf8.ValidString(desc) {
		t.Errorf("description is %d bytes (valid UTF-8: %v): %q", len(desc), utf8.ValidString(desc), desc)
	}
	if strings.Count(entityRE.ReplaceAllString(desc, ""), "&") != 0 {
		t.Errorf("description has a cut entity: %q", desc)
	}
	if strings.Count(desc, "<div ") != strings.Count(desc, "</div>") {
		t.Errorf("description has a cut <div>: %q", desc)
	}
}

func TestTextCard(t *testing.T) {
	t.Parallel()
	c, emu := emulated(t)
	long := strings.Repeat("设备", 40) // 240 bytes
	for _, tc := range []struct {
		name                   string
		title                  string
		lines                  []string
		btn                    string
		wantTitle, wantDesc    string
		wantBtn                string
		titleCut, descTailWant string
	}{
		{
			name: "escaped and styled", title: "审批通过",
			lines: []string{replies.Gray("2025-10-01 <today>"), "申请人：<b>张三</b> & co", "第二行\n第三行",
				replies.Highlight("请于 10 月 10 日前领取")},
			btn:       "查看详情",
			wantTitle: "审批通过",
			wantDesc: `<div class="gray">2025-10-01 &lt;today&gt;</div>申请人：&lt;b&gt;张三&lt;/b&gt; &amp; co<br>第二行<br>第三行` +
				`<div class="highlight">请于 10 月 10 日前领取</div>`,
			wantBtn: "查看详情",
		},
		{
			name: "plain line that only looks styled", title: "x",
			lines:     []string{`<div class="gray"><b>x</b></div>`, `<div class="red">x</div>`, `<div class="gray">&nbsp;</div>`},
			wantTitle: "x",
			wantDesc: `&lt;div class=&#34;gray&#34;&gt;&lt;b&gt;x&lt;/b&gt;&lt;/div&gt;<br>&lt;div class=&#34;red&#34;&gt;x&lt;/div&gt;` +
				`<br>&lt;div class=&#34;gray&#34;&gt;&amp;nbsp;&lt;/div&gt;`,
		},
		{
			name: "button text cut to 4 characters", title: "t", lines: []string{"d"}, btn: "More info",
			wantTitle: "t", wantDesc: "d", wantBtn: "More",
		},
		{
			name: "title cut on a rune boundary", title: long + "\nsecond line", lines: []string{"d"},
			wantTitle: strings.Repeat("设备", 20) + "设…", wantDesc: "d", // 123 bytes + "…"
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			card := replies.TextCard(tc.title, tc.lines, "https://oa.example.com/a/1", tc.btn)
			want := wecom.TextCard{Title: tc.wantTitle, Description: tc.wantDesc, URL: "https://oa.example.com/a/1",
				BtnTxt: tc.wantBtn}
			if diff := cmp.Diff(want, card); diff != "" {
				t.Errorf("TextCard (-want +got):\n%s", diff)
			}
			if len(card.Title) > wecom.MaxTextCardTitleBytes {
				t.Errorf("title has %d bytes", len(card.Title))
			}
			checkDescription(t, card.Description)
			send(t, c, wecom.NewTextCard(card, "lisi"))
		})
	}
	for _, m := range emu.Delivered("lisi") {
		if m.Truncated {
			t.Errorf("WeCom truncated text card %q", m.Title)
		}
	}
}

// TestTextCard_longDescription cuts at every possible place: the description always fits, ends with "…" and
// never breaks an entity or a <div>.
func TestTextCard_longDescription(t *testing.T) {
	t.Parallel()
	c, emu := emulated(t)
	sent := 0
	for n := 0; n < 40; n++ {
		lines := []string{strings.Repeat("x", n) + "头", replies.Gray("2025-10-01"),
			strings.Repeat("<&>中", 30), replies.Highlight(strings.Repeat("高&亮", 30)), "last"}
		card := replies.TextCard("t", lines, "https://x.example.com", "")
		checkDescription(t, card.Description)
		if !strings.HasSuffix(card.Description, "…") && !strings.HasSuffix(card.Description, "…</div>") {
			t.Errorf("description for n=%d does not end with …: %q", n, card.Description)
		}
		// What is shown, unescaped, is a prefix of the lines.
		shownText := html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(card.Description, ""))
		all := strings.Join(lines[:1], "") + "2025-10-01" + strings.Repeat("<&>中", 30) + strings.Repeat("高&亮", 30)
		if !strings.HasPrefix(all, strings.TrimSuffix(shownText, "…")) {
			t.Errorf("n=%d shows %q, not a prefix of the lines", n, shownText)
		}
		if n%8 == 0 {
			send(t, c, wecom.NewTextCard(card, "lisi"))
			sent++
		}
	}
	if got := len(emu.Delivered("lisi")); got != sent {
		t.Errorf("%d cards delivered; want %d", got, sent)
	}
	for _, m := range emu.Delivered("lisi") {
		if m.Truncated {
			t.Errorf("WeCom truncated text card %q", m.Content)
		}
	}
}

func TestTextCard_emptyDescriptionIsRefused(t *testing.T) {
	t.Parallel()
	c, _ := emulated(t)
	_, err := c.Message.Send(t.Context(), wecom.NewTextCard(replies.TextCard("t", nil, "https://x", ""), "lisi"))
	var ve *wecom.ValidationError
	if !errors.As(err, &ve) || ve.Field != "textcard.description" {
		t.Errorf("Send(TextCard without lines) = %v; want a ValidationError on textcard.description", err)
	}
}

func TestButtonCard(t *testing.T) {
	t.Parallel()
	c, emu := emulated(t)
	long := strings.Repeat("长", 70)
	var fields []replies.Field
	for i := 1; i <= 8; i++ {
		fields = append(fields, replies.Field{Key: fmt.Sprintf("k%d", i), Value: fmt.Sprintf("v%d", i)})
	}
	fields[1] = replies.Field{Key: "", Value: "no key is left out"}
	fields[2].Value = long + "\nsecond line"
	buttons := []replies.Button{
		{Text: "批准", Key: "approve:OR1", Style: 1},
		{Text: "驳回", Key: "reject:OR1", Style: 2},
		{Text: "稍后", Key: "later:OR1", Style: 9}, // out of range: WeCom's default
		{Text: long, Key: "long:OR1", Style: 4},
	}
	for i := 0; i < 4; i++ {
		buttons = append(buttons, replies.Button{Text: "b", Key: fmt.Sprintf("extra:%d", i)})
	}
	card := replies.ButtonCard("OR1-approve_1", "订单待审批 "+long, "申请人：张三", fields, buttons)

	clipped := strings.Repeat("长", 63) + "…"
	want := &wecom.TemplateCard{
		CardType:  wecom.CardButtonInteraction,
		MainTitle: &wecom.CardTitle{Title: "订单待审批 " + strings.Repeat("长", 57) + "…", Desc: "申请人：张三"},
		HorizontalContentList: []wecom.CardHorizontal{
			{KeyName: "k1", Value: "v1"}, {KeyName: "k3", Value: clipped}, {KeyName: "k4", Value: "v4"},
			{KeyName: "k5", Value: "v5"}, {KeyName: "k6", Value: "v6"}, {KeyName: "k7", Value: "v7"},
		},
		TaskID: "OR1-approve_1",
		ButtonList: []wecom.CardButton{
			{Text: "批准", Style: 1, Key: "approve:OR1"},
			{Text: "驳回", Style: 2, Key: "reject:OR1"},
			{Text: "稍后", Key: "later:OR1"},
			{Text: clipped, Style: 4, Key: "long:OR1"},
			{Text: "b", Key: "extra:0"},
			{Text: "b", Key: "extra:1"},
		},
	}
	if diff := cmp.Diff(want, card); diff != "" {
		t.Errorf("ButtonCard (-want +got):\n%s", diff)
	}
	if n := utf8.RuneCountInString(card.HorizontalContentList[1].Value); n != replies.MaxCardRunes {
		t.Errorf("clipped value has %d runes; want %d", n, replies.MaxCardRunes)
	}
	res := send(t, c, wecom.NewTemplateCard(card, "lisi"))
	if res.ResponseCode == "" {
		t.Error("no response_code for a button_interaction card")
	}
	if got := emu.Delivered("lisi"); len(got) != 1 || got[0].TaskID != "OR1-approve_1" {
		t.Errorf("delivered %+v; want the card with task OR1-approve_1", got)
	}
}

func TestNoticeCard(t *testing.T) {
	t.Parallel()
	c, emu := emulated(t)
	card := replies.NoticeCard("", "设备离线", "dev-sh-003 已离线 3 天", []replies.Field{{Key: "设备", Value: "dev-sh-003"},
		{Key: "负责人", Value: "王五"}}, "https://ops.example.com/devices/dev-sh-003")
	card.EmphasisContent = replies.Emphasis("3 天", "离线时长")
	card.JumpList = []wecom.CardJump{replies.Jump("查看设备", "https://ops.example.com/devices/dev-sh-003")}
	want := &wecom.TemplateCard{
		CardType:              wecom.CardTextNotice,
		MainTitle:             &wecom.CardTitle{Title: "设备离线", Desc: "dev-sh-003 已离线 3 天"},
		EmphasisContent:       &wecom.CardTitle{Title: "3 天", Desc: "离线时长"},
		HorizontalContentList: []wecom.CardHorizontal{{KeyName: "设备", Value: "dev-sh-003"}, {KeyName: "负责人", Value: "王五"}},
		JumpList:              []wecom.CardJump{{Type: wecom.CardLinkURL, Title: "查看设备", URL: "https://ops.example.com/devices/dev-sh-003"}},
		CardAction:            &wecom.CardAction{Type: wecom.CardLinkURL, URL: "https://ops.example.com/devices/dev-sh-003"},
	}
	if diff := cmp.Diff(want, card); diff != "" {
		t.Errorf("NoticeCard (-want +got):\n%s", diff)
	}
	send(t, c, wecom.NewTemplateCard(card, "lisi"))
	// With a task id too (needed to update it later).
	send(t, c, wecom.NewTemplateCard(replies.NoticeCard("notice-2", "t", "", nil, "https://x.example.com"), "lisi"))
	if got := len(emu.Delivered("lisi")); got != 2 {
		t.Errorf("%d cards delivered; want 2", got)
	}
}
