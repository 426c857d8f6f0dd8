-- Security alerts (bot/alerts). Watchers read WeCom's security logs in time windows; what a rule matches is
-- stored here once, grouped into digests per team, and pushed through the outbox.

-- Where each watcher is: records up to and including read_to (unix seconds) have been read. It moves forward
-- only, in the same transaction as the alerts found in the window it closes, so a crash either keeps both or
-- re-reads the window (and the UNIQUE key below drops what was already stored).
CREATE TABLE alert_cursors (
	source     TEXT PRIMARY KEY,             -- member_oper_log, admin_oper_log, file_oper_record, devices
	read_to    INTEGER NOT NULL,
	origin     INTEGER NOT NULL,             -- where the first window started: re-reads never go back before it
	updated_at INTEGER NOT NULL
);

-- One row per record a rule matched. (rule, key) is the dedupe guard: key is a hash of the record's fields, so
-- a record read twice (overlapping windows, a restart) is stored once and alerted once.
CREATE TABLE alerts (
	id         INTEGER PRIMARY KEY,
	rule       TEXT    NOT NULL,
	key        TEXT    NOT NULL,
	source     TEXT    NOT NULL,
	team       TEXT    NOT NULL,
	severity   TEXT    NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
	userid     TEXT    NOT NULL DEFAULT '',  -- who did it ('' when WeCom names no member)
	kind       TEXT    NOT NULL DEFAULT '',  -- the record's type (oper_type, file operation, device status)
	summary    TEXT    NOT NULL,             -- one line for people
	detail     TEXT    NOT NULL DEFAULT '{}',-- the record as WeCom gave it (JSON)
	record_at  INTEGER NOT NULL,             -- the record's own time
	created_at INTEGER NOT NULL,             -- when the bot found it
	state      TEXT    NOT NULL DEFAULT 'pending'
	           CHECK (state IN ('pending', 'sent', 'silenced', 'suppressed')),
	repeat     INTEGER NOT NULL DEFAULT 0,   -- same rule, member and kind as an alert shortly before
	digest_id  INTEGER REFERENCES alert_digests (id),
	UNIQUE (rule, key)
);
CREATE INDEX alerts_pending ON alerts (team, id) WHERE state = 'pending';
CREATE INDEX alerts_repeat ON alerts (rule, userid, kind, created_at);
CREATE INDEX alerts_created ON alerts (created_at);
CREATE INDEX alerts_digest ON alerts (digest_id);

-- What was pushed: one digest (or one critical alert, or one domain/IP change) to one team.
CREATE TABLE alert_digests (
	id         INTEGER PRIMARY KEY,
	team       TEXT    NOT NULL,
	kind       TEXT    NOT NULL CHECK (kind IN ('digest', 'critical', 'domain_ip')),
	severity   TEXT    NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
	title      TEXT    NOT NULL,
	alerts     INTEGER NOT NULL DEFAULT 0,   -- how many alerts it covers
	created_at INTEGER NOT NULL,
	acked_by   TEXT,
	acked_at   INTEGER
);
CREATE INDEX alert_digests_team ON alert_digests (team, kind, created_at);

-- The messages of a digest, one per recipient and message. task_id is set for cards: a click names it, and
-- the sent card's response_code (in outbox) updates it once.
CREATE TABLE alert_deliveries (
	outbox_id  INTEGER PRIMARY KEY,
	digest_id  INTEGER NOT NULL REFERENCES alert_digests (id),
	recipient  TEXT    NOT NULL,             -- a userid, or "chat:<chatid>"
	task_id    TEXT UNIQUE,
	updated    INTEGER NOT NULL DEFAULT 0    -- the card was updated (its response_code is used up)
);
CREATE INDEX alert_deliveries_digest ON alert_deliveries (digest_id);

-- Silences: a silenced rule's alerts are stored but not pushed until until_at.
CREATE TABLE alert_silences (
	id         INTEGER PRIMARY KEY,
	rule       TEXT    NOT NULL,
	reason     TEXT    NOT NULL DEFAULT '',
	created_by TEXT    NOT NULL,
	created_at INTEGER NOT NULL,
	until_at   INTEGER NOT NULL,
	removed_by TEXT,
	removed_at INTEGER,
	inbox_id   INTEGER UNIQUE                -- the callback that created it: a replay finds it instead of adding one
);
CREATE INDEX alert_silences_rule ON alert_silences (rule, until_at);

-- The security event (ChangeType change_domain_ip): the domain/IP snapshot each callback was compared with,
-- pinned before the new list is saved as the latest snapshot, so that a callback replayed after a crash
-- reports the same difference instead of "no change".
CREATE TABLE alert_domain_events (
	inbox_id   INTEGER PRIMARY KEY,
	prev       TEXT,                         -- the snapshot body compared with; NULL when there was none
	prev_at    INTEGER,
	created_at INTEGER NOT NULL
);
