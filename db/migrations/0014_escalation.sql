-- Alert escalation (issue 14): how far each unacknowledged digest has climbed its team's ladder. step counts
-- the reminders sent (0: none yet); next_at is when the next is due. A war room is recorded as 'creating'
-- with the chat id chosen before appchat/create is called, so a restart reads it back (appchat/get) instead
-- of creating a second chat.
CREATE TABLE alert_escalations (
	digest_id  INTEGER PRIMARY KEY REFERENCES alert_digests (id),
	step       INTEGER NOT NULL,
	next_at    INTEGER NOT NULL,
	chat_id    TEXT    NOT NULL DEFAULT '',
	chat_state TEXT    NOT NULL DEFAULT '' CHECK (chat_state IN ('', 'creating', 'created')),
	updated_at INTEGER NOT NULL
);
