package replies

import (
	"fmt"
	"time"
)

// PerPage is how many rows a list reply shows: a page stays well inside one 2,048-byte message.
const PerPage = 20

// Page returns page n (1-based) of items and a footer saying what is shown and how to see more, e.g.
// "showing 21–40 of 143 — /devices unknown --page 3". more is the command line without --page.
func Page[T any](items []T, n int, more string) ([]T, string) {
	if n < 1 {
		n = 1
	}
	total := len(items)
	start := (n - 1) * PerPage
	if start >= total {
		if total == 0 {
			return nil, ""
		}
		return nil, fmt.Sprintf("page %d is past the end: %d in all (%d pages)", n, total, (total+PerPage-1)/PerPage)
	}
	end := min(start+PerPage, total)
	if n == 1 && total <= PerPage {
		return items, "" // everything fits: nothing to say
	}
	footer := fmt.Sprintf("showing %d–%d of %d", start+1, end, total)
	if end < total {
		footer += fmt.Sprintf(" — %s --page %d", more, n+1)
	}
	return items[start:end], footer
}

// When formats a unix time in the corp's zone, the way members read it.
func When(unix int64, loc *time.Location) string {
	if unix <= 0 {
		return "—"
	}
	return time.Unix(unix, 0).In(loc).Format("2006-01-02 15:04")
}
