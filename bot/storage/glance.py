"""A leader's glance: what the coach's dashboard counts, kept beside their state and written
in the same statement (PostgreSQL), so that a page after a restart, or after a fan-out changed
every leader's state, reads a few numbers a leader instead of opening a year of history.

The instants (whole seconds since the epoch, sorted) of each kind counted, from FROM_WEEKS
before the newest one; the version of the state they were taken from; when the leader was
last seen; and the reflections they shared with their coaches (the only words, sealed with
the rest as the state is). A reader counts from it only for weeks that start at or after
`from`, and only if `v` is the version stored beside it; else it opens the state."""

from bisect import bisect_left
from datetime import datetime
from math import floor
from typing import Any

FROM_WEEKS = 14  # more than the dashboard's 12 weeks, a day's timezone and a week's margin
KINDS = ("delivered", "answered", "completed", "made", "kept")
ACTED_ON = ("kept", "partly")  # as `coach report` counts commitments acted on


def _instant(at: str) -> int:
    return floor(datetime.fromisoformat(at).timestamp())


def instants_of(sections: dict[str, Any]) -> dict[str, list[int]]:
    """Each kind's instants in a leader's stored sections (bot.storage.codec), all of them,
    sorted: what the glance keeps the last weeks of, and cohort totals count."""
    kinds: dict[str, list[int]] = {kind: [] for kind in KINDS}
    for nudge in sections.get("nudges") or ():
        at = _instant(nudge["at"])
        kinds["delivered"].append(at)
        if nudge.get("response") is not None:
            kinds["answered"].append(at)
    for record in sections.get("history") or ():
        if record.get("outcome") == "completed":
            kinds["completed"].append(_instant(record["ended_at"]))
    for commitment in sections.get("commitments") or ():
        at = _instant(commitment["at"])
        kinds["made"].append(at)
        if commitment.get("status") in ACTED_ON:
            kinds["kept"].append(at)
    for times in kinds.values():
        times.sort()
    return kinds


def shares_of(sections: dict[str, Any]) -> int:
    """How many reflections the leader shared with their coaches."""
    return sum(1 for r in sections.get("reflections") or () if r.get("shared"))


def glance_of(
    sections: dict[str, Any], version: int, instants: dict[str, list[int]] | None = None
) -> dict[str, Any]:
    """The glance of a leader's stored sections (bot.storage.codec) at `version`;
    `instants`: instants_of(sections), if taken already."""
    kinds = instants if instants is not None else instants_of(sections)
    newest = max((v[-1] for v in kinds.values() if v), default=0)
    since = newest - FROM_WEEKS * 7 * 86_400 if newest else 0
    return {
        "v": version,
        "from": since,
        **{kind: times[bisect_left(times, since) :] for kind, times in kinds.items()},
        "seen": (sections.get("state") or {}).get("last_seen_at"),
        "shared": [
            [r["at"], str(r["text"])] for r in sections.get("reflections") or () if r.get("shared")
        ],
    }
