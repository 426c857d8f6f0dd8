package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestMetricsImports: only bot/metrics imports Prometheus; the parts report through their Observe hooks.
func TestMetricsImports(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not found:", err)
	}
	out, err := exec.Command(goTool, "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "github.com/wecombot/wecombot/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	found := false
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		for _, imp := range f[1:] {
			if !strings.HasPrefix(imp, "github.com/prometheus/") {
				continue
			}
			if f[0] != "github.com/wecombot/wecombot/bot/metrics" {
				t.Errorf("%s imports %s; report through a hook that bot/metrics fills instead", f[0], imp)
			} else {
				found = true
			}
		}
	}
	if !found {
		t.Error("bot/metrics imports no Prometheus package (moved? update the test)")
	}
}
