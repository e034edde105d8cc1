-- The delivery ledger: one row per delivery key, the key its primary key, so a delivery is
-- claimed (made pending) by one statement before its send and no two instances can both win.
-- `key` names the leader (DeliveryKey: kind:<UserKey.hashed>:ref@due); `leader` is the raw
-- user key the delivery goes to (as the file ledger's lines keep it), which recovery needs.
-- `owner` is the ledger (one per process) whose claim made the row pending.
CREATE TABLE deliveries (
    key text PRIMARY KEY,
    leader text,
    schedule text,
    local_date date,
    due_at timestamptz,
    status text NOT NULL
        CHECK (status IN ('pending', 'sent', 'skipped', 'failed', 'deferred')),
    at timestamptz NOT NULL,
    reason text,
    owner text,
    written_as text
);

-- "One nudge per schedule per local date" and a leader's export.
CREATE INDEX deliveries_leader_day ON deliveries (leader, schedule, local_date);
-- What a crash left pending, for the instance that takes over the scheduler.
CREATE INDEX deliveries_pending ON deliveries (at) WHERE status = 'pending';

-- The scheduler's heartbeat (one row): due times since it are caught up after downtime.
CREATE TABLE delivery_ticks (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    at timestamptz NOT NULL
);
