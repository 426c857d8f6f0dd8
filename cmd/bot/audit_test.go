package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom/emulator"
)

// writeAuditConfig writes a valid config in a temporary directory with store.path = dbPath and the extra TOML.
func writeAuditConfig(t *testing.T, dbPath, extra string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, fmt.Appendf(nil, `
[wecom]
corp_id = %q
agent_id = %d
secret = %q
[callback]
listen = "127.0.0.1:0"
token = %q
encoding_aes_key = %q
[store]
path = %q
%s`, emulator.DefaultCorpID, emulator.DefaultAgentID, emulator.DefaultSecret, emulator.DefaultToken,
		emulator.DefaultAESKey, dbPath, extra), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// auditSetup writes a config whose store.path is a new database holding n audit entries, appended with the
// config's audit key as serve would, and returns the config's path, the database's path and the head hash.
func auditSetup(t *testing.T, n int, extra string) (cfgPath, dbPath, head string) {
	t.Helper()
	dbPath = filepath.Join(t.TempDir(), "bot.db")
	cfgPath = writeAuditConfig(t, dbPath, extra)
	cfg, err := loadConfig(&env{stderr: &bytes.Buffer{}, getenv: auditTestEnv}, "test", []string{"--config", cfgPath})
	if err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.SetAuditKey(auditKey(cfg)); err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_700_000_000, 0)
	d.Now = func() time.Time { return now }
	for i := 1; i <= n; i++ {
		now = now.Add(time.Minute)
		e := &db.AuditEntry{Actor: []string{"zhangsan", "lisi"}[i%2], Command: "order approve",
			Args: map[string]string{"id": fmt.Sprintf("OR%d", i)}, Decision: db.DecisionOK, Result: "approved",
			Duration: 120 * time.Millisecond}
		if err := d.AppendAudit(t.Context(), e); err != nil {
			t.Fatal(err)
		}
		head = e.Hash
	}
	return cfgPath, dbPath, head
}

func auditTestEnv(name string) (string, bool) {
	if name == "AUDIT_KEY" {
		return "test-audit-key-0123456789abcdef", true
	}
	return "", false
}

// runAuditCmd runs `wecombot audit args...` in-process and returns its stdout and stderr.
func runAuditCmd(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: auditTestEnv}
	err = runAudit(t.Context(), e, args)
	return out.String(), errb.String(), err
}

// tamperAudit runs SQL on the database as someone with access to the file: the append-only triggers go first.
func tamperAudit(t *testing.T, dbPath string, stmts ...string) {
	t.Helper()
	d, err := db.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, q := range append([]string{`DROP TRIGGER audit_no_update`, `DROP TRIGGER audit_no_delete`}, stmts...) {
		if _, err := d.SQL().ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func TestAudit_verify(t *testing.T) {
	t.Parallel()
	for _, keyed := range []bool{false, true} {
		t.Run(fmt.Sprintf("keyed=%v", keyed), func(t *testing.T) {
			t.Parallel()
			extra := ""
			if keyed {
				extra = "[audit]\nkey = \"env:AUDIT_KEY\"\n"
			}
			cfgPath, dbPath, head := auditSetup(t, 12, extra)
			if keyed != strings.HasPrefix(head, "hmac-sha256:") {
				t.Fatalf("head %s: keyed = %v", head, keyed)
			}

			out, _, err := runAuditCmd(t, "verify", "--config", cfgPath)
			if want := "audit trail intact: 12 rows, head " + head + "\n"; err != nil || out != want {
				t.Fatalf("audit verify = %q, %v; want %q, nil", out, err, want)
			}
			out, _, err = runAuditCmd(t, "verify", "--config", cfgPath, "--anchor", "12:"+head)
			if err != nil || !strings.Contains(out, "intact: 12 rows") || !strings.Contains(out, "anchor at row 12") {
				t.Fatalf("audit verify --anchor = %q, %v; want intact", out, err)
			}

			tamperAudit(t, dbPath, `UPDATE audit SET actor = 'mallory' WHERE seq = 7`)
			out, _, err = runAuditCmd(t, "verify", "--config", cfgPath)
			if err == nil || !strings.HasPrefix(out, "audit trail BROKEN at row 7: ") {
				t.Fatalf("audit verify after an edit = %q, %v; want BROKEN at row 7 and an error", out, err)
			}
		})
	}
}

// TestAudit_verifyAnchor shows the anchor catching what the chain alone cannot: rows deleted from the end.
func TestAudit_verifyAnchor(t *testing.T) {
	t.Parallel()
	cfgPath, dbPath, head := auditSetup(t, 10, "")
	tamperAudit(t, dbPath, `DELETE FROM audit WHERE seq > 8`)

	out, _, err := runAuditCmd(t, "verify", "--config", cfgPath)
	if err != nil || !strings.HasPrefix(out, "audit trail intact: 8 rows") {
		t.Fatalf("audit verify = %q, %v; want intact: truncation is invisible to the chain alone", out, err)
	}
	out, _, err = runAuditCmd(t, "verify", "--config", cfgPath, "--anchor", "10:"+head)
	if err == nil || !strings.HasPrefix(out, "audit trail BROKEN at row 9: ") || !strings.Contains(out, "deleted from the end") {
		t.Fatalf("audit verify --anchor = %q, %v; want BROKEN at row 9", out, err)
	}
	out, _, err = runAuditCmd(t, "verify", "--config", cfgPath, "--anchor", "8:sha256:00")
	if err == nil || !strings.HasPrefix(out, "audit trail BROKEN at row 8: ") {
		t.Fatalf("audit verify with a wrong anchor = %q, %v; want BROKEN at row 8", out, err)
	}
	if _, _, err := runAuditCmd(t, "verify", "--config", cfgPath, "--anchor", "sha256:00"); err == nil {
		t.Fatal("audit verify --anchor without a seq = nil error")
	}
}

func TestAudit_verifyNeedsKey(t *testing.T) {
	t.Parallel()
	// Written with the key; verified with a config that has none.
	_, dbPath, _ := auditSetup(t, 3, "[audit]\nkey = \"env:AUDIT_KEY\"\n")
	out, _, err := runAuditCmd(t, "verify", "--config", writeAuditConfig(t, dbPath, ""))
	if !errors.Is(err, db.ErrAuditKeyRequired) || strings.Contains(out, "intact") {
		t.Fatalf("audit verify without the key = %q, %v; want ErrAuditKeyRequired", out, err)
	}
}

func TestAudit_list(t *testing.T) {
	t.Parallel()
	cfgPath, dbPath, _ := auditSetup(t, 5, "")
	d, err := db.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	// Text a user typed, with a terminal escape sequence and a newline, must not reach the terminal raw.
	err = d.AppendAudit(t.Context(), &db.AuditEntry{Actor: "wangwu", Command: "device delete",
		Args: map[string]string{"reason": "lost\x1b[2J\nphone", "id": "D1"}, Decision: db.DecisionFailed,
		ErrCode: 60011, Result: "no privilege"})
	d.Close()
	if err != nil {
		t.Fatal(err)
	}

	out, _, err := runAuditCmd(t, "list", "--config", cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 7 || !strings.HasPrefix(lines[0], "SEQ") || !strings.HasPrefix(lines[1], "6 ") ||
		!strings.HasPrefix(lines[6], "1 ") {
		t.Fatalf("audit list =\n%s\nwant a header and rows 6 to 1", out)
	}
	for _, want := range []string{"wangwu", "device delete", "failed (errcode 60011)", `reason="lost\x1b[2J\nphone"`, "id=D1", "120ms"} {
		if !strings.Contains(out, want) {
			t.Errorf("audit list output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b") {
		t.Errorf("audit list passed an escape character through:\n%q", out)
	}

	out, _, err = runAuditCmd(t, "list", "--actor", "lisi", "--limit", "1", "--config", cfgPath)
	if lines := strings.Split(strings.TrimSpace(out), "\n"); err != nil || len(lines) != 2 ||
		!strings.HasPrefix(lines[1], "5 ") || !strings.Contains(lines[1], "lisi") {
		t.Fatalf("audit list --actor lisi --limit 1 = %q, %v; want row 5 only", out, err)
	}
	out, _, err = runAuditCmd(t, "list", "--actor", "nobody", "--config", cfgPath)
	if err != nil || out != "no audit entries match\n" {
		t.Fatalf("audit list --actor nobody = %q, %v", out, err)
	}
	for _, args := range [][]string{
		{"list", "--limit", "500", "--config", cfgPath},
		{"list", "--decision", "approved", "--config", cfgPath},
		{"list", "--since", "yesterday", "--config", cfgPath},
		{"list", "--config", cfgPath, "extra"},
	} {
		if _, _, err := runAuditCmd(t, args...); err == nil {
			t.Errorf("audit %s = nil error; want one", strings.Join(args, " "))
		}
	}
}

func TestAudit_usage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{nil, {"fix"}} {
		_, stderr, err := runAuditCmd(t, args...)
		if err == nil || !strings.Contains(stderr, "usage: wecombot audit") {
			t.Errorf("audit %v = %v, stderr %q; want an error and the usage", args, err, stderr)
		}
	}
	if out, _, err := runAuditCmd(t, "help"); err != nil || !strings.Contains(out, "verify") {
		t.Errorf("audit help = %q, %v", out, err)
	}
}

// TestAudit_missingDatabase checks that verify does not create a database at a mistyped path and call it intact.
func TestAudit_missingDatabase(t *testing.T) {
	t.Parallel()
	dbPath := filepath.Join(t.TempDir(), "bot.db")
	cfgPath := writeAuditConfig(t, dbPath, "")
	out, _, err := runAuditCmd(t, "verify", "--config", cfgPath)
	if err == nil || strings.Contains(out, "intact") {
		t.Fatalf("audit verify of a missing database = %q, %v; want an error", out, err)
	}
	if _, err := os.Stat(dbPath); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("verify created %s", dbPath)
	}
}

func TestAudit_parseSince(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 3, 10, 12, 0, 0, 0, time.Local)
	for in, want := range map[string]time.Time{
		"24h":        now.Add(-24 * time.Hour),
		"3d":         now.AddDate(0, 0, -3),
		"90m":        now.Add(-90 * time.Minute),
		"2025-03-01": time.Date(2025, 3, 1, 0, 0, 0, 0, time.Local),
	} {
		if got, err := parseSince(in, now); err != nil || !got.Equal(want) {
			t.Errorf("parseSince(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-3d", "-1h", "tomorrow", "3w"} {
		if _, err := parseSince(in, now); err == nil {
			t.Errorf("parseSince(%q) = nil error; want one", in)
		}
	}
}
