package db_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wecombot/wecombot/db"
)

// openKeyed opens path with the test audit key.
func openKeyed(t *testing.T, path string) *db.DB {
	t.Helper()
	d, err := db.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.SetAuditKey(testAuditKey); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestBackup_consistentCopyWhileWriting takes backups while another goroutine appends to the audit chain and
// the inbox: each copy holds a prefix of the writes (audit rows 1..n with no gap, the chain intact under the
// key), is mode 0600, and is not overwritten without force.
func TestBackup_consistentCopyWhileWriting(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "bot.db")
	d := openKeyed(t, src)
	defer d.Close()
	ctx := context.Background()

	var written atomic.Int64
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		for i := 1; ; i++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			if err := d.AppendAudit(ctx, auditEntry(i)); err != nil {
				done <- err
				return
			}
			if _, err := d.Enqueue(ctx, &db.InboxItem{Key: fmt.Sprintf("msg:%d", i), ReceivedAt: time.Now(), From: "lisi",
				Kind: "text", Payload: []byte("<xml/>")}); err != nil {
				done <- err
				return
			}
			written.Store(int64(i))
		}
	}()
	for written.Load() < 50 {
		time.Sleep(time.Millisecond)
	}
	var copies []string
	for k := 0; k < 3; k++ {
		before := written.Load()
		dest := filepath.Join(dir, fmt.Sprintf("copy%d.db", k))
		info, err := db.Backup(ctx, src, dest, false)
		if err != nil {
			t.Fatal(err)
		}
		after := written.Load()
		if info.Bytes == 0 {
			t.Errorf("backup %d reports 0 bytes", k)
		}
		fi, err := os.Stat(dest)
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("backup mode %04o; want 0600", m)
		}
		c := openKeyed(t, dest)
		rep, err := c.VerifyAudit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var maxSeq, inbox int64
		c.SQL().QueryRow(`SELECT COALESCE(MAX(seq), 0) FROM audit`).Scan(&maxSeq)
		c.SQL().QueryRow(`SELECT COUNT(*) FROM inbox`).Scan(&inbox)
		c.Close()
		if rep.BrokenAt != 0 {
			t.Errorf("copy %d: audit chain broken at %d: %s", k, rep.BrokenAt, rep.Reason)
		}
		if rep.Rows != maxSeq || rep.Rows < before || rep.Rows > after+1 {
			t.Errorf("copy %d: %d audit rows (max seq %d); want a gapless prefix of %d..%d", k, rep.Rows, maxSeq, before, after+1)
		}
		// One write cycle is an audit row, then an inbox row: a snapshot falls between or inside one.
		if inbox != rep.Rows && inbox != rep.Rows-1 {
			t.Errorf("copy %d: %d inbox rows beside %d audit rows; the copy is not one snapshot", k, inbox, rep.Rows)
		}
		copies = append(copies, dest)
		t.Logf("copy %d: %d rows, %d bytes, %v", k, rep.Rows, info.Bytes, info.Took)
	}
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	// An existing file is refused and left as it was; force replaces it.
	old, _ := os.ReadFile(copies[0])
	if _, err := db.Backup(ctx, src, copies[0], false); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("backup over an existing file: %v; want a refusal", err)
	}
	if now, _ := os.ReadFile(copies[0]); string(now) != string(old) {
		t.Fatal("a refused backup changed the existing file")
	}
	if _, err := db.Backup(ctx, src, copies[0], true); err != nil {
		t.Fatalf("backup with force: %v", err)
	}
	c := openKeyed(t, copies[0])
	defer c.Close()
	var n int64
	c.SQL().QueryRow(`SELECT COUNT(*) FROM audit`).Scan(&n)
	if n != written.Load() {
		t.Errorf("forced backup after the writes stopped has %d audit rows; want %d", n, written.Load())
	}
	// No temporary files are left beside the copies.
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
	// A missing source is an error, not a new empty database.
	if _, err := db.Backup(ctx, filepath.Join(dir, "nope.db"), filepath.Join(dir, "x.db"), false); err == nil {
		t.Error("backup of a missing database succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "nope.db")); err == nil {
		t.Error("backup created the missing source")
	}
}

// TestLockWriter_oneWriter: a second LockWriter on the same file fails with ErrInUse naming the pid, and
// succeeds once the first DB is closed.
func TestLockWriter_oneWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bot.db")
	a, err := db.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.LockWriter(); err != nil {
		t.Fatal(err)
	}
	b, err := db.Open(path) // opening is allowed (wecombot audit, wecombot backup read while the bot runs) ...
	if err != nil {
		t.Fatal(err)
	}
	err = b.LockWriter() // ... becoming the writer is not
	if !errors.Is(err, db.ErrInUse) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", os.Getpid())) {
		t.Fatalf("second writer: %v; want ErrInUse naming pid %d", err, os.Getpid())
	}
	if fi, err := os.Stat(db.LockPath(path)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("lock file: %v, %v; want mode 0600", fi, err)
	}
	a.Close()
	if err := b.LockWriter(); err != nil {
		t.Fatalf("after the writer closed: %v", err)
	}
	b.Close()

	// OpenWriter locks before it opens: refused while another holds the lock, and a missing directory gets
	// Open's explanation.
	w, err := db.OpenWriter(path)
	if err != nil {
		t.Fatal(err)
	}
	if d, err := db.OpenWriter(path); !errors.Is(err, db.ErrInUse) {
		if d != nil {
			d.Close()
		}
		t.Fatalf("second OpenWriter: %v; want ErrInUse", err)
	}
	w.Close()
	if w, err = db.OpenWriter(path); err != nil {
		t.Fatalf("OpenWriter after the writer closed: %v", err)
	}
	w.Close()
	if _, err := db.OpenWriter(filepath.Join(t.TempDir(), "missing", "bot.db")); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("OpenWriter in a missing directory: %v; want Open's explanation", err)
	}
}

// TestRestore puts a backup in place: refused while a writer holds the target, and afterwards the target has
// the backup's content while the old database (with its un-checkpointed WAL) is kept aside intact.
func TestRestore(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	path := filepath.Join(dir, "bot.db")
	live := openKeyed(t, path)
	for i := 1; i <= 10; i++ {
		if err := live.AppendAudit(ctx, auditEntry(i)); err != nil {
			t.Fatal(err)
		}
	}
	backup := filepath.Join(dir, "backup.db")
	if _, err := db.Backup(ctx, path, backup, false); err != nil {
		t.Fatal(err)
	}
	for i := 11; i <= 15; i++ {
		if err := live.AppendAudit(ctx, auditEntry(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := live.LockWriter(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Restore(ctx, backup, path); !errors.Is(err, db.ErrInUse) {
		t.Fatalf("restore while the bot runs: %v; want ErrInUse", err)
	}
	// Not a database, or not this bot's: refused before anything moves.
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte("not a database at all, just some bytes that are long enough"), 0o600)
	live.Close()
	if _, err := db.Restore(ctx, junk, path); err == nil {
		t.Fatal("restore of a junk file succeeded")
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("a refused restore moved the database: %v", err)
	}

	// A killed bot leaves its WAL, with committed rows the file lacks: the files of an open database, copied
	// as they are, are that crash image.
	live = openKeyed(t, path)
	if err := live.AppendAudit(ctx, auditEntry(16)); err != nil {
		t.Fatal(err)
	}
	crashed := filepath.Join(dir, "crashed.db")
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(path + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(crashed+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	live.Close()
	path = crashed

	info, err := db.Restore(ctx, backup, path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Aside == "" {
		t.Fatal("no old database kept aside")
	}
	restored := openKeyed(t, path)
	defer restored.Close()
	rep, err := restored.VerifyAudit(ctx)
	if err != nil || rep.BrokenAt != 0 || rep.Rows != 10 {
		t.Fatalf("restored: %+v, %v; want 10 intact rows", rep, err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("restored file mode %04o; want 0600", fi.Mode().Perm())
	}
	old := openKeyed(t, info.Aside)
	defer old.Close()
	rep, err = old.VerifyAudit(ctx)
	if err != nil || rep.BrokenAt != 0 || rep.Rows != 16 {
		t.Fatalf("old database kept aside: %+v, %v; want its 16 intact rows", rep, err)
	}
}
