package replies

import (
	"regexp"
	"unicode"
	"unicode/utf8"
)

// MaxBytes is WeCom's limit on text and markdown message content, in UTF-8 bytes.
const MaxBytes = 2048

// Split breaks rendered content (Markdown or Text output) into chunks of at most max bytes, in order, for
// sending as separate messages. s == "" gives no chunks; s no longer than max gives []string{s}.
//
// A cut goes, by preference, at a block boundary (a blank line), then at a line boundary, then inside a line:
// after a space, else at a rune boundary. Boundaries in the second half of the chunk come first: a blank line
// early in the chunk loses to a line break late in it, because a short chunk costs a whole message against
// WeCom's 30 messages a minute per member.
//
// Split avoids cutting inside a <font>…</font> pair, an inline code span, a [link](url) or **bold**: a
// boundary inside one is used only when no boundary outside one is in reach, which happens only when the
// construct alone is longer than max. It never produces an empty chunk, never cuts inside a UTF-8 sequence
// (unless max < utf8.UTFMax leaves no choice) and cuts before a combining mark or next to a zero-width joiner
// only when nothing else is in reach.
//
// What a cut drops: at a block or line boundary, the run of newlines there, so no chunk starts or ends with
// the separator; inside a line, nothing. Joining the chunks with the dropped newlines gives s back.
//
// max ≤ 0 is a programming error and panics.
func Split(s string, max int) []string {
	if max <= 0 {
		panic("replies: Split: max must be positive")
	}
	if s == "" {
		return nil
	}
	unsafe := unsafeCuts(s)
	var chunks []string
	base := 0
	for len(s)-base > max {
		rest := s[base:]
		p := cut(rest, max, unsafe[base:])
		chunks = append(chunks, rest[:p])
		base += p
		for base < len(s) && s[base] == '\n' {
			base++
		}
	}
	if base < len(s) {
		chunks = append(chunks, s[base:])
	}
	return chunks
}

// cut picks where to end the next chunk of rest: 0 < p ≤ max.
func cut(rest string, max int, unsafe []bool) int {
	newline := func(p int) bool { return rest[p] == '\n' && rest[p-1] != '\n' }
	block := func(p int) bool { return newline(p) && p+1 < len(rest) && rest[p+1] == '\n' }
	safe := func(p int) bool { return !unsafe[p] }
	onRune := func(p int) bool { return utf8.RuneStart(rest[p]) && !glued(rest, p) }
	late := func(p int) bool { return p > max/2 }
	space := func(p int) bool { return late(p) && rest[p-1] == ' ' }
	passes := [][]func(int) bool{
		{block, safe, late},
		{newline, safe, late},
		{block, safe},
		{newline, safe},
		{block},
		{newline},
		{onRune, safe, space},
		{onRune, safe},
		{onRune},
		{func(p int) bool { return utf8.RuneStart(rest[p]) }},
	}
	for _, tests := range passes {
	next:
		for p := max; p > 0; p-- {
			for _, ok := range tests {
				if !ok(p) {
					continue next
				}
			}
			return p
		}
	}
	return max // only continuation bytes in reach: the input is not UTF-8 there anyway
}

// glued reports whether cutting s before byte p would separate a character from the mark or joiner that
// belongs with it: a combining mark, a variation selector or a zero-width joiner after p, or a joiner before.
func glued(s string, p int) bool {
	next, _ := utf8.DecodeRuneInString(s[p:])
	prev, _ := utf8.DecodeLastRuneInString(s[:p])
	return unicode.In(next, unicode.Mn, unicode.Me) || next == '\u200d' || prev == '\u200d' ||
		next >= '\ufe00' && next <= '\ufe0f'
}

var (
	splitFontRE = regexp.MustCompile(`(?i)<font\b[^>\n]*>|</font\s*>`)
	splitLinkRE = regexp.MustCompile(`\[[^\[\]\n]*\]\([^()\s]*\)`)
)

// unsafeCuts marks, for each byte offset of s (and len(s)), whether a cut there would split a <font>…</font>
// pair, a font tag, an inline code span, a link or a bold span. Only <font> pairs can span lines.
func unsafeCuts(s string) []bool {
	depth := make([]int, len(s)+2)   // difference array: a cut at p is unsafe when the prefix sum at p > 0
	inside := func(start, end int) { // cuts strictly between start and end are unsafe
		if end-start > 1 {
			depth[start+1]++
			depth[end]--
		}
	}
	var opens []int
	for _, m := range splitFontRE.FindAllStringIndex(s, -1) {
		inside(m[0], m[1])
		if s[m[0]+1] != '/' {
			opens = append(opens, m[0])
		} else if len(opens) > 0 {
			inside(opens[len(opens)-1], m[1])
			opens = opens[:len(opens)-1]
		}
	}
	for _, m := range splitLinkRE.FindAllStringIndex(s, -1) {
		inside(m[0], m[1])
	}
	// Code spans and bold pair up within a line.
	lineStart := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != '\n' {
			continue
		}
		line := s[lineStart:i]
		codeSpans(line, func(a, b int) { inside(lineStart+a, lineStart+b) })
		bold := -1
		for j := 0; j+1 < len(line); j++ {
			if line[j] == '*' && line[j+1] == '*' {
				if bold < 0 {
					bold = j
				} else {
					inside(lineStart+bold, lineStart+j+2)
					bold = -1
				}
				j++
			}
		}
		lineStart = i + 1
	}
	unsafe := make([]bool, len(s)+1)
	sum := 0
	for p := range unsafe {
		sum += depth[p]
		unsafe[p] = sum > 0
	}
	return unsafe
}

// codeSpans calls f with the extent of each code span in line: a run of backticks up to the next run of the
// same length.
func codeSpans(line string, f func(start, end int)) {
	open, openLen := -1, 0
	for i := 0; i < len(line); {
		if line[i] != '`' {
			i++
			continue
		}
		j := i
		for j < len(line) && line[j] == '`' {
			j++
		}
		switch {
		case open < 0:
			open, openLen = i, j-i
		case j-i == openLen:
			f(open, j)
			open = -1
		}
		i = j
	}
}
