-- The coach's dashboard: sign-in tokens and sessions, each kept only as the sha256 of its
-- secret (`digest`), so a copy of the database signs no one in; and when each coach last
-- opened the dashboard (a leader's `coaches` lists it). `coach` is the coach's user key.
CREATE TABLE dashboard_tokens (
    digest text PRIMARY KEY,
    coach text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE INDEX dashboard_tokens_expiry ON dashboard_tokens (expires_at);

CREATE TABLE dashboard_sessions (
    digest text PRIMARY KEY,
    coach text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    ended_at timestamptz
);
CREATE INDEX dashboard_sessions_expiry ON dashboard_sessions (expires_at);

CREATE TABLE dashboard_visits (
    coach text PRIMARY KEY,
    at timestamptz NOT NULL
);
