package router_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/bot/router"
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
	reps := []*commands.Reply{{Markdown: long}, {Markdown: "**done**", TemplateCard: card}}
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
		if n < 4 {
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
