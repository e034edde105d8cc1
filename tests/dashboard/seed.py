"""A coach and a cohort with realistic history, written through the application's real
stores (users, coaching), for the dashboard's tests, browser tests and bench.

Each leader gets, per week: two or three nudges (most answered), a completed conversation in
most weeks, a commitment (kept every other week) and a private reflection; the first leader's
newest reflection is shared with coaches. Deterministic: the same call, the same cohort."""

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from bot.domain import UserKey
from bot.wiring import App
from dialogs.model import (
    Commitment,
    DialogueRecord,
    NudgeRecord,
    Profile,
    Reflection,
    UserState,
)

SHARED_TEXT = "I asked the ward team what they needed before offering a fix."
PRIVATE_TEXT = "private-reflection-marker: never on the dashboard"
COMMITMENT_TEXT = "private-commitment-marker: never on the dashboard"


async def seed_cohort(
    app: App,
    coach: str,
    leaders: int,
    weeks: int,
    *,
    names: Sequence[str] | None = None,
    coach_name: str = "Casey Coach",
) -> list[str]:
    """Make `coach` a coach with `leaders` accepted leaders; returns their user keys."""
    at = app.clock.now()
    store = app.coaching_store
    await store.grant(coach, "console:admin", at - timedelta(weeks=weeks + 1))
    store.remember_name(coach, coach_name)
    await _save(app, coach, UserState(profile=Profile(display_name=coach_name, onboarded=True)))
    prefix = coach.rsplit(":", 1)[0]
    keys = []
    for n in range(leaders):
        leader = f"{prefix}:L{n:05d}"
        name = names[n] if names is not None and n < len(names) else f"Leader {n + 1:04d}"
        store.remember_name(leader, name)
        link = await store.new_link(coach, leader, at - timedelta(weeks=weeks + 1))
        await store.set_status(link, "accepted", at - timedelta(weeks=weeks))
        await _save(app, leader, history(name, n, weeks, at))
        keys.append(leader)
    await store.flush()
    return keys


def history(name: str, n: int, weeks: int, now: datetime) -> UserState:
    nudges, talks, commitments, reflections = [], [], [], []
    for week in range(weeks):
        start = now - timedelta(weeks=weeks - week) + timedelta(hours=n % 24)
        for i in range(2 + (n + week) % 2):
            sent = start + timedelta(days=i * 2)
            answered = (n + week + i) % 4 != 0
            nudges.append(
                NudgeRecord(
                    f"nudge:{n}:{week}:{i}",
                    sent,
                    nudge="resilience.pause",
                    theme="resilience",
                    response="reflected" if answered else None,
                )
            )
        if (n + week) % 3 != 0:
            talks.append(
                DialogueRecord(
                    "resilience.pause", start, start + timedelta(minutes=4), "completed"
                )
            )
        commitments.append(
            Commitment(
                f"c{week}",
                start + timedelta(minutes=4),
                COMMITMENT_TEXT,
                (start + timedelta(days=4)).date(),
                status="kept" if week % 2 == 0 else "open",
            )
        )
        reflections.append(Reflection(f"r{week}", start, PRIVATE_TEXT))
    if n == 0 and reflections:
        reflections[-1] = replace(reflections[-1], text=SHARED_TEXT, shared=True)
    return UserState(
        profile=Profile(display_name=name, onboarded=True),
        last_seen_at=now - timedelta(days=n % 20),
        reflections=tuple(reflections),
        commitments=tuple(commitments),
        nudges=tuple(nudges),
        history=tuple(talks),
    )


async def sign_in_link(app: App, coach_key: str) -> str:
    """The path of a fresh single-use sign-in link for this coach."""
    return await app.sign_ins.new_token(coach_key, app.clock.now())


async def _save(app: App, user: str, state: UserState) -> None:
    key = UserKey.parse(user)
    current = await app.users.load(key)
    await app.users.save(key, state, expected_version=current.version if current else 0)
