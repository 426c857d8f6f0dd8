package main

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/wecombot/wecombot/bot/access"
	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/bot/config"
)

// fourEyesPolicies turns [policies] into the engine's four-eyes rules. A key must name a mutating command (or
// a family with mutating commands): a policy on a read, or on a misspelt path, would silently hold nothing.
func fourEyesPolicies(cfg map[string]config.Policy, reg *commands.Registry, dir access.Directory) ([]commands.Policy, error) {
	keys := make([]string, 0, len(cfg))
	for k := range cfg {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var mutating []string
	for _, c := range reg.Commands() {
		if c.Mutates {
			mutating = append(mutating, c.Path)
		}
	}
	var out []commands.Policy
	for _, k := range keys {
		pc := cfg[k]
		path, wildcard := config.PolicyPath(k)
		match := func(p string) bool { return p == path }
		if wildcard {
			match = func(p string) bool { return strings.HasPrefix(p, path+" ") }
		}
		n := 0
		for _, p := range mutating {
			if match(p) {
				n++
			}
		}
		if n == 0 {
			msg := fmt.Sprintf("policies.%q names no command that changes anything; four-eyes policies hold mutating commands: %s",
				k, strings.ReplaceAll(strings.Join(mutating, ", "), " ", "."))
			if s := commands.Suggest(strings.ReplaceAll(path, " ", "."), dotted(mutating)); s != "" {
				msg = fmt.Sprintf("policies.%q names no command that changes anything; did you mean %q?", k, s)
			}
			return nil, fmt.Errorf("config: %s", msg)
		}
		refs := pc.Approvers
		for _, r := range refs {
			if err := access.CheckRef(fmt.Sprintf("policies.%q.approvers", k), r, dir != nil); err != nil {
				return nil, fmt.Errorf("config: %w", err)
			}
		}
		out = append(out, commands.Policy{Name: k, Match: match, MoreThan: pc.MoreThan, Expiry: pc.Expiry(),
			Approvers: func(ctx context.Context) ([]string, error) { return access.ExpandMembers(ctx, dir, refs) }})
	}
	return out, nil
}

func dotted(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = strings.ReplaceAll(p, " ", ".")
	}
	return out
}
