package replies_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/wecombot/wecombot/bot/replies"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// TestGolden renders every testdata/<case>.md with Markdown and Text and compares the results with
// testdata/<case>.markdown.golden and testdata/<case>.text.golden. Regenerate with go test ./bot/replies -update
// and review the diff.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/*.md")
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".md")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range []struct {
				ext    string
				render func(string) string
			}{
				{"markdown", replies.Markdown},
				{"text", replies.Text},
			} {
				got := r.render(string(src))
				checkShape(t, r.ext, got)
				golden := filepath.Join("testdata", name+"."+r.ext+".golden")
				if *update {
					if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if diff := cmp.Diff(string(want), got); diff != "" {
					t.Errorf("%s(%s) differs from %s (-want +got):\n%s", r.ext, file, golden, diff)
				}
			}
		})
	}
}

// checkShape checks what holds for any rendering: valid UTF-8, no trailing newline, no two blank lines in a
// row, no blank line at the start.
func checkShape(t *testing.T, what, got string) {
	t.Helper()
	if !utf8.ValidString(got) {
		t.Errorf("%s: output is not valid UTF-8: %q", what, got)
	}
	if strings.HasSuffix(got, "\n") || strings.HasPrefix(got, "\n") {
		t.Errorf("%s: output starts or ends with a newline: %q", what, got)
	}
	if strings.Contains(got, "\n\n\n") {
		t.Errorf("%s: output has two blank lines in a row: %q", what, got)
	}
}
