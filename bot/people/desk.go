// Package people is the people desk: commands over members and their accounts — advanced-feature accounts
// (/vip), ids (/whois, /convert), the HR roster (/staff) and member applications (/order, decided through
// the approval flow's Decider). cmd/bot registers Commands.
package people

import (
	"regexp"
	"strings"

	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/replies"
)

// oneLine cuts free text (a reason, a remark) to n runes on one line, for lists.
func oneLine(s string, n int) string {
	return replies.Truncate(strings.Join(strings.Fields(s), " "), n)
}

// enumText is a bilingual name as wecom's enums and the desk's labels write them, "mail (邮件)", in p's
// language: as it is in English, its Chinese in parentheses alone in Chinese. Names without one stay as they are.
func enumText(p *i18n.Printer, s string) string {
	if !p.Zh() {
		return s
	}
	if m := bilingual.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return s
}

var bilingual = regexp.MustCompile(`^[^()]*\S \(([^()]*\p{Han}[^()]*)\)$`)
