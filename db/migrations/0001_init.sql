-- The inbox is the dedupe store and the durable queue in one: a callback is acknowledged only after its row
-- is committed, and a retried delivery hits the UNIQUE dedupe_key instead of being queued twice.
CREATE TABLE inbox (
	id              INTEGER PRIMARY KEY,
	dedupe_key      TEXT    NOT NULL UNIQUE,
	received_at     INTEGER NOT NULL,            -- unix seconds
	from_user       TEXT    NOT NULL,            -- FromUserName of the decrypted callback ("sys" for system events)
	kind            TEXT    NOT NULL,            -- MsgType, or "event:<Event>"
	payload         BLOB    NOT NULL,            -- the decrypted XML, as received
	state           TEXT    NOT NULL DEFAULT 'pending'
	                CHECK (state IN ('pending', 'working', 'done', 'failed')),
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL,
	last_error      TEXT,
	done_at         INTEGER
);
-- Claiming: the oldest runnable rows, and per-user ordering checks.
CREATE INDEX inbox_open ON inbox (state, next_attempt_at, id) WHERE state IN ('pending', 'working');
CREATE INDEX inbox_user_open ON inbox (from_user, id) WHERE state IN ('pending', 'working');
-- Retention pruning.
CREATE INDEX inbox_closed ON inbox (done_at) WHERE state IN ('done', 'failed');

-- Access tokens, so a restart reuses a valid token. Keyed by corp id and a digest of the secret.
CREATE TABLE tokens (
	key        TEXT PRIMARY KEY,
	value      TEXT NOT NULL,
	expires_at INTEGER NOT NULL
);

-- The outbox: replies and pushed messages, written in the same transaction that completes their inbox row,
-- delivered by the sender within WeCom's limits, retried on temporary failures.
CREATE TABLE outbox (
	id              INTEGER PRIMARY KEY,
	inbox_id        INTEGER,                     -- the callback this answers, if any
	created_at      INTEGER NOT NULL,
	recipient       TEXT    NOT NULL,            -- rate-limit and ordering key: a userid, or "chat:<chatid>"
	api             TEXT    NOT NULL,            -- "message/send", "appchat/send", "message/update_template_card"
	body            BLOB    NOT NULL,            -- request JSON
	state           TEXT    NOT NULL DEFAULT 'pending'
	                CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL,
	last_error      TEXT,
	errcode         INTEGER,
	sent_at         INTEGER,
	msgid           TEXT,
	response_code   TEXT
);
CREATE INDEX outbox_open ON outbox (state, next_attempt_at, id) WHERE state IN ('pending', 'sending');
CREATE INDEX outbox_recipient_open ON outbox (recipient, id) WHERE state IN ('pending', 'sending');
CREATE INDEX outbox_inbox ON outbox (inbox_id);
