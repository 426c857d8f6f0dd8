package commands

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/google/shlex"

	"github.com/wecombot/wecombot/bot"
	"github.com/wecombot/wecombot/bot/replies"
)

// Limits on what a message may make the parser do.
const (
	maxLineBytes = 4096
	maxWords     = 200
)

// hashHolder stands in for '#' while shlex splits: shlex would drop everything from a word-initial '#' as a
// comment ("/order approve #123" would lose the id). It is a private-use rune, and any in the input is
// replaced first, so it cannot be smuggled in.
const hashHolder = '\uE000'

var normalizer = strings.NewReplacer(
	"\u3000", " ", "\u00A0", " ", "\u2002", " ", "\u2003", " ", "\u2009", " ", "\u202F", " ",
	"\u201C", `"`, "\u201D", `"`, "\u201E", `"`, "\u300C", `"`, "\u300D", `"`,
	"\u2018", "'", "\u2019", "'",
	string(hashHolder), "\uFFFD",
)

// Normalize rewrites what phone keyboards put in chat messages into what the parser expects: full-width and
// no-break spaces into spaces, curly quotes into ASCII quotes, a full-width leading slash into '/'.
func Normalize(line string) string {
	line = strings.ToValidUTF8(line, "\uFFFD")
	line = strings.TrimSpace(normalizer.Replace(line))
	if rest, ok := strings.CutPrefix(line, "／"); ok {
		line = "/" + rest
	}
	return line
}

// Split normalises a line and splits it into words like a shell would, keeping '#' literal.
func Split(line string) ([]string, error) {
	if len(line) > maxLineBytes {
		return nil, bot.Errorf(bot.EINVALID, "that message is too long for a command (%d bytes; the limit is %d)", len(line), maxLineBytes)
	}
	line = strings.ReplaceAll(Normalize(line), "#", string(hashHolder))
	words, err := shlex.Split(line)
	if err != nil {
		return nil, bot.Errorf(bot.EINVALID, "cannot read that command: %v (close your quotes)", err)
	}
	if len(words) > maxWords {
		return nil, bot.Errorf(bot.EINVALID, "too many words in one command (%d; the limit is %d)", len(words), maxWords)
	}
	for i, w := range words {
		words[i] = strings.ReplaceAll(w, string(hashHolder), "#")
	}
	return words, nil
}

// Parsed is a line matched to a command, with arguments read; Missing lists required arguments not given.
type Parsed struct {
	Command *Command
	Args    map[string][]string
	Flags   map[string]string
	Missing []string
}

// Parse reads a command line ("/order approve AP1 --note x"). Errors are *bot.Error with a message for the
// user: usage, unknown command or flag with a suggestion.
func (r *Registry) Parse(line string) (*Parsed, error) {
	words, err := Split(line)
	if err != nil {
		return nil, err
	}
	p, err := r.parseWords(words)
	if err == nil || len(words) == 0 {
		return p, err
	}
	// A sentence's end typed after a command ("/help。", "/ping!", "/whois lisi？") is not part of it: if the
	// line does not parse, it is tried again without the last word's trailing punctuation. A line that parses
	// as typed keeps it (a reason may end with "。").
	last := words[len(words)-1]
	trimmed := strings.TrimRight(last, trailingPunct)
	if trimmed == last || trimmed == "" || trimmed == "/" {
		return nil, err
	}
	retry := append(slices.Clone(words[:len(words)-1]), trimmed)
	if p2, err2 := r.parseWords(retry); err2 == nil {
		return p2, nil
	}
	return nil, err
}

// echo is user input quoted back in an error: at most 64 characters, so a pasted page is not sent back whole.
func echo(s string) string { return replies.Truncate(s, 64) }

// trailingPunct ends sentences in Chinese and English chat.
const trailingPunct = "。．.！!？?，,；;、…~～"

func (r *Registry) parseWords(words []string) (*Parsed, error) {
	words = slices.Clone(words)
	if len(words) == 0 || !strings.HasPrefix(words[0], "/") {
		return nil, bot.Errorf(bot.EINVALID, "commands start with /; try /help")
	}
	words[0] = strings.TrimPrefix(words[0], "/")
	if words[0] == "" {
		return nil, bot.Errorf(bot.EINVALID, "commands start with / followed by a name; try /help")
	}
	words = r.Canonical(words)
	cmd, n, err := r.match(words)
	if err != nil {
		return nil, err
	}
	p := &Parsed{Command: cmd, Args: map[string][]string{}, Flags: map[string]string{}}
	if err := p.read(words[n:]); err != nil {
		return nil, err
	}
	return p, nil
}

// match finds the command with the longest path that prefixes words, or explains what is wrong.
func (r *Registry) match(words []string) (*Command, int, error) {
	lower := make([]string, len(words))
	for i, w := range words {
		lower[i] = strings.ToLower(w)
	}
	for n := min(len(words), r.depth); n > 0; n-- {
		prefix := strings.Join(lower[:n], " ")
		c, isCmd := r.byPath[prefix]
		if !isCmd {
			if !r.isGroup(prefix) {
				continue
			}
			if n == len(words) {
				return nil, 0, bot.Errorf(bot.EINVALID, "/%s needs a subcommand: %s. Try /help %s", prefix,
					strings.Join(r.subcommands(prefix), ", "), prefix)
			}
			return nil, 0, r.unknownSub(prefix, lower[n])
		}
		// A command that is also a group ("/devices" lists, "/devices approve" decides): a next word that is
		// neither a subcommand nor a valid first argument but looks like a misspelt subcommand gets a suggestion.
		if n < len(words) && r.isGroup(prefix) && !strings.HasPrefix(words[n], "-") {
			first := len(c.Args) > 0 && c.Args[0].validate(words[n]) == nil
			if !first && Suggest(lower[n], r.subcommands(prefix)) != "" {
				return nil, 0, r.unknownSub(prefix, lower[n])
			}
		}
		return c, n, nil
	}
	if s := Suggest(lower[0], r.topNames()); s != "" {
		return nil, 0, bot.Errorf(bot.EINVALID, "unknown command /%s — did you mean /%s? Send /help for the list.", echo(words[0]), s)
	}
	return nil, 0, bot.Errorf(bot.EINVALID, "unknown command /%s Send /help for the list.", echo(words[0]))
}

func (r *Registry) unknownSub(prefix, word string) error {
	subs := r.subcommands(prefix)
	if s := Suggest(word, subs); s != "" {
		return bot.Errorf(bot.EINVALID, "/%s has no subcommand %q — did you mean /%s %s? Subcommands: %s.", prefix, word, prefix, s, strings.Join(subs, ", "))
	}
	return bot.Errorf(bot.EINVALID, "/%s has no subcommand %q Subcommands: %s.", prefix, word, strings.Join(subs, ", "))
}

// read assigns the words after the command path to flags and arguments, validating each.
func (p *Parsed) read(words []string) error {
	c := p.Command
	var pos []string
	flagsDone := false
	line := len(c.Args) > 0 && c.Args[len(c.Args)-1].Line
	for i := 0; i < len(words); i++ {
		w := words[i]
		if line && !flagsDone && strings.HasPrefix(w, "/") {
			flagsDone = true // the rest is a command line, flags included
		}
		if flagsDone || !strings.HasPrefix(w, "--") || w == "--" {
			if w == "--" && !flagsDone {
				flagsDone = true
				continue
			}
			pos = append(pos, w)
			continue
		}
		name, val, hasVal := strings.Cut(strings.TrimPrefix(w, "--"), "=")
		name = strings.ToLower(name)
		f := c.flag(name)
		if f == nil {
			return p.unknownFlag(name)
		}
		if _, dup := p.Flags[name]; dup {
			return bot.Errorf(bot.EINVALID, "--%s given twice. Usage: %s", name, c.Usage())
		}
		if f.Kind == Bool {
			if hasVal {
				return bot.Errorf(bot.EINVALID, "--%s takes no value. Usage: %s", name, c.Usage())
			}
			p.Flags[name] = "true"
			continue
		}
		if !hasVal {
			if i+1 >= len(words) {
				return bot.Errorf(bot.EINVALID, "--%s needs a value. Usage: %s", name, c.Usage())
			}
			i++
			val = words[i]
		}
		// A list typed with spaces after its commas ("--user lisi, wangwu") goes on into the next words.
		for f.List && (strings.HasSuffix(val, ",") || strings.HasSuffix(val, "，")) && i+1 < len(words) && !strings.HasPrefix(words[i+1], "--") {
			i++
			val += words[i]
		}
		norm, err := f.normalize(val)
		if err != nil {
			return err
		}
		p.Flags[name] = norm
	}
	for _, f := range c.Flags {
		if _, ok := p.Flags[f.Name]; f.Required && !ok {
			return bot.Errorf(bot.EINVALID, "--%s is required (%s). Usage: %s", f.Name, f.Help, c.Usage())
		}
	}
	for i := range c.Args {
		a := &c.Args[i]
		if len(pos) == 0 {
			if !a.Optional {
				p.Missing = append(p.Missing, a.Name)
			}
			continue
		}
		take := 1
		if a.Rest || a.Many {
			take = len(pos)
		}
		if a.Many && take > MaxMany {
			return bot.Errorf(bot.EINVALID, "at most %d %s at once, got %d", MaxMany, a.Name, take)
		}
		vals := pos[:take]
		pos = pos[take:]
		if a.Many {
			vals = Unique(vals) // "/vip add lisi lisi" is one member
		}
		if !a.Rest {
			for _, v := range vals {
				if err := a.validate(v); err != nil {
					return err
				}
			}
		} else if err := a.validate(strings.Join(vals, " ")); err != nil {
			return err
		}
		p.Args[a.Name] = slices.Clone(vals)
	}
	if len(pos) > 0 {
		return bot.Errorf(bot.EINVALID, "unexpected %q. Usage: %s", echo(pos[0]), c.Usage())
	}
	return nil
}

func (p *Parsed) unknownFlag(name string) error {
	var names []string
	for _, f := range p.Command.Flags {
		names = append(names, f.Name)
	}
	if s := Suggest(name, names); s != "" {
		return bot.Errorf(bot.EINVALID, "/%s has no option --%s — did you mean --%s? Usage: %s", p.Command.Path, name, s, p.Command.Usage())
	}
	return bot.Errorf(bot.EINVALID, "/%s has no option --%s Usage: %s", p.Command.Path, name, p.Command.Usage())
}

// Format writes a parsed invocation back as a command line that parses to the same thing.
func Format(c *Command, args map[string][]string, flags map[string]string) string {
	parts := []string{"/" + c.Path}
	names := make([]string, 0, len(flags))
	for n := range flags {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if f := c.flag(n); f != nil && f.Kind == Bool {
			parts = append(parts, "--"+n)
			continue
		}
		parts = append(parts, "--"+n, quote(flags[n]))
	}
	var pos []string
	dashes := false
	for _, a := range c.Args {
		for _, v := range args[a.Name] {
			pos = append(pos, quote(v))
			dashes = dashes || strings.HasPrefix(v, "--")
		}
	}
	if dashes {
		// "--" keeps a value that starts with "--" from being read as a flag.
		parts = append(parts, "--")
	}
	return strings.Join(append(parts, pos...), " ")
}

var plainWord = regexp.MustCompile(`^[\p{L}\p{N}_.,:/@+=%-]+$`)

// quote quotes a word for shlex so that it reads back unchanged.
func quote(s string) string {
	if s != "" && plainWord.MatchString(s) {
		return s
	}
	if !strings.Contains(s, "'") {
		return "'" + s + "'"
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// suggest returns the candidate closest to word within a small edit distance, or "".
// Suggest returns the candidate closest to word, or "" when none is close.
func Suggest(word string, candidates []string) string {
	best, bestD := "", 3
	if utf8.RuneCountInString(word) <= 3 {
		bestD = 2
	}
	for _, c := range candidates {
		if d := distance(word, c); d < bestD || (d == bestD && best == "" && d <= 2) {
			best, bestD = c, d
		}
		if strings.HasPrefix(c, word) && len(word) >= 2 && best == "" {
			best = c
		}
	}
	return best
}

// distance is the optimal-string-alignment edit distance (adjacent transpositions count one, as in "hepl").
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return 99
	}
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// Unique returns vs without repeats, in first-seen order.
func Unique[T comparable](vs []T) []T {
	seen := make(map[T]bool, len(vs))
	out := make([]T, 0, len(vs))
	for _, v := range vs {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
