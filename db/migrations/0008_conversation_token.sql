-- A confirmation's token: random per proposal, it names the proposal's card (task_id "cf-" + token) and its
-- buttons, so two proposals never share a card id (WeCom refuses a reused task_id with 42014) and a click on
-- an old card can never confirm a newer proposal. Rows from before have '' and match no card.
ALTER TABLE conversations ADD COLUMN token TEXT NOT NULL DEFAULT '';
CREATE INDEX conversations_expires ON conversations (expires_at);
