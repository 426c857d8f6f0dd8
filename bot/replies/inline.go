package replies

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"
)

// inlines renders n's inline children.
func (r *renderer) inlines(n ast.Node) []piece {
	var ps []piece
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		ps = r.inline(ps, c)
	}
	return ps
}

func (r *renderer) inline(ps []piece, n ast.Node) []piece {
	switch n := n.(type) {
	case *ast.Text:
		v := n.Segment.Value(r.source)
		if n.IsRaw() {
			ps = append(ps, lit(string(v)))
		} else {
			ps = append(ps, lit(unescape(v)))
		}
		if n.HardLineBreak() || n.SoftLineBreak() {
			ps = append(ps, piece{k: kBreak})
		}
	case *ast.String:
		if n.IsCode() || n.IsRaw() {
			ps = append(ps, lit(string(n.Value)))
		} else {
			ps = append(ps, lit(unescape(n.Value)))
		}
	case *ast.CodeSpan:
		var b strings.Builder
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.Text:
				b.Write(c.Segment.Value(r.source))
			case *ast.String:
				b.Write(c.Value)
			}
		}
		// CommonMark turns line endings inside a code span into spaces; WeCom's code is one line anyway.
		code := lit(strings.ReplaceAll(b.String(), "\n", " "))
		if r.md() {
			return append(ps, mark("`"), code, mark("`"))
		}
		return append(ps, code)
	case *ast.Emphasis:
		if n.Level < 2 || r.bold > 0 || !r.md() {
			return append(ps, r.inlines(n)...)
		}
		r.bold++
		inner := r.inlines(n)
		r.bold--
		return append(ps, r.bolden(inner)...)
	case *ast.Link:
		r.inLink++
		label := oneLine(r.inlines(n))
		r.inLink--
		return r.link(ps, label, n.Destination, true)
	case *ast.Image:
		// The alt text is plain, and inside a link (a linked image) it is all that shows: WeCom's links do not
		// nest.
		alt := plain(r.inlines(n))
		if r.inLink > 0 {
			return append(ps, lit(alt))
		}
		return r.link(ps, []piece{lit(alt)}, n.Destination, true)
	case *ast.AutoLink:
		url := n.URL(r.source)
		if n.AutoLinkType == ast.AutoLinkEmail && !strings.HasPrefix(strings.ToLower(string(url)), "mailto:") {
			url = append([]byte("mailto:"), url...)
		}
		label := []piece{lit(string(n.Label(r.source)))}
		if !r.md() {
			return append(ps, label...) // the url itself, or the e-mail address
		}
		return r.link(ps, label, url, false)
	case *ast.RawHTML:
		var b strings.Builder
		for i := 0; i < n.Segments.Len(); i++ {
			seg := n.Segments.At(i)
			b.Write(seg.Value(r.source))
		}
		return r.tag(ps, b.String())
	default:
		return append(ps, r.inlines(n)...)
	}
	return ps
}

// link renders a link (or an image, as a link to it). dest is the raw destination; resolve says whether it
// still holds backslash escapes and character references (an autolink's does not).
func (r *renderer) link(ps []piece, label []piece, dest []byte, resolve bool) []piece {
	raw := string(dest)
	if resolve {
		raw = string(util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(dest))))
	}
	raw = cleanSource(raw)
	if !r.md() {
		txt := plain(label)
		switch {
		case raw == "" || txt == raw:
			return append(ps, label...)
		case strings.TrimSpace(txt) == "":
			return append(ps, lit(raw))
		}
		return append(append(ps, label...), lit(" ("+raw+")"))
	}
	url := linkURL(raw)
	if url == "" || gmhtml.IsDangerousURL([]byte(url)) {
		return append(ps, label...)
	}
	if blank(label) {
		label = []piece{lit(raw)}
	}
	ps = append(ps, mark("["))
	ps = append(ps, label...)
	return append(ps, mark("]("+url+")"))
}

// linkURL percent-encodes what would end or break a WeCom link: spaces, parentheses, quotes, angle brackets,
// backticks, brackets, control and non-ASCII characters.
func linkURL(raw string) string {
	u := string(util.URLEscape([]byte(raw), false))
	return strings.NewReplacer("(", "%28", ")", "%29").Replace(u)
}

var (
	fontOpenRE  = regexp.MustCompile(`(?i)^<font\s+color\s*=\s*(?:"(info|comment|warning)"|'(info|comment|warning)'|(info|comment|warning))\s*>$`)
	fontAnyRE   = regexp.MustCompile(`(?i)^<font(?:\s[^>]*)?>$`)
	fontCloseRE = regexp.MustCompile(`(?i)^</font\s*>$`)
)

// tag handles one raw HTML tag: a <font> in one of WeCom's colours and its </font> are kept, any other <font>
// is dropped with its </font>, and every other tag is dropped.
func (r *renderer) tag(ps []piece, tag string) []piece {
	if m := fontOpenRE.FindStringSubmatch(tag); m != nil {
		r.fonts = append(r.fonts, true)
		return append(ps, piece{k: kFontOpen, s: strings.ToLower(m[1] + m[2] + m[3])})
	}
	if fontCloseRE.MatchString(tag) {
		if len(r.fonts) == 0 {
			return ps
		}
		kept := r.fonts[len(r.fonts)-1]
		r.fonts = r.fonts[:len(r.fonts)-1]
		if kept {
			return append(ps, piece{k: kFontClose})
		}
		return ps
	}
	if fontAnyRE.MatchString(tag) && !strings.HasSuffix(tag, "/>") {
		r.fonts = append(r.fonts, false)
	}
	return ps
}

// bolden wraps pieces in bold, moving leading and trailing spaces outside the markers ("** x **" is not bold in
// most markdown dialects). Blank content gets no markers.
func (r *renderer) bolden(ps []piece) []piece {
	if blank(ps) || !r.md() {
		return ps
	}
	var lead, trail string
	ps = append([]piece(nil), ps...)
	if p := &ps[0]; p.k == kLit {
		t := strings.TrimLeft(p.s, " \t")
		lead, p.s = p.s[:len(p.s)-len(t)], t
	}
	if p := &ps[len(ps)-1]; p.k == kLit {
		t := strings.TrimRight(p.s, " \t")
		trail, p.s = p.s[len(t):], t
	}
	out := make([]piece, 0, len(ps)+4)
	out = append(out, lit(lead), piece{k: kBoldOpen})
	out = append(out, ps...)
	return append(out, piece{k: kBoldClose}, lit(trail))
}

// blank reports whether pieces show nothing: no markup and only whitespace text.
func blank(ps []piece) bool {
	for _, p := range ps {
		switch p.k {
		case kLit:
			if strings.TrimSpace(p.s) != "" {
				return false
			}
		case kMark:
			return false
		}
	}
	return true
}

// plain returns the text of pieces without markup.
func plain(ps []piece) string {
	var b strings.Builder
	for _, p := range ps {
		switch p.k {
		case kLit:
			b.WriteString(p.s)
		case kBreak:
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// oneLine turns line breaks into spaces, for headings, table cells and link text.
func oneLine(ps []piece) []piece {
	for i := range ps {
		if ps[i].k == kBreak {
			ps[i] = lit(" ")
		}
	}
	return ps
}

// lines splits pieces at line breaks and renders each line, closing the bold and <font> tags open at a break
// and reopening them on the next line.
func (r *renderer) lines(ps []piece) []string {
	var out []string
	var line, open []piece
	closeAll := func() {
		for i := len(open) - 1; i >= 0; i-- {
			line = append(line, piece{k: open[i].k + 1}) // the matching close kind
		}
	}
	for _, p := range ps {
		switch p.k {
		case kBreak:
			closeAll()
			out = append(out, r.line(line))
			line = append([]piece(nil), open...)
			continue
		case kBoldOpen, kFontOpen:
			open = append(open, p)
		case kBoldClose, kFontClose:
			for i := len(open) - 1; i >= 0; i-- {
				if open[i].k == p.k-1 {
					open = append(open[:i], open[i+1:]...)
					break
				}
			}
		}
		line = append(line, p)
	}
	closeAll()
	return append(out, r.line(line))
}

// line renders one line of pieces, dropping empty bold and <font> pairs and defusing the literal text.
func (r *renderer) line(ps []piece) string {
	ps = dropEmptyPairs(ps)
	var b strings.Builder
	if !r.md() {
		litLT := false // the last rune written was a literal '<'
		for _, p := range ps {
			if p.k != kLit && p.k != kMark {
				continue
			}
			for _, c := range p.s {
				if litLT && tagStart(c) {
					b.WriteString(zwsp)
				}
				b.WriteRune(c)
				litLT = c == '<' && p.k == kLit
			}
		}
		return b.String()
	}
	// Flatten to runes, remembering which are literal and which piece each came from.
	type cell struct {
		c     rune
		lit   bool
		piece int
	}
	var cs []cell
	for i, p := range ps {
		s := p.s
		switch p.k {
		case kBoldOpen, kBoldClose:
			s = "**"
		case kFontOpen:
			s = `<font color="` + p.s + `">`
		case kFontClose:
			s = "</font>"
		}
		for _, c := range s {
			cs = append(cs, cell{c, p.k == kLit, i})
		}
	}
	start := true // still in the line's leading blanks
	for i, a := range cs {
		if start && a.c != ' ' && a.c != '\t' && a.c != '\u00a0' {
			start = false
			if a.lit && (a.c == '#' || a.c == '>') {
				b.WriteString(zwsp) // not a heading or a quote
			}
		}
		switch {
		case a.lit && a.c == '`':
			b.WriteRune(tick)
		case start && a.lit && (a.c == ' ' || a.c == '\t'):
			// Literal indentation (from a character reference): neither collapsed nor read as a code block.
			b.WriteString(nbsp)
		default:
			b.WriteRune(a.c)
		}
		if i+1 == len(cs) {
			break
		}
		n := cs[i+1]
		apart := a.lit || n.lit || a.piece != n.piece // not within one piece of markup
		switch {
		case apart && (a.c == '*' && n.c == '*' || a.c == '_' && n.c == '_' || a.c == ']' && n.c == '('),
			a.lit && a.c == '<' && tagStart(n.c),
			a.lit && a.c == '&' && (isAlnum(n.c) || n.c == '#'),
			a.lit && a.c == '\\' && n.c < utf8.RuneSelf && util.IsPunct(byte(n.c)):
			b.WriteString(zwsp)
		}
	}
	return b.String()
}

// tagStart reports whether c after '<' could make an HTML tag, comment, declaration or WeCom mention (<@id>).
func tagStart(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '/' || c == '!' || c == '?' || c == '@'
}

func isAlnum(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// dropEmptyPairs removes bold and <font> pairs with nothing visible between them, which line balancing can
// leave behind ("a **b\n** c").
func dropEmptyPairs(ps []piece) []piece {
	for {
		changed := false
		for i := 0; i < len(ps); i++ {
			if ps[i].k != kBoldOpen && ps[i].k != kFontOpen {
				continue
			}
			j := i + 1
			for j < len(ps) && ps[j].k == kLit && ps[j].s == "" {
				j++
			}
			if j < len(ps) && ps[j].k == ps[i].k+1 {
				ps = append(ps[:i:i], ps[j+1:]...)
				changed = true
				break
			}
		}
		if !changed {
			return ps
		}
	}
}

// unescape resolves what CommonMark resolves in text: backslash escapes of ASCII punctuation and character
// references (as goldmark's HTML writer does).
func unescape(v []byte) string {
	if !strings.ContainsAny(string(v), `\&`) {
		return string(v)
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '\\' && i+1 < len(v) && util.IsPunct(v[i+1]):
			b.WriteByte(v[i+1])
			i++
		case c == '&':
			if s, n := charRef(v[i:]); n > 0 {
				b.WriteString(s)
				i += n - 1
			} else {
				b.WriteByte(c)
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// charRef decodes the character reference at the start of v ("&amp;", "&#35;", "&#x23;"), returning its text
// and length, or 0 when v does not start with one. Invalid code points become U+FFFD, as CommonMark says.
func charRef(v []byte) (string, int) {
	if len(v) < 3 || v[0] != '&' {
		return "", 0
	}
	if v[1] == '#' {
		hex := len(v) > 2 && (v[2] == 'x' || v[2] == 'X')
		start, maxDigits, base := 2, 7, 10
		if hex {
			start, maxDigits, base = 3, 6, 16
		}
		i := start
		for i < len(v) && i-start < maxDigits && isDigit(v[i], hex) {
			i++
		}
		if i == start || i >= len(v) || v[i] != ';' {
			return "", 0
		}
		n, err := strconv.ParseUint(string(v[start:i]), base, 32)
		c := rune(n)
		if err != nil || c == 0 || !utf8.ValidRune(c) {
			c = utf8.RuneError
		}
		return string(c), i + 1
	}
	i := 1
	for i < len(v) && (v[i] >= 'a' && v[i] <= 'z' || v[i] >= 'A' && v[i] <= 'Z' || v[i] >= '0' && v[i] <= '9') {
		i++
	}
	if i == 1 || i >= len(v) || v[i] != ';' {
		return "", 0
	}
	e, ok := util.LookUpHTML5EntityByName(string(v[1:i]))
	if !ok {
		return "", 0
	}
	return string(e.Characters), i + 1
}

func isDigit(c byte, hex bool) bool {
	return c >= '0' && c <= '9' || hex && (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')
}
