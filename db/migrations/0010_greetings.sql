-- The day each member was last greeted when they opened the app (enter_agent): at most once a day.
CREATE TABLE greetings (
	userid TEXT PRIMARY KEY,
	day    TEXT NOT NULL -- YYYY-MM-DD in the corp's zone
);
