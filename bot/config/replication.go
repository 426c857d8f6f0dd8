package config

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Replication configures continuous replication of the database with Litestream (off when Replica is empty).
type Replication struct {
	// Replica is where the database is replicated to: "file:///var/lib/wecombot/replica" (a directory, best on
	// another disk or a network mount) or "s3://BUCKET/PATH" (S3 or an S3-compatible store, see Endpoint).
	Replica string `toml:"replica"`
	// SyncInterval is how often new WAL frames are shipped to the replica; default "1s". A callback
	// acknowledged within the last interval before the primary is lost may be missing from the replica.
	SyncInterval Duration `toml:"sync_interval"`
	// SnapshotInterval is how often a full snapshot is written, which bounds restore time; default "24h".
	SnapshotInterval Duration `toml:"snapshot_interval"`
	// Retention is how long snapshots and WAL segments are kept on the replica; default "24h".
	Retention Duration `toml:"retention"`
	// For s3:// replicas: the credentials (write them as "env:NAME"; empty uses the AWS SDK's usual sources),
	// the region (default "us-east-1") and, for S3-compatible stores (MinIO, Ceph, OSS, COS), the endpoint URL,
	// which also turns on path-style addressing.
	AccessKeyID     string `toml:"access_key_id" secret:"true"`
	SecretAccessKey string `toml:"secret_access_key" secret:"true"`
	Region          string `toml:"region"`
	Endpoint        string `toml:"endpoint"`
}

// Replication defaults.
const (
	DefaultSyncInterval     = time.Second
	DefaultSnapshotInterval = 24 * time.Hour
	DefaultRetention        = 24 * time.Hour
)

// Enabled reports whether a replica is configured.
func (r Replication) Enabled() bool { return r.Replica != "" }

// Sync returns SyncInterval or its default.
func (r Replication) Sync() time.Duration {
	return orDefault(r.SyncInterval.Duration, DefaultSyncInterval)
}

// Snapshot returns SnapshotInterval or its default.
func (r Replication) Snapshot() time.Duration {
	return orDefault(r.SnapshotInterval.Duration, DefaultSnapshotInterval)
}

// Keep returns Retention or its default.
func (r Replication) Keep() time.Duration { return orDefault(r.Retention.Duration, DefaultRetention) }

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// validate checks the [replication] section.
func (r Replication) validate() []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if r.SyncInterval.Duration < 0 || r.SnapshotInterval.Duration < 0 || r.Retention.Duration < 0 {
		bad("replication.sync_interval, snapshot_interval and retention must not be negative")
	}
	if d := r.SyncInterval.Duration; d != 0 && d < 100*time.Millisecond {
		bad("replication.sync_interval must be at least 100ms, got %s", d)
	}
	if r.Replica == "" {
		if r.AccessKeyID != "" || r.SecretAccessKey != "" || r.Endpoint != "" || r.Region != "" {
			bad("replication: credentials, region or endpoint are set but replication.replica is empty (replication is off)")
		}
		return errs
	}
	u, err := url.Parse(r.Replica)
	switch {
	case err != nil:
		bad("replication.replica %q is not a URL: write \"file:///var/lib/wecombot/replica\" or \"s3://bucket/path\"", r.Replica)
	case u.Scheme == "file":
		if u.Host != "" || !strings.HasPrefix(u.Path, "/") {
			bad("replication.replica must be file:// with an absolute directory, like \"file:///var/lib/wecombot/replica\"; got %q", r.Replica)
		}
		if r.AccessKeyID != "" || r.SecretAccessKey != "" || r.Endpoint != "" {
			bad("replication: access_key_id, secret_access_key and endpoint are for s3:// replicas only")
		}
	case u.Scheme == "s3":
		if u.Host == "" {
			bad("replication.replica must name a bucket, like \"s3://bucket/wecombot\"; got %q", r.Replica)
		}
		if (r.AccessKeyID == "") != (r.SecretAccessKey == "") {
			bad("replication: give both access_key_id and secret_access_key (as \"env:NAME\"), or neither")
		}
		if e := r.Endpoint; e != "" && !isHTTPURL(e) {
			bad("replication.endpoint must be an absolute http(s) URL, like \"https://minio.example.com:9000\"; got %q", e)
		}
	default:
		bad("replication.replica must be a file:// or s3:// URL, got scheme %q", u.Scheme)
	}
	return errs
}
