package replies

import (
	"html"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/wecombot/wecombot/wecom"
)

// ellipsis marks text cut to fit.
const ellipsis = "…"

// TextCard builds a text card. WeCom silently cuts a title over 128 bytes and a description over 512; TextCard
// cuts them itself, on a rune boundary and with "…", so the reader sees that something is missing.
//
// Each of lines is HTML-escaped and becomes one line of the description (a "\n" inside one starts another). A
// line made by Gray, Normal or Highlight keeps its style; such a line is a block of its own, so only two plain
// lines are joined with <br>. When the description runs out of room, the line that does not fit is cut and the
// rest are left out. The description is empty when lines is, and WeCom requires one.
//
// btnTxt is cut to WeCom's 4 characters, without "…", which would take one of them; "" means WeCom's "详情".
func TextCard(title string, lines []string, url, btnTxt string) wecom.TextCard {
	return wecom.TextCard{
		Title:       truncateBytes(valueLine(title), wecom.MaxTextCardTitleBytes),
		Description: description(lines, wecom.MaxTextCardDescBytes),
		URL:         url,
		BtnTxt:      truncateRunes(valueLine(btnTxt), wecom.MaxTextCardBtnTxtChars, ""),
	}
}

// Gray returns s, HTML-escaped, as a grey text card line (typically a date).
func Gray(s string) string { return styled("gray", s) }

// Normal returns s, HTML-escaped, as a text card line in the normal style.
func Normal(s string) string { return styled("normal", s) }

// Highlight returns s, HTML-escaped, as a highlighted text card line.
func Highlight(s string) string { return styled("highlight", s) }

func styled(class, s string) string {
	return `<div class="` + class + `">` + html.EscapeString(valueLine(s)) + `</div>`
}

// styledRE matches what Gray, Normal and Highlight return: the inner text has no raw markup characters.
var styledRE = regexp.MustCompile(`^<div class="(gray|normal|highlight)">([^<>"']*)</div>$`)

// descLine is one description line: its text and its style ("" for a plain line).
type descLine struct{ class, text string }

func (l descLine) html(text string) string {
	if l.class == "" {
		return html.EscapeString(text)
	}
	return `<div class="` + l.class + `">` + html.EscapeString(text) + `</div>`
}

// parseLine recognises a line made by Gray, Normal or Highlight: exactly one styled <div> around text escaped
// as html.EscapeString escapes it. Anything else is plain text and is escaped, so markup inside a user value
// never takes effect. (A raw user value given as a whole line that happens to equal a helper's output would be
// styled; the styles are only colours.)
func parseLine(s string) (descLine, bool) {
	m := styledRE.FindStringSubmatch(s)
	if m == nil {
		return descLine{}, false
	}
	// The inner text must be exactly what html.EscapeString produces, so that it decodes to what was passed in.
	text := html.UnescapeString(m[2])
	if html.EscapeString(text) != m[2] {
		return descLine{}, false
	}
	return descLine{class: m[1], text: text}, true
}

func description(lines []string, limit int) string {
	var ds []descLine
	for _, s := range lines {
		if d, ok := parseLine(s); ok {
			ds = append(ds, d)
			continue
		}
		s = strings.ReplaceAll(strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\r\n", "\n"), "\r", "\n")
		for _, l := range strings.Split(s, "\n") {
			ds = append(ds, descLine{text: l})
		}
	}
	var b strings.Builder
	for i, d := range ds {
		sep := ""
		if i > 0 && d.class == "" && ds[i-1].class == "" {
			sep = "<br>"
		}
		room := limit - b.Len() - len(sep)
		if h := d.html(d.text); len(h) <= room {
			b.WriteString(sep + h)
			continue
		}
		// Cut this line to fit with "…" and leave out the rest.
		// Escaping never shortens text, so no prefix longer than room can fit.
		for cut := min(len(d.text), max(room, 0)); cut >= 0; cut-- {
			if cut < len(d.text) && !utf8.RuneStart(d.text[cut]) {
				continue
			}
			if h := d.html(d.text[:cut] + ellipsis); len(h) <= room {
				b.WriteString(sep + h)
				break
			}
		}
		break
	}
	return b.String()
}

// truncateBytes cuts s to at most n bytes on a rune boundary, ending it with "…" when cut.
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len(ellipsis)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:max(cut, 0)] + ellipsis
}

// truncateRunes cuts s to at most n runes, the last of them mark when cut (mark "" cuts to n runes).
func truncateRunes(s string, n int, mark string) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	keep := n - utf8.RuneCountInString(mark)
	i := 0
	for j := range s {
		if keep == 0 {
			i = j
			break
		}
		keep--
	}
	return s[:i] + mark
}

// Field is one "key: value" row of a template card (horizontal_content_list).
type Field struct{ Key, Value string }

// Button is one button of a button_interaction card. Key comes back in the template_card_event callback;
// Style is 1..4 (anything else means WeCom's default, 1).
type Button struct {
	Text, Key string
	Style     int
}

// MaxCardRunes bounds every text of a template card. WeCom only suggests lengths (DOC/90372: main title 26
// characters, its desc 30, keyname 5, value 26, button text 10) and lays out longer text itself; the bound only
// keeps an absurd value from swamping the card.
const MaxCardRunes = 64

// cardText makes s one line of at most MaxCardRunes runes.
func cardText(s string) string { return truncateRunes(valueLine(s), MaxCardRunes, ellipsis) }

// ButtonCard builds a button_interaction card: a main title and its description, up to 6 key/value rows and up
// to 6 callback buttons (further ones are left out; so are fields without a Key, which WeCom requires). taskID
// must be unique per app, [0-9A-Za-z_@-] and at most 128 bytes; it is not checked here (message/send does).
// Set Source or SubTitleText on the result if needed.
func ButtonCard(taskID, title, desc string, fields []Field, buttons []Button) *wecom.TemplateCard {
	c := &wecom.TemplateCard{
		CardType:              wecom.CardButtonInteraction,
		MainTitle:             cardTitle(title, desc),
		HorizontalContentList: horizontal(fields),
		TaskID:                taskID,
	}
	for _, b := range buttons[:min(len(buttons), wecom.MaxCardButtons)] {
		style := b.Style
		if style < 1 || style > 4 {
			style = 0
		}
		c.ButtonList = append(c.ButtonList, wecom.CardButton{Type: wecom.CardButtonCallback, Text: cardText(b.Text),
			Style: style, Key: b.Key})
	}
	return c
}

// NoticeCard builds a text_notice card: a main title and its description, up to 6 key/value rows, and url
// opened by a click on the card. taskID may be "" (it is needed only to update the card later). Add
// EmphasisContent (see Emphasis) or a JumpList (see Jump) to the result as needed.
func NoticeCard(taskID, title, desc string, fields []Field, url string) *wecom.TemplateCard {
	return &wecom.TemplateCard{
		CardType:              wecom.CardTextNotice,
		MainTitle:             cardTitle(title, desc),
		HorizontalContentList: horizontal(fields),
		CardAction:            &wecom.CardAction{Type: wecom.CardLinkURL, URL: url},
		TaskID:                taskID,
	}
}

// Emphasis returns a text_notice card's key figure (emphasis_content): title is the figure, desc what it is.
func Emphasis(title, desc string) *wecom.CardTitle {
	return &wecom.CardTitle{Title: cardText(title), Desc: cardText(desc)}
}

// Jump returns a jump_list link; a card holds at most 3.
func Jump(title, url string) wecom.CardJump {
	return wecom.CardJump{Type: wecom.CardLinkURL, Title: cardText(title), URL: url}
}

func cardTitle(title, desc string) *wecom.CardTitle {
	if title == "" && desc == "" {
		return nil
	}
	return &wecom.CardTitle{Title: cardText(title), Desc: cardText(desc)}
}

func horizontal(fields []Field) []wecom.CardHorizontal {
	var hs []wecom.CardHorizontal
	for _, f := range fields {
		if len(hs) == 6 {
			break
		}
		if strings.TrimSpace(f.Key) == "" {
			continue
		}
		hs = append(hs, wecom.CardHorizontal{KeyName: cardText(f.Key), Value: cardText(f.Value)})
	}
	return hs
}
