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
// of wecom/wecomtest and bot/commands/commandtest: the emulator that `bot emulator` and `bot demo` run lives in wecom/emulator, which must
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
