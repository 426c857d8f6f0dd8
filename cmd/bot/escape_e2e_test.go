package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/wecom/emulator"
)

// Whatever a member types and the bot echoes back (in a usage error, an unknown command or flag, a not-found
// message) is shown as typed: it never becomes a link, coloured text, a mention or bold in the bot's voice.

// evilPayload is markup a member could plant: a link, WeCom's colour tag, a mention of everyone, bold, and an
// HTML link (which WeCom text messages would make clickable).
const evilPayload = `[x](http://evil.example) <font color="info">OK</font> <@all> **b** <a href="http://evil.example">y</a>`

// liveMarkup returns the live markup from evilPayload found in a rendered markdown message, or "". In a text
// message (text is true) only tags act: WeCom makes <a href> a link there, and markdown is shown as typed.
func liveMarkup(rendered string, text bool) string {
	tags := []string{`<font color="info">OK`, "<@all>", `<a href="http://evil.example">`}
	if !text {
		tags = append(tags, "](http://evil.example)", "**b**")
	}
	for _, bad := range tags {
		if strings.Contains(rendered, bad) {
			return bad
		}
	}
	return ""
}

// TestEscape_echoedValuesSent sends the attack campaign's lines through the whole bot (callback, router,
// outbox, message/send) and checks what the emulator received.
func TestEscape_echoedValuesSent(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	for _, line := range []string{
		`/help ` + evilPayload,
		`/whois '` + evilPayload + `'`,
		`/order show '` + evilPayload + `'`,
		`/oplog member --user '` + evilPayload + `'`,
		`/` + evilPayload,
		`/order '` + evilPayload + `'`,
		`/audit --'` + evilPayload + `'`,
		`/audit --decision '` + evilPayload + `'`,
	} {
		got := s.say(t, "zhangsan", line)
		if len(got) == 0 {
			t.Errorf("%s: no reply", line)
		}
		for _, r := range got {
			if bad := liveMarkup(r, false); bad != "" {
				t.Errorf("%s: the reply sent has live %q:\n%s", line, bad, r)
			}
		}
	}
}

// TestEscape_everyCommand runs every registered command's examples through the engine with each word, and each
// flag's value, replaced by the payload, and checks every reply as WeCom would show it (markdown and text).
func TestEscape_everyCommand(t *testing.T) {
	t.Parallel()
	s := startStackWith(t, emulator.Options{}, approvalsTOML+`url = "https://bot.example.com/approvals/{apply_id}"`+"\n", nil)
	quoted := `'` + evilPayload + `'`
	var lines []string
	for _, c := range s.app.registry.Commands() {
		pathWords := len(strings.Fields(c.Path))
		examples := c.Examples
		if len(examples) == 0 {
			examples = []string{"/" + c.Path}
		}
		for _, ex := range examples {
			words, err := commands.Split(ex)
			if err != nil {
				t.Fatalf("example %q: %v", ex, err)
			}
			lines = append(lines, ex+" "+quoted, ex+" --"+quoted)
			for i := pathWords; i < len(words); i++ {
				w := make([]string, len(words))
				for j, v := range words {
					w[j] = quoteWord(v)
				}
				w[i] = quoted
				lines = append(lines, strings.Join(w, " "))
			}
			for _, f := range c.Flags {
				if f.Kind != commands.Bool {
					lines = append(lines, ex+" --"+f.Name+" "+quoted)
				}
			}
		}
	}
	checked := 0
	for i, line := range lines {
		out, err := s.app.engine.Handle(t.Context(), commands.Message{From: "zhangsan", Text: line, InboxID: int64(i + 1)})
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		for _, r := range out.Replies {
			if r.Markdown == "" {
				continue
			}
			checked++
			for _, text := range []bool{false, true} {
				rendered := replies.Markdown(r.Markdown)
				if text {
					rendered = replies.Text(r.Markdown)
				}
				if bad := liveMarkup(rendered, text); bad != "" {
					t.Errorf("%s\n  → reply (text %v) has live %q:\n%s", line, text, bad, rendered)
				}
				// Nothing typed holds a backslash (%q's \" aside): one shown means a value was escaped twice.
				if text && strings.Contains(strings.ReplaceAll(rendered, `\"`, ""), `\`) {
					t.Errorf("%s\n  → reply shows a backslash (escaped twice?):\n%s", line, rendered)
				}
			}
		}
	}
	t.Logf("%d lines, %d replies checked", len(lines), checked)
}

// quoteWord quotes a word of an example for the command line again.
func quoteWord(w string) string {
	if w != "" && !strings.ContainsAny(w, " \t'\"\\#") {
		return w
	}
	return fmt.Sprintf("'%s'", strings.ReplaceAll(w, "'", `'"'"'`))
}
