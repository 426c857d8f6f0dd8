package wecom

import (
	"context"
	"fmt"
	"iter"
)

// MaxPages bounds one cursor walk. WeCom's largest lists the bot walks (a week of operation logs at 400 a page)
// stay far below it; a server that never ends its cursor chain gets ErrTooManyPages instead of a hang.
const MaxPages = 10000

// PageFunc fetches the page at cursor ("" for the first) and returns its items, the cursor of the next page
// and whether there is one.
type PageFunc[T any] func(ctx context.Context, cursor string) (items []T, next string, more bool, err error)

// All walks every page of a cursor-paged API, yielding items in order. It stops at the first error (yielded
// with a zero item), when the caller stops ranging, on a repeated cursor, or after MaxPages pages.
func All[T any](ctx context.Context, fetch PageFunc[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		cursor := ""
		seen := map[string]bool{}
		for page := 0; ; page++ {
			if page >= MaxPages {
				yield(zero, fmt.Errorf("%w: more than %d pages", ErrTooManyPages, MaxPages))
				return
			}
			if err := ctx.Err(); err != nil {
				yield(zero, err)
				return
			}
			items, next, more, err := fetch(ctx, cursor)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if !more || next == "" {
				return
			}
			if seen[next] {
				yield(zero, fmt.Errorf("%w: cursor %q repeated", ErrTooManyPages, next))
				return
			}
			seen[next] = true
			cursor = next
		}
	}
}

// Collect gathers a walk into a slice, stopping at limit items (limit ≤ 0: no limit) so that a caller showing
// the first page of a huge list does not fetch all of it.
func Collect[T any](seq iter.Seq2[T, error], limit int) ([]T, error) {
	var out []T
	for it, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, it)
		if limit > 0 && len(out) >= limit {
			break
		}
	}
	return out, nil
}
