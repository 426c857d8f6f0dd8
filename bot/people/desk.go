// Package people is the people desk: commands over members and their accounts — advanced-feature accounts
// (/vip), ids (/whois, /convert), the HR roster (/staff) and member applications (/order, decided through
// the approval flow's Decider). cmd/bot registers Commands.
package people

import (
	"strings"

	"github.com/wecombot/wecombot/bot/replies"
)

// oneLine cuts free text (a reason, a remark) to n runes on one line, for lists.
func oneLine(s string, n int) string {
	return replies.Truncate(strings.Join(strings.Fields(s), " "), n)
}
