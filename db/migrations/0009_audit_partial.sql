-- A batch that did only some of what was asked is audited as 'partial' (its result names the failures), not
-- 'ok'. SQLite cannot change a CHECK constraint in place, so the table is rebuilt with the same columns and
-- rows (seq, values and hashes copied as they are: the chain still verifies), and its indexes and guards
-- recreated.
DROP TRIGGER audit_no_update;
DROP TRIGGER audit_no_delete;
CREATE TABLE audit_new (
	seq         INTEGER PRIMARY KEY,
	at          INTEGER NOT NULL,
	actor       TEXT    NOT NULL,
	command     TEXT    NOT NULL,
	args        TEXT    NOT NULL,
	decision    TEXT    NOT NULL
	            CHECK (decision IN ('ok', 'partial', 'denied', 'failed', 'cancelled', 'proposed', 'expired')),
	errcode     INTEGER,
	result      TEXT    NOT NULL,
	duration_ms INTEGER NOT NULL,
	inbox_id    INTEGER,
	prev_hash   TEXT    NOT NULL,
	hash        TEXT    NOT NULL
);
INSERT INTO audit_new (seq, at, actor, command, args, decision, errcode, result, duration_ms, inbox_id, prev_hash, hash)
	SELECT seq, at, actor, command, args, decision, errcode, result, duration_ms, inbox_id, prev_hash, hash FROM audit;
DROP TABLE audit;
ALTER TABLE audit_new RENAME TO audit;
CREATE INDEX audit_actor ON audit (actor, seq);
CREATE INDEX audit_at ON audit (at);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
	SELECT RAISE(ABORT, 'audit trail is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
	SELECT RAISE(ABORT, 'audit trail is append-only');
END;
