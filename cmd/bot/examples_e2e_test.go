package main

import (
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/wecom"
	"github.com/wecombot/wecombot/wecom/emulator"
)

// TestExamples_everyDocumentedLine runs every example of docs/commands.md through the bot as the admin, in
// English and with the command's Chinese name, and counts the messages each answer costs (WeCom allows a
// member 30 a minute). No example may be answered "unknown command", and each costs at most 3 messages
// (a long list split in two, or a preview and its confirmation card).
func TestExamples_everyDocumentedLine(t *testing.T) {
	t.Parallel()
	// This test counts messages, not throttling: both sides' member limits are lifted.
	s := startStack(t, emulator.Options{MemberPerMinute: 1 << 20, MemberPerHour: 1 << 20}, func(a *app) {
		a.sender.MemberLimits = []wecom.Window{{N: 1 << 20, Per: time.Minute}}
	})
	total, lines := 0, 0
	enTotal, enLines := 0, 0
	worst, worstLine := 0, ""
	for _, c := range s.app.registry.Commands() {
		if c.Hidden {
			continue
		}
		forms := append([]string(nil), c.Examples...)
		english := len(forms)
		for _, a := range c.Aliases {
			for _, ex := range c.Examples {
				if rest, ok := strings.CutPrefix(ex, "/"+c.Path); ok {
					forms = append(forms, "/"+a+rest)
				}
			}
		}
		for i, line := range forms {
			got := s.say(t, "zhangsan", line)
			if i < english {
				enTotal += len(got)
				enLines++
			}
			if len(got) == 0 {
				t.Errorf("%s: no answer", line)
			}
			if contains(got, "unknown command") || contains(got, "has no option") {
				t.Errorf("%s: %q", line, got)
			}
			if len(got) > 3 {
				t.Errorf("%s: %d messages", line, len(got))
			}
			if len(got) > 1 && testing.Verbose() {
				t.Logf("%d messages: %s", len(got), line)
			}
			total += len(got)
			lines++
			if len(got) > worst {
				worst, worstLine = len(got), line
			}
			if conv, _ := s.app.db.GetConversation(t.Context(), "zhangsan"); conv != nil {
				s.say(t, "zhangsan", "/cancel") // a preview or a question: not run, not counted
			}
		}
	}
	t.Logf("%d documented lines (English and Chinese names): %d messages, %.2f per answer; most: %d (%s); English only: %d lines, %d messages",
		lines, total, float64(total)/float64(lines), worst, worstLine, enLines, enTotal)
}
