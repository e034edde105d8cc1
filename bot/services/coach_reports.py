"""`coach report`: how engagement is going, never what anyone wrote.

Counts only, per leader and (from five leaders up, so no one stands out) for the cohort.
The one exception is a reflection the leader chose to share with their coaches."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from dialogs import runner
from dialogs.model import UserState
from dialogs.timetext import local_date, short_date

WINDOW = timedelta(days=30)
COHORT_MINIMUM = 5
SHARED_SHOWN = 3


@dataclass(frozen=True)
class LeaderFigures:
    name: str
    delivered: int = 0
    answered: int = 0
    completed: int = 0
    made: int = 0
    kept: int = 0
    last_active: datetime | None = None
    shared: tuple[tuple[datetime, str], ...] = ()


def figures_of(name: str, state: UserState | None, now: datetime) -> LeaderFigures:
    if state is None:
        return LeaderFigures(name)
    since = now - WINDOW
    nudges = [n for n in state.nudges if n.at >= since]
    commitments = [c for c in state.commitments if c.at >= since]
    return LeaderFigures(
        name=name,
        delivered=len(nudges),
        answered=sum(1 for n in nudges if n.response),
        completed=sum(
            1 for h in state.history if h.outcome == "completed" and h.ended_at >= since
        ),
        made=len(commitments),
        kept=sum(1 for c in commitments if c.status in ("kept", "partly")),
        last_active=state.last_seen_at,
        shared=tuple((r.at, r.text) for r in state.reflections if r.shared)[-SHARED_SHOWN:],
    )


def render(rows: Sequence[LeaderFigures], timezone: str) -> str:
    if not rows:
        return "You have no leaders yet. Ask someone with `coach add <name>`."
    lines = ["**Engagement, last 30 days** (counts only: what leaders write stays theirs)"]
    for row in rows:
        last = short_date(local_date(row.last_active, timezone)) if row.last_active else "never"
        lines.append(
            f"• **{row.name}**: nudges {row.delivered} delivered, {row.answered} answered · "
            f"conversations completed {row.completed} · commitments {row.made} made, "
            f"{row.kept} acted on · last active {last}"
        )
    if len(rows) >= COHORT_MINIMUM:
        lines.append(_cohort(rows))
    else:
        lines.append(
            f"Cohort totals appear from {COHORT_MINIMUM} leaders, so that no one's "
            "figures can be picked out."
        )
    shared = [(row.name, at, text) for row in rows for at, text in row.shared]
    if shared:
        lines.append("**Shared with you**")
        lines += [
            f"• {name}, {short_date(local_date(at, timezone))}: “{runner.shorten(text, 280)}”"
            for name, at, text in shared
        ]
    return "\n".join(lines)


def _cohort(rows: Sequence[LeaderFigures]) -> str:
    delivered = sum(r.delivered for r in rows)
    answered = sum(r.answered for r in rows)
    rate = f"{100 * answered // delivered}%" if delivered else "–"
    return (
        f"**Cohort of {len(rows)}**: nudges {delivered} delivered, {answered} answered "
        f"({rate}) · conversations completed {sum(r.completed for r in rows)} · "
        f"commitments {sum(r.made for r in rows)} made, {sum(r.kept for r in rows)} "
        "acted on"
    )
