-- Snapshots of what WeCom reported at one moment, so that a later look can say what changed: the domain and
-- IP lists (kind "domainip", written by /domainip and read by the security alert), and whatever later features
-- compare over time. Only the latest few of each kind are kept (db.SnapshotsKept).
CREATE TABLE snapshots (
	id       INTEGER PRIMARY KEY,         -- insertion order; "latest" is the highest id, whatever the clock did
	kind     TEXT    NOT NULL CHECK (kind <> ''),
	taken_at INTEGER NOT NULL,            -- unix seconds
	body     TEXT    NOT NULL             -- JSON; its shape belongs to the writer of the kind
);
CREATE INDEX snapshots_kind ON snapshots (kind, id);
