package commands_test

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/wecombot/wecombot/bot"
	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/bot/replies"
)

func nop(ctx context.Context, inv *commands.Invocation) (*replies.Reply, error) { return nil, nil }

// testRegistry declares commands shaped like the real ones.
func testRegistry(t testing.TB) *commands.Registry {
	t.Helper()
	id := regexp.MustCompile(`^[A-Za-z0-9_#-]{1,64}$`)
	r := commands.NewRegistry()
	r.Register(
		&commands.Command{Path: "help", Summary: "help", Args: []commands.Arg{{Name: "command", Optional: true, Rest: true}}, Run: nop,
			Examples: []string{"/help", "/help order approve"}},
		&commands.Command{Path: "order approve", Summary: "approve", Perm: "order.approve", Mutates: true, Run: nop,
			Args:     []commands.Arg{{Name: "id", Match: id}, {Name: "reason", Optional: true, Rest: true}},
			Examples: []string{"/order approve AP123 renewal confirmed", "/order approve #123"}},
		&commands.Command{Path: "order reject", Summary: "reject", Perm: "order.approve", Mutates: true, Run: nop,
			Args:     []commands.Arg{{Name: "id", Match: id}, {Name: "reason", Rest: true}},
			Examples: []string{`/order reject AP123 "not needed"`}},
		&commands.Command{Path: "order list", Summary: "list", Perm: "order.read", Run: nop,
			Flags:    []commands.Flag{{Name: "status", Values: []string{"pending", "approved", "rejected"}}, {Name: "page", Kind: commands.Int, Default: "1", Min: 1, Max: 1000}},
			Examples: []string{"/order list --status pending", "/order list --page=2"}},
		&commands.Command{Path: "devices", Summary: "list devices", Perm: "devices.read", Run: nop,
			Args:     []commands.Arg{{Name: "type", Optional: true, Match: regexp.MustCompile(`^(trusted|unknown|personal)$`)}},
			Examples: []string{"/devices unknown"}},
		&commands.Command{Path: "devices approve", Summary: "approve devices", Perm: "devices.write", Mutates: true, Run: nop,
			Args:     []commands.Arg{{Name: "code", Many: true}},
			Examples: []string{"/devices approve 49nNtYq rjDTnOh"}},
		&commands.Command{Path: "oplog member", Summary: "member log", Perm: "oplog.read", Run: nop,
			Flags: []commands.Flag{{Name: "user"}, {Name: "since", Kind: commands.Duration, Default: "1d"}, {Name: "from", Kind: commands.Date},
				{Name: "all", Kind: commands.Bool}},
			Examples: []string{"/oplog member --user lisi --since 3d", "/oplog member --from 2026-11-01 --all"}},
	)
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return r
}

// The rows of style.md §5.6: what shlex alone does to chat input, and what Split must do instead.
func TestSplit_chatInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
		err  string
	}{
		{"/order approve #123 note", []string{"/order", "approve", "#123", "note"}, ""}, // shlex alone drops "#123 note"
		{"/order\u3000approve 123", []string{"/order", "approve", "123"}, ""},           // full-width space
		{"/order note \u201chello world\u201d", []string{"/order", "note", "hello world"}, ""},
		{"/order note \u2018it is\u2019", []string{"/order", "note", "it is"}, ""},
		{`/order approve "x`, nil, "close your quotes"},
		{"a#b", []string{"a#b"}, ""},
		{`\#1`, []string{"#1"}, ""},
		{`'#1'`, []string{"#1"}, ""},
		{`"#1"`, []string{"#1"}, ""},
		{"#comment-looking id", []string{"#comment-looking", "id"}, ""},
		{"\uff0forder list", []string{"/order", "list"}, ""}, // full-width slash
		{"/x \ue000y", []string{"/x", "\ufffdy"}, ""},        // the placeholder cannot be smuggled in
		{"  /ping\u00a0 ", []string{"/ping"}, ""},
	}
	for _, tt := range tests {
		got, err := commands.Split(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Split(%q) error = %v; want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Split(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	r := testRegistry(t)
	tests := []struct {
		line    string
		path    string
		args    map[string][]string
		flags   map[string]string
		missing []string
		err     string
	}{
		{line: "/order approve AP1", path: "order approve", args: map[string][]string{"id": {"AP1"}}},
		{line: "/ORDER Approve AP1 renewal  confirmed", path: "order approve", args: map[string][]string{"id": {"AP1"}, "reason": {"renewal", "confirmed"}}},
		{line: "/order approve #123", path: "order approve", args: map[string][]string{"id": {"#123"}}},
		{line: "/order approve", path: "order approve", missing: []string{"id"}},
		{line: "/order reject AP1", path: "order reject", args: map[string][]string{"id": {"AP1"}}, missing: []string{"reason"}},
		{line: "/order list --status pending --page=3", path: "order list", flags: map[string]string{"status": "pending", "page": "3"}},
		{line: "/devices", path: "devices"},
		{line: "/devices unknown", path: "devices", args: map[string][]string{"type": {"unknown"}}},
		{line: "/devices approve a b c", path: "devices approve", args: map[string][]string{"code": {"a", "b", "c"}}},
		{line: "/oplog member --user lisi --since 3d --all", path: "oplog member", flags: map[string]string{"user": "lisi", "since": "3d", "all": "true"}},
		{line: "/oplog member -- --user", err: `unexpected "--user"`},
		// Errors a user will make.
		{line: "/hepl", err: "unknown command /hepl — did you mean /help?"},
		{line: "/ordre list", err: "did you mean /order?"},
		{line: "/order aprove AP1", err: `/order has no subcommand "aprove" — did you mean /order approve?`},
		{line: "/order", err: "/order needs a subcommand: approve, list, reject"},
		{line: "/devices aprove x", err: "did you mean /devices approve?"},
		{line: "/devices banana", err: `"banana" is not a valid type`},
		{line: "/order list --stauts pending", err: "has no option --stauts — did you mean --status?"},
		{line: "/order list --status maybe", err: "--status must be one of pending, approved, rejected"},
		{line: "/order list --page 0", err: "--page must be between 1 and 1000"},
		{line: "/order list --page", err: "--page needs a value"},
		{line: "/order list --page 2 --page 3", err: "--page given twice"},
		{line: "/oplog member --since yesterday", err: "is not a duration"},
		{line: "/oplog member --from 11/20", err: "is not a date"},
		{line: "/oplog member --all=yes", err: "--all takes no value"},
		{line: "/order approve a/b", err: `"a/b" is not a valid id`},
		{line: "/order list extra", err: `unexpected "extra". Usage: /order list [--status pending|approved|rejected] [--page N]`},
		{line: "order list", err: "commands start with /"},
		{line: "/", err: "commands start with / followed by a name"},
	}
	for _, tt := range tests {
		p, err := r.Parse(tt.line)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Parse(%q) error = %v; want it to contain %q", tt.line, err, tt.err)
			} else if bot.ErrorCode(err) != bot.EINVALID {
				t.Errorf("Parse(%q) error code = %s; want invalid", tt.line, bot.ErrorCode(err))
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.line, err)
			continue
		}
		if tt.args == nil {
			tt.args = map[string][]string{}
		}
		if tt.flags == nil {
			tt.flags = map[string]string{}
		}
		if p.Command.Path != tt.path || !reflect.DeepEqual(p.Args, tt.args) || !reflect.DeepEqual(p.Flags, tt.flags) ||
			!reflect.DeepEqual(p.Missing, tt.missing) {
			t.Errorf("Parse(%q) = %s %v %v missing %v; want %s %v %v missing %v", tt.line, p.Command.Path, p.Args, p.Flags, p.Missing,
				tt.path, tt.args, tt.flags, tt.missing)
		}
	}
}

func TestParse_manyIsBounded(t *testing.T) {
	t.Parallel()
	r := testRegistry(t)
	codes := strings.Repeat("c ", commands.MaxMany+1)
	if _, err := r.Parse("/devices approve " + codes); err == nil || !strings.Contains(err.Error(), "at most 100") {
		t.Fatalf("101 codes: %v; want a bound error", err)
	}
	if _, err := r.Parse("/x " + strings.Repeat("w ", 250)); err == nil || !strings.Contains(err.Error(), "too many words") {
		t.Fatalf("250 words: %v", err)
	}
}

// TestExamplesParse checks that every command's examples parse to that command.
func TestExamplesParse(t *testing.T) {
	t.Parallel()
	r := testRegistry(t)
	checkExamples(t, r)
}

func checkExamples(t *testing.T, r *commands.Registry) {
	t.Helper()
	for _, c := range r.Commands() {
		if len(c.Examples) == 0 {
			t.Errorf("/%s has no examples", c.Path)
		}
		for _, ex := range c.Examples {
			p, err := r.Parse(ex)
			if err != nil {
				t.Errorf("/%s example %q: %v", c.Path, ex, err)
				continue
			}
			if p.Command != c {
				t.Errorf("/%s example %q parses to /%s", c.Path, ex, p.Command.Path)
			}
		}
	}
}

func TestRegistry_rejectsBadDeclarations(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]*commands.Command{
		"no run":             {Path: "x", Summary: "s"},
		"bad path":           {Path: "X y", Summary: "s", Run: nop},
		"rest not last":      {Path: "x", Summary: "s", Run: nop, Args: []commands.Arg{{Name: "a", Rest: true}, {Name: "b"}}},
		"mutates no perm":    {Path: "x", Summary: "s", Run: nop, Mutates: true},
		"audited no perm":    {Path: "x", Summary: "s", Run: nop, Audited: true},
		"required after opt": {Path: "x", Summary: "s", Run: nop, Args: []commands.Arg{{Name: "a", Optional: true}, {Name: "b"}}},
		"bad default":        {Path: "x", Summary: "s", Run: nop, Flags: []commands.Flag{{Name: "n", Kind: commands.Int, Default: "many"}}},
		"bad perm":           {Path: "x", Summary: "s", Run: nop, Perm: "Order.Approve"},
	} {
		r := commands.NewRegistry()
		r.Register(c)
		if r.Err() == nil {
			t.Errorf("%s: registered without error", name)
		}
	}
	r := commands.NewRegistry()
	r.Register(&commands.Command{Path: "x", Summary: "s", Run: nop}, &commands.Command{Path: "x", Summary: "s", Run: nop})
	if r.Err() == nil {
		t.Error("duplicate path registered")
	}
}

func TestParseDuration(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"3d": "72h0m0s", "2w": "336h0m0s", "12h": "12h0m0s", "90m": "1h30m0s", "1h30m": "1h30m0s"} {
		d, err := commands.ParseDuration(in)
		if err != nil || d.String() != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %s", in, d, err, want)
		}
	}
	for _, in := range []string{"", "d", "-3d", "3x", "401d", "yesterday"} {
		if _, err := commands.ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) = nil error", in)
		}
	}
}

// FuzzParse: no input panics; whatever parses formats back to a line that parses to the same invocation.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"/order approve #123 note", "/order\u3000approve 123", "/order reject AP1 \u201chello world\u201d",
		`/order approve "x`, "/devices approve a b", "/oplog member --user lisi --since 3d --all", "/order list --page=2",
		"/help order approve", `/order reject X 'it''s' "a \"b\""`, "/order approve -- --x", "／devices\u00a0unknown"} {
		f.Add(s)
	}
	r := testRegistry(f)
	f.Fuzz(func(t *testing.T, line string) {
		p, err := r.Parse(line)
		if err != nil {
			if bot.ErrorCode(err) != bot.EINVALID {
				t.Fatalf("Parse(%q): error %v is not a usage error", line, err)
			}
			return
		}
		again := commands.Format(p.Command, p.Args, p.Flags)
		q, err := r.Parse(again)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but its Format %q fails: %v", line, again, err)
		}
		if q.Command != p.Command || !reflect.DeepEqual(q.Args, p.Args) || !reflect.DeepEqual(q.Flags, p.Flags) {
			t.Fatalf("round trip changed %q: %v %v → %q → %v %v", line, p.Args, p.Flags, again, q.Args, q.Flags)
		}
	})
}

func ExampleCommand_Usage() {
	c := &commands.Command{Path: "order approve", Args: []commands.Arg{{Name: "id"}, {Name: "reason", Optional: true, Rest: true}},
		Flags: []commands.Flag{{Name: "note"}, {Name: "dry-run", Kind: commands.Bool}}}
	fmt.Println(c.Usage())
	// Output: /order approve <id> [reason...] [--note TEXT] [--dry-run]
}

// A Line argument keeps the scheduled line's flags: they are the line's, not the outer command's.
func TestParse_lineArgKeepsFlags(t *testing.T) {
	r := commands.NewRegistry()
	r.Register(&commands.Command{Path: "schedule add", Summary: "s", Run: nop,
		Flags: []commands.Flag{{Name: "note"}},
		Args:  []commands.Arg{{Name: "when"}, {Name: "command", Rest: true, Line: true}}})
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	p, err := r.Parse(`/schedule add --note x daily 09:00 /alerts --since 1d --rule y`)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Args["command"]; !reflect.DeepEqual(got, []string{"09:00", "/alerts", "--since", "1d", "--rule", "y"}) {
		t.Errorf("command = %q", got)
	}
	if p.Flags["note"] != "x" || p.Args["when"][0] != "daily" {
		t.Errorf("flags %v, when %v", p.Flags, p.Args["when"])
	}
	r.Register(&commands.Command{Path: "bad", Summary: "s", Run: nop, Args: []commands.Arg{{Name: "x", Line: true}}})
	if r.Err() == nil {
		t.Error("Line without Rest was accepted")
	}
}
