package replies_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/wecombot/wecombot/bot/replies"
)

// escapeInputs are values a user could type to get markup into a reply.
var escapeInputs = []string{
	"",
	"plain text",
	"**bold**",
	"__bold__",
	"*em* _em_",
	`<font color="info">x</font>`,
	"<font color=warning>x",
	"</font>",
	"<@all>",
	"<@lisi>",
	"@all",
	"[x](http://evil)",
	"![img](http://evil/x.png)",
	"[x]: http://evil",
	"[x][y]",
	"http://x.y",
	"<http://x.y>",
	"<a@b.c>",
	`<a href="http://evil">click</a>`,
	"<script>alert(1)</script>",
	"<!-- c -->",
	"# h",
	"###### h6",
	"#nospace",
	"1. item",
	"1) item",
	"2025. year",
	"- item",
	"+ item",
	"* item",
	"> q",
	">> qq",
	"`code`",
	"``code``",
	"```go",
	"~~~",
	"~~strike~~",
	`a\b`,
	`a\*b`,
	`\`,
	"&amp;",
	"&#35;",
	"&lt;font&gt;",
	"a_b_c",
	"a__b__c",
	"| a | b |",
	"---",
	"===",
	"***",
	"＃ full-width ＊x＊ ［x］（y）",
	"line one\nline two",
	"cr\rlf\r\nend",
	"\n# after newline",
	"    four spaces",
	"\tleading tab",
	"trailing  ",
	"  both  ",
	"   ",
	"a  \nb",
	"<",
	"a < b > c",
	"<3",
	"$userName=lisi$",
	"emoji 👍🏽 and 中文",
	"nul\x00byte",
	"bad \xff utf8",
	"u2028\u2028u2029\u2029nel\u0085",
	"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
}

// normalize is s as Escape promises to keep it: valid UTF-8, no NUL, one line.
func normalize(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.NewReplacer("\x00", "\uFFFD", "\r\n", " ", "\r", " ", "\n", " ",
		"\u0085", " ", "\u2028", " ", "\u2029", " ").Replace(s)
}

var tagStartRE = regexp.MustCompile(`<([A-Za-z/!?@])`)

// textSafe is what Text does to literal text: a zero-width space after a '<' that could start a tag.
func textSafe(s string) string { return tagStartRE.ReplaceAllString(s, "<\u200b$1") }

// shown is what a reader sees of Markdown output: zero-width spaces are invisible, a no-break space (which
// stands for leading blanks) looks like a space or a tab, and U+02CB like a backtick.
func shown(s string) string {
	return strings.NewReplacer("\u200b", "", "\u00a0", " ", "\t", " ", "`", "ˋ").Replace(s)
}

// Markup WeCom's markdown could act on, in output that must have none.
type markupCheck struct {
	name string
	re   *regexp.Regexp
}

var markupChecks = []markupCheck{
	{"tag or mention", regexp.MustCompile(`<[A-Za-z/!?@]`)},
	{"bold", regexp.MustCompile(`\*\*|__`)},
	{"link", regexp.MustCompile(`\]\(`)},
	{"code", regexp.MustCompile("`")},
	{"heading or quote", regexp.MustCompile(`(?m)^[ \t\x{a0}]*[#>]`)},
	{"character reference", regexp.MustCompile(`&[A-Za-z0-9#]`)},
	{"backslash escape", regexp.MustCompile(`\\[!-/:-@\[-` + "`" + `{-~]`)},
}

// checkNoMarkup fails if md, Markdown output holding only escaped text, has anything WeCom could read as markup.
func checkNoMarkup(t *testing.T, what, md string) {
	t.Helper()
	checkMarkup(t, what, md, markupChecks)
}

func checkMarkup(t *testing.T, what, md string, checks []markupCheck) {
	t.Helper()
	for _, c := range checks {
		if loc := c.re.FindStringIndex(md); loc != nil {
			t.Errorf("%s = %q: has %s markup at %d", what, md, c.name, loc[0])
		}
	}
}

func TestEscape(t *testing.T) {
	t.Parallel()
	for _, s := range escapeInputs {
		checkEscape(t, s)
	}
}

// checkEscape checks Escape(s) alone and embedded in a line, a list item, a heading and a table cell.
func checkEscape(t *testing.T, s string) {
	t.Helper()
	e := replies.Escape(s)
	want := normalize(s)
	if got := replies.Text(e); got != textSafe(want) {
		t.Errorf("Text(Escape(%q)) = %q; want %q", s, got, textSafe(want))
	}
	md := replies.Markdown(e)
	checkNoMarkup(t, "Markdown(Escape("+strconv.Quote(s)+"))", md)
	if shown(md) != shown(want) {
		t.Errorf("Markdown(Escape(%q)) = %q shows %q; want %q", s, md, shown(md), shown(want))
	}

	// Mid-line.
	src := "before " + e + " after"
	if got, w := replies.Text(src), textSafe("before "+want+" after"); got != w {
		t.Errorf("Text(%q) = %q; want %q", src, got, w)
	}
	md = replies.Markdown(src)
	checkNoMarkup(t, "Markdown("+strconv.Quote(src)+")", md)
	if w := shown("before " + want + " after"); shown(md) != w {
		t.Errorf("Markdown(%q) = %q shows %q; want %q", src, md, shown(md), w)
	}
	if strings.TrimSpace(want) == "" {
		return // an empty list item, heading or cell renders differently
	}
	for _, c := range []struct{ src, text, mdPrefix string }{
		{"- " + e, "• " + want, "• "},
		{"# " + e, want, "# "},
		{"| h |\n|---|\n| " + e + " |", "h\n" + want, "**h**\n"},
	} {
		if got := replies.Text(c.src); got != textSafe(c.text) {
			t.Errorf("Text(%q) = %q; want %q", c.src, got, textSafe(c.text))
		}
		md := replies.Markdown(c.src)
		if !strings.HasPrefix(md, c.mdPrefix) {
			t.Errorf("Markdown(%q) = %q; want it to start with %q", c.src, md, c.mdPrefix)
			continue
		}
		body := md[len(c.mdPrefix):] // the part rendered from the value
		checkNoMarkup(t, "Markdown("+strconv.Quote(c.src)+") value", body)
		if shown(body) != shown(want) {
			t.Errorf("Markdown(%q) = %q shows %q after %q; want %q", c.src, md, shown(body), c.mdPrefix, shown(want))
		}
	}
}

func TestEscape_examples(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"a_b", `a\_b`},
		{"**x**", `\*\*x\*\*`},
		{"<@all>", `\<\@all\>`},
		{"1. x", `1\. x`},
		{"  x ", "&#32;&#32;x&#32;"},
		{"\tx", "&#9;x"},
		{"a\nb", "a b"},
		{"中文＃", "中文＃"},
	} {
		if got := replies.Escape(c.in); got != c.want {
			t.Errorf("Escape(%q) = %q; want %q", c.in, got, c.want)
		}
	}
}

func TestCode(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"dev-01", "`dev-01`"},
		{"a`b", "``a`b``"},
		{"a``b`", "``` a``b` ```"},
		{"`x", "`` `x ``"},
		{" x ", "`  x  `"},
		{" x", "` x`"},
		{"   ", "`   `"},
		{"a\nb", "`a b`"},
		{"<@all> **x** [a](b)", "`<@all> **x** [a](b)`"},
	} {
		if got := replies.Code(c.in); got != c.want {
			t.Errorf("Code(%q) = %q; want %q", c.in, got, c.want)
		}
	}
	for _, s := range append(escapeInputs, "`", "``", "a ` b", "` `") {
		checkCode(t, s)
	}
}

// checkCode checks that Code(s) holds exactly s, and that Markdown shows it as one code span with no other
// markup inside.
func checkCode(t *testing.T, s string) {
	t.Helper()
	want := normalize(s)
	c := replies.Code(s)
	src := "id " + c + " end"
	if got, w := replies.Text(src), textSafe("id "+want+" end"); got != w {
		t.Errorf("Text(%q) = %q; want %q", src, got, w)
	}
	if want == "" {
		return
	}
	md := replies.Markdown(src)
	if !strings.HasPrefix(md, "id `") || !strings.HasSuffix(md, "` end") {
		t.Fatalf("Markdown(%q) = %q; want one code span", src, md)
	}
	inner := md[len("id `") : len(md)-len("` end")]
	// The code span is not at the start of a line, so only the line-start check does not apply.
	var checks []markupCheck
	for _, c := range markupChecks {
		if c.name != "heading or quote" {
			checks = append(checks, c)
		}
	}
	checkMarkup(t, "Markdown("+strconv.Quote(src)+") code", inner, checks)
	if shown(inner) != shown(want) {
		t.Errorf("Markdown(%q) code shows %q; want %q", src, shown(inner), shown(want))
	}
}

func TestFont(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		c          replies.Color
		in         string
		md, txt    string
		wantSource string
	}{
		{replies.Info, "ok", `<font color="info">ok</font>`, "ok", `<font color="info">ok</font>`},
		{replies.Comment, "**2** left", `<font color="comment">**2** left</font>`, "2 left", `<font color="comment">**2** left</font>`},
		{replies.Warning, replies.Escape("<@all>"), `<font color="warning"><` + "\u200b" + `@all></font>`, "<\u200b@all>",
			`<font color="warning">\<\@all\></font>`},
		{"red", "x", "x", "x", "x"},
	} {
		src := replies.Font(c.c, c.in)
		if src != c.wantSource {
			t.Errorf("Font(%q, %q) = %q; want %q", c.c, c.in, src, c.wantSource)
		}
		if got := replies.Markdown(src); got != c.md {
			t.Errorf("Markdown(%q) = %q; want %q", src, got, c.md)
		}
		if got := replies.Text(src); got != c.txt {
			t.Errorf("Text(%q) = %q; want %q", src, got, c.txt)
		}
	}
}

// TestMarkdown_cases pins behaviour the golden files show less directly.
func TestMarkdown_cases(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ src, md, text string }{
		{"", "", ""},
		{"a\n\n\n\nb", "a\n\nb", "a\n\nb"},
		{"**a\nb**", "**a**\n**b**", "a\nb"},
		{"** a **", "*\u200b* a *\u200b*", "** a **"}, // not bold in CommonMark: literal, so defused
		{"x **a** y", "x **a** y", "x a y"},
		{"**a **b** c**", "**a b c**", "a b c"},
		{"[a](http://x/(y))", "[a](http://x/%28y%29)", "a (http://x/(y))"},
		{"[a](<http://x/a b>)", "[a](http://x/a%20b)", "a (http://x/a b)"},
		{"[](http://x)", "[http://x](http://x)", "http://x"},
		{"[http://x](http://x)", "[http://x](http://x)", "http://x"},
		{"[a](javascript:alert(1))", "a", "a (javascript:alert(1))"},
		{"![](http://x/p.png)", "[http://x/p.png](http://x/p.png)", "http://x/p.png"},
		{"[![alt](http://x/i.png)](http://x/p)", "[alt](http://x/p)", "alt (http://x/p)"},
		{"[a](JavaScript:x)", "a", "a (JavaScript:x)"},
		{"a<b <3 <@x>", "a<\u200bb <3 <\u200b@x>", "a<\u200bb <3 <\u200b@x>"},
		{"&lt;a href=x&gt;", "<\u200ba href=x>", "<\u200ba href=x>"},
		{"a\\\nb", "a\nb", "a\nb"},
		{"#", "", ""},
		{"<b></b>", "", ""},
		{"a ` b", "a ˋ b", "a ` b"},
		{"x\n***\ny", "x\n\n———\n\ny", "x\n\n———\n\ny"},
		{"Setext\n===", "# Setext", "Setext"},
		{"> a\n>\n> b", "> a\n>\n> b", "│ a\n│\n│ b"},
		{"- a\n\n- b", "• a\n• b", "• a\n• b"},
		{"5. a\n6. b", "5. a\n6. b", "5. a\n6. b"},
		{"<font color=\"info\">a\n\nb</font>", "<font color=\"info\">a</font>\n\nb", "a\n\nb"},
		{"<font color=\"red\">a <font color=\"info\">b</font> c</font> d", "a <font color=\"info\">b</font> c d", "a b c d"},
		{"x <font color=\"info\">**a\nb**</font>", "x <font color=\"info\">**a**</font>\n<font color=\"info\">**b**</font>", "x a\nb"},
	} {
		if got := replies.Markdown(c.src); got != c.md {
			t.Errorf("Markdown(%q) = %q; want %q", c.src, got, c.md)
		}
		if got := replies.Text(c.src); got != c.text {
			t.Errorf("Text(%q) = %q; want %q", c.src, got, c.text)
		}
	}
}
