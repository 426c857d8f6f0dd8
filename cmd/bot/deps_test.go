package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestProductionDeps checks that the production binary links neither the testing package nor the test helpers
// of wecom/wecomtest and bot/commands/commandtest: the emulator that `wecombot emulator` and `wecombot demo` run lives in wecom/emulator, which must
// not import them.
func TestProductionDeps(t *testing.T) {
	// go test puts its own GOROOT/bin first in PATH; a test binary run by hand falls back to the GOROOT it
	// was built with.
	goTool, err := exec.LookPath("go")
	if err != nil {
		//lint:ignore SA1019 only the fallback for a test binary run outside go test
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
		if _, err := os.Stat(goTool); err != nil {
			t.Skip("go tool not found:", err)
		}
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("go list -deps .: %v\n%s", err, stderr)
	}
	forbidden := map[string]bool{
		"testing": true,
		"github.com/wecombot/wecombot/wecom/wecomtest":          true,
		"github.com/wecombot/wecombot/bot/commands/commandtest": true,
	}
	var bad []string
	for _, pkg := range strings.Fields(string(out)) {
		if forbidden[pkg] || strings.HasPrefix(pkg, "testing/") {
			bad = append(bad, pkg)
		}
	}
	if len(bad) > 0 {
		t.Errorf("the production binary links %s; test-only packages must stay out of cmd/bot's non-test files", strings.Join(bad, ", "))
	}
}

// TestLayering checks that imports point inward: the framework knows no desk, access and replies know no
// command, the WeCom client knows nothing of the bot. A desk may use the framework, access and replies.
func TestLayering(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not found:", err)
	}
	const mod = "github.com/wecombot/wecombot/"
	out, err := exec.Command(goTool, "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, mod+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	// package → packages of this module it must not import, directly or not.
	forbidden := map[string][]string{
		"bot/commands": {"bot/security", "bot/people", "bot/alerts", "bot/approvals", "bot/router", "cmd/bot"},
		"bot/access":   {"bot/commands", "bot/replies", "bot/security", "bot/people", "bot/alerts", "bot/approvals"},
		"bot/replies":  {"bot/commands", "bot/access", "bot/security", "bot/people", "bot/alerts", "bot/approvals", "db"},
		"bot/security": {"bot/people", "bot/alerts", "bot/approvals", "bot/router"},
		"bot/people":   {"bot/security", "bot/alerts", "bot/approvals", "bot/router"},
		"wecom":        {"bot", "bot/commands", "bot/replies", "db", "callbacks"},
		"db":           {"bot", "bot/commands", "bot/replies", "callbacks"},
	}
	imports := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || !strings.HasPrefix(f[0], mod) {
			continue
		}
		if _, ok := imports[strings.TrimPrefix(f[0], mod)]; !ok {
			imports[strings.TrimPrefix(f[0], mod)] = nil
		}
		for _, imp := range f[1:] {
			if strings.HasPrefix(imp, mod) {
				imports[strings.TrimPrefix(f[0], mod)] = append(imports[strings.TrimPrefix(f[0], mod)], strings.TrimPrefix(imp, mod))
			}
		}
	}
	var reach func(pkg string, seen map[string]bool)
	reach = func(pkg string, seen map[string]bool) {
		for _, imp := range imports[pkg] {
			if !seen[imp] {
				seen[imp] = true
				reach(imp, seen)
			}
		}
	}
	for pkg, bad := range forbidden {
		if _, ok := imports[pkg]; !ok {
			t.Errorf("package %s not found (renamed? update the test)", pkg)
			continue
		}
		seen := map[string]bool{}
		reach(pkg, seen)
		for _, b := range bad {
			if seen[b] {
				t.Errorf("%s imports %s (directly or through another package): imports must point inward", pkg, b)
			}
		}
	}
}
