package replies_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wecombot/wecombot/bot/replies"
)

// fuzzSeeds are the golden sources plus the escape inputs.
func fuzzSeeds(f *testing.F) []string {
	files, err := filepath.Glob(filepath.Join("testdata", "*.md"))
	if err != nil {
		f.Fatal(err)
	}
	seeds := append([]string(nil), escapeInputs...)
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, string(b))
	}
	return seeds
}

var (
	anyTagRE  = regexp.MustCompile(`<[A-Za-z/!?@][^>\n]*>?`)
	fontTagRE = regexp.MustCompile(`^(?:<font color="(?:info|comment|warning)">|</font>)$`)
)

// FuzzRender: any source renders without panicking to valid UTF-8 with the documented shape; Markdown output
// holds no tag but WeCom's <font> in its three colours, balanced on each line, and Text output no tag at all.
func FuzzRender(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		md := replies.Markdown(src)
		checkShape(t, "Markdown", md)
		for _, line := range strings.Split(md, "\n") {
			depth := 0
			for _, tag := range anyTagRE.FindAllString(line, -1) {
				if !fontTagRE.MatchString(tag) {
					t.Fatalf("Markdown(%q) line %q has tag %q", src, line, tag)
				}
				if tag == "</font>" {
					depth--
				} else {
					depth++
				}
				if depth < 0 {
					t.Fatalf("Markdown(%q) line %q closes a <font> it did not open", src, line)
				}
			}
			if depth != 0 {
				t.Fatalf("Markdown(%q) line %q leaves a <font> open", src, line)
			}
		}
		txt := replies.Text(src)
		checkShape(t, "Text", txt)
		if tag := anyTagRE.FindString(txt); tag != "" {
			t.Fatalf("Text(%q) has tag %q", src, tag)
		}
	})
}

// FuzzEscape: for any valid UTF-8 s, Text(Escape(s)) is s (one line, '<' defused) and Markdown(Escape(s)) shows
// s with no markup, alone and embedded; Code(s) holds exactly s.
func FuzzEscape(f *testing.F) {
	for _, s := range escapeInputs {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		checkEscape(t, s)
		checkCode(t, s)
	})
}

// FuzzSplit: chunks are non-empty, at most max bytes, valid UTF-8 when s is, and give s back when joined with
// the newlines dropped between them.
func FuzzSplit(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(replies.Markdown(s), 7)
		f.Add(s, 64)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max <= 0 || max > 4096 {
			return
		}
		checkSplit(t, s, max, replies.Split(s, max))
	})
}
