package replies

import (
	"strings"

	"github.com/wecombot/wecombot/bot"
)

// Escape makes user-supplied text safe to embed in CommonMark source: Markdown and Text show it literally, and
// nothing in it (emphasis, links, code, headings, lists or quotes at the start of a line, HTML, <font>, WeCom
// mentions such as <@all>, character references) takes effect.
//
// A value is one line: "\r\n", "\r", "\n", U+0085, U+2028 and U+2029 each become a space. Invalid UTF-8 becomes
// U+FFFD, and so does NUL (as CommonMark does). With that normalisation, Text(Escape(s)) == s, except for the
// zero-width space Text puts after a '<' that could start a tag (see the package documentation), and
// Markdown(Escape(s)) shows the same characters (a backtick as its look-alike U+02CB).
//
// Escape backslash-escapes every ASCII punctuation character, which CommonMark guarantees is literal, and
// writes leading and trailing blanks as character references so that they are neither stripped as indentation
// nor read as the start of an indented code block.
//
// It is bot.EscapeText, which bot.Errorf, bot.Markdownf and commands.Markdownf apply to their arguments, so that
// values echoed in error messages are escaped without each call site remembering to.
func Escape(s string) string { return bot.EscapeText(s) }

// valueLine makes s valid UTF-8 without NUL and on one line.
func valueLine(s string) string { return bot.OneLine(s) }

// Code returns s as an inline code span, for ids and other values a reader copies: the fence is one backtick
// longer than the longest run of backticks in s, and s is padded with a space where CommonMark would otherwise
// eat one of its own, so the span holds exactly s (made one line as by Escape). Code("") is "".
//
// In a GFM table cell a '|' ends the cell even inside a code span; put values that may hold one through Escape
// there.
func Code(s string) string {
	s = valueLine(s)
	if s == "" {
		return ""
	}
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	// CommonMark strips one space from each end when both ends are spaces and the content is not all spaces;
	// goldmark's test is "not all spaces and tabs".
	pad := s[0] == '`' || s[len(s)-1] == '`' || s[0] == ' ' && s[len(s)-1] == ' ' && strings.Trim(s, " \t") != ""
	if pad {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// Color is one of the three colours WeCom's <font> supports.
type Color string

// WeCom's font colours.
const (
	Info    Color = "info"    // green
	Comment Color = "comment" // grey
	Warning Color = "warning" // orange-red
)

// Font wraps markdown that is already safe (template text, or values passed through Escape or Code) in a WeCom
// colour. It is for inline text: a <font> pair does not carry across blocks, and Markdown closes it at the end
// of each line. A colour other than Info, Comment and Warning returns md unchanged.
func Font(c Color, md string) string {
	switch c {
	case Info, Comment, Warning:
		return `<font color="` + string(c) + `">` + md + `</font>`
	}
	return md
}
