-- Four eyes: a confirmed command a policy holds for a second person's approval. The requester's arguments are
-- kept as the confirmation kept them; the first approver to decide claims the row (state moves from pending
-- exactly once), and decided_inbox names the click that did, so a replay of that click after a crash goes on
-- where it stopped instead of being refused as a second decision.
CREATE TABLE four_eyes (
	id            INTEGER PRIMARY KEY,
	token         TEXT    NOT NULL UNIQUE,
	policy        TEXT    NOT NULL,
	requester     TEXT    NOT NULL,
	command       TEXT    NOT NULL,
	line          BLOB    NOT NULL,
	approvers     TEXT    NOT NULL,
	state         TEXT    NOT NULL CHECK (state IN ('pending', 'approved', 'rejected', 'expired')),
	created_at    INTEGER NOT NULL,
	expires_at    INTEGER NOT NULL,
	inbox_id      INTEGER,
	decided_by    TEXT,
	decided_at    INTEGER,
	decided_inbox INTEGER
);
CREATE INDEX four_eyes_pending ON four_eyes (state, expires_at);
