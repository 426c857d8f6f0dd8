package bot

import (
	"fmt"
	"reflect"
	"strings"
)

// User messages (Error.Message, replies) are CommonMark. What a member typed, and anything else the bot did not
// write itself, is text: it goes in through Markdownf, Errorf or Wrap, which escape their arguments, so a value
// echoed back in a reply can never become a link, a <font> colour, a mention or a heading in the bot's voice.

// Markdown is CommonMark that is already safe to show: a template's own markup, or values passed through
// EscapeText or replies.Code. Markdownf, Errorf and Wrap insert an argument of this type as it is.
type Markdown string

// Markdownf formats CommonMark: format is markup written by the bot; every argument is text and is escaped
// (EscapeText) after it is formatted by its verb, except arguments of type Markdown and numbers and booleans,
// which cannot hold markup.
func Markdownf(format string, args ...any) string {
	return fmt.Sprintf(format, escapeArgs(args)...)
}

// plainf formats the same message without escaping, for logs and the audit trail.
func plainf(format string, args ...any) string {
	plain := make([]any, len(args))
	for i, a := range args {
		if m, ok := a.(Markdown); ok {
			plain[i] = string(m)
		} else if e, ok := a.(*Error); ok {
			plain[i] = ErrorText(e)
		} else {
			plain[i] = a
		}
	}
	return fmt.Sprintf(format, plain...)
}

func escapeArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = escapeArg(a)
	}
	return out
}

func escapeArg(a any) any {
	switch v := a.(type) {
	case nil, Markdown:
		return a
	case *Error: // a nested user message (UserArg): CommonMark already
		return v.Message
	case error, fmt.Stringer, fmt.Formatter:
		return escaped{a}
	}
	switch reflect.ValueOf(a).Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8,
		reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return a // digits, signs and points: nothing CommonMark or WeCom reads as markup mid-sentence
	}
	return escaped{a}
}

// escaped formats its value with the verb and flags it is given, then escapes the result.
type escaped struct{ v any }

func (e escaped) Format(f fmt.State, verb rune) {
	var spec strings.Builder
	spec.WriteByte('%')
	for _, flag := range "+-# 0" {
		if f.Flag(int(flag)) {
			spec.WriteRune(flag)
		}
	}
	if w, ok := f.Width(); ok {
		fmt.Fprintf(&spec, "%d", w)
	}
	if p, ok := f.Precision(); ok {
		fmt.Fprintf(&spec, ".%d", p)
	}
	spec.WriteRune(verb)
	f.Write([]byte(EscapeText(fmt.Sprintf(spec.String(), e.v))))
}

// EscapeText makes text safe to embed in CommonMark source: Markdown and Text (bot/replies) show it literally,
// and nothing in it (emphasis, links, code, headings, lists or quotes at the start of a line, HTML, <font>,
// WeCom mentions such as <@all>, character references) takes effect. replies.Escape documents it in full.
//
// It backslash-escapes every ASCII punctuation character, which CommonMark guarantees is literal, and writes
// leading and trailing blanks as character references so that they are neither stripped as indentation nor
// read as the start of an indented code block. The value is first made one line (OneLine).
func EscapeText(s string) string {
	s = OneLine(s)
	lead := len(s) - len(strings.TrimLeft(s, blanks))
	trail := len(s) - len(strings.TrimRight(s, blanks))
	if lead == len(s) {
		trail = 0
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case i < lead || i >= len(s)-trail:
			b.WriteString("&#")
			b.WriteString(blankRefs[c])
			b.WriteByte(';')
		case c < 0x80 && isPunct(c):
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// blanks are the characters CommonMark strips around a paragraph's lines; blankRefs their decimal references.
const blanks = " \t\v\f"

var blankRefs = [256]string{' ': "32", '\t': "9", '\v': "11", '\f': "12"}

// isPunct reports ASCII punctuation, the characters CommonMark lets a backslash escape.
func isPunct(c byte) bool {
	return c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'
}

// OneLine makes s valid UTF-8 without NUL and on one line: "\r\n", "\r", "\n", U+0085, U+2028 and U+2029 each
// become a space, invalid UTF-8 and NUL become U+FFFD.
func OneLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.ContainsAny(s, "\x00\r\n\u0085\u2028\u2029") {
		s = strings.NewReplacer("\x00", "\uFFFD", "\r\n", " ", "\r", " ", "\n", " ",
			"\u0085", " ", "\u2028", " ", "\u2029", " ").Replace(s)
	}
	return s
}
