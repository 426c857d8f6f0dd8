package replies_test

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/wecombot/wecombot/bot/replies"
)

// checkSplit checks Split's contract: non-empty chunks of at most max bytes, valid UTF-8 when s is (and max
// can hold any rune), and s
// again when the chunks are joined with the newlines Split dropped (only newlines, only between chunks or at
// the end).
func checkSplit(t *testing.T, s string, max int, chunks []string) []string {
	t.Helper()
	if s == "" && chunks != nil {
		t.Fatalf("Split(%q, %d) = %q; want nil", s, max, chunks)
	}
	var seps []string
	rest := s
	for i, c := range chunks {
		switch {
		case c == "":
			t.Fatalf("Split(%q, %d) chunk %d is empty", s, max, i)
		case len(c) > max:
			t.Fatalf("Split(%q, %d) chunk %d has %d bytes", s, max, i, len(c))
		case utf8.ValidString(s) && !utf8.ValidString(c) && max >= utf8.UTFMax:
			t.Fatalf("Split(%q, %d) chunk %d %q is not valid UTF-8", s, max, i, c)
		case !strings.HasPrefix(rest, c):
			t.Fatalf("Split(%q, %d) chunk %d %q is not next in %q", s, max, i, c, rest)
		}
		rest = rest[len(c):]
		sep := rest[:len(rest)-len(strings.TrimLeft(rest, "\n"))]
		seps = append(seps, sep)
		rest = rest[len(sep):]
	}
	if rest != "" {
		t.Fatalf("Split(%q, %d) lost %q", s, max, rest)
	}
	return seps
}

func TestSplit(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		s    string
		max  int
		want []string
	}{
		{"empty", "", 10, nil},
		{"fits", "abc", 3, []string{"abc"}},
		{"block boundary first", "aaa\nbbb\n\nccc", 10, []string{"aaa\nbbb", "ccc"}},
		{"line boundary next", "aaa\nbbb\nccc", 9, []string{"aaa\nbbb", "ccc"}},
		{"newline runs dropped", "a\n\n\n\nb", 3, []string{"a", "b"}},
		{"trailing newline dropped", "aaa\n", 3, []string{"aaa"}},
		{"space in second half", "aaaa bbbb cc", 10, []string{"aaaa bbbb ", "cc"}},
		{"no space: bytes", "aaaaaaaaaa", 4, []string{"aaaa", "aaaa", "aa"}},
		{"multibyte", "中文中文", 7, []string{"中文", "中文"}},
		{"multibyte 1 byte short", "中文中文", 5, []string{"中", "文", "中", "文"}},
		{"combining mark kept", "ae\u0301e\u0301", 3, []string{"a", "e\u0301", "e\u0301"}},
		{"zwj kept", "x👩\u200d💻y", 11, []string{"x", "👩\u200d💻", "y"}},
		{"code span not cut", "aaaa `b c d` e", 10, []string{"aaaa ", "`b c d` e"}},
		{"link not cut", "see [a b](http://x) ok", 15, []string{"see ", "[a b](http://x)", " ok"}},
		{"bold not cut", "xx **a b c** y", 10, []string{"xx ", "**a b c** ", "y"}},
		{"font not cut at a line", "a\n<font color=\"info\">b\nc</font>\nd", 30,
			[]string{"a", "<font color=\"info\">b\nc</font>", "d"}},
		{"font tag not cut", "ab<font color=\"info\">c</font>", 10, []string{"ab", "<font colo", "r=\"info\">c", "</font>"}},
		{"construct longer than max is cut", "`abcdefgh`", 4, []string{"`abc", "defg", "h`"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := replies.Split(c.s, c.max)
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("Split(%q, %d) (-want +got):\n%s", c.s, c.max, diff)
			}
			checkSplit(t, c.s, c.max, got)
		})
	}
}

func TestSplit_panicsOnBadMax(t *testing.T) {
	t.Parallel()
	for _, max := range []int{0, -1} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Split(%q, %d) did not panic", "x", max)
				}
			}()
			replies.Split("x", max)
		}()
	}
}

// longReply is a realistic reply of about 5,000 bytes: a heading, a table of 50 devices, a list, a footer.
func longReply() string {
	var b strings.Builder
	b.WriteString("## Devices · 上海办公室\n\n**143** devices: " + replies.Font(replies.Info, "128 online") + ", " +
		replies.Font(replies.Warning, "15 offline") + "\n\n| Device | Owner | Status | Last seen |\n|---|---|---|---|\n")
	for i := 1; i <= 50; i++ {
		status := replies.Font(replies.Info, "online")
		if i%7 == 0 {
			status = replies.Font(replies.Warning, "offline 3d")
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %d min ago |\n", replies.Code(fmt.Sprintf("dev-sh-%03d", i)),
			replies.Escape(fmt.Sprintf("用户_%d", i)), status, i*3)
	}
	b.WriteString("\nNotes:\n\n")
	for i := 1; i <= 10; i++ {
		fmt.Fprintf(&b, "- note %d: [ticket %d](https://ops.example.com/t/%d) needs **review** by %s\n", i, i, i,
			replies.Escape("wang_wu"))
	}
	b.WriteString("\n" + replies.Font(replies.Comment, "showing 50 of 143 — "+replies.Code("/devices unknown --page 2")))
	return replies.Markdown(b.String())
}

func TestSplit_longReply(t *testing.T) {
	t.Parallel()
	md := longReply()
	if len(md) < 4500 {
		t.Fatalf("long reply is only %d bytes", len(md))
	}
	chunks := replies.Split(md, replies.MaxBytes)
	seps := checkSplit(t, md, replies.MaxBytes, chunks)
	if len(chunks) != 3 {
		t.Errorf("Split(%d bytes, %d) = %d chunks; want 3", len(md), replies.MaxBytes, len(chunks))
	}
	for i, sep := range seps[:len(seps)-1] {
		if sep == "" {
			t.Errorf("chunk %d ends inside a line: %q", i, chunks[i][max(0, len(chunks[i])-40):])
		}
	}
	for i, c := range chunks {
		if n, m := strings.Count(c, "<font "), strings.Count(c, "</font>"); n != m {
			t.Errorf("chunk %d has %d <font> and %d </font>", i, n, m)
		}
	}
}

func TestSplit_longLine(t *testing.T) {
	t.Parallel()
	s := strings.Repeat("x", 3000)
	chunks := replies.Split(s, replies.MaxBytes)
	checkSplit(t, s, replies.MaxBytes, chunks)
	if len(chunks) != 2 || len(chunks[0]) != 2048 || len(chunks[1]) != 952 {
		t.Errorf("Split(3000×x, 2048) = chunks of %d; want 2048 and 952", lens(chunks))
	}
	// The same with 3-byte runes: 2048 is not a multiple of 3.
	s = strings.Repeat("中", 1000)
	chunks = replies.Split(s, replies.MaxBytes)
	checkSplit(t, s, replies.MaxBytes, chunks)
	if len(chunks) != 2 || len(chunks[0]) != 2046 {
		t.Errorf("Split(1000×中, 2048) = chunks of %d; want 2046 and 954", lens(chunks))
	}
}

// TestSplit_fontAcrossLines: a <font> pair spanning lines is cut at a line outside it when one is in reach.
func TestSplit_fontAcrossLines(t *testing.T) {
	t.Parallel()
	font := "<font color=\"warning\">" + strings.Repeat("w", 30) + "\n" + strings.Repeat("w", 30) + "</font>" // 90 bytes
	s := strings.Repeat("a", 30) + "\n" + font + "\n" + strings.Repeat("b", 30)
	chunks := replies.Split(s, 100)
	checkSplit(t, s, 100, chunks)
	for i, c := range chunks {
		if strings.Count(c, "<font ") != strings.Count(c, "</font>") {
			t.Errorf("Split chunk %d splits the <font> pair: %q", i, c)
		}
	}
}

func lens(ss []string) []int {
	var n []int
	for _, s := range ss {
		n = append(n, len(s))
	}
	return n
}
