package router_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/wecombot/wecombot/bot/inbox"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/bot/router"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

func client(t *testing.T) *wecom.Client {
	t.Helper()
	c, err := wecom.NewClient(wecom.Config{CorpID: "ww1", Secret: "s", AgentID: 1000002})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type body struct {
	ToUser   string `json:"touser"`
	MsgType  string `json:"msgtype"`
	AgentID  int    `json:"agentid"`
	Markdown struct {
		Content string `json:"content"`
	} `json:"markdown"`
	Text struct {
		Content string `json:"content"`
	} `json:"text"`
}

func TestRender(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("设备 line of a long reply\n\n", 200) // ~6 KB
	card := replies.ButtonCard("task1", "Confirm", "desc", nil, []replies.Button{{Text: "Run", Key: "confirm:yes:x"}})
	reps := []*replies.Reply{{Markdown: long}, {Markdown: "**done**", TemplateCard: card}}
	for _, text := range []bool{false, true} {
		r := &router.Router{Encoder: client(t).Message, Text: text}
		rows, err := r.Render("lisi", 7, reps)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		var joined strings.Builder
		for _, row := range rows {
			if row.Recipient != "lisi" || row.InboxID != 7 || row.API != "message/send" {
				t.Fatalf("row = %+v", row)
			}
			var b body
			if err := json.Unmarshal(row.Body, &b); err != nil {
				t.Fatal(err)
			}
			if b.ToUser != "lisi" || b.AgentID != 1000002 {
				t.Fatalf("body = %s", row.Body)
			}
			kinds = append(kinds, b.MsgType)
			content := b.Markdown.Content + b.Text.Content
			if len(content) > replies.MaxBytes {
				t.Fatalf("a %d-byte message; WeCom's limit is %d", len(content), replies.MaxBytes)
			}
			joined.WriteString(content)
		}
		want := "markdown"
		if text {
			want = "text"
		}
		n := 0
		for _, k := range kinds {
			switch {
			case k == want:
				n++
			case k == "template_card" && !text:
			default:
				t.Fatalf("text=%v: message kinds %v", text, kinds)
			}
		}
		// The 6 KB reply needs at least three messages; the short one joins the last of them (one answer, as
		// few messages as fit).
		if n < 3 {
			t.Fatalf("text=%v: a 6 KB reply and a short one came as %d messages; want the long one split", text, n)
		}
		if text == (kinds[len(kinds)-1] == "template_card") {
			t.Fatalf("text=%v: kinds %v; cards go only to markdown readers", text, kinds)
		}
		if strings.Count(joined.String(), "line of a long reply") != 200 {
			t.Fatalf("text=%v: the split lost or repeated lines", text)
		}
	}
}

// eventSeen records that an event handler ran.
type eventSeen struct{ n int }

func (e *eventSeen) HandleEvent(context.Context, *db.InboxItem, *wecom.Inbound) (inbox.Effects, error) {
	e.n++
	return nil, nil
}

// A sender that is not a userid is refused before anything runs: the Engine is nil here, so reaching it
// would panic.
func TestHandle_refusesSenderThatIsNotAUserid(t *testing.T) {
	t.Parallel()
	sec := &eventSeen{}
	r := &router.Router{Encoder: client(t).Message, Events: map[string]router.EventHandler{"security": sec}}
	msg := func(from, typ, extra string) *db.InboxItem {
		return &db.InboxItem{ID: 1, Kind: typ, Payload: []byte(`<xml><ToUserName>ww1</ToUserName><FromUserName><![CDATA[` + from +
			`]]></FromUserName><CreateTime>1</CreateTime><MsgType>` + typ + `</MsgType>` + extra + `<MsgId>5</MsgId></xml>`)}
	}
	// (No FromUserName at all is already refused by ParseInbound.)
	for _, from := range []string{"@all", "@ALL", "zhangsan|lisi", "zhang san", strings.Repeat("a", 65)} {
		for _, it := range []*db.InboxItem{
			msg(from, "text", "<Content>/whoami</Content>"),
			msg(from, "image", "<PicUrl>u</PicUrl>"),
			msg(from, "event", "<Event>security</Event>"),
		} {
			eff, err := r.Handle(t.Context(), it)
			if err == nil || !inbox.IsPermanent(err) || !strings.Contains(err.Error(), "refused") || eff != nil {
				t.Errorf("sender %q, %s: Handle = %v, %v; want a permanent refusal and no effects", from, it.Kind, eff != nil, err)
			}
		}
	}
	if sec.n != 0 {
		t.Fatalf("the security handler ran %d times for refused senders", sec.n)
	}
	// WeCom's system sender of events is a valid id.
	if _, err := r.Handle(t.Context(), msg("sys", "event", "<Event>security</Event>")); err != nil || sec.n != 1 {
		t.Fatalf("security event from sys: %v (handler ran %d times); want it handled", err, sec.n)
	}
}
