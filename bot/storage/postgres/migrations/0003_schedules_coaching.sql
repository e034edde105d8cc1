-- Schedules, reminders and the coaching directory: each row is the stored model as jsonb
-- (`body`), beside the key columns we look rows up by. Every write also sends
-- pg_notify('peercoach_changes', '<table>:<key>') in its transaction, so other instances
-- re-read that row. `leader`, `coach` and `person` are user keys as the models hold them
-- (e.g. slack:T0123:U0456): these rows are the leader's, and `forget me` deletes by them.
CREATE TABLE schedules (
    id text PRIMARY KEY,
    leader text NOT NULL,
    body jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX schedules_leader ON schedules (leader);

CREATE TABLE reminders (
    id text PRIMARY KEY,
    leader text NOT NULL,
    body jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reminders_leader ON reminders (leader);

CREATE TABLE coaches (
    coach text PRIMARY KEY,
    body jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE links (
    id text PRIMARY KEY,
    coach text NOT NULL,
    leader text NOT NULL,
    body jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX links_coach ON links (coach);
CREATE INDEX links_leader ON links (leader);

CREATE TABLE people (
    person text PRIMARY KEY,
    body jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
