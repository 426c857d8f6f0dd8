// Package replies turns the bot's replies into what WeCom displays.
//
// Commands write replies as CommonMark, passing every user-supplied value through Escape (or Code for ids and
// other values a reader copies); bot.Errorf and Markdownf escape their arguments themselves. Markdown renders
// that source into WeCom's markdown (v1) subset for markdown messages; Text renders it as plain text for text messages and for readers on WeChat (微信插件), which does
// not show markdown messages. Split cuts rendered content to WeCom's 2,048-byte limit. TextCard, ButtonCard and
// NoticeCard build cards with WeCom's length limits applied.
//
// Reply is what commands, approvals and alerts answer with; Composer is the one path from a Reply to WeCom
// messages (markdown, or plain text for replies.format = "text"); Builder assembles a reply's CommonMark block
// by block; Describe phrases an error for a member.
//
// # What WeCom's markdown can show
//
// WeCom documents this subset (wecom-protocol.md §3.1): headings (# … ######, a space after the #), **bold**,
// [label](url) links, `inline code` on one line, > quotes and <font color="info|comment|warning">. Everything
// else in the source is rewritten into it:
//
//   - Lists become lines "• item" and "1. item"; a nested list is indented two spaces per level. In Markdown
//     output the indentation is two no-break spaces (U+00A0), because an HTML-based view collapses leading ASCII
//     spaces and a markdown parser may read four of them as a code block.
//   - A GFM table becomes a header line of bold cells followed by one line per row, cells separated by " · "
//     (an empty cell shows "-"). The header is written once rather than repeated on every row because every
//     byte counts against the 2,048-byte limit.
//   - A code block becomes one inline code span per line, its indentation kept as no-break spaces; blank lines
//     stay blank. Text output keeps code lines as they are.
//   - Emphasis (*em*) is shown as plain text (~~strikethrough~~ is not parsed: it stays as typed); images
//     become links to the image; a thematic break becomes "———"; hard and soft line breaks become newlines.
//   - Raw HTML tags are dropped, except <font color="info|comment|warning"> and its </font>; any other <font>
//     (color="red", say) is dropped together with its </font>. Text between dropped tags stays, as a browser
//     would show it, except in HTML blocks of script, style, pre, textarea, comments and declarations, which
//     are dropped whole. A <font> pair is closed at the end of its block and at each line break (and reopened
//     on the next line), as bold is, so that every line of the output is balanced on its own and Split can cut
//     between lines.
//
// # Literal text
//
// WeCom's markdown has no documented escape mechanism, so literal text (user values, and characters the source
// escaped) cannot be protected with backslashes. Instead Markdown breaks up any character sequence WeCom could
// read as markup by inserting a ZERO WIDTH SPACE (U+200B), which the reader does not see: between two '*' or two
// '_', between ']' and '(', after a '<' that could start a tag or a mention (<font, <@all>), after a '&' that
// could start a character reference, after a '\' before punctuation, and before a '#' or '>' that starts a
// line. A backtick in literal text becomes U+02CB (ˋ), which looks the same: a zero-width space cannot keep two
// backticks on one line from pairing into a code span.
//
// Text output is plain, except that a '<' that could start a tag is followed by U+200B too: WeCom text messages
// turn <a href="…">…</a> into a link, and a user must not be able to plant one.
package replies

import (
	"html"
	"regexp"
	"strconv"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
)

// mdParser is CommonMark with GFM tables. Strikethrough and linkify are left out on purpose: WeCom shows neither,
// and without them "~~x~~" and bare URLs stay text. goldmark's parsers keep all per-parse state in a
// parser.Context, so one parser serves concurrent calls (yuin in gohugoio/hugo#6484); nothing changes it after
// initialisation.
var mdParser = goldmark.New(goldmark.WithExtensions(extension.Table)).Parser()

const (
	zwsp = "\u200b" // ZERO WIDTH SPACE: breaks up markup without being seen
	nbsp = "\u00a0" // NO-BREAK SPACE: indentation an HTML view does not collapse
	// tick stands in for a literal backtick in Markdown output: two real backticks on a line would pair up.
	tick = 'ˋ' // U+02CB MODIFIER LETTER GRAVE ACCENT
	// rule is what a thematic break becomes.
	rule = "———"
)

// Markdown renders CommonMark source into WeCom's markdown (v1) subset; see the package documentation for how
// each construct is rewritten. The result has no trailing newline and never two blank lines in a row. It does
// not enforce MaxBytes: use Split.
func Markdown(src string) string { return render(src, modeMarkdown) }

// Text renders CommonMark source as plain text for text messages and WeChat readers: headings as their text on
// their own line, bold and emphasis stripped, links as "text (url)" (just the url when the text is the url),
// code as it is, quotes prefixed "│ ", lists and tables as in Markdown without the bold, <font> tags dropped
// with their content kept.
func Text(src string) string { return render(src, modeText) }

type mode uint8

const (
	modeMarkdown mode = iota
	modeText
)

func render(src string, m mode) string {
	source := []byte(cleanSource(src))
	doc := mdParser.Parse(text.NewReader(source))
	r := &renderer{source: source, mode: m}
	return joinLines(r.children(doc, true))
}

// cleanSource makes the source valid UTF-8 without NULs (CommonMark replaces NUL with U+FFFD anyway) and with
// "\n" line endings, so that nothing downstream meets a "\r".
func cleanSource(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.ContainsAny(s, "\x00\r") {
		s = strings.NewReplacer("\x00", "\uFFFD", "\r\n", "\n", "\r", "\n").Replace(s)
	}
	return s
}

// joinLines joins rendered lines, dropping blank lines at either end and collapsing runs of them into one.
func joinLines(lines []string) string {
	var b strings.Builder
	blank := false
	for _, l := range lines {
		if l == "" {
			blank = true
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
			if blank {
				b.WriteByte('\n')
			}
		}
		blank = false
		b.WriteString(l)
	}
	return b.String()
}

// A piece is a run of inline output. Inline rendering produces pieces rather than a string so that the last
// step (line) can tell literal text, which it defuses, from markup it must leave alone, and can balance bold
// and <font> per line.
type piece struct {
	k kind
	s string // the text; for kFontOpen, the colour
}

type kind uint8

const (
	kLit       kind = iota // literal text
	kMark                  // markup, written as is
	kBreak                 // line break
	kBoldOpen              // "**"
	kBoldClose             // "**"
	kFontOpen              // <font color="s">
	kFontClose             // </font>
)

func lit(s string) piece  { return piece{k: kLit, s: s} }
func mark(s string) piece { return piece{k: kMark, s: s} }

type renderer struct {
	source []byte
	mode   mode
	bold   int    // Strong nodes being rendered: only the outermost writes "**"
	inLink int    // Link nodes being rendered
	fonts  []bool // <font> tags open in the current leaf block; true for the ones kept
}

func (r *renderer) md() bool { return r.mode == modeMarkdown }

// children renders n's child blocks, separated by a blank line when loose.
func (r *renderer) children(n ast.Node, loose bool) []string {
	var out []string
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		ls := r.block(c)
		if len(ls) == 0 {
			continue
		}
		if loose && len(out) > 0 {
			out = append(out, "")
		}
		out = append(out, ls...)
	}
	return out
}

func (r *renderer) block(n ast.Node) []string {
	switch n := n.(type) {
	case *ast.Paragraph, *ast.TextBlock:
		return r.leaf(r.inlines(n))
	case *ast.Heading:
		ls := r.leaf(oneLine(r.inlines(n)))
		if len(ls) == 0 {
			return nil
		}
		if r.md() {
			ls[0] = strings.Repeat("#", n.Level) + " " + ls[0]
		}
		return ls
	case *ast.ThematicBreak:
		return []string{rule}
	case *ast.CodeBlock, *ast.FencedCodeBlock:
		return r.code(n)
	case *ast.Blockquote:
		return r.quote(n)
	case *ast.List:
		return r.list(n)
	case *ast.HTMLBlock:
		return r.htmlBlock(n)
	case *east.Table:
		return r.table(n)
	default:
		return r.children(n, true)
	}
}

func (r *renderer) quote(n *ast.Blockquote) []string {
	prefix, empty := "> ", ">"
	if !r.md() {
		prefix, empty = "│ ", "│"
	}
	ls := r.children(n, true)
	for i, l := range ls {
		if l == "" {
			ls[i] = empty
		} else {
			ls[i] = prefix + l
		}
	}
	return ls
}

func (r *renderer) list(n *ast.List) []string {
	indent := "  "
	if r.md() {
		indent = nbsp + nbsp
	}
	var out []string
	num := n.Start
	for item := n.FirstChild(); item != nil; item = item.NextSibling() {
		marker := "•"
		if n.IsOrdered() {
			marker = strconv.Itoa(num) + "."
			num++
		}
		// Items are always tight: a chat reply has no room for blank lines between items.
		body := r.children(item, false)
		if len(body) == 0 || body[0] == "" {
			out = append(out, marker)
			if len(body) > 0 {
				body = body[1:]
			}
		} else {
			out = append(out, marker+" "+body[0])
			body = body[1:]
		}
		for _, l := range body {
			if l != "" {
				l = indent + l
			}
			out = append(out, l)
		}
	}
	return out
}

// code renders a code block: in Markdown one code span per line, in Text the lines as they are.
func (r *renderer) code(n ast.Node) []string {
	var out []string
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		l := strings.TrimSuffix(string(seg.Value(r.source)), "\n")
		if !r.md() {
			out = append(out, r.line([]piece{lit(l)}))
			continue
		}
		body := strings.TrimLeft(l, " \t")
		if strings.TrimSpace(body) == "" {
			out = append(out, "")
			continue
		}
		col := 0
		for _, c := range l[:len(l)-len(body)] {
			if c == '\t' {
				col += 4 - col%4
			} else {
				col++
			}
		}
		out = append(out, r.line([]piece{mark("`" + strings.Repeat(nbsp, col)), lit(body), mark("`")}))
	}
	for len(out) > 0 && out[0] == "" {
		out = out[1:]
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

func (r *renderer) table(n *east.Table) []string {
	var out []string
	for row := n.FirstChild(); row != nil; row = row.NextSibling() {
		header := row.Kind() == east.KindTableHeader
		var ps []piece
		filled := false
		for cell := row.FirstChild(); cell != nil; cell = cell.NextSibling() {
			if cell != row.FirstChild() {
				ps = append(ps, mark(" · "))
			}
			r.fonts = r.fonts[:0]
			if header {
				r.bold++
			}
			cps := oneLine(r.inlines(cell))
			if header {
				r.bold--
			}
			cps = r.closeFonts(cps)
			if blank(cps) {
				ps = append(ps, mark("-"))
				continue
			}
			filled = true
			if header {
				cps = r.bolden(cps)
			}
			ps = append(ps, cps...)
		}
		if header && !filled {
			continue // a table without header text: no header line
		}
		out = append(out, r.line(ps))
	}
	return out
}

// htmlTagRE matches the HTML constructs CommonMark recognises (open and closing tags, comments, processing
// instructions, declarations, CDATA), for splitting an HTML block into tags and text.
var htmlTagRE = regexp.MustCompile(`<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<![A-Za-z][^>]*>|<!\[CDATA\[[\s\S]*?\]\]>|` +
	`</?[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*(?:\s*=\s*(?:[^\s"'=<>` + "`" + `]+|'[^']*'|"[^"]*"))?)*\s*/?>`)

// htmlBlock renders an HTML block. Blocks of types 1-5 (script, style, pre, textarea, comments, processing
// instructions, declarations, CDATA) are dropped whole; in the others the tags are dropped (except <font>) and
// the text between them is kept, like a browser would show it.
func (r *renderer) htmlBlock(n *ast.HTMLBlock) []string {
	if n.HTMLBlockType != ast.HTMLBlockType6 && n.HTMLBlockType != ast.HTMLBlockType7 {
		return nil
	}
	var b strings.Builder
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		b.Write(seg.Value(r.source))
	}
	if n.HasClosure() {
		b.Write(n.ClosureLine.Value(r.source))
	}
	src := b.String()
	r.fonts = r.fonts[:0]
	var ps []piece
	text := func(s string) {
		for i, l := range strings.Split(html.UnescapeString(s), "\n") {
			if i > 0 {
				ps = append(ps, piece{k: kBreak})
			}
			if len(ps) == 0 || ps[len(ps)-1].k == kBreak {
				l = strings.TrimLeft(l, " \t") // HTML indentation means nothing
			}
			if l != "" {
				ps = append(ps, lit(l))
			}
		}
	}
	at := 0
	for _, m := range htmlTagRE.FindAllStringIndex(src, -1) {
		text(src[at:m[0]])
		ps = r.tag(ps, src[m[0]:m[1]])
		at = m[1]
	}
	text(src[at:])
	var out []string
	for _, l := range r.leaf(ps) {
		if l = strings.TrimRight(l, " \t"); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// leaf finishes a leaf block's inline pieces: closes the <font> tags left open and renders the lines, dropping
// empty ones (a line that held only dropped HTML, say).
func (r *renderer) leaf(ps []piece) []string {
	ps = r.closeFonts(ps)
	var out []string
	for _, l := range r.lines(ps) {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

func (r *renderer) closeFonts(ps []piece) []piece {
	for i := len(r.fonts) - 1; i >= 0; i-- {
		if r.fonts[i] {
			ps = append(ps, piece{k: kFontClose})
		}
	}
	r.fonts = r.fonts[:0]
	return ps
}
