package bot_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/wecombot/wecombot/bot"
)

type stringer struct{}

func (stringer) String() string { return "<b>" }

// Errorf and Markdownf treat their arguments as text: escaped after formatting, whatever the verb, except
// Markdown, numbers and booleans.
func TestMarkdownfEscapesArguments(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		format string
		args   []any
		want   string
	}{
		{"unknown command /%s", []any{"[x](http://e)"}, `unknown command /\[x\]\(http\:\/\/e\)`},
		{"%q is not valid", []any{`<font color="info">`}, `\"\<font color\=\\\"info\\\"\>\" is not valid`},
		{"%v and %s", []any{errors.New("**b**"), stringer{}}, `\*\*b\*\* and \<b\>`},
		{"%-6s|", []any{"a*"}, `a\*&#32;&#32;&#32;&#32;|`},
		{"%d items, %v, %.1f", []any{-3, true, 1.5}, "-3 items, true, 1.5"},
		{"see %s", []any{bot.Markdown("`/help`")}, "see `/help`"},
		{"line %s", []any{"a\n# b"}, `line a \# b`},
		{"no args", nil, "no args"},
	} {
		if got := bot.Markdownf(tc.format, tc.args...); got != tc.want {
			t.Errorf("Markdownf(%q, %v) = %q; want %q", tc.format, tc.args, got, tc.want)
		}
	}
}

// An *Error's Message is the escaped markup; Error() and ErrorText give the text as typed, for logs and audit.
func TestErrorfMessageAndText(t *testing.T) {
	t.Parallel()
	cause := errors.New("boom")
	err := bot.Wrap(bot.EINVALID, cause, "--user: %q is not a userid; see %s", "<@all>", bot.Markdown("`/help`"))
	if want := `--user: \"\<\@all\>\" is not a userid; see ` + "`/help`"; err.Message != want {
		t.Errorf("Message = %q; want %q", err.Message, want)
	}
	if want := "--user: \"<@all>\" is not a userid; see `/help`: boom"; err.Error() != want {
		t.Errorf("Error() = %q; want %q", err.Error(), want)
	}
	if got := bot.ErrorText(fmt.Errorf("wrapped: %w", err)); got != "--user: \"<@all>\" is not a userid; see `/help`" {
		t.Errorf("ErrorText = %q", got)
	}
	if got := bot.UserText(errors.New("a_b")); got != `a\_b` {
		t.Errorf("UserText(plain) = %q; want it escaped", got)
	}
	if got := bot.UserText(err); string(got) != err.Message {
		t.Errorf("UserText(*Error) = %q; want its Message as it is", got)
	}
}

// TestLocalizedMessage_nested: a validation error quoted in a usage error (bot.UserArg) is written in the reader's
// language with the message around it, and shown as written (its markup kept, not escaped twice).
func TestLocalizedMessage_nested(t *testing.T) {
	inner := bot.Errorf(bot.EINVALID, "%s is not a userid", "li*si")
	outer := bot.Errorf(bot.EINVALID, "user: %s", bot.UserArg(inner))
	if got, want := outer.Message, `user: li\*si is not a userid`; got != want {
		t.Errorf("Message = %q; want %q", got, want)
	}
	zh := map[string]string{"%s is not a userid": "%s 不是 userid", "user: %s": "成员：%s"}
	tr := func(s string) string {
		if t, ok := zh[s]; ok {
			return t
		}
		return s
	}
	if got, want := bot.LocalizedMessage(outer, tr), `成员：li\*si 不是 userid`; got != want {
		t.Errorf("bot.LocalizedMessage = %q; want %q", got, want)
	}
	if got := bot.ErrorText(outer); got != "user: li*si is not a userid" {
		t.Errorf("bot.ErrorText = %q", got)
	}
	if got := bot.UserArg(errors.New("a <b>")); got != bot.Markdown(`a \<b>`) && got != bot.Markdown(bot.EscapeText("a <b>")) {
		t.Errorf("bot.UserArg(plain) = %q", got)
	}
}
