package commands

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// peopleDesk returns the commands over members and their accounts: advanced-feature accounts (/vip), ids
// (/whois, /convert), the HR roster (/staff) and member applications (/order).
func peopleDesk(d Deps) []*Command {
	fields := newHRFieldCache(d) // shared by /staff and /whois, so a roster summary reuses /staff's field list
	var out []*Command
	out = append(out, vipCommands(d)...)
	out = append(out, whoisCommands(d, fields)...)
	out = append(out, staffCommands(d, fields)...)
	out = append(out, orderCommands(d)...)
	return out
}

// peopleUserID is a WeCom userid: 1-64 bytes of letters, digits and "_-.@", starting with a letter or digit
// (DOC/90195, 创建成员).
var peopleUserID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$`)

const peopleUserIDHelp = "a member's userid (letters, digits and _ - . @, at most 64)"

// peopleSleep waits d or until ctx ends.
func peopleSleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// peopleUnique returns ids without repeats, in their first order.
func peopleUnique(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// peoplePlural writes "1 member" or "3 members".
func peoplePlural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// peopleShort cuts free text (a reason, a remark) to n runes for one-line lists, with "…".
func peopleShort(s string, n int) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}
