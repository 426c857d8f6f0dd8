package replication_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/benbjohnson/litestream/s3"

	"github.com/wecombot/wecombot/bot/config"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/replication"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func enqueue(t *testing.T, d *db.DB, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		if _, err := d.Enqueue(context.Background(), &db.InboxItem{Key: fmt.Sprintf("msg:%d", i), ReceivedAt: time.Now(),
			From: "lisi", Kind: "text", Payload: []byte("<xml/>")}); err != nil {
			t.Fatal(err)
		}
	}
}

func restoredRows(t *testing.T, cfg config.Replication) int {
	t.Helper()
	out := filepath.Join(t.TempDir(), "restored.db")
	if _, err := replication.Restore(context.Background(), cfg, out, quiet); errors.Is(err, replication.ErrNoReplica) {
		return -1 // nothing shipped yet
	} else if err != nil {
		t.Fatal(err)
	}
	r, err := db.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var n int
	if err := r.SQL().QueryRow(`SELECT COUNT(*) FROM inbox`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestReplicate_syncAndClose: rows written while the replicator runs reach the replica within the sync
// interval, and those written last reach it at Close's final sync; the replica directory is created private.
func TestReplicate_syncAndClose(t *testing.T) {
	dir := t.TempDir()
	cfg := config.Replication{Replica: "file://" + filepath.Join(dir, "replica", "wecombot"), SyncInterval: config.Duration{Duration: 100 * time.Millisecond}}
	if _, err := replication.Restore(context.Background(), cfg, filepath.Join(dir, "x.db"), quiet); !errors.Is(err, replication.ErrNoReplica) {
		t.Fatalf("restore before any replication: %v; want ErrNoReplica", err)
	}
	path := filepath.Join(dir, "bot.db")
	d, err := db.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	enqueue(t, d, 0, 20)
	r, err := replication.Start(cfg, path, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "replica", "wecombot")); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("replica directory: %v, %v; want mode 0700", fi, err)
	}
	enqueue(t, d, 20, 50)
	deadline := time.Now().Add(20 * time.Second)
	for restoredRows(t, cfg) != 50 {
		if time.Now().After(deadline) {
			t.Fatal("the replica never reached 50 rows")
		}
		time.Sleep(50 * time.Millisecond)
	}
	enqueue(t, d, 50, 60) // Close right away, before the next sync: its final sync ships these
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if n := restoredRows(t, cfg); n != 60 {
		t.Fatalf("after Close the replica restores %d rows; want 60", n)
	}
}

// TestClient builds the S3 client from the URL and the keys as Litestream's own config would.
func TestClient(t *testing.T) {
	c, err := replication.Client(config.Replication{Replica: "s3://backups/wecombot/prod", AccessKeyID: "AK", SecretAccessKey: "SK",
		Endpoint: "https://minio.example.com:9000"})
	if err != nil {
		t.Fatal(err)
	}
	s, ok := c.(*s3.ReplicaClient)
	if !ok {
		t.Fatalf("client %T; want *s3.ReplicaClient", c)
	}
	if s.Bucket != "backups" || s.Path != "wecombot/prod" || s.AccessKeyID != "AK" || s.SecretAccessKey != "SK" ||
		s.Endpoint != "https://minio.example.com:9000" || !s.ForcePathStyle || s.Region != "" {
		t.Errorf("s3 client %+v", s)
	}
	c, _ = replication.Client(config.Replication{Replica: "s3://backups/wecombot"})
	if s := c.(*s3.ReplicaClient); s.Region != s3.DefaultRegion || s.ForcePathStyle {
		t.Errorf("AWS S3 client: region %q, path style %v; want %q, virtual-hosted", s.Region, s.ForcePathStyle, s3.DefaultRegion)
	}
}
