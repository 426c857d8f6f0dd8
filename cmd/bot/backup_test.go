package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/config"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom/emulator"
	"github.com/wecombot/wecombot/wecom/wecomtest"
)

// writeConfigFile writes a config file for the app in cfg with store.path dbPath and extra TOML appended, and
// returns its path.
func writeConfigFile(t *testing.T, cfg *config.Config, dbPath, extra string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.toml")
	doc := fmt.Sprintf(`
[wecom]
corp_id = %q
agent_id = %d
secret = %q
api_base = %q
[callback]
listen = %q
token = %q
encoding_aes_key = %q
[store]
path = %q
[log]
level = "warn"
`, cfg.WeCom.CorpID, cfg.WeCom.AgentID, cfg.WeCom.Secret, cfg.WeCom.APIBase, cfg.Callback.Listen, testToken, testAESKey, dbPath) +
		sampleAccessTOML + extra
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// runCmd runs a bot command line in-process and returns its output.
func runCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &out, getenv: func(string) (string, bool) { return "", false }}
	err := run(context.Background(), e, args)
	return out.String(), err
}

// startApp runs newApp on cfg at ln in-process; stop shuts it down cleanly and returns run's error.
func startApp(t *testing.T, cfg *config.Config, ln net.Listener) (a *app, stop func() error) {
	t.Helper()
	a, err := newApp(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	a.processor.Poll, a.sender.Poll = 20*time.Millisecond, 20*time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.run(ctx, ln) }()
	var once sync.Once
	var runErr error
	stop = func() error {
		once.Do(func() { cancel(); runErr = <-done })
		return runErr
	}
	t.Cleanup(func() { stop() })
	return a, stop
}

// backupTraffic is the i'th test callback: mostly /help TOKEN from lisi, every third an audited command (a read
// of the member operation log by an admin), so the audit chain grows with the traffic.
func backupTraffic(i int) (user, text string) {
	if i%3 == 0 {
		return "zhangsan", "/oplog member"
	}
	return "lisi", fmt.Sprintf("/help d%03d", i)
}

// TestBackupRestore_whileServing backs the database up while the bot takes callbacks, checks the copy (mode,
// no overwrite, audit verify), shows restore refused while the bot runs, and restores after it stopped.
func TestBackupRestore_whileServing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	emu := wecomtest.NewServer(t, emulator.Options{CallbackURL: "http://" + addr + "/wecom/callback", Token: testToken, EncodingAESKey: testAESKey})
	dbPath := filepath.Join(dir, "bot.db")
	// A keyed (HMAC) audit chain: verify on the copy needs the key, from the config as for the live database.
	const auditTOML = "[audit]\nkey = \"backup-test-audit-key-0123456789\"\n"
	cfg := testConfigExtra(t, addr, emu.URL, dbPath, auditTOML)
	cfgPath := writeConfigFile(t, cfg, dbPath, auditTOML)
	a, stop := startApp(t, cfg, ln)

	const total = 90
	var mu sync.Mutex
	acked := 0
	trafficDone := make(chan struct{})
	go func() {
		defer close(trafficDone)
		for i := 0; i < total; i++ {
			user, text := backupTraffic(i)
			if postCallback(t, emu.Server, addr, user, text, uint64(800_000+i)) {
				mu.Lock()
				acked++
				mu.Unlock()
			}
		}
	}()
	waitFor(t, 20*time.Second, "a third of the traffic", func() bool { mu.Lock(); defer mu.Unlock(); return acked >= total/3 })

	backup := filepath.Join(dir, "backup.db")
	out, err := runCmd(t, "backup", "--config", cfgPath, backup)
	if err != nil {
		t.Fatalf("wecombot backup while serving: %v\n%s", err, out)
	}
	t.Log(strings.TrimSpace(out))
	if fi, err := os.Stat(backup); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v, %v; want mode 0600", fi, err)
	}
	if out, err := runCmd(t, "backup", "--config", cfgPath, backup); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("second backup to the same file: %v\n%s; want a refusal that mentions --force", err, out)
	}
	<-trafficDone
	waitFor(t, 30*time.Second, "every callback handled", func() bool {
		var open int
		a.db.SQL().QueryRow(`SELECT COUNT(*) FROM inbox WHERE state IN ('pending', 'working')`).Scan(&open)
		return open == 0
	})
	if out, err := runCmd(t, "backup", "--force", "--config", cfgPath, backup); err != nil {
		t.Fatalf("wecombot backup --force: %v\n%s", err, out)
	}

	// The copy is a database `wecombot audit verify` accepts, with the rows the bot had.
	copyCfg := writeConfigFile(t, cfg, backup, auditTOML)
	if out, err := runCmd(t, "audit", "verify", "--config", writeConfigFile(t, cfg, backup, "")); err == nil {
		t.Fatalf("audit verify on the backup without the key passed:\n%s", out)
	}
	out, err = runCmd(t, "audit", "verify", "--config", copyCfg)
	if err != nil || !strings.HasPrefix(out, "audit trail intact: ") {
		t.Fatalf("wecombot audit verify on the backup: %v\n%s", err, out)
	}
	var auditRows int
	if _, err := fmt.Sscanf(out, "audit trail intact: %d rows", &auditRows); err != nil || auditRows < total/3 {
		t.Fatalf("audit verify on the backup: %q; want at least %d rows (one per /oplog)", out, total/3)
	}
	t.Log(strings.TrimSpace(out))

	// Restore is refused while the bot runs on the database.
	out, err = runCmd(t, "restore", "--config", cfgPath, backup)
	if !errors.Is(err, db.ErrInUse) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", os.Getpid())) {
		t.Fatalf("restore while the bot runs: %v\n%s; want refused, naming the bot's pid", err, out)
	}
	var live int
	a.db.SQL().QueryRow(`SELECT COUNT(*) FROM inbox`).Scan(&live)
	if live != total {
		t.Fatalf("the live database has %d inbox rows after a refused restore; want %d", live, total)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	// Afterwards: the backup goes in, the old database is kept aside, and the bot starts on the restored file.
	// Make the restore visible: drop rows from the copy first.
	c, err := db.Open(backup)
	if err != nil {
		t.Fatal(err)
	}
	c.SQL().Exec(`DELETE FROM inbox WHERE id > 10`)
	c.Close()
	out, err = runCmd(t, "restore", "--config", cfgPath, backup)
	if err != nil || !strings.Contains(out, "kept as ") {
		t.Fatalf("restore after the bot stopped: %v\n%s", err, out)
	}
	t.Log(strings.TrimSpace(out))
	aside := strings.TrimSpace(out[strings.LastIndex(out, "kept as ")+len("kept as "):])
	ln2, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	b, stopB := startApp(t, cfg, ln2)
	var n int
	b.db.SQL().QueryRow(`SELECT COUNT(*) FROM inbox`).Scan(&n)
	if n != 10 {
		t.Errorf("the restarted bot sees %d inbox rows; want the restored 10", n)
	}
	if err := stopB(); err != nil {
		t.Fatal(err)
	}
	old, err := db.Open(aside)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	old.SQL().QueryRow(`SELECT COUNT(*) FROM inbox`).Scan(&n)
	if n != total {
		t.Errorf("the database kept aside at %s has %d inbox rows; want all %d", aside, n, total)
	}
}

// TestRestore_args: restore's arguments are checked before anything is touched.
func TestRestore_args(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t, "127.0.0.1:1", "http://127.0.0.1:2", filepath.Join(t.TempDir(), "bot.db"))
	cfgPath := writeConfigFile(t, cfg, cfg.Store.Path, "")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"restore", "--config", cfgPath}, "exactly one backup FILE"},
		{[]string{"restore", "--config", cfgPath, "a.db", "b.db"}, "exactly one backup FILE"},
		{[]string{"restore", "--config", cfgPath, "--from-replica", "a.db"}, "not both"},
		{[]string{"restore", "--config", cfgPath, "--from-replica"}, "needs [replication] replica"},
		{[]string{"restore", "--config", cfgPath, filepath.Join(t.TempDir(), "missing.db")}, "no such file"},
		{[]string{"backup", "--config", cfgPath}, "exactly one FILE"},
	} {
		if _, err := runCmd(t, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v; want an error containing %q", tc.args, err, tc.want)
		}
	}
	if _, err := os.Stat(cfg.Store.Path); err == nil {
		t.Error("a refused restore or backup created the database")
	}
}
