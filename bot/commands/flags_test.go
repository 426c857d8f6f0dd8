package commands_test

import (
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/wecombot/wecombot/bot/commands"
)

// flagRegistry declares the shapes issue 9 asked the declaration to say: a required flag, a list flag of
// userids, a checked flag, and a Many argument.
func flagRegistry(t *testing.T) *commands.Registry {
	t.Helper()
	r := commands.NewRegistry()
	r.Register(&commands.Command{Path: "convert tmp", Summary: "convert", Perm: "ids.read", Run: nop,
		Args: []commands.Arg{{Name: "id", Many: true}},
		Flags: []commands.Flag{
			{Name: "type", Required: true, Values: []string{"meeting", "form", "doc"}, Help: "the product that handed the ids out"},
			{Name: "user", List: true, Match: commands.UserIDRE, Help: "members"},
			{Name: "agent", Kind: commands.Int, Min: 1, Max: 1 << 30, Help: "an agentid"},
		},
		Examples: []string{"/convert tmp ou1 --type meeting"}})
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestFlags_requiredListAndManyDedup(t *testing.T) {
	t.Parallel()
	r := flagRegistry(t)
	usage := r.Lookup("convert tmp").Usage()
	if !strings.Contains(usage, " --type meeting|form|doc") || strings.Contains(usage, "[--type") {
		t.Fatalf("usage %q; want --type shown as required (unbracketed)", usage)
	}
	if !strings.Contains(usage, "[--user TEXT,…]") {
		t.Fatalf("usage %q; want --user shown as a list", usage)
	}
	for _, c := range []struct{ line, err string }{
		{"/convert tmp ou1", "--type is required"},
		{"/convert tmp ou1 --type meeting --user lisi,'bad id'", `"bad id" is not valid`},
		{"/convert tmp ou1 --type meeting --user ,", "needs at least one value"},
		{"/convert tmp ou1 --type meeting --user " + strings.Repeat("u,", 101), ""}, // 101 × "u" is one member
	} {
		_, err := r.Parse(c.line)
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%s: %v", c.line, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: error %v; want one saying %q", c.line, err, c.err)
		}
	}
	var many []string
	for i := 0; i < 101; i++ {
		many = append(many, "u"+strings.Repeat("x", i%60)+string(rune('a'+i%26))+string(rune('a'+i/26)))
	}
	if _, err := r.Parse("/convert tmp ou1 --type doc --user " + strings.Join(many, ",")); err == nil || !strings.Contains(err.Error(), "at most 100") {
		t.Errorf("101 members: %v; want the bound", err)
	}
	p, err := r.Parse("/convert tmp ou1 ou2 ou1 ou2 --type form --user lisi, wangwu，lisi")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Args["id"]; !reflect.DeepEqual(got, []string{"ou1", "ou2"}) {
		t.Errorf("ids = %q; want repeats removed in order", got)
	}
	inv := &commands.Invocation{Command: p.Command, Args: p.Args, Flags: p.Flags}
	if got := inv.FlagList("user"); !reflect.DeepEqual(got, []string{"lisi", "wangwu"}) {
		t.Errorf("--user = %q; want [lisi wangwu]", got)
	}
	if got := inv.FlagList("agent"); got != nil {
		t.Errorf("absent list = %q; want nil", got)
	}
}

func TestFlags_registryRefusesContradictions(t *testing.T) {
	t.Parallel()
	for _, f := range []commands.Flag{
		{Name: "all", Kind: commands.Bool, Required: true},
		{Name: "all", Kind: commands.Bool, List: true},
		{Name: "type", Required: true, Default: "x"},
		{Name: "user", Match: regexp.MustCompile(`^[a-z]+$`), Default: "BAD"},
	} {
		r := commands.NewRegistry()
		r.Register(&commands.Command{Path: "x", Summary: "x", Run: nop, Flags: []commands.Flag{f}})
		if r.Err() == nil {
			t.Errorf("flag %+v was accepted", f)
		}
	}
}

// TestParse_trailingPunctuation: a sentence's end after a command is tolerated; where it can be part of the
// command (a free-text reason), it is kept.
func TestParse_trailingPunctuation(t *testing.T) {
	t.Parallel()
	r := testRegistry(t)
	for line, want := range map[string]string{"/help。": "help", "/help！": "help", "/devices？": "devices",
		"/devices unknown。": "devices", "/order approve AP123!": "order approve"} {
		p, err := r.Parse(line)
		if err != nil || p.Command.Path != want {
			t.Errorf("%s: %v, %v; want /%s", line, p, err, want)
		}
	}
	p, err := r.Parse("/devices unknown。")
	if err != nil || p.Args["type"][0] != "unknown" {
		t.Fatalf("argument with a full stop: %v %v", p, err)
	}
	p, err = r.Parse("/order reject AP123 预算不足。")
	if err != nil || strings.Join(p.Args["reason"], " ") != "预算不足。" {
		t.Fatalf("a reason keeps its full stop: %v %v", p, err)
	}
	if _, err := r.Parse("/nosuch。"); err == nil || !strings.Contains(err.Error(), "unknown command /nosuch。") {
		t.Fatalf("an unknown command is reported as typed: %v", err)
	}
}

// TestParse_longInputNotEchoedWhole: an error quotes at most 64 characters of what was typed.
func TestParse_longInputNotEchoedWhole(t *testing.T) {
	t.Parallel()
	r := testRegistry(t)
	long := strings.Repeat("x", 5000)
	for _, line := range []string{"/" + long, "/devices " + long, "/help " + long + " " + long} {
		_, err := r.Parse(line)
		if err == nil {
			continue
		}
		if len(err.Error()) > 600 {
			t.Errorf("error for a %d-byte line is %d bytes: %.80s…", len(line), len(err.Error()), err.Error())
		}
	}
}

// TestAliases: Chinese names are read as the command's own path, word for word; a group alias works as the
// group; did-you-mean knows them; declarations that cannot work are refused.
func TestAliases(t *testing.T) {
	t.Parallel()
	r := commands.NewRegistry()
	r.Register(commands.Builtins(r, nil, nil)...)
	r.Register(
		&commands.Command{Path: "order approve", Aliases: []string{"审批 通过"}, Summary: "approve", Perm: "order.approve", Run: nop,
			Args: []commands.Arg{{Name: "id"}}},
		&commands.Command{Path: "order list", Aliases: []string{"审批 列表"}, Summary: "list", Perm: "order.read", Run: nop},
	)
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	p, err := r.Parse("/审批 通过 AP1")
	if err != nil || p.Command.Path != "order approve" || p.Args["id"][0] != "AP1" {
		t.Fatalf("/审批 通过 AP1 = %v, %v", p, err)
	}
	if _, err := r.Parse("/审批"); err == nil || !strings.Contains(err.Error(), "needs a subcommand") {
		t.Fatalf("/审批 alone: %v; want the group's subcommands", err)
	}
	if _, err := r.Parse("/审匹 列表"); err == nil || !strings.Contains(err.Error(), "did you mean /审批?") {
		t.Fatalf("a typo of the alias: %v; want a suggestion", err)
	}
	for _, bad := range []*commands.Command{
		{Path: "vip add", Aliases: []string{"添加"}, Summary: "x", Run: nop},        // one word for two
		{Path: "vip remove", Aliases: []string{"审批 移除"}, Summary: "x", Run: nop},  // 审批 already stands for order
		{Path: "vip list", Aliases: []string{"order 列表"}, Summary: "x", Run: nop}, // order is a command name
	} {
		r2 := commands.NewRegistry()
		r2.Register(&commands.Command{Path: "order list", Aliases: []string{"审批 列表"}, Summary: "list", Run: nop}, bad)
		if r2.Err() == nil {
			t.Errorf("alias %q for %q was accepted", bad.Aliases[0], bad.Path)
		}
	}
}
