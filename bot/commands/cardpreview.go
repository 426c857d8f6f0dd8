package commands

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/wecombot/wecombot/bot/replies"
)

// A preview goes on its confirmation card, so that the member gets one message instead of a markdown preview
// and a card (WeCom allows 30 a minute), when every part of it fits a part of the card whole:
//
//   - its first line (what will happen: "Import 2 Mac(s) …", "You are about to change the roster of lisi:")
//     as the card's sub_title_text, at most MaxCardPreview characters;
//   - its list, at most 6 items, as the card's key/value rows: "- key: value", "- `code` · rest",
//     "- `code` — rest" or "N. rest" (or with "•" drawn already), each key at most maxPreviewKey characters and each value at most
//     replies.MaxCardRunes;
//   - what follows the list (a consequence, a note) as the card's quote, at most maxPreviewQuote characters.
//
// Nothing is cut: a preview with a longer part keeps its markdown message, with its layout, before the card.
const (
	maxPreviewItems = 6  // horizontal_content_list holds at most 6 rows (DOC/90372)
	maxPreviewKey   = 12 // WeCom suggests keynames of 5 characters; a userid or a device code is a little longer
	maxPreviewQuote = 160
)

// previewCard is a preview laid out on a card.
type previewCard struct {
	sub    string
	fields []replies.Field
	quote  string
}

var (
	numberedItem = regexp.MustCompile(`^(\d{1,2})\. (.+)$`)
	codeItem     = regexp.MustCompile("^`([^`]+)` (?:·|—) (.+)$")
)

// cardPreview lays preview (markdown, as a command's Preview returns it) out on a card, or reports that some
// part of it does not fit whole.
func cardPreview(preview string) (previewCard, bool) {
	var pc previewCard
	var head, rest []string
	inList, afterList := false, false
	for _, line := range strings.Split(strings.TrimSpace(preview), "\n") {
		line = strings.TrimSpace(line)
		key, value, isItem := previewItem(line)
		switch {
		case line == "":
			if inList {
				inList, afterList = false, true
			}
		case isItem && !afterList:
			inList = true
			if len(pc.fields) == maxPreviewItems || utf8.RuneCountInString(key) > maxPreviewKey ||
				utf8.RuneCountInString(value) > replies.MaxCardRunes || key == "" || value == "" {
				return previewCard{}, false
			}
			pc.fields = append(pc.fields, replies.Field{Key: key, Value: value})
		case isItem: // a second list
			return previewCard{}, false
		case inList || afterList:
			inList, afterList = false, true
			rest = append(rest, plainLine(line))
		default:
			head = append(head, plainLine(line))
		}
	}
	if len(head) != 1 {
		return previewCard{}, false
	}
	pc.sub, pc.quote = head[0], strings.Join(rest, "\n")
	if utf8.RuneCountInString(pc.sub) > MaxCardPreview || utf8.RuneCountInString(pc.quote) > maxPreviewQuote {
		return previewCard{}, false
	}
	return pc, true
}

// previewItem splits a list line of a preview into the key and value of a card row, in plain text.
func previewItem(line string) (key, value string, ok bool) {
	if m := numberedItem.FindStringSubmatch(line); m != nil {
		return m[1], plainLine(m[2]), true
	}
	var item string
	for _, bullet := range []string{"• ", "- ", "* "} { // the markdown's list, or a list already drawn
		if rest, found := strings.CutPrefix(line, bullet); found {
			item, ok = rest, true
			break
		}
	}
	if !ok {
		return "", "", false
	}
	if m := codeItem.FindStringSubmatch(item); m != nil {
		return plainLine("`" + m[1] + "`"), plainLine(m[2]), true
	}
	// "key: value" (or "key：value" in Chinese): the key is what comes before the first colon.
	i := strings.IndexAny(item, ":：")
	if i <= 0 {
		return "", plainLine(item), true // an item without a key: does not fit a row
	}
	sep := 1
	if strings.HasPrefix(item[i:], "：") {
		sep = len("：")
	}
	return plainLine(item[:i]), plainLine(item[i+sep:]), true
}

// plainLine is one line of markdown as plain text.
func plainLine(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(replies.Text(s), "\n", " "))
}
