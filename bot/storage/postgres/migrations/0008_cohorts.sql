-- A coach's cohort totals (bot/storage/cohort.py): counts per local week per measure, never
-- words, kept up to date in each leader's own write, so the dashboard adds up a few hundred
-- numbers instead of reading every leader's glance.
--
-- leaders.cohorts: the totals this leader is counted in, {coach: [timezone, since]}; a
-- leader's write checks it is still what it read, and applies its difference to each.
ALTER TABLE leaders ADD COLUMN cohorts jsonb NOT NULL DEFAULT '{}'::jsonb;

-- One per coach with totals: their timezone, the first week counted, the leaders counted (how
-- many, and an order-free digest of their hashed keys, for the page to compare with the
-- coach's accepted leaders now), and those of them who shared reflections with coaches (their
-- hashed keys: the page reads those leaders' glances for the words).
CREATE TABLE cohorts (
    coach text PRIMARY KEY,
    zone text NOT NULL,
    since date NOT NULL,
    members integer NOT NULL,
    digest bigint NOT NULL,
    sharing text[] NOT NULL DEFAULT '{}',
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The counts: `kind` indexes bot.storage.glance.KINDS, `week` is a Monday in the coach's zone.
CREATE TABLE cohort_counts (
    coach text NOT NULL,
    week date NOT NULL,
    kind smallint NOT NULL,
    n integer NOT NULL,
    PRIMARY KEY (coach, week, kind)
);
