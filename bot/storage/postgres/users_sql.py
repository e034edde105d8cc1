"""The statements of the PostgreSQL UserStore (bot/storage/postgres/users.py), and those of
a turn that takes a Slack event's id in its own write (`ClaimsInTurn`).

A claimed write is the turn's conditional write with the claim inserted from what it wrote, in
one statement (one round trip, one commit): nothing written (another writer came first), nothing
claimed; the id taken before (a retry, on any instance), the insert fails on the key of
`slack_events` and the whole statement with it, so the turn is not saved either. Two instances
with the same id at once: the second insert waits for the first's commit, then fails.
"""

# The advisory lock space of leaders not yet stored. The two-int form keeps these locks apart
# from the one-bigint locks of schema migrations and scheduler leadership.
LOCK_SPACE = 0x6C656164  # "lead"
PAGE = 200  # leaders per round trip when dumping them all
OPTIMISTIC = 3  # tries of a turn by version check before it takes the leader's lock

LOCK_ROW = "SELECT version, sealed, cohorts FROM leaders WHERE leader = $1 FOR UPDATE"
LOCK_NEW = "SELECT pg_advisory_xact_lock($1, hashtext($2))"
SELECT = "SELECT version, sealed, cohorts FROM leaders WHERE leader = $1"
SELECT_MANY = "SELECT leader, version, sealed FROM leaders WHERE leader = ANY($1::text[])"
VERSIONS = "SELECT leader, version FROM leaders WHERE leader = ANY($1::text[])"
GLANCES = (
    "SELECT leader, version, glance FROM leaders "
    "WHERE leader = ANY($1::text[]) AND glance IS NOT NULL"
)
INSERT = "INSERT INTO leaders (leader, version, sealed, glance) VALUES ($1, $2, $3, $4)"
UPDATE = (
    "UPDATE leaders SET version = $2, sealed = $3, glance = $4, updated_at = now() "
    "WHERE leader = $1"
)
# Written only if nobody wrote since the read: the version and the cohorts counted in (see
# 0008_cohorts.sql) read, or no row at all. The insert
# takes the advisory lock (held to its implicit commit) so that it waits for a locked writer
# inserting the same leader, and then finds its row (ON CONFLICT sees committed rows).
UPDATE_IF = (
    "UPDATE leaders SET version = $3, sealed = $4, glance = $5, updated_at = now() "
    "WHERE leader = $1 AND version = $2 AND cohorts = $6::jsonb RETURNING leader"
)
INSERT_IF = (
    "INSERT INTO leaders (leader, version, sealed, glance) "
    "SELECT $1, $2, $3, $5 FROM (SELECT pg_advisory_xact_lock($4, hashtext($1))) AS held "
    "ON CONFLICT (leader) DO NOTHING RETURNING leader"
)
DELETE_IF = (
    "DELETE FROM leaders WHERE leader = $1 AND version = $2 AND cohorts = $3::jsonb "
    "RETURNING leader"
)
DELETE = "DELETE FROM leaders WHERE leader = $1 RETURNING leader"
LOCK_COHORTS = (
    "SELECT array(SELECT jsonb_object_keys(cohorts)) FROM leaders WHERE leader = $1 FOR UPDATE"
)
DROP_COHORTS = "DELETE FROM cohorts WHERE coach = ANY($1::text[])"
SELECT_EXTRA = "SELECT sealed FROM leader_extras WHERE leader = $1 AND name = $2"
UPSERT_EXTRA = (
    "INSERT INTO leader_extras (leader, name, sealed) VALUES ($1, $2, $3) "
    "ON CONFLICT (leader, name) DO UPDATE SET sealed = excluded.sealed, updated_at = now()"
)
DELETE_EXTRAS = "DELETE FROM leader_extras WHERE leader = $1"
HASHES = "SELECT leader FROM leaders"
PAGE_OF_LEADERS = "SELECT leader, sealed FROM leaders WHERE leader > $1 ORDER BY leader LIMIT $2"
EXTRAS_OF = "SELECT leader, name, sealed FROM leader_extras WHERE leader = ANY($1::text[])"
LEADERS_AFTER = "SELECT leader FROM leaders WHERE leader > $1 ORDER BY leader LIMIT $2"
LOCK_EXTRAS = "SELECT name, sealed FROM leader_extras WHERE leader = $1 FOR UPDATE"
RESEAL_EXTRA = "UPDATE leader_extras SET sealed = $3 WHERE leader = $1 AND name = $2"
# the glance goes with the old key; the leader's next write seals a new one
RESEAL_ROW = "UPDATE leaders SET sealed = $2, glance = NULL WHERE leader = $1"

# A claimed write: `write` (which RETURNs leader) and the event id taken from its result, the
# id and the time it was seen given after the write's own parameters.
CLAIM = "INSERT INTO slack_events (event_id, leader, seen_at) VALUES ($1, $2, $3)"
CLAIM_KEY = "slack_events_pkey"  # the constraint a repeated id fails on


def claimed(write: str, first: int) -> str:
    return f"WITH written AS ({write}) {_claim(first)}"


def _claim(first: int) -> str:
    return (
        "INSERT INTO slack_events (event_id, leader, seen_at) "
        f"SELECT ${first}, leader, ${first + 1} FROM written RETURNING leader"
    )


def _count(first: int, *, if_written: bool) -> str:
    """Adds counts (coach, week, kind, n as arrays from parameter `first` on, sorted, so two
    writers lock the rows they share in the same order) to cohort_counts."""
    return (
        "INSERT INTO cohort_counts (coach, week, kind, n) SELECT d.coach, d.week, d.kind, d.n "
        f"FROM unnest(${first}::text[], ${first + 1}::date[], ${first + 2}::smallint[], "
        f"${first + 3}::integer[]) AS d (coach, week, kind, n)"
        + (" WHERE EXISTS (SELECT FROM written)" if if_written else "")
        + " ON CONFLICT (coach, week, kind) DO UPDATE SET n = cohort_counts.n + excluded.n"
    )


COUNT = _count(1, if_written=False)
# A leader counted in cohorts: the write, and its difference to their counts, in one statement
UPDATE_IF_COUNTED = (
    f"WITH written AS ({UPDATE_IF}), counted AS ({_count(7, if_written=True)}) "
    "SELECT leader FROM written"
)
UPDATE_IF_COUNTED_CLAIMED = (
    f"WITH written AS ({UPDATE_IF}), counted AS ({_count(7, if_written=True)}) {_claim(11)}"
)
# a leader leaving with their row: their part taken from each cohort's members and digest
LEAVE = (
    "UPDATE cohorts SET members = members - 1, digest = digest # $2, "
    "sharing = array_remove(sharing, $3), updated_at = now() WHERE coach = ANY($1::text[])"
)
# a leader counted in cohorts who starts or stops sharing reflections with coaches
SHARE = (
    "UPDATE cohorts SET sharing = array_remove(sharing, $1::text) "
    "|| CASE WHEN $2 THEN ARRAY[$1::text] ELSE '{}'::text[] END WHERE coach = ANY($3::text[])"
)

UPDATE_IF_CLAIMED = claimed(UPDATE_IF, 7)
INSERT_IF_CLAIMED = claimed(INSERT_IF, 6)
DELETE_IF_CLAIMED = claimed(DELETE_IF, 4)
