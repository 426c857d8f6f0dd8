package replies

import (
	"strings"
	"testing"

	"github.com/wecombot/wecombot/wecom"
)

// TestComposer_oneMessagePerAnswer: consecutive text replies become one message where they fit; a card keeps
// its place in the order; text mode sends a card's fallback and merges nothing across it.
func TestComposer_oneMessagePerAnswer(t *testing.T) {
	card := ButtonCard("cf-1", "Confirm", "desc", nil, []Button{{Text: "Run", Key: "confirm:yes:x"}})
	kinds := func(ms []*wecom.Message) []wecom.MsgType {
		var out []wecom.MsgType
		for _, m := range ms {
			out = append(out, m.MsgType)
		}
		return out
	}
	md := Composer{}.Messages("lisi", Say(nil, "(Dropped the pending /vip add.)"), Say(nil, "You are about to…"),
		&Reply{TemplateCard: card})
	if got := kinds(md); len(got) != 2 || got[0] != wecom.MsgMarkdown || got[1] != wecom.MsgTemplateCard {
		t.Fatalf("markdown mode: %v; want one markdown message then the card", got)
	}
	if c := md[0].Markdown.Content; c != "(Dropped the pending /vip add.)\n\nYou are about to…" {
		t.Fatalf("merged text = %q", c)
	}
	txt := Composer{Text: true}.Messages("lisi", Say(nil, "a"), &Reply{TemplateCard: card}, Say(nil, "b"))
	if got := kinds(txt); len(got) != 1 || got[0] != wecom.MsgText || txt[0].Text.Content != "a\n\nb" {
		t.Fatalf("text mode, a card without fallback between: %v %+v; want one text message a+b", got, txt)
	}
	tc := TextCard("t", []string{"x"}, "https://e.example/x", "详情")
	mixed := Composer{}.Messages("lisi", Say(nil, "a"), &Reply{TextCard: &tc}, Say(nil, "b"))
	if got := kinds(mixed); len(got) != 3 || got[0] != wecom.MsgMarkdown || got[1] != wecom.MsgTextCard || got[2] != wecom.MsgMarkdown {
		t.Fatalf("a textcard between texts: %v; want text, textcard, text (order kept)", got)
	}
	var long []*Reply
	for range 3 {
		long = append(long, &Reply{Markdown: strings.Repeat("长", 400)})
	}
	if got := (Composer{}).Messages("lisi", long...); len(got) < 2 {
		t.Fatalf("3 × 1,200 bytes of text: %d message(s); want them split under 2,048 bytes", len(got))
	}
}
