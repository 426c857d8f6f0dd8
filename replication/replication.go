// Package replication ships the bot's SQLite database to a replica continuously with Litestream (v0.3, used as
// a library: it drives SQLite through mattn/go-sqlite3, the same copy of SQLite the bot uses, so the process
// holds one set of POSIX locks on the file), and restores a standby's database from that replica.
//
// Litestream is asynchronous: a transaction is on the replica only after the next sync (sync_interval, 1 s by
// default) has shipped its WAL frames. Whatever the primary committed after the last sync is lost if the
// primary's disk is lost; docs/backup.md states what that means for acknowledged callbacks.
package replication

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/benbjohnson/litestream"
	"github.com/benbjohnson/litestream/file"
	"github.com/benbjohnson/litestream/s3"

	"github.com/wecombot/wecombot/bot/config"
)

// replicaName is the one replica's name in Litestream's bookkeeping.
const replicaName = "primary"

// Replicator replicates one database file while the bot runs.
type Replicator struct {
	ldb *litestream.DB
	r   *litestream.Replica
}

// Start begins replicating the database at path, which must exist in WAL mode (db.Open made it so). Litestream
// keeps its shadow WAL in a directory beside the file (".NAME-litestream"), holds a read transaction so no
// checkpoint discards WAL frames it has not copied, and checkpoints itself.
func Start(cfg config.Replication, path string, log *slog.Logger) (*Replicator, error) {
	client, err := Client(cfg)
	if err != nil {
		return nil, err
	}
	ldb := litestream.NewDB(path)
	ldb.Logger = log
	// Litestream copies new WAL frames to its shadow WAL every MonitorInterval (1 s by default) and ships the
	// shadow WAL every SyncInterval: both run at sync_interval, so the recovery point is about two of them.
	ldb.MonitorInterval = cfg.Sync()
	r := litestream.NewReplica(ldb, replicaName)
	r.Client = client
	r.SyncInterval = cfg.Sync()
	r.SnapshotInterval = cfg.Snapshot()
	r.Retention = cfg.Keep()
	ldb.Replicas = []*litestream.Replica{r}
	if err := ldb.Open(); err != nil {
		return nil, fmt.Errorf("replication: %w", err)
	}
	return &Replicator{ldb: ldb, r: r}, nil
}

// Close makes a final sync and stops replicating.
func (p *Replicator) Close() error {
	// Stop the replica's own loops first: Litestream 0.3's DB.Close makes its final replica sync while the
	// replica's monitor may still be in one, and two syncs write the same temporary segment file.
	p.r.Stop(false)
	if err := p.ldb.Close(); err != nil {
		return fmt.Errorf("replication: %w", err)
	}
	return nil
}

// Client builds the Litestream replica client for cfg.Replica (validated by config.Parse).
func Client(cfg config.Replication) (litestream.ReplicaClient, error) {
	u, err := url.Parse(cfg.Replica)
	if err != nil {
		return nil, fmt.Errorf("replication.replica: %w", err)
	}
	switch u.Scheme {
	case "file":
		// The replica holds every message the bot stored: the bot's user's alone.
		if err := os.MkdirAll(u.Path, 0o700); err != nil {
			return nil, fmt.Errorf("replication.replica: %w", err)
		}
		return file.NewReplicaClient(u.Path), nil
	case "s3":
		c := s3.NewReplicaClient()
		c.Bucket = u.Host
		c.Path = strings.TrimPrefix(u.Path, "/")
		c.AccessKeyID, c.SecretAccessKey = cfg.AccessKeyID, cfg.SecretAccessKey
		c.Region = cfg.Region
		if c.Region == "" && cfg.Endpoint == "" {
			c.Region = s3.DefaultRegion
		}
		c.Endpoint = cfg.Endpoint
		c.ForcePathStyle = cfg.Endpoint != "" // S3-compatible stores; AWS itself takes virtual-hosted style
		return c, nil
	}
	return nil, fmt.Errorf("replication.replica: unsupported scheme %q", u.Scheme)
}

// ErrNoReplica is returned by Restore when the replica holds no copy of a database yet.
var ErrNoReplica = errors.New("replication: the replica holds no database yet")

// Restore writes the newest state on the replica to output, which must not exist. It returns the time of the
// replica's last update, the recovery point: anything the primary committed after it is not in output.
func Restore(ctx context.Context, cfg config.Replication, output string, log *slog.Logger) (time.Time, error) {
	client, err := Client(cfg)
	if err != nil {
		return time.Time{}, err
	}
	// A DB that is never opened, only so Litestream logs to log instead of the process's default logger.
	ldb := litestream.NewDB(output)
	ldb.Logger = log
	r := litestream.NewReplica(ldb, replicaName)
	r.Client = client
	opt := litestream.NewRestoreOptions()
	opt.OutputPath = output
	gen, updated, err := r.CalcRestoreTarget(ctx, opt)
	if err != nil {
		return time.Time{}, fmt.Errorf("replication: %w", err)
	}
	if gen == "" {
		return time.Time{}, ErrNoReplica
	}
	opt.Generation = gen
	log.Info("restoring from the replica", slog.String("generation", gen), slog.Time("replica_updated", updated))
	if err := r.Restore(ctx, opt); err != nil {
		return time.Time{}, fmt.Errorf("replication: restore: %w", err)
	}
	return updated, nil
}
