package emulator

// Paging of the cursor lists (security/*, security/vip/list, advanced_feature/get_apply_id_list). Cursors are
// opaque to clients; ours carry the list they belong to, a fingerprint of the query's filters and the offset of
// the next row.

import (
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// fingerprint hashes a query's filters into what its cursors carry.
func fingerprint(parts ...any) uint64 {
	h := fnv.New64a()
	fmt.Fprint(h, parts...)
	return h.Sum64()
}

func cursorFor(kind string, fp uint64, offset int) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%s.%x.%d", kind, fp, offset))
}

// parseCursor returns the offset a cursor points at; "" is the first page.
func parseCursor(kind string, fp uint64, cursor string) (int, bool) {
	if cursor == "" {
		return 0, true
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return 0, false
	}
	parts := strings.Split(string(b), ".")
	if len(parts) != 3 || parts[0] != kind || parts[1] != strconv.FormatUint(fp, 16) {
		return 0, false
	}
	off, err := strconv.Atoi(parts[2])
	if err != nil || off < 0 {
		return 0, false
	}
	return off, true
}

// page cuts the page cursor points at, limit rows long, out of items: the rows of the list kind filtered by
// the query whose fingerprint is fp. A cursor of another list or query is refused with badCursor instead of
// silently paging the wrong list; a cursor past the end yields an empty last page rather than an error, since
// the rows it pointed at may have been deleted since.
//
// rows is a copy, never nil (an empty page is [] in JSON, not null); next is the cursor of the rest, "" on the
// last page. The caller has validated limit (1 or more) against the API's own bounds.
func page[T any](items []T, kind string, fp uint64, cursor string, limit int, badCursor *apiError) (rows []T, next string, aerr *apiError) {
	off, ok := parseCursor(kind, fp, cursor)
	if !ok {
		return nil, "", badCursor
	}
	start := min(off, len(items))
	end := min(start+limit, len(items))
	if end < len(items) {
		next = cursorFor(kind, fp, end)
	}
	return append([]T{}, items[start:end]...), next, nil
}

// errBadCursor is WeCom's "分页查询的游标无效" (DOC/90313).
func errBadCursor() *apiError { return errf(50100, "invalid cursor") }

// recordPage renders a page the way the log and record APIs do: has_more, and next_cursor only while there
// is more.
func recordPage(next string, records any) obj {
	res := obj{"has_more": next != "", "record_list": records}
	if next != "" {
		res["next_cursor"] = next
	}
	return res
}
