"""Review 12h: schedules were shown as "4szpdt weekdays at 07:30 UTC, crossroads"; the App
Home shows them in words, with theme titles."""

from datetime import time

from bot.channels.slack.home import home_data
from bot.schedules.model import NudgeSchedule
from dialogs.content_model import Content
from dialogs.recurrence import parse_days
from tests.conftest import AT


def test_the_app_home_names_a_schedules_themes_by_title(content: Content) -> None:
    schedule = NudgeSchedule(
        "4szpdt", "slack:T1:U1", ("crossroads",), parse_days("weekdays"), time(7, 30), "UTC",
        "slack:T1:U1", AT,
    )  # fmt: skip
    titles = {t.id: t.title for t in content.themes}
    (line,) = home_data(None, (schedule,), AT, titles).schedules
    assert line == "weekdays at 07:30 UTC, on “After a restructure: what next”"
