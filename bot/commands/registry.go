package commands

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/wecombot/wecombot/bot/access"
)

// Registry holds the commands. Register every command at start-up, then check Err: a bad declaration is a
// programming error and the bot must not start with one.
type Registry struct {
	cmds   []*Command
	byPath map[string]*Command
	groups map[string][]string // path prefix → next words
	depth  int
	errs   []error
	// aliases maps an alias path or its prefix ("日志 成员", "日志") to the command path or prefix it names
	// ("oplog member", "oplog"): the parser reads an alias as its English words.
	aliases map[string]string
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{byPath: map[string]*Command{}, groups: map[string][]string{}, aliases: map[string]string{}}
}

var (
	pathWord = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
)

// Register adds commands, collecting declaration errors for Err.
func (r *Registry) Register(cmds ...*Command) {
	for _, c := range cmds {
		if err := r.register(c); err != nil {
			r.errs = append(r.errs, fmt.Errorf("command %q: %w", c.Path, err))
		}
	}
}

func (r *Registry) register(c *Command) error {
	words := strings.Fields(c.Path)
	if len(words) == 0 || strings.Join(words, " ") != c.Path {
		return errors.New("path must be words separated by single spaces")
	}
	for _, w := range words {
		if !pathWord.MatchString(w) {
			return fmt.Errorf("path word %q must be lower-case letters, digits and '-'", w)
		}
	}
	if _, dup := r.byPath[c.Path]; dup {
		return errors.New("registered twice")
	}
	if c.Run == nil {
		return errors.New("no Run")
	}
	if c.Summary == "" {
		return errors.New("no Summary")
	}
	if c.Perm != "" && !access.ValidPerm(c.Perm) {
		return fmt.Errorf("permission %q must be dot-separated lower-case words", c.Perm)
	}
	if (c.Mutates || c.Audited) && c.Perm == "" {
		return errors.New("a mutating or audited command must require a permission")
	}
	if c.CSV != nil {
		if c.Perm == "" {
			return errors.New("a command that exports a file must require a permission")
		}
		if c.flag(csvFlag.Name) == nil {
			c.Flags = append(c.Flags, csvFlag)
		}
		if !slices.Contains(c.APIs, csvAPI) {
			c.APIs = append(c.APIs, csvAPI)
		}
	}
	seen := map[string]bool{}
	optional := false
	for i, a := range c.Args {
		if a.Name == "" || seen[a.Name] {
			return fmt.Errorf("argument %d: empty or duplicate name", i)
		}
		seen[a.Name] = true
		if (a.Rest || a.Many) && i != len(c.Args)-1 {
			return fmt.Errorf("argument %q: only the last argument may be Rest or Many", a.Name)
		}
		if a.Line && !a.Rest {
			return fmt.Errorf("argument %q: Line needs Rest", a.Name)
		}
		if a.Rest && a.Many {
			return fmt.Errorf("argument %q: Rest and Many exclude each other", a.Name)
		}
		if optional && !a.Optional {
			return fmt.Errorf("argument %q: a required argument cannot follow an optional one", a.Name)
		}
		optional = optional || a.Optional
	}
	for _, f := range c.Flags {
		if f.Name == "" || seen["--"+f.Name] || !pathWord.MatchString(f.Name) {
			return fmt.Errorf("flag %q: empty, duplicate or not lower-case", f.Name)
		}
		seen["--"+f.Name] = true
		switch {
		case f.Kind == Bool && (f.Required || f.List):
			return fmt.Errorf("flag %q: a Bool flag can be neither Required nor a List", f.Name)
		case f.Required && f.Default != "":
			return fmt.Errorf("flag %q: Required with a Default", f.Name)
		}
		if f.Default != "" {
			if err := f.validate(f.Default); err != nil {
				return fmt.Errorf("flag %q default: %v", f.Name, err)
			}
		}
	}
	r.cmds = append(r.cmds, c)
	r.byPath[c.Path] = c
	for i := 1; i < len(words); i++ {
		prefix := strings.Join(words[:i], " ")
		next := words[i]
		if !slices.Contains(r.groups[prefix], next) {
			r.groups[prefix] = append(r.groups[prefix], next)
			sort.Strings(r.groups[prefix])
		}
	}
	r.depth = max(r.depth, len(words))
	for _, a := range c.Aliases {
		if err := r.alias(a, words); err != nil {
			return err
		}
	}
	return nil
}

// alias registers another name for the command with path words: as many words, each standing for the path's
// word in its place, so "日志 成员" names "oplog member" and "日志" the group "oplog".
func (r *Registry) alias(a string, words []string) error {
	aw := strings.Fields(strings.ToLower(a))
	if len(aw) != len(words) || strings.Join(aw, " ") != strings.ToLower(a) {
		return fmt.Errorf("alias %q must have %d words, one for each word of the path, separated by single spaces", a, len(words))
	}
	for i := range aw {
		prefix, target := strings.Join(aw[:i+1], " "), strings.Join(words[:i+1], " ")
		if got, ok := r.aliases[prefix]; ok && got != target {
			return fmt.Errorf("alias %q: %q already stands for %q", a, prefix, got)
		}
		if _, isPath := r.byPath[prefix]; isPath || r.isGroup(prefix) {
			return fmt.Errorf("alias %q: %q is a command name already", a, prefix)
		}
		r.aliases[prefix] = target
	}
	return nil
}

// Canonical rewrites the leading words of a line's command that are an alias into the command's own words:
// ["审批", "通过", "ap1"] → ["order", "approve", "ap1"]. Words that are not an alias are returned as they are.
func (r *Registry) Canonical(words []string) []string {
	for n := min(len(words), r.depth); n > 0; n-- {
		if target, ok := r.aliases[strings.ToLower(strings.Join(words[:n], " "))]; ok {
			return append(strings.Fields(target), words[n:]...)
		}
	}
	return words
}

// AliasesOf returns the command's aliases with a leading slash, for help.
func AliasesOf(c *Command) []string {
	out := make([]string, len(c.Aliases))
	for i, a := range c.Aliases {
		out[i] = "/" + a
	}
	return out
}

// Err reports every declaration error.
func (r *Registry) Err() error { return errors.Join(r.errs...) }

// Commands returns the registered commands in registration order.
func (r *Registry) Commands() []*Command { return r.cmds }

// Lookup returns the command at path.
func (r *Registry) Lookup(path string) *Command { return r.byPath[path] }

func (r *Registry) isGroup(prefix string) bool { return len(r.groups[prefix]) > 0 }

func (r *Registry) subcommands(prefix string) []string { return r.groups[prefix] }

// topNames are the first words of every command.
func (r *Registry) topNames() []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range r.cmds {
		if c.Hidden {
			continue
		}
		for _, p := range append([]string{c.Path}, c.Aliases...) { // did-you-mean knows both languages
			w, _, _ := strings.Cut(p, " ")
			if !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	sort.Strings(out)
	return out
}

// under returns the commands whose path is prefix or starts with prefix + " ".
func (r *Registry) under(prefix string) []*Command {
	var out []*Command
	for _, c := range r.cmds {
		if c.Path == prefix || strings.HasPrefix(c.Path, prefix+" ") {
			out = append(out, c)
		}
	}
	return out
}
