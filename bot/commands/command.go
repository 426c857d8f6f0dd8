// Package commands is the bot's command engine. A command is one declaration (Command); from it come parsing,
// usage errors, "did you mean", /help, permission checks, confirmation of mutating commands, and the audit
// trail. Engine.Handle runs a user's message through all of that. It holds the framework only: the desks
// (bot/security, bot/people, bot/alerts) declare their commands, bot/access decides who may run them, and
// bot/replies phrases and composes what they answer.
package commands

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/wecombot/wecombot/bot/access"
	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"

	"github.com/wecombot/wecombot/bot"
)

// Command is one command's declaration.
type Command struct {
	Path     string // words after the slash: "order approve"
	Args     []Arg
	Flags    []Flag
	Summary  string   // one line, for /help
	Help     string   // more, for /help CMD; optional
	Examples []string // full lines, e.g. "/order approve AP123 renewal confirmed"; each must parse to this command
	// Aliases are other names members may type, word for word ("审批 通过" for "order approve"); /help shows
	// them, and the parser reads them as the path.
	Aliases []string

	// Perm is the permission needed, like "order.approve"; "" means any member may run it. Commands that read
	// sensitive data or change anything must name one (deny by default).
	Perm string
	// Mutates marks a command that changes state in WeCom: it is previewed and confirmed before it runs, its
	// call is recorded as an intent first, and it is audited.
	Mutates bool
	// Audited records every use (allowed or denied) in the audit trail even when it does not mutate; use it
	// for reads of sensitive data.
	Audited bool
	Hidden  bool // not listed in /help
	// APIs are the WeCom endpoints the command calls, like "POST security/trustdevice/list", for docs and review.
	APIs []string

	Run func(ctx context.Context, inv *Invocation) (*replies.Reply, error)
	// CSV, on a list command, yields its full result for the same flags (every page, at most limit rows; More
	// when there were more): the registry adds --csv, and the engine sends the table as one CSV file
	// (export.go) and audits its SHA-256 and row count.
	CSV func(ctx context.Context, inv *Invocation, limit int) (*Table, error)
	// Preview describes what a mutating command will do, for the confirmation prompt; nil gives a generic one.
	Preview func(ctx context.Context, inv *Invocation) (string, error)
	// Reconcile is called instead of Run when a confirmed run was cut off by a crash after its intent was
	// recorded: it reads the state back and reports, rather than repeat a side effect. nil reports that the
	// outcome is unknown and how to check.
	Reconcile func(ctx context.Context, inv *Invocation) (*replies.Reply, error)
}

// Arg is a positional argument.
type Arg struct {
	Name     string
	Help     string
	Optional bool
	// Rest takes every remaining word, joined by single spaces (free text such as a reason). Last only.
	Rest bool
	// Line, with Rest, takes a command line (/schedule add's): from the first word that starts with /, every word
	// is the line's own, its --flags included.
	Line bool
	// Many takes one or more remaining words as a list (device codes, userids). Last only; at most MaxMany.
	Many  bool
	Match *regexp.Regexp       // the value must match, or the usage error names the argument
	Check func(v string) error // further validation; its error message is shown
	// Secret values are redacted in the audit trail and in confirmation previews.
	Secret bool
	// Prompt is the question asked when a required argument is missing; default "What <name>?".
	Prompt string
}

// MaxMany bounds a Many argument's values: WeCom's list APIs take at most 100.
const MaxMany = 100

// FlagKind is how a flag's value is read.
type FlagKind int

const (
	String   FlagKind = iota
	Int               // a decimal integer within [Min, Max] when they are set
	Duration          // "3d", "12h", "90m", "2w"
	Date              // "2006-01-02" or "2006-01-02 15:04" (local time)
	Bool              // present or absent; takes no value
)

// Flag is a named option: --name value, --name=value, or --name for a Bool.
type Flag struct {
	Name     string
	Help     string
	Kind     FlagKind
	Default  string
	Values   []string // allowed values, if limited
	Min, Max int      // for Int, when Max > 0
	// Required flags must be given: the parser refuses a line without one, and usage shows it unbracketed.
	Required bool
	// Match and Check validate the value (each item of a List) as they do an Arg's.
	Match *regexp.Regexp
	Check func(v string) error
	// List reads the value as comma-separated items: trimmed, empty ones dropped, repeats removed, at most
	// MaxMany. Invocation.FlagList returns them.
	List bool
}

// FlagList returns a List flag's items; nil when it was not given.
func (inv *Invocation) FlagList(name string) []string {
	v := inv.Flag(name)
	if v == "" {
		return nil
	}
	return strings.Split(v, ",")
}

// Invocation is one parsed use of a command.
type Invocation struct {
	Command *Command
	Caller  *access.Caller
	Args    map[string][]string
	Flags   map[string]string
	InboxID int64
	Now     time.Time
	// P writes in the member's language: replies, previews and cards go through it (nil writes English).
	P *i18n.Printer

	commits []func(ctx context.Context, tx *db.Tx) error
}

// Commit adds a state change the command makes in the bot's own store (not WeCom): it is written in the
// transaction that completes the member's message, when the run succeeds, so it happens once with the reply.
func (inv *Invocation) Commit(f func(ctx context.Context, tx *db.Tx) error) {
	inv.commits = append(inv.commits, f)
}

// Arg returns an argument's value (a Rest argument's words joined; a Many argument's first value).
func (inv *Invocation) Arg(name string) string {
	v := inv.Args[name]
	if len(v) == 0 {
		return ""
	}
	for _, a := range inv.Command.Args {
		if a.Name == name && a.Rest {
			return strings.Join(v, " ")
		}
	}
	return v[0]
}

// List returns a Many argument's values.
func (inv *Invocation) List(name string) []string { return inv.Args[name] }

// Flag returns a flag's value, or its default.
func (inv *Invocation) Flag(name string) string {
	if v, ok := inv.Flags[name]; ok {
		return v
	}
	if f := inv.Command.flag(name); f != nil {
		return f.Default
	}
	return ""
}

// Has reports whether the flag was given.
func (inv *Invocation) Has(name string) bool { _, ok := inv.Flags[name]; return ok }

// FlagInt returns an Int flag's value (validated at parse time).
func (inv *Invocation) FlagInt(name string) int { n, _ := strconv.Atoi(inv.Flag(name)); return n }

// FlagBool returns whether a Bool flag was given.
func (inv *Invocation) FlagBool(name string) bool { return inv.Flag(name) == "true" }

// FlagDuration returns a Duration flag's value (validated at parse time).
func (inv *Invocation) FlagDuration(name string) time.Duration {
	d, _ := ParseDuration(inv.Flag(name))
	return d
}

// FlagTime returns a Date flag's value in loc (validated at parse time).
func (inv *Invocation) FlagTime(name string, loc *time.Location) time.Time {
	t, _ := ParseDate(inv.Flag(name), loc)
	return t
}

func (c *Command) flag(name string) *Flag {
	for i := range c.Flags {
		if c.Flags[i].Name == name {
			return &c.Flags[i]
		}
	}
	return nil
}

// Usage is the command's generated usage line, e.g. "/order approve <id> [reason...] [--note TEXT]".
func (c *Command) Usage() string {
	var b strings.Builder
	b.WriteString("/" + c.Path)
	for _, a := range c.Args {
		name := a.Name
		if a.Rest || a.Many {
			name += "..."
		}
		if a.Optional {
			fmt.Fprintf(&b, " [%s]", name)
		} else {
			fmt.Fprintf(&b, " <%s>", name)
		}
	}
	for _, f := range c.Flags {
		var one string
		switch {
		case f.Kind == Bool:
			one = "--" + f.Name
		case len(f.Values) > 0:
			one = fmt.Sprintf("--%s %s", f.Name, strings.Join(f.Values, "|"))
		case f.List:
			one = fmt.Sprintf("--%s %s,…", f.Name, kindName(f.Kind))
		default:
			one = fmt.Sprintf("--%s %s", f.Name, kindName(f.Kind))
		}
		if f.Required {
			b.WriteString(" " + one)
		} else {
			b.WriteString(" [" + one + "]")
		}
	}
	return b.String()
}

func kindName(k FlagKind) string {
	switch k {
	case Int:
		return "N"
	case Duration:
		return "DURATION"
	case Date:
		return "DATE"
	}
	return "TEXT"
}

// ParseDuration reads durations as chat users write them: a number and a unit of w, d, h or m ("3d", "12h",
// "2w", "90m"), or a Go duration ("1h30m"). At most 400 days: WeCom keeps no log longer.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	var d time.Duration
	if n, unit := s[:len(s)-1], s[len(s)-1]; strings.ContainsRune("wd", rune(unit)) {
		v, err := strconv.Atoi(n)
		if err != nil || v < 0 {
			return 0, fmt.Errorf("%q is not a duration; write it like 3d, 12h, 2w or 90m", s)
		}
		d = time.Duration(v) * 24 * time.Hour
		if unit == 'w' {
			d *= 7
		}
	} else {
		v, err := time.ParseDuration(s)
		if err != nil || v < 0 {
			return 0, fmt.Errorf("%q is not a duration; write it like 3d, 12h, 2w or 90m", s)
		}
		d = v
	}
	if d > 400*24*time.Hour {
		return 0, fmt.Errorf("%q is longer than 400 days", s)
	}
	return d, nil
}

// ParseDate reads a date (and optional time) in loc: 2026-11-20, "2026-11-20 14:30" or 2026-11-20T14:30.
func ParseDate(s string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.Local
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date; write it like 2026-11-20 or \"2026-11-20 14:30\"", s)
}

// normalize checks a flag's value against its declaration and returns it as stored: a List's items
// trimmed, without empty ones and repeats, joined by commas.
func (f *Flag) normalize(v string) (string, error) {
	if !f.List {
		return v, f.validate(v)
	}
	var items []string
	for _, it := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '，' }) {
		if it = strings.TrimSpace(it); it != "" {
			items = append(items, it)
		}
	}
	items = Unique(items)
	switch {
	case len(items) == 0:
		return "", bot.Errorf(bot.EINVALID, "--%s needs at least one value (separate several with commas)", f.Name)
	case len(items) > MaxMany:
		return "", bot.Errorf(bot.EINVALID, "--%s takes at most %d values, got %d", f.Name, MaxMany, len(items))
	}
	for _, it := range items {
		if err := f.validate(it); err != nil {
			return "", err
		}
	}
	return strings.Join(items, ","), nil
}

// validate checks one flag value (one item of a List) against its declaration.
func (f *Flag) validate(v string) error {
	if f.Match != nil && !f.Match.MatchString(v) {
		return bot.Errorf(bot.EINVALID, "--%s: %q is not valid", f.Name, echo(v))
	}
	if f.Check != nil {
		if err := f.Check(v); err != nil {
			return bot.Errorf(bot.EINVALID, "--%s: %s", f.Name, bot.UserArg(err))
		}
	}
	if len(f.Values) > 0 {
		for _, ok := range f.Values {
			if v == ok {
				return nil
			}
		}
		return bot.Errorf(bot.EINVALID, "--%s must be one of %s, not %q", f.Name, strings.Join(f.Values, ", "), v)
	}
	switch f.Kind {
	case Int:
		n, err := strconv.Atoi(v)
		if err != nil {
			return bot.Errorf(bot.EINVALID, "--%s needs a whole number, not %q", f.Name, v)
		}
		if f.Max > 0 && (n < f.Min || n > f.Max) {
			return bot.Errorf(bot.EINVALID, "--%s must be between %d and %d", f.Name, f.Min, f.Max)
		}
	case Duration:
		if _, err := ParseDuration(v); err != nil {
			return bot.Errorf(bot.EINVALID, "--%s: %s", f.Name, bot.UserArg(err))
		}
	case Date:
		if _, err := ParseDate(v, time.Local); err != nil {
			return bot.Errorf(bot.EINVALID, "--%s: %s", f.Name, bot.UserArg(err))
		}
	}
	return nil
}

// validate checks an argument value against its declaration.
func (a *Arg) validate(v string) error {
	if a.Match != nil && !a.Match.MatchString(v) {
		return bot.Errorf(bot.EINVALID, "%q is not a valid %s", echo(v), a.Name)
	}
	if a.Check != nil {
		if err := a.Check(v); err != nil {
			return bot.Errorf(bot.EINVALID, "%s: %s", a.Name, bot.UserArg(err))
		}
	}
	return nil
}

// UserIDRE matches a userid as members type it (access.UserIDRE). Every argument or flag that takes a userid
// matches it.
var UserIDRE = access.UserIDRE

// CheckUserID is a Check for userids, saying what a userid is when one is not.
func CheckUserID(v string) error {
	if !UserIDRE.MatchString(v) {
		return fmt.Errorf("%q is not a userid (letters, digits and _-@. only: the account in the admin console, not the display name)", v)
	}
	return nil
}

// UserIDHelp describes a userid argument.
const UserIDHelp = "a member's userid (letters, digits and _ - . @, at most 64)"
