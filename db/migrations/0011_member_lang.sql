-- The language each member chose with /lang ("zh" or "en"); members without a row read replies.language.
CREATE TABLE member_lang (
	userid     TEXT PRIMARY KEY, -- lower case, as greetings
	lang       TEXT NOT NULL,
	updated_at INTEGER NOT NULL
);
