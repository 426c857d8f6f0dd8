package alerts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wecombot/wecombot/bot/config"
)

// TestDocsConfigExample keeps the example in docs/alerts.md valid: it must parse and pass the checks New makes.
func TestDocsConfigExample(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "alerts.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "```toml\n")
	example, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("docs/alerts.md has no ```toml example")
	}
	doc := `
[wecom]
corp_id = "ww0000000000emul"
agent_id = 1000002
secret = "s"
[callback]
listen = "127.0.0.1:8080"
token = "t"
encoding_aes_key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
[store]
path = "bot.db"
` + example
	cfg, err := config.Parse(doc, func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatalf("the example does not parse: %v", err)
	}
	rules, err := compileRules(cfg.Alerts)
	if err != nil {
		t.Fatalf("the example's rules: %v", err)
	}
	if err := checkTeams(cfg.Alerts.Teams, true); err != nil {
		t.Fatalf("the example's teams: %v", err)
	}
	if len(rules) != 5 || cfg.Alerts.DomainIPTeam != "secops" {
		t.Fatalf("the example has %d rules, domain_ip_team %q", len(rules), cfg.Alerts.DomainIPTeam)
	}
}
