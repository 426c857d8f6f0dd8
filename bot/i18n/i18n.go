// Package i18n is the bot's language: which one a member reads (Chinese or English), and the catalogues that
// translate what the bot writes. English is the source: a message's English text (a format string, as
// written in the code) is its id, and locales/*.zh.toml map ids to Chinese. The catalogues are parsed by
// go-i18n (github.com/nicksnyder/go-i18n/v2), which gives the file format, CLDR plural categories and
// language matching without hand-written parsers; lookups are then served from a map built once.
//
// A Printer writes in one language; the router puts the member's into the context (With), and everything
// that answers a member takes it from there (From). bot.Errorf messages are translated where they are shown
// (replies.Describe), so errors carry their English format and arguments until then.
package i18n

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/wecombot/wecombot/bot"
)

// Lang is a language the bot speaks.
type Lang string

const (
	Zh Lang = "zh" // 简体中文, the default (replies.language)
	En Lang = "en" // English, the source language
)

// Langs are the languages, in the order /lang lists them.
var Langs = []Lang{Zh, En}

// Parse reads a language as a member or a config may write it: "zh", "zh-CN", "中文", "en", "English"…
func Parse(s string) (Lang, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "zh", "zh-cn", "zh_cn", "zh-hans", "cn", "chinese", "中文", "汉语", "简体中文", "简体":
		return Zh, true
	case "en", "en-us", "en_us", "en-gb", "english", "英文", "英语":
		return En, true
	}
	return "", false
}

// Name is the language's own name, for /lang.
func (l Lang) Name() string {
	if l == En {
		return "English"
	}
	return "中文"
}

//go:embed locales/*.toml
var locales embed.FS

type catalogue struct {
	msgs map[Lang]map[string]string // id → translation
	ids  map[string]string          // id → the file that translates it, for tests
	err  error
}

var (
	catOnce sync.Once
	cat     catalogue
)

func load() *catalogue {
	catOnce.Do(func() { cat = parse(locales, "locales") })
	return &cat
}

// parse reads every NAME.LANG.toml under dir: the ids each file translates, with go-i18n resolving them
// for its language.
func parse(fsys fs.FS, dir string) catalogue {
	c := catalogue{msgs: map[Lang]map[string]string{}, ids: map[string]string{}}
	bundle := goi18n.NewBundle(language.English)
	bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	files, err := fs.Glob(fsys, path.Join(dir, "*.toml"))
	if err != nil {
		c.err = err
		return c
	}
	sort.Strings(files)
	var errs []string
	for _, f := range files {
		mf, err := bundle.LoadMessageFileFS(fsys, f)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", f, err))
			continue
		}
		lang, ok := Parse(mf.Tag.String())
		if !ok {
			base, _ := mf.Tag.Base()
			lang, ok = Parse(base.String())
		}
		if !ok {
			errs = append(errs, fmt.Sprintf("%s: language %s is not one the bot speaks", f, mf.Tag))
			continue
		}
		if c.msgs[lang] == nil {
			c.msgs[lang] = map[string]string{}
		}
		for _, m := range mf.Messages {
			if prev, dup := c.ids[m.ID]; dup && prev != f {
				errs = append(errs, fmt.Sprintf("%s: %q is translated in %s too", f, m.ID, prev))
			}
			c.ids[m.ID] = f
			c.msgs[lang][m.ID] = m.Other
		}
	}
	if len(errs) > 0 {
		c.err = fmt.Errorf("i18n catalogues: %s", strings.Join(errs, "; "))
	}
	return c
}

// Err reports a catalogue that did not load (tests and wecombot doctor check it; a bad file means English).
func Err() error { return load().err }

// Printer writes messages in one language. The zero value and nil write English.
type Printer struct{ lang Lang }

var printers = map[Lang]*Printer{Zh: {Zh}, En: {En}}

// For returns the printer of l (English for anything it does not know).
func For(l Lang) *Printer {
	if p, ok := printers[l]; ok {
		return p
	}
	return printers[En]
}

// Lang is the printer's language.
func (p *Printer) Lang() Lang {
	if p == nil || p.lang == "" {
		return En
	}
	return p.lang
}

// Zh reports whether p writes Chinese.
func (p *Printer) Zh() bool { return p.Lang() == Zh }

// Colon joins a label to what follows in p's language: ": ", or "：" in Chinese.
func (p *Printer) Colon() string {
	if p.Zh() {
		return "："
	}
	return ": "
}

// Paren puts s in brackets after what comes before it: " (s)", or "（s）" in Chinese.
func (p *Printer) Paren(s string) string {
	if p.Zh() {
		return "（" + s + "）"
	}
	return " (" + s + ")"
}

// T translates s, a message id (its English text). An id without a translation is written as it is, in
// English; TestCatalogue_everyMessageTranslated finds those before they ship.
func (p *Printer) T(s string) string {
	l := p.Lang()
	if l == En || s == "" {
		return s
	}
	if t := load().msgs[l][s]; t != "" {
		return t
	}
	if hasWord(s) {
		missed(l, s)
	}
	return s
}

// hasWord reports whether s has two ASCII letters in a row outside its printf verbs: "%s: %d" is the same in
// every language and needs no translation.
func hasWord(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%':
			// Skip the verb: flags, width, precision, index, then its letter.
			for i++; i < len(s) && strings.IndexByte("+-# 0123456789.*[]", s[i]) >= 0; i++ {
			}
			run = 0
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			if run++; run >= 2 {
				return true
			}
		default:
			run = 0
		}
	}
	return false
}

// N marks a message id kept in a variable or constant (a label, a noun) for the catalogue test, which reads
// ids from the calls that translate them; it returns id unchanged.
func N(id string) string { return id }

// Sprintf translates format and formats it as fmt does; the arguments are not escaped (plain text, logs).
func (p *Printer) Sprintf(format string, args ...any) string {
	return fmt.Sprintf(p.T(format), args...)
}

// Markdownf translates format and formats it as bot.Markdownf does: format is markup, the arguments are
// escaped text unless they are bot.Markdown.
func (p *Printer) Markdownf(format string, args ...any) string {
	return bot.Markdownf(p.T(format), args...)
}

// Errorf is bot.Errorf, translated where it is shown (replies.Describe).
func (p *Printer) Errorf(code, format string, args ...any) *bot.Error {
	return bot.Errorf(code, format, args...)
}

// Plural writes a count with its noun: "1 member", "3 members" in English, "3 名成员" in Chinese, where many is
// the id (zh catalogues give the noun with its measure word) and one is used only in English.
func (p *Printer) Plural(n int, one, many string) string {
	if p.Lang() == En {
		if n == 1 {
			return "1 " + one
		}
		return strconv.Itoa(n) + " " + many
	}
	return strconv.Itoa(n) + " " + p.T(many)
}

// Error is the message of err in p's language (see bot.Error.Localize).
func (p *Printer) Error(err error) string { return bot.LocalizedMessage(err, p.T) }

type ctxKey struct{}

// With returns ctx carrying the language the member reads.
func With(ctx context.Context, l Lang) context.Context {
	return context.WithValue(ctx, ctxKey{}, For(l))
}

// From returns the printer of the language ctx carries: English when it carries none (the source language,
// what tests and logs read).
func From(ctx context.Context) *Printer {
	if ctx != nil {
		if p, ok := ctx.Value(ctxKey{}).(*Printer); ok {
			return p
		}
	}
	return printers[En]
}

// Missing translations seen at run time, for tests that drive the bot in Chinese.
var (
	missMu sync.Mutex
	misses = map[string]bool{}
)

func missed(l Lang, s string) {
	missMu.Lock()
	misses[string(l)+"\x00"+s] = true
	missMu.Unlock()
}

// Missed returns the ids asked for in Chinese that have no translation, sorted.
func Missed() []string {
	missMu.Lock()
	defer missMu.Unlock()
	var out []string
	for k := range misses {
		_, id, _ := strings.Cut(k, "\x00")
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// IDs returns every translated id and the file it is in, for tests.
func IDs() map[string]string { return load().ids }

// Store reads the language a member chose (/lang); *db.DB implements it.
type Store interface {
	MemberLang(ctx context.Context, userid string) (string, error)
}

// Members says which language each member reads: the one they chose with /lang, else Default.
type Members struct {
	Store   Store
	Default Lang
}

// Of returns userid's language. A store that cannot be read gives the default: a reply in the corp's
// language beats no reply.
func (m *Members) Of(ctx context.Context, userid string) Lang {
	def := m.Default
	if def == "" {
		def = Zh
	}
	if m.Store == nil {
		return def
	}
	s, err := m.Store.MemberLang(ctx, userid)
	if err != nil || s == "" {
		return def
	}
	if l, ok := Parse(s); ok {
		return l
	}
	return def
}

// For returns ctx carrying userid's language.
func (m *Members) For(ctx context.Context, userid string) context.Context {
	return With(ctx, m.Of(ctx, userid))
}
