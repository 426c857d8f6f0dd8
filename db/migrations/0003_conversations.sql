-- One pending conversation per user: a command waiting for confirmation or for a missing argument.
CREATE TABLE conversations (
	userid     TEXT PRIMARY KEY,
	kind       TEXT    NOT NULL CHECK (kind IN ('confirm', 'ask')),
	command    TEXT    NOT NULL,            -- the command path, e.g. "order approve"
	line       TEXT    NOT NULL,            -- the invocation so far, as JSON
	missing    TEXT    NOT NULL DEFAULT '', -- for 'ask': the argument being asked for
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);

-- Intents of side-effecting calls: written and committed before the WeCom call, closed with the outcome in
-- the transaction that completes the callback. An intent still open when its callback is replayed after a
-- crash means the call may have happened: the bot reconciles instead of repeating it.
CREATE TABLE intents (
	id          INTEGER PRIMARY KEY,
	inbox_id    INTEGER NOT NULL,
	actor       TEXT    NOT NULL,
	command     TEXT    NOT NULL,
	args        TEXT    NOT NULL,
	started_at  INTEGER NOT NULL,
	finished_at INTEGER,
	outcome     TEXT
);
CREATE INDEX intents_inbox ON intents (inbox_id);
