package console

import (
	"io/fs"
	"regexp"
	"slices"
	"testing"
)

// TestTemplates_wordsMarked: every {{T .P "id"}} of the templates is in templateWords, where the catalogue
// test sees it (a template's word would otherwise go untranslated without any test failing).
func TestTemplates_wordsMarked(t *testing.T) {
	re := regexp.MustCompile(`\{\{[^}]*?T \$?\.P "([^"]+)"`)
	names, _ := fs.Glob(assets, "templates/*.html")
	if len(names) == 0 {
		t.Fatal("no templates embedded")
	}
	seen := map[string]bool{}
	for _, n := range names {
		b, _ := fs.ReadFile(assets, n)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			seen[m[1]] = true
			if !slices.Contains(templateWords, m[1]) {
				t.Errorf("%s: %q is not in templateWords (words.go)", n, m[1])
			}
		}
	}
	for _, w := range templateWords {
		if !seen[w] {
			t.Errorf("templateWords has %q, which no template uses", w)
		}
	}
}
