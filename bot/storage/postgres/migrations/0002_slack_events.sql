-- Slack event ids already handled, shared by every instance: Slack retries an event it thinks
-- was lost, and the retry may reach another instance. `leader` is UserKey.hashed of whoever
-- the event came from (NULL when it names nobody). Rows older than a day are deleted: Slack
-- stops retrying long before.
CREATE TABLE slack_events (
    event_id text PRIMARY KEY,
    leader text,
    seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX slack_events_seen_at ON slack_events (seen_at);
