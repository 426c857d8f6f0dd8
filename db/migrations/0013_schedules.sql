-- Schedules: a member's read command run at the slots of a cron expression. next_run is the next slot not yet
-- fired; firing a slot advances it and queues a synthetic inbox row in one transaction, so each slot runs once.
CREATE TABLE schedules (
	id          INTEGER PRIMARY KEY,
	creator     TEXT    NOT NULL,            -- userid; the command runs as this member
	spec        TEXT    NOT NULL,            -- the expression as typed ("weekdays 09:00", "工作日 09:00")
	cron        TEXT    NOT NULL,            -- its cron form ("0 9 * * 1-5"), in the bot's timezone
	line        TEXT    NOT NULL,            -- the command line it runs
	next_run    INTEGER NOT NULL,            -- unix seconds of the next slot to fire
	created_at  INTEGER NOT NULL,
	inbox_id    INTEGER NOT NULL UNIQUE,     -- the /schedule add message: a replayed add finds its row
	last_run    INTEGER,                     -- the last slot run, unix seconds
	last_status TEXT    NOT NULL DEFAULT '', -- '' or 'ok', or 'denied: <permission>' when the creator lost the right
	removed_at  INTEGER
);
CREATE INDEX schedules_due ON schedules (next_run) WHERE removed_at IS NULL;
CREATE INDEX schedules_creator ON schedules (creator) WHERE removed_at IS NULL;
