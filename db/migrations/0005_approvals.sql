-- Member applications for advanced-feature accounts, as the bot handles them. The state column is the
-- exactly-once guard: a decision claims the row with a conditional UPDATE, so of two approvers clicking at
-- once, one wins.
CREATE TABLE applications (
	apply_id        TEXT PRIMARY KEY,
	applicant       TEXT    NOT NULL,
	business_type   INTEGER NOT NULL,
	reason          TEXT    NOT NULL,
	submitted_at    INTEGER NOT NULL,            -- the event's CreateTime: WeCom's 24 h window starts here
	state           TEXT    NOT NULL DEFAULT 'pending'
	                CHECK (state IN ('pending', 'taken', 'deciding', 'approved', 'rejected', 'closed', 'lapsed')),
	attempts        INTEGER NOT NULL DEFAULT 0,  -- take-over attempts
	next_attempt_at INTEGER NOT NULL,
	last_error      TEXT,
	taken_at        INTEGER,
	approvers       TEXT    NOT NULL DEFAULT '', -- userids the cards went to, "|"-separated
	decided_by      TEXT,
	decided_at      INTEGER,
	decision_note   TEXT,
	allocation      TEXT,                        -- the account allocation's outcome, for approvals
	finish_type     INTEGER,
	closed_at       INTEGER,
	reminded_at     INTEGER
);
CREATE INDEX applications_due ON applications (state, next_attempt_at);

-- What an outbox row is about (e.g. "approval:<apply_id>"), to find the cards to update once decided.
ALTER TABLE outbox ADD COLUMN ref TEXT;
CREATE INDEX outbox_ref ON outbox (ref) WHERE ref IS NOT NULL;
