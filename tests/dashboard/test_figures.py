"""Counts by week from stored sections, and from the glances kept beside them, agree with the
same counts taken from the UserState (local weeks, DST included), and the charts' geometry and
summaries."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import orjson
import pytest

from bot.dashboard.charts import chart
from bot.dashboard.figures import (
    KINDS,
    Week,
    cohort_weeks,
    week_starts,
    weeks_of,
    weeks_of_glance,
)
from bot.storage.atomic import encode_json
from bot.storage.codec import to_sections
from bot.storage.glance import glance_of
from dialogs.model import UserState
from dialogs.timetext import short_date
from tests.dashboard.seed import COMMITMENT_TEXT, PRIVATE_TEXT, history

AT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def reference(state: UserState, starts: tuple[date, ...], timezone: str) -> list[list[int]]:
    tz = ZoneInfo(timezone)
    counts = [[0] * 5 for _ in starts]

    def row(at: datetime) -> list[int] | None:
        day = at.astimezone(tz).date()
        monday = day - timedelta(days=day.weekday())
        return counts[starts.index(monday)] if monday in starts else None

    for n in state.nudges:
        if (r := row(n.at)) is not None:
            r[0] += 1
            r[1] += n.response is not None
    for h in state.history:
        if h.outcome == "completed" and (r := row(h.ended_at)) is not None:
            r[2] += 1
    for c in state.commitments:
        if (r := row(c.at)) is not None:
            r[3] += 1
            r[4] += c.status in ("kept", "partly")
    return counts


@pytest.mark.parametrize("timezone", ["Europe/London", "America/New_York", "Asia/Kolkata"])
@pytest.mark.parametrize("leader", [0, 5, 23])
def test_counts_from_sections_match_the_state(timezone: str, leader: int) -> None:
    state = history("Alex", leader, 52, AT)
    starts = week_starts(AT, timezone)
    found = weeks_of(to_sections("slack:T1:UALEX", state), starts, timezone)
    assert [[w.count(k) for k in KINDS] for w in found.weeks] == reference(state, starts, timezone)
    assert found.totals == tuple(sum(w.count(k) for w in found.weeks) for k in KINDS)
    assert [text for _, text in found.shared] == ([r.text for r in state.reflections if r.shared])


def test_weeks_are_local_mondays_across_the_clock_change() -> None:
    starts = week_starts(datetime(2026, 11, 2, 0, 30, tzinfo=UTC), "Europe/London")
    assert starts[-1] == date(2026, 11, 2)
    assert all(s.weekday() == 0 for s in starts)
    assert starts[0] == date(2026, 8, 17)  # twelve weeks, over the October change


def test_no_state_counts_nothing() -> None:
    starts = week_starts(AT, "Europe/London")
    empty = weeks_of(None, starts, "Europe/London")
    assert empty.totals == (0, 0, 0, 0, 0)
    assert empty.last_active_week is None


def test_a_chart_has_bars_values_and_a_summary() -> None:
    starts = week_starts(AT, "Europe/London")
    weeks = cohort_weeks(
        [weeks_of(to_sections("slack:T1:U1", history("A", 1, 12, AT)), starts, "Europe/London")],
        starts,
    )
    drawn = chart("delivered", weeks)
    assert [b.value for b in drawn.bars] == [w.delivered for w in weeks]
    tallest = max(drawn.bars, key=lambda b: b.value)
    assert tallest.height == pytest.approx(126)  # the whole plot height
    assert drawn.total == sum(w.delivered for w in weeks)
    full = drawn.total - drawn.bars[-1].value
    assert drawn.summary.startswith(
        f"Nudges delivered: {full} in the 11 full weeks before this one"
    )
    assert drawn.summary.endswith(f"This week so far: {drawn.bars[-1].value}.")
    assert [b.so_far for b in drawn.bars] == [False] * 11 + [True]
    quiet = chart("kept", [Week(s) for s in starts])
    assert quiet.summary == "Commitments kept: none in the last 12 weeks."
    assert all(b.height == 0 for b in quiet.bars)


def test_this_week_is_kept_out_of_the_trend_so_a_monday_is_not_read_as_a_drop() -> None:
    starts = week_starts(AT, "Europe/London", weeks=5)
    weeks = [Week(s, delivered=n) for s, n in zip(starts, (4, 4, 6, 6, 1), strict=True)]
    drawn = chart("delivered", weeks)
    assert drawn.summary == (
        f"Nudges delivered: 20 in the 4 full weeks before this one, most in the week of "
        f"{short_date(starts[3])} (6). The last 2 of them had 12, more than the 2 before (8). "
        "This week so far: 1."
    )
    odd = [Week(s, delivered=n) for s, n in zip(starts[1:], (9, 2, 3, 1), strict=True)]
    assert (
        "The last 1 of them had 3, more than the 1 before (2)." in chart("delivered", odd).summary
    )
    one = [Week(starts[-2], delivered=3), Week(starts[-1])]
    assert chart("delivered", one).summary.endswith(
        "week of " + short_date(starts[-2]) + " (3). This week so far: 0."
    )
    just_started = [Week(s) for s in starts[:-1]] + [Week(starts[-1], delivered=2)]
    assert chart("delivered", just_started).summary == (
        "Nudges delivered: none in the 4 full weeks before this one. This week so far: 2."
    )


@pytest.mark.parametrize("timezone", ["Europe/London", "America/New_York", "Asia/Kolkata"])
@pytest.mark.parametrize("leader", [0, 5, 23])
@pytest.mark.parametrize("later", [0, 1, 3])  # the page opened weeks after the last write
def test_counts_from_a_glance_match_the_state(timezone: str, leader: int, later: int) -> None:
    state = history("Alex", leader, 52, AT)
    now = AT + timedelta(weeks=later)
    starts = week_starts(now, timezone)
    sections = to_sections("slack:T1:UALEX", state)
    glance = orjson.loads(encode_json(glance_of(sections, 7)))  # as stored
    found = weeks_of_glance(glance, starts, timezone)
    assert found is not None
    assert [[w.count(k) for k in KINDS] for w in found.weeks] == reference(state, starts, timezone)
    assert found == weeks_of(sections, starts, timezone)
    assert found.shared == weeks_of(sections, starts, timezone).shared
    assert glance["v"] == 7
    assert PRIVATE_TEXT not in str(glance)
    assert COMMITMENT_TEXT not in str(glance)


def test_a_glance_keeps_only_the_last_weeks_and_says_when_it_cannot_answer() -> None:
    state = history("Alex", 3, 52, AT)
    glance = glance_of(to_sections("slack:T1:UALEX", state), 1)
    assert len(glance["delivered"]) < len(state.nudges) / 3  # fourteen weeks of fifty-two
    earlier = week_starts(AT - timedelta(weeks=4), "Europe/London")  # before what it keeps
    assert weeks_of_glance(glance, earlier, "Europe/London") is None
    empty = glance_of(to_sections("slack:T1:UALEX", UserState()), 1)
    found = weeks_of_glance(empty, week_starts(AT, "Europe/London"), "Europe/London")
    assert found is not None
    assert found.totals == (0, 0, 0, 0, 0)
