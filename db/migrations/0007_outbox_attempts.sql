-- Every send attempt, recorded before the request leaves, so that a restarted sender counts against WeCom's
-- per-member limits every message WeCom may have counted: the delivered ones, the ones a crash cut off (WeCom
-- may have taken them), and those that failed below WeCom's answer. An attempt WeCom answered with an errcode
-- delivered nothing and is marked refused.
CREATE TABLE outbox_attempts (
	id         INTEGER PRIMARY KEY,
	outbox_id  INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
	started_at INTEGER NOT NULL,
	ended_at   INTEGER,                             -- NULL: in flight, or cut off by a crash
	refused    INTEGER NOT NULL DEFAULT 0           -- 1: WeCom answered with an errcode
);
CREATE INDEX outbox_attempts_outbox ON outbox_attempts (outbox_id);
CREATE INDEX outbox_attempts_ended ON outbox_attempts (ended_at);

-- An upgraded database: what the last two hours sent or failed without WeCom's answer (the limits need one
-- hour) counts as before; rows a crash left sending count from the next start, like any cut-off attempt.
INSERT INTO outbox_attempts (outbox_id, started_at, ended_at)
	SELECT id, sent_at, sent_at FROM outbox
	WHERE (state = 'sent' OR (state = 'failed' AND errcode IS NULL))
	  AND sent_at >= CAST(strftime('%s', 'now') AS INTEGER) - 7200;
INSERT INTO outbox_attempts (outbox_id, started_at, ended_at)
	SELECT id, created_at, NULL FROM outbox WHERE state = 'sending';
