package main

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/i18n/i18ntest"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
	"github.com/wecombot/wecombot/wecom/emulator"
)

// missingThing is an answer saying the example names something the sample organisation lacks.
var missingThing = regexp.MustCompile(`(?i)no such|no device with this code|not found|does not exist|is not a member|no member`)

// TestExamples_everyDocumentedLine runs every example of docs/commands.md through the bot as the admin, in
// English and in Chinese (/lang), with the command's English and Chinese names, against the sample
// organisation the demo runs on, and counts the messages each answer costs (WeCom allows a member 30 a
// minute). No example may be answered "unknown command" or "no such …" (the examples name ids the sample
// organisation has), none may lose its usage placeholders, a Chinese answer has no English sentence left,
// and each answer costs at most 3 messages (a long list split in two, or a preview and its confirmation card).
func TestExamples_everyDocumentedLine(t *testing.T) {
	t.Parallel()
	// This test counts messages, not throttling: both sides' member limits are lifted.
	s := startStackWith(t, emulator.Options{MemberPerMinute: 1 << 20, MemberPerHour: 1 << 20, ApplyIDEpoch: demoApplyEpoch},
		approvalsTOML+demoAlertsTOML, func(a *app) { a.sender.MemberLimits = []wecom.Window{{N: 1 << 20, Per: time.Minute}} })
	// What the demo makes at start: sunqi's application, taken over by the bot.
	if id := s.apply(t, "sunqi", 1, "新项目需要更大的邮箱空间"); id != demoApplyID {
		t.Fatalf("the demo's application is %s; docs/commands.md names %s", id, demoApplyID)
	}
	waitFor(t, 10*time.Second, "the take-over", func() bool {
		a, err := s.app.db.GetApplication(t.Context(), demoApplyID)
		return err == nil && a != nil && a.State == db.AppTaken
	})
	for _, lang := range []i18n.Lang{i18n.En, i18n.Zh} {
		s.say(t, "zhangsan", "/lang "+string(lang))
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
				all := strings.Join(got, "\n")
				switch {
				case len(got) == 0:
					t.Errorf("%s %s: no answer", lang, line)
				case contains(got, "unknown command") || contains(got, "has no option") || contains(got, "未知命令") || contains(got, "没有选项"):
					t.Errorf("%s %s: %q", lang, line, got)
				case lang == i18n.En && missingThing.MatchString(all):
					t.Errorf("%s: names something the sample organisation lacks: %q", line, got)
				case len(got) > 3:
					t.Errorf("%s %s: %d messages", lang, line, len(got))
				}
				for _, a := range c.Args {
					if !a.Optional && strings.Contains(all, "/"+c.Path+" ") && strings.Contains(all, c.Usage()[:len(c.Path)+1]) &&
						(strings.Contains(all, "Usage") || strings.Contains(all, "用法")) && !strings.Contains(all, "<"+a.Name) {
						t.Errorf("%s %s: the usage lost its placeholder <%s>: %q", lang, line, a.Name, got)
					}
				}
				// /lang en answers in the language it chose, and the member is switched back below.
				switching := c.Path == "lang" && strings.HasSuffix(line, " en")
				if lang == i18n.Zh && !switching {
					left := slices.DeleteFunc(i18ntest.EnglishLeft(all), func(s string) bool { return strings.Contains(line, s) }) // the member's own words, echoed
					if len(left) > 0 {
						t.Errorf("zh %s: English left in the Chinese answer: %q\n%s", line, left, all)
					}
				}
				total += len(got)
				lines++
				if len(got) > worst {
					worst, worstLine = len(got), line
				}
				if conv, _ := s.app.db.GetConversation(t.Context(), "zhangsan"); conv != nil {
					s.say(t, "zhangsan", "/cancel") // a preview or a question: not run, not counted
				}
				if c.Path == "lang" {
					s.say(t, "zhangsan", "/lang "+string(lang)) // back to the language of this round, not counted
				}
			}
		}
		t.Logf("%s: %d documented lines (English and Chinese names): %d messages, %.2f per answer; most: %d (%s); English names only: %d lines, %d messages",
			lang, lines, total, float64(total)/float64(lines), worst, worstLine, enLines, enTotal)
	}
	if n := s.emu.DroppedCount("zhangsan"); n != 0 {
		t.Errorf("WeCom dropped %d replies", n)
	}
	if missed := i18n.Missed(); len(missed) > 0 {
		t.Errorf("asked for in Chinese without a translation: %s", fmt.Sprintf("%q", missed))
	}
}

// TestExamples_withinMemberBudget runs docs/commands.md's examples at a member's pace (the next line once the
// last is answered) with WeCom's member limit, 30 messages a minute, the minute shortened: WeCom drops
// nothing, because the sender holds back what the minute cannot take and merges it, and no answer arrives
// later than one minute after its command.
func TestExamples_withinMemberBudget(t *testing.T) {
	t.Parallel()
	const minute = 4 * time.Second
	s := startStackWith(t, emulator.Options{MemberMinute: minute, ApplyIDEpoch: demoApplyEpoch}, approvalsTOML+demoAlertsTOML,
		func(a *app) { a.sender.MemberLimits = []wecom.Window{{N: 30, Per: minute}, {N: 1000, Per: time.Hour}} })
	if id := s.apply(t, "sunqi", 1, "新项目需要更大的邮箱空间"); id != demoApplyID {
		t.Fatalf("the demo's application is %s; docs/commands.md names %s", id, demoApplyID)
	}
	s.say(t, "zhangsan", "/lang en")
	lines, messages, held := 0, 0, 0
	var worst time.Duration
	worstLine := ""
	start := time.Now()
	for _, c := range s.app.registry.Commands() {
		if c.Hidden {
			continue
		}
		for _, line := range c.Examples {
			sent := time.Now()
			before := len(s.emu.Delivered("zhangsan"))
			s.say(t, "zhangsan", line)
			got := s.emu.Delivered("zhangsan")[before:]
			if len(got) == 0 {
				t.Errorf("%s: no answer", line)
				continue
			}
			lines++
			messages += len(got)
			for _, m := range got {
				if d := m.Time.Sub(sent); d > worst {
					worst, worstLine = d, line
				}
				if strings.Contains(m.Content, "held back") {
					held++
				}
			}
			if conv, _ := s.app.db.GetConversation(t.Context(), "zhangsan"); conv != nil {
				s.say(t, "zhangsan", "/cancel")
			}
			if c.Path == "lang" {
				s.say(t, "zhangsan", "/lang en")
			}
		}
	}
	if n := s.emu.DroppedCount("zhangsan"); n != 0 {
		t.Errorf("WeCom dropped %d messages over the member limit", n)
	}
	// A held reply waits for the oldest of the last 30 sends to leave the minute, plus the sender's margin
	// (outbox.Sender.Margin, 1 s: WeCom counts a send when it arrives, later than we do) and the store's
	// whole-second due times; and then the time a reply takes when nothing holds it back (a loaded CI machine
	// under -race: 1 s). With WeCom's real minute that bound is 63 s.
	if bound := minute + time.Second + time.Second + time.Second; worst > bound {
		t.Errorf("%s: answered %v after the command; the member limit's minute is %v, the bound %v", worstLine, worst, minute, bound)
	}
	total := len(s.emu.Delivered("zhangsan"))
	t.Logf("%d examples at a member's pace in %v (minute = %v): %d messages for their answers, %d merged messages saying they were held back, %d messages in all; latest answer %v after its command (%s); dropped by WeCom: %d",
		lines, time.Since(start).Round(time.Millisecond), minute, messages, held, total, worst.Round(time.Millisecond), worstLine, s.emu.DroppedCount("zhangsan"))
}
