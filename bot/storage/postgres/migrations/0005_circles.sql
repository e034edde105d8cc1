-- Peer circles: a coach's circles, who was invited and who joined, each round's groups and
-- each member's check-in. Each row is the stored model as jsonb (`body`) beside the key
-- columns we look rows up by; `id` is the row's whole key as one text (what notifications
-- name: '<table>:<id>'). `coach` and `leader` are user keys as the models hold them: these
-- rows are the leader's, and `forget me` deletes (or, for rounds, rewrites) by them.
CREATE TABLE circles (
    id text PRIMARY KEY,
    coach text NOT NULL,
    body jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX circles_coach ON circles (coach);

-- id: '<circle id>:<leader>'
CREATE TABLE circle_members (
    id text PRIMARY KEY,
    circle_id text NOT NULL,
    leader text NOT NULL,
    body jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX circle_members_leader ON circle_members (leader);

-- id: '<circle id>:<number>'
CREATE TABLE circle_rounds (
    id text PRIMARY KEY,
    circle_id text NOT NULL,
    number integer NOT NULL,
    body jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (circle_id, number)
);

-- id: '<circle id>:<round number>:<leader>'
CREATE TABLE circle_check_ins (
    id text PRIMARY KEY,
    circle_id text NOT NULL,
    round_number integer NOT NULL,
    leader text NOT NULL,
    body jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX circle_check_ins_leader ON circle_check_ins (leader);
