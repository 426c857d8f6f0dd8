package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/config"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/replication"
	"github.com/wecombot/wecombot/wecom/emulator"
	"github.com/wecombot/wecombot/wecom/wecomtest"
)

// TestReplication_failover is the standby drill: a `wecombot serve` process replicates to a directory with
// Litestream while it takes callbacks; it is killed with SIGKILL; a standby restores from the replica, starts
// on the restored file at the primary's address, and the test shows what survived. Callbacks the replica had
// before the kill are all there and done; those acknowledged in the last sync interval may be lost, and WeCom's
// redelivery (which the test plays) brings them back in; none is handled twice.
func TestReplication_failover(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	t.Parallel()
	addr := freeAddr(t)
	emu := wecomtest.NewServer(t, emulator.Options{CallbackURL: "http://" + addr + "/wecom/callback",
		Token: testToken, EncodingAESKey: testAESKey})
	base := testConfig(t, addr, emu.URL, "unused")
	replica := t.TempDir()
	repTOML := fmt.Sprintf("[replication]\nreplica = %q\nsync_interval = \"200ms\"\n", "file://"+replica)
	primaryPath := filepath.Join(t.TempDir(), "bot.db")
	primaryCfg := writeConfigFile(t, base, primaryPath, repTOML)
	standbyPath := filepath.Join(t.TempDir(), "bot.db")
	standbyCfg := writeConfigFile(t, base, standbyPath, repTOML)
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	id := func(i int) uint64 { return uint64(900_000 + i) }
	post := func(i int) bool {
		user, text := backupTraffic(i)
		return postCallback(t, emu.Server, addr, user, text, id(i))
	}

	primary := startBotProcess(t, primaryCfg, addr)

	// Phase 1: callbacks handled and, as a restore of the replica shows, replicated.
	const phase1, phase2 = 45, 30
	for i := 0; i < phase1; i++ {
		if !post(i) {
			t.Fatalf("callback %d not acknowledged", i)
		}
	}
	probe := func() (done int, err error) {
		p := filepath.Join(t.TempDir(), "probe.db")
		if _, err := replication.Restore(ctx, mustReplication(t, primaryCfg), p, quiet); err != nil {
			return 0, err
		}
		d, err := db.Open(p)
		if err != nil {
			return 0, err
		}
		defer d.Close()
		err = d.SQL().QueryRow(`SELECT COUNT(*) FROM inbox WHERE state = 'done'`).Scan(&done)
		return done, err
	}
	start := time.Now()
	waitFor(t, 30*time.Second, "phase 1 handled and on the replica", func() bool {
		n, err := probe()
		return err == nil && n == phase1
	})
	t.Logf("phase 1: %d callbacks handled and on the replica %v after the last one", phase1, time.Since(start).Round(time.Millisecond))

	// The replica holds every message: its files are the bot's user's alone, like the database.
	filepath.WalkDir(replica, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil && fi.Mode().Perm()&0o077 != 0 {
				t.Errorf("replica file %s has mode %04o; want no access for group and others", p, fi.Mode().Perm())
			}
		}
		return nil
	})

	// One writer while the primary lives: a restore onto its database, or a second bot on it, is refused.
	backup := filepath.Join(t.TempDir(), "b.db")
	if out, err := runCmd(t, "backup", "--config", primaryCfg, backup); err != nil {
		t.Fatalf("backup of the running primary: %v\n%s", err, out)
	}
	if out, err := runCmd(t, "restore", "--config", primaryCfg, backup); !errors.Is(err, db.ErrInUse) ||
		!strings.Contains(err.Error(), fmt.Sprintf("pid %d", primary.Process.Pid)) {
		t.Fatalf("restore onto the live primary: %v\n%s; want refused, naming the primary's pid %d", err, out, primary.Process.Pid)
	}
	pc, err := config.Load(primaryCfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newApp(pc, quiet, nil); !errors.Is(err, db.ErrInUse) {
		t.Fatalf("a second bot on the primary's database: %v; want ErrInUse", err)
	}

	// Phase 2: more callbacks, one every 50 ms, and the kill right after the last acknowledgement.
	ackedAt := map[int]time.Time{}
	for i := phase1; i < phase1+phase2; i++ {
		if !post(i) {
			t.Fatalf("callback %d not acknowledged", i)
		}
		ackedAt[i] = time.Now()
		time.Sleep(50 * time.Millisecond)
	}
	primary.Process.Signal(syscall.SIGKILL)
	killedAt := time.Now()
	primary.Wait()

	// The standby: restore, verify, start at the primary's address.
	out, err := runCmd(t, "restore", "--config", standbyCfg, "--from-replica")
	if err != nil {
		t.Fatalf("standby restore: %v\n%s", err, out)
	}
	t.Log(strings.TrimSpace(out))
	out, err = runCmd(t, "audit", "verify", "--config", standbyCfg)
	var standbyAudit int
	if err != nil || !strings.HasPrefix(out, "audit trail intact: ") {
		t.Fatalf("audit verify on the standby: %v\n%s", err, out)
	}
	if fmt.Sscanf(out, "audit trail intact: %d rows", &standbyAudit); standbyAudit < phase1/3 {
		t.Errorf("the standby's audit trail has %d rows; want at least phase 1's %d audited commands", standbyAudit, phase1/3)
	}
	t.Log("standby: " + strings.TrimSpace(out))
	sc, err := config.Load(standbyCfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	standby, stop := startApp(t, sc, ln)
	state := func(i int) string {
		_, s, err := standby.db.GetInbox(ctx, fmt.Sprintf("msg:%d", id(i)))
		if err != nil {
			return ""
		}
		return s
	}
	for i := 0; i < phase1; i++ {
		if s := state(i); s != "done" {
			t.Errorf("phase 1 callback %d on the standby: state %q; want done (it was on the replica before the kill)", i, s)
		}
	}
	survived := 0
	var oldestLost time.Duration
	for i := phase1; i < phase1+phase2; i++ {
		if state(i) != "" {
			survived++
		} else if age := killedAt.Sub(ackedAt[i]); age > oldestLost {
			oldestLost = age
		}
	}
	t.Logf("phase 2: %d of %d callbacks acknowledged in the %v before the kill survived on the replica; the oldest lost was acknowledged %v before the kill (sync_interval 200ms)",
		survived, phase2, killedAt.Sub(ackedAt[phase1]).Round(time.Millisecond), oldestLost.Round(time.Millisecond))

	// WeCom redelivers what it got no answer for; the test redelivers all of phase 2: the lost are stored now,
	// the survivors are recognised as duplicates.
	for i := phase1; i < phase1+phase2; i++ {
		if !post(i) {
			t.Fatalf("redelivered callback %d not acknowledged by the standby", i)
		}
	}
	waitFor(t, 30*time.Second, "the standby to handle everything", func() bool {
		for i := 0; i < phase1+phase2; i++ {
			if state(i) != "done" {
				return false
			}
		}
		return true
	})
	var rows int
	standby.db.SQL().QueryRow(`SELECT COUNT(*) FROM inbox WHERE dedupe_key LIKE 'msg:9%'`).Scan(&rows)
	if rows != phase1+phase2 {
		t.Errorf("standby inbox: %d rows; want %d, each callback once", rows, phase1+phase2)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	out, err = runCmd(t, "audit", "verify", "--config", standbyCfg)
	if err != nil || !strings.HasPrefix(out, "audit trail intact: ") {
		t.Fatalf("audit verify after the standby ran: %v\n%s", err, out)
	}
	t.Log("standby after redelivery: " + strings.TrimSpace(out))
}

// mustReplication reads the [replication] section of a config file.
func mustReplication(t *testing.T, path string) config.Replication {
	t.Helper()
	c, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return c.Replication
}

// The standby must not start before it has a database: with replication on and no restore, the restore
// target is missing and `wecombot restore --from-replica` of an empty replica says so.
func TestReplication_emptyReplica(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t, "127.0.0.1:1", "http://127.0.0.1:2", "unused")
	path := filepath.Join(t.TempDir(), "bot.db")
	cfgPath := writeConfigFile(t, cfg, path, fmt.Sprintf("[replication]\nreplica = %q\n", "file://"+t.TempDir()))
	if out, err := runCmd(t, "restore", "--config", cfgPath, "--from-replica"); !errors.Is(err, replication.ErrNoReplica) {
		t.Fatalf("restore from an empty replica: %v\n%s; want ErrNoReplica", err, out)
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("a failed restore left a database at store.path")
	}
}

// TestReplication_unstartableStopsBot: a replica that cannot be written stops the bot with the error, rather
// than letting it run unreplicated while the operator believes otherwise.
func TestReplication_unstartableStopsBot(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	blocker := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := testConfigExtra(t, ln.Addr().String(), "http://127.0.0.1:1", filepath.Join(t.TempDir(), "bot.db"),
		fmt.Sprintf("[replication]\nreplica = %q\n", "file://"+blocker+"/replica"))
	a, err := newApp(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.run(context.Background(), ln) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "replication.replica") {
			t.Fatalf("run: %v; want the replication error", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the bot kept running with a replica it cannot write")
	}
}
