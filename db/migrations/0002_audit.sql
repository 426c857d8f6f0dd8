-- The audit trail: one row for every mutating action, allowed or denied, written in the same transaction as
-- the action's effects. Rows form a hash chain (see db/audit.go for the exact encoding): each row's hash covers
-- the previous row's hash and every column of its own, so an edited, deleted, inserted or reordered row breaks
-- the chain from that row on.
CREATE TABLE audit (
	seq         INTEGER PRIMARY KEY,         -- contiguous from 1: a gap is a deleted row
	at          INTEGER NOT NULL,            -- unix seconds
	actor       TEXT    NOT NULL,            -- WeCom userid ("sys" for the bot's own actions)
	command     TEXT    NOT NULL,            -- the command path, e.g. "order approve"
	args        TEXT    NOT NULL,            -- JSON object of strings, sorted keys, redacted by the caller
	decision    TEXT    NOT NULL
	            CHECK (decision IN ('ok', 'denied', 'failed', 'cancelled', 'proposed', 'expired')),
	errcode     INTEGER,                     -- WeCom errcode of the failed call, if any
	result      TEXT    NOT NULL,            -- short outcome, for people
	duration_ms INTEGER NOT NULL,
	-- The callback that caused the action. Deliberately not a foreign key: inbox rows are pruned after the
	-- dedupe horizon, and the audit trail must outlive them.
	inbox_id    INTEGER,
	prev_hash   TEXT    NOT NULL,            -- the previous row's hash; '' for row 1
	hash        TEXT    NOT NULL             -- "sha256:<hex>" or, with an audit key, "hmac-sha256:<hex>"
);
-- `bot audit list --actor` and /audit by user, newest first.
CREATE INDEX audit_actor ON audit (actor, seq);
-- Listing by time (--since).
CREATE INDEX audit_at ON audit (at);

-- A guard against accidental edits through SQL (a stray UPDATE in a migration or an operator's sqlite3 session).
-- Anyone with write access to the file can drop these triggers; the hash chain is what detects that kind of
-- deliberate edit.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
	SELECT RAISE(ABORT, 'audit trail is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
	SELECT RAISE(ABORT, 'audit trail is append-only');
END;
