"""When a circle's rounds fall: pure date arithmetic, shared by `circle show`, `circles` and
the job that starts rounds. Round n starts `every_weeks` weeks after round n-1 (on the
circle's day) and ends the day before the next would start."""

from datetime import date, timedelta

from bot.circles.model import Circle, Round


def first_start(circle: Circle) -> date:
    """The circle's `starts` date, moved forward to its weekday if one was named."""
    if circle.day is None:
        return circle.starts
    return circle.starts + timedelta(days=(circle.day - circle.starts.weekday()) % 7)


def round_dates(circle: Circle, number: int) -> tuple[date, date]:
    """(starts, ends) of round `number` (1-based) on the cadence."""
    starts = first_start(circle) + timedelta(weeks=circle.every_weeks * (number - 1))
    return starts, starts + timedelta(weeks=circle.every_weeks, days=-1)


def next_round(circle: Circle, rounds: list[Round], today: date) -> tuple[int, date] | None:
    """The number and start date of the next round to start (today or later), or None for a
    circle that is paused or ended. A round started early (`round now`) moves the cadence:
    the next one is `every_weeks` after the latest round's start."""
    if circle.status != "active":
        return None
    if not rounds:
        return 1, max(first_start(circle), today)
    latest = max(rounds, key=lambda r: r.number)
    starts = latest.starts + timedelta(weeks=circle.every_weeks)
    return latest.number + 1, max(starts, today)
