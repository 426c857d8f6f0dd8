-- Web console sessions (issue 12). The cookie carries a random token; only its SHA-256 is stored, so a copy of
-- the database does not sign anyone in. csrf is the token every state-changing form carries. A session ends
-- at expires_at (absolute) or after the idle timeout since last_seen, whichever comes first.
CREATE TABLE console_sessions (
	token_hash TEXT    PRIMARY KEY,
	userid     TEXT    NOT NULL,
	csrf       TEXT    NOT NULL,
	via        TEXT    NOT NULL, -- 'oauth' (inside WeCom) or 'web_login' (a browser)
	created_at INTEGER NOT NULL,
	last_seen  INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);
