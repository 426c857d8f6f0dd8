package main

import (
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/bot/config"
)

var update = flag.Bool("update", false, "rewrite docs/commands.md from the command declarations")

// realRegistry builds the registry exactly as the bot does.
func realRegistry(t *testing.T) *commands.Registry {
	t.Helper()
	cfg := testConfig(t, "127.0.0.1:1", "http://127.0.0.1:2", filepath.Join(t.TempDir(), "bot.db"))
	a, err := newApp(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.db.Close() })
	return a.registry
}

// TestCommandsDoc keeps docs/commands.md equal to what the declarations say.
func TestCommandsDoc(t *testing.T) {
	got := commands.Doc(realRegistry(t))
	path := filepath.Join("..", "..", "docs", "commands.md")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run: go test ./cmd/bot -run TestCommandsDoc -update)", err)
	}
	if string(want) != got {
		t.Fatalf("docs/commands.md is out of date with the command declarations; run: go test ./cmd/bot -run TestCommandsDoc -update")
	}
}

// TestCommandExamples checks that every example of every real command parses to that command, and that
// every command that mutates or reads sensitive data names a permission.
func TestCommandExamples(t *testing.T) {
	r := realRegistry(t)
	for _, c := range r.Commands() {
		if len(c.Examples) == 0 {
			t.Errorf("/%s has no examples", c.Path)
		}
		for _, ex := range c.Examples {
			p, err := r.Parse(ex)
			if err != nil {
				t.Errorf("/%s example %q: %v", c.Path, ex, err)
			} else if p.Command != c {
				t.Errorf("/%s example %q parses to /%s", c.Path, ex, p.Command.Path)
			}
		}
		if len(c.APIs) > 0 && c.Perm == "" {
			t.Errorf("/%s calls WeCom (%v) but needs no permission", c.Path, c.APIs)
		}
	}
}

// TestRepoConfigBuildsApp builds the bot from the config.toml shipped in the repository, so that every
// section in it (access, approvals, alerts) is accepted by the code that uses it, not only by the parser.
func TestRepoConfigBuildsApp(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(string(b), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	cfg.Store.Path = filepath.Join(t.TempDir(), "bot.db")
	a, err := newApp(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatalf("config.toml does not build the bot: %v", err)
	}
	a.db.Close()
}
