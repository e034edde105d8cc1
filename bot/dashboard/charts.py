"""Bar charts as plain geometry for the SVG templates: each chart has a title, a sentence
that says what it shows, and the same numbers as a table. Values are printed on the bars, so
neither colour nor height is the only way to read them."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.dashboard.figures import Week
from dialogs.timetext import short_date

WIDTH, HEIGHT = 360, 190
TOP, BOTTOM, LEFT = 24, 150, 8  # plot area, in viewBox units
TITLES = {
    "delivered": "Nudges delivered",
    "answered": "Nudges answered",
    "completed": "Conversations completed",
    "made": "Commitments made",
    "kept": "Commitments kept",
}


@dataclass(frozen=True)
class Bar:
    week: date
    label: str  # the week's short date, e.g. "3 Nov"
    value: int
    x: float
    y: float
    width: float
    height: float
    show_label: bool  # every other week's date under the axis, so they do not overlap
    so_far: bool = False  # this week, still under way: drawn and labelled apart


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    summary: str
    bars: tuple[Bar, ...]
    width: int = WIDTH
    height: int = HEIGHT
    axis_y: int = BOTTOM

    @property
    def total(self) -> int:
        return sum(b.value for b in self.bars)


def chart(kind: str, weeks: Sequence[Week], *, prefix: str = "cohort") -> Chart:
    values = [w.count(kind) for w in weeks]
    top = max(values, default=0) or 1
    slot = (WIDTH - 2 * LEFT) / max(len(weeks), 1)
    bars = []
    for n, (week, value) in enumerate(zip(weeks, values, strict=True)):
        height = (BOTTOM - TOP) * value / top
        bars.append(
            Bar(
                week.start,
                f"{week.start.day} {week.start:%b}",
                value,
                x=round(LEFT + n * slot + slot * 0.15, 1),
                y=round(BOTTOM - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                show_label=(len(weeks) - 1 - n) % 2 == 0,
                so_far=n == len(weeks) - 1,
            )
        )
    return Chart(
        f"{prefix}-{kind}", TITLES[kind], summary(TITLES[kind], weeks, values), tuple(bars)
    )


def summary(title: str, weeks: Sequence[Week], values: Sequence[int]) -> str:
    """The full weeks' total, busiest week and trend; this week apart, as it is not over and
    would otherwise read as a drop."""
    if not weeks:
        return f"{title}: no weeks to show."
    if sum(values) == 0:
        return f"{title}: none in the last {len(weeks)} weeks."
    full, now = values[:-1], values[-1]
    so_far = f"This week so far: {now}."
    if sum(full) == 0:
        return f"{title}: none in the {len(full)} full weeks before this one. {so_far}"
    best = max(range(len(full)), key=lambda n: (full[n], n))
    said = (
        f"{title}: {sum(full)} in the {len(full)} full weeks before this one, most in the week "
        f"of {short_date(weeks[best].start)} ({full[best]})."
    )
    half = len(full) // 2  # two equal runs of weeks, the newest; an odd oldest week is left out
    if half == 0:
        return f"{said} {so_far}"
    earlier, later = sum(full[len(full) - 2 * half : len(full) - half]), sum(full[-half:])
    trend = "more than" if later > earlier else "fewer than" if later < earlier else "the same as"
    runs = f"The last {half} of them had {later}, {trend} the {half} before ({earlier})."
    return f"{said} {runs} {so_far}"
