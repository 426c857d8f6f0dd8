package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/config"
)

const valid = `
[wecom]
corp_id = "ww1436e0e65a779aee"
agent_id = 1000002
secret = "env:TEST_SECRET"
api_base = "http://127.0.0.1:8081"

[callback]
listen = "127.0.0.1:8080"
token = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"
encoding_aes_key = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"

[store]
path = "bot.db"
`

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestParse_OK(t *testing.T) {
	c, err := config.Parse(valid, env(map[string]string{"TEST_SECRET": "s3cret"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.WeCom.Secret != "s3cret" {
		t.Errorf("secret = %q; want it read from the environment", c.WeCom.Secret)
	}
	if c.Callback.Path != "/wecom/callback" || c.Callback.MaxSkew.Duration != 10*time.Minute {
		t.Errorf("defaults: path %q skew %v", c.Callback.Path, c.Callback.MaxSkew)
	}
	if c.Store.InboxRetention.Duration != 7*24*time.Hour {
		t.Errorf("inbox_retention default = %v", c.Store.InboxRetention)
	}
	if got := c.CallbackURL(); got != "http://127.0.0.1:8080/wecom/callback" {
		t.Errorf("CallbackURL() = %q", got)
	}
	if got, err := c.APIListen(); err != nil || got != "127.0.0.1:8081" {
		t.Errorf("APIListen() = %q, %v", got, err)
	}
}

func TestParse_Errors(t *testing.T) {
	withSecret := env(map[string]string{"TEST_SECRET": "s3cret"})
	tests := []struct {
		name    string
		edit    func(string) string
		env     func(string) (string, bool)
		wantErr string
	}{
		{"short key", func(s string) string {
			return strings.Replace(s, "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt", "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhU", 1)
		}, withSecret, "callback.encoding_aes_key must be 43 characters, got 42"},
		{"unset env", func(s string) string { return s }, env(nil), "wecom.secret: environment variable TEST_SECRET is not set"},
		{"console origin with a path", func(s string) string { return s + "\n[console]\norigin = \"https://bot.example.com/console\"\n" }, withSecret,
			"console.origin must be scheme://host[:port] only"},
		{"verify file alone", func(s string) string { return s + "\n[console]\nverify_file = \"WW_verify_a1.txt\"\n" }, withSecret,
			"console.verify_file and console.verify_content go together"},
		{"verify file name", func(s string) string {
			return s + "\n[console]\nverify_file = \"../etc/passwd\"\nverify_content = \"x\"\n"
		}, withSecret, "console.verify_file must be the name WeCom gives"},
		{"idle timeout", func(s string) string { return s + "\n[console]\nidle_timeout = \"10s\"\n" }, withSecret, "console.idle_timeout must be between 1m and 24h"},
		{"policy without approvers", func(s string) string { return s + "\n[policies.\"devices.delete\"]\nmore_than = 3\n" }, withSecret,
			"policies.\"devices.delete\".approvers: name who approves"},
		{"policy expiry", func(s string) string {
			return s + "\n[policies.\"devices.delete\"]\napprovers = [\"lisi\"]\nexpires_after = \"30s\"\n"
		}, withSecret, "expires_after must be between 1m and 7d"},
		{"unknown key", func(s string) string { return s + "\n[log]\nlevl = \"info\"\n" }, withSecret, "unknown key(s): log.levl (did you mean log.level?)"},
		{"misspelt key in a section", func(s string) string {
			return strings.Replace(s, "[store]", "[store]\ninbox_retenton = \"24h\"", 1)
		}, withSecret, "store.inbox_retenton (did you mean store.inbox_retention?)"},
		{"bad duration", func(s string) string {
			return strings.Replace(s, "[store]", "[store]\ninbox_retention = \"a week\"", 1)
		}, withSecret, "is not a duration"},
		{"bad listen", func(s string) string { return strings.Replace(s, `"127.0.0.1:8080"`, `"8080"`, 1) }, withSecret, "callback.listen must be host:port"},
		{"missing corp", func(s string) string { return strings.Replace(s, `corp_id = "ww1436e0e65a779aee"`, "", 1) }, withSecret, "wecom.corp_id is required"},
		{"token chars", func(s string) string { return strings.Replace(s, "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo", "bad token!", 1) }, withSecret, "callback.token must be 1 to 32 letters or digits"},
		{"bad format", func(s string) string { return s + "\n[log]\nformat = \"xml\"\n" }, withSecret, `log.format must be "text" or "json"`},
		// Approvals link to a page: without an address for it the link would not work (issue 15 item 7).
		{"approvals without a page", func(s string) string { return s + "\n[approvals]\napprovers = [\"zhangsan\"]\n" }, withSecret,
			"approvals: the cards and WeCom link to the approval page, so set callback.public_url"},
		{"approvals by type without a page", func(s string) string { return s + "\n[approvals.by_type]\nmail = [\"zhangsan\"]\n" }, withSecret,
			"set callback.public_url"},
		{"approvals.url without {apply_id}", func(s string) string {
			return s + "\n[approvals]\napprovers = [\"zhangsan\"]\nurl = \"https://bot.example.com/approvals/\"\n"
		}, withSecret, "approvals.url must contain {apply_id}"},
		{"approvals.url not http", func(s string) string {
			return s + "\n[approvals]\napprovers = [\"zhangsan\"]\nurl = \"bot.example.com/approvals/{apply_id}\"\n"
		}, withSecret, "approvals.url must be an absolute http(s) URL"},
		{"previous key alone", func(s string) string {
			return strings.Replace(s, `listen = "127.0.0.1:8080"`, "listen = \"127.0.0.1:8080\"\nprevious_token = \"OldToken1\"", 1)
		}, withSecret, "callback.previous_token, previous_encoding_aes_key and previous_until go together"},
		{"previous_until not a time", func(s string) string {
			return strings.Replace(s, `listen = "127.0.0.1:8080"`, "listen = \"127.0.0.1:8080\"\nprevious_token = \"OldToken1\"\n"+
				"previous_encoding_aes_key = \"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG\"\nprevious_until = \"tomorrow\"", 1)
		}, withSecret, "callback.previous_until must be an RFC 3339 time"},
		{"menu with four buttons", func(s string) string {
			return s + "\n[[menu.button]]\nname = \"a\"\ncommand = \"/help\"\n[[menu.button]]\nname = \"b\"\ncommand = \"/help\"\n" +
				"[[menu.button]]\nname = \"c\"\ncommand = \"/help\"\n[[menu.button]]\nname = \"d\"\ncommand = \"/help\"\n"
		}, withSecret, "menu.button: 4 buttons; WeCom takes 1 to 3"},
		{"menu name too long", func(s string) string {
			return s + "\n[[menu.button]]\nname = \"一二三四五六\"\ncommand = \"/help\"\n"
		}, withSecret, "menu.button[0].name: \"一二三四五六\" is 18 bytes; WeCom takes 1 to 16"},
		{"menu without a command", func(s string) string { return s + "\n[[menu.button]]\nname = \"帮助\"\ncommand = \"help\"\n" }, withSecret,
			"menu.button[0].command: \"help\" must be a command line"},
		{"public_url not http", func(s string) string {
			return strings.Replace(s, `listen = "127.0.0.1:8080"`, "listen = \"127.0.0.1:8080\"\npublic_url = \"bot.example.com/wecom/callback\"", 1)
		}, withSecret, "callback.public_url must be an absolute http(s) URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse(tt.edit(valid), tt.env)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Parse() error = %v; want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

// TestParse_PreviousCallbackPair: the pair used before a rotation is read with its end.
func TestParse_PreviousCallbackPair(t *testing.T) {
	doc := strings.Replace(valid, `listen = "127.0.0.1:8080"`, "listen = \"127.0.0.1:8080\"\nprevious_token = \"OldToken1\"\n"+
		"previous_encoding_aes_key = \"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG\"\nprevious_until = \"2026-12-10T10:00:00+08:00\"", 1)
	c, err := config.Parse(doc, env(map[string]string{"TEST_SECRET": "s3cret"}))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Callback.PreviousUntilTime(); !got.Equal(time.Date(2026, 12, 10, 2, 0, 0, 0, time.UTC)) {
		t.Fatalf("PreviousUntilTime() = %v", got)
	}
}

// TestParse_ApprovalPage: approvals are accepted once the page they link to has an address.
func TestParse_ApprovalPage(t *testing.T) {
	withSecret := env(map[string]string{"TEST_SECRET": "s3cret"})
	approvals := "\n[approvals]\napprovers = [\"zhangsan\"]\n"
	for name, doc := range map[string]string{
		"public_url": strings.Replace(valid, `listen = "127.0.0.1:8080"`,
			"listen = \"127.0.0.1:8080\"\npublic_url = \"https://bot.example.com/wecom/callback\"", 1) + approvals,
		"approvals.url": valid + approvals + "url = \"https://oa.example.com/apply?id={apply_id}\"\n",
		"no approvals":  valid,
	} {
		if _, err := config.Parse(doc, withSecret); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestParse_SecretsNotInErrors makes sure a validation error never echoes a secret value.
func TestParse_SecretsNotInErrors(t *testing.T) {
	doc := strings.Replace(valid, "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt", "TOPSECRETxx", 1)
	_, err := config.Parse(doc, env(map[string]string{"TEST_SECRET": "s3cret"}))
	if err == nil {
		t.Fatal("want an error for a short key")
	}
	if strings.Contains(err.Error(), "TOPSECRET") {
		t.Errorf("error leaks the key: %v", err)
	}
}

// TestRepoConfig checks the config.toml shipped at the repository root loads as documented.
func TestRepoConfig(t *testing.T) {
	path := filepath.Join("..", "..", "config.toml")
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("config.toml missing: %v", err)
	}
	if _, err := config.Load(path); err != nil {
		t.Fatalf("Load(config.toml): %v", err)
	}
}
