package i18n

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

var write = flag.Bool("write", false, "append the ids that lack a translation to locales/PKG.zh.toml, with empty translations to fill in")

// site is a message id found in the code.
type site struct {
	id  string
	pos string // file:line
	pkg string // the directory under bot/, which names the catalogue file
}

// formatArg says which argument of a call is a message id: the methods and functions that translate.
// Receivers named fmt, strings, slog and the like are not ours and are skipped.
var formatArg = map[string]int{
	"T": 0, "Sprintf": 0, "Markdownf": 0, "Para": 0, "Item": 0, "Heading": 0, "Numbered": 0,
	"Errorf": 1, "Say": 1, "say": 0, "Wrap": 2, "Plural": 2, "N": 0,
}

var notOurs = map[string]bool{"fmt": true, "t": true, "b2": true, "slog": true, "log": true, "errors": true, "tb": true}

// eager are calls that write English at once whatever the member reads: in bot/, replies go through a
// printer (replies.Say, p.Markdownf) instead.
var eager = map[string]bool{"bot.Markdownf": true, "replies.Markdownf": true}

// fields of the command declarations whose values /help and prompts translate.
var declFields = map[string]bool{"Summary": true, "Help": true, "Prompt": true}

// extract walks the non-test Go files under root for message ids, and the eager calls it refuses.
func extract(t *testing.T, root string) (sites []site, eagerCalls []string) {
	t.Helper()
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		pkg := strings.Split(filepath.ToSlash(rel), "/")[0]
		if pkg == "i18n" || pkg == "metrics" || pkg == "config" || strings.HasSuffix(pkg, ".go") {
			return nil // ids pass through this package; metrics and config speak to operators, in English
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		add := func(e ast.Expr) {
			lit, ok := e.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil || strings.TrimSpace(s) == "" || !hasLetters(s) {
				return
			}
			sites = append(sites, site{id: s, pos: fset.Position(lit.Pos()).String(), pkg: pkg})
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				recv := ""
				if id, ok := sel.X.(*ast.Ident); ok {
					recv = id.Name
				}
				if eager[recv+"."+sel.Sel.Name] {
					eagerCalls = append(eagerCalls, fset.Position(n.Pos()).String())
					return true
				}
				if notOurs[recv] {
					return true
				}
				if i, ok := formatArg[sel.Sel.Name]; ok && i < len(n.Args) {
					add(n.Args[i])
				}
			case *ast.KeyValueExpr:
				if k, ok := n.Key.(*ast.Ident); ok && declFields[k.Name] {
					add(n.Value)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sites, eagerCalls
}

// hasLetters: an id worth translating has a word in it ("%s: %s" has none).
var letters = regexp.MustCompile(`[A-Za-z]{2,}`)

func hasLetters(s string) bool {
	return letters.MatchString(regexp.MustCompile(`%[-+# 0-9.*\[\]]*[a-zA-Z]`).ReplaceAllString(s, ""))
}

// TestCatalogue_everyMessageTranslated fails when a message the bot writes has no Chinese translation, when a
// translation is empty, or when a reply is written in English whatever the member reads. Run with -write to
// add the missing ids to the catalogues, then translate them.
func TestCatalogue_everyMessageTranslated(t *testing.T) {
	if err := Err(); err != nil {
		t.Fatal(err)
	}
	sites, eagerCalls := extract(t, "..")
	if len(sites) < 100 {
		t.Fatalf("found only %d message ids under bot/: is the extraction broken?", len(sites))
	}
	for _, c := range eagerCalls {
		t.Errorf("%s: writes English whatever the member reads; use replies.Say(p, …) or p.Markdownf", c)
	}
	zh := load().msgs[Zh]
	missing := map[string][]site{} // pkg → sites
	seen := map[string]bool{}
	for _, s := range sites {
		if seen[s.id] {
			continue
		}
		seen[s.id] = true
		tr, ok := zh[s.id]
		switch {
		case !ok:
			missing[s.pkg] = append(missing[s.pkg], s)
		case strings.TrimSpace(tr) == "":
			t.Errorf("%s: %q has an empty translation in %s", s.pos, s.id, load().ids[s.id])
		}
	}
	pkgs := slices.Sorted(func(yield func(string) bool) {
		for p := range missing {
			if !yield(p) {
				return
			}
		}
	})
	n := 0
	for _, p := range pkgs {
		for _, s := range missing[p] {
			n++
			if n <= 40 {
				t.Errorf("%s: no Chinese for %q", s.pos, s.id)
			}
		}
	}
	if n > 40 {
		t.Errorf("… and %d more without Chinese (go test ./bot/i18n -run TestCatalogue -write adds them to the catalogues)", n-40)
	}
	if *write && n > 0 {
		for _, p := range pkgs {
			name := filepath.Join("locales", p+".zh.toml")
			f, err := os.OpenFile(name, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range missing[p] {
				fmt.Fprintf(f, "%s = \"\"\n", tomlKey(s.id))
			}
			f.Close()
		}
	}
	// Unused translations are dead weight that hides typos in ids.
	for id, file := range load().ids {
		if !seen[id] {
			t.Errorf("%s: %q is translated but nothing writes it (ids kept in variables are marked with i18n.N)", file, id)
		}
	}
}

func tomlKey(s string) string {
	var b strings.Builder
	if err := toml.NewEncoder(&b).Encode(map[string]string{s: ""}); err != nil {
		return strconv.Quote(s)
	}
	k, _, _ := strings.Cut(strings.TrimSpace(b.String()), " = ")
	return k
}

var verbRE = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

// TestCatalogue_translationsKeepVerbsAndCode: a translation takes the same arguments as its id (verb for
// verb, in order unless indexed), and keeps every `code span` and /command as written, so members can copy
// the commands they read.
func TestCatalogue_translationsKeepVerbsAndCode(t *testing.T) {
	code := regexp.MustCompile("`[^`]+`")
	for id, tr := range load().msgs[Zh] {
		if tr == "" {
			continue
		}
		want, got := verbRE.FindAllString(id, -1), verbRE.FindAllString(tr, -1)
		if !slices.Equal(want, got) && !indexedSame(want, got) {
			t.Errorf("%s: %q has verbs %v, its translation %q has %v", load().ids[id], id, want, tr, got)
		}
		for _, c := range code.FindAllString(id, -1) {
			if !strings.Contains(tr, c) {
				t.Errorf("%s: the translation of %q drops %s", load().ids[id], id, c)
			}
		}
	}
}

// indexedSame accepts a translation that reorders arguments with explicit indexes (%[2]s … %[1]s).
func indexedSame(want, got []string) bool {
	if len(want) != len(got) {
		return false
	}
	idx := regexp.MustCompile(`%\[(\d+)\]`)
	used := make([]string, len(want))
	for i, g := range got {
		m := idx.FindStringSubmatch(g)
		if m == nil {
			if used[i] != "" {
				return false
			}
			used[i] = idx.ReplaceAllString(g, "%")
			continue
		}
		n, _ := strconv.Atoi(m[1])
		if n < 1 || n > len(want) {
			return false
		}
		used[n-1] = idx.ReplaceAllString(g, "%")
	}
	return slices.Equal(used, want)
}

func TestParse(t *testing.T) {
	for in, want := range map[string]Lang{"zh": Zh, "ZH-CN": Zh, "中文": Zh, "en": En, "English": En, "英文": En} {
		if got, ok := Parse(in); !ok || got != want {
			t.Errorf("Parse(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if _, ok := Parse("fr"); ok {
		t.Error("Parse(fr) accepted a language the bot does not speak")
	}
}

func TestPrinter(t *testing.T) {
	var nilp *Printer
	if nilp.T("Cancelled") != "Cancelled" || nilp.Lang() != En {
		t.Error("a nil printer must write English")
	}
	if got := For(Zh).Plural(3, "minute", "minutes"); got != "3 "+For(Zh).T("minutes") {
		t.Errorf("Plural in Chinese = %q", got)
	}
	if got := For(En).Plural(1, "minute", "minutes"); got != "1 minute" {
		t.Errorf("Plural(1) = %q", got)
	}
	ids := slices.Collect(func(yield func(string) bool) {
		for id := range load().msgs[Zh] {
			if !yield(id) {
				return
			}
		}
	})
	sort.Strings(ids)
	if len(ids) == 0 {
		t.Fatal("no Chinese catalogue loaded")
	}
	if For(Zh).T(ids[0]) == ids[0] && load().msgs[Zh][ids[0]] != ids[0] {
		t.Errorf("T(%q) was not translated", ids[0])
	}
}

func TestHasWord(t *testing.T) {
	for s, want := range map[string]bool{"%s": false, "%s: %d": false, "%[2]s (%-5d)": false, "ok": true, "a %s b": false, "Usage: %s": true, "%sx": false} {
		if got := hasWord(s); got != want {
			t.Errorf("hasWord(%q) = %v; want %v", s, got, want)
		}
	}
}
