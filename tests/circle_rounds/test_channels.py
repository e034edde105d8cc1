"""How members meet, per channel: Slack opens a group DM with the members (the app in it)
and posts the introduction and guide there too; Teams members get a "start a chat" link
when their sign-in names are known; the check-in's buttons render natively everywhere."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.console_render import to_text
from bot.channels.slack.notifier import ChannelPacer, SlackNotifier
from bot.channels.slack.render import render_turn as slack_turn
from bot.channels.teams.render import render_turn as teams_turn
from bot.circles.model import Circle, Group, Round
from bot.config import Settings
from bot.domain import UserKey
from bot.services.circle_rounds import check_ins
from bot.services.circle_rounds.introductions import teams_link
from bot.services.circle_rounds.people import sign_in_name
from bot.storage.memory.circles import InMemoryCircleBackend
from bot.wiring import App, build_app
from dialogs.model import Ask
from tests.circle_rounds.helpers import Leader, new_circle, store_leader, use_circles
from tests.conftest import CONTENT_DIR, FakeClock
from tests.fakes.slack_api import FakeSlackApi
from tests.schedules.world import RecordingNotifier

AT = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
COACH = "console:coach"


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    clock = FakeClock(AT)
    app = build_app(Settings(data_dir=tmp_path / "data", content_dir=CONTENT_DIR), clock)
    await app.open()
    await use_circles(app, InMemoryCircleBackend())
    await store_leader(app, Leader(COACH, "Chris Coach", None), AT)
    yield app
    await app.close()


async def round_now(app: App, members: list[Leader]) -> None:
    for leader in members:
        await store_leader(app, leader, AT)
    circle = await new_circle(app.circles, COACH, [m.user for m in members], AT)
    assert app.rounds is not None
    await app.rounds.round_now(UserKey.parse(COACH), circle, AT)
    await app.start_scheduler(timers=False)
    await app.rounds.tick()


async def test_slack_opens_a_group_dm_per_group_and_posts_there_once(app: App) -> None:
    members = [Leader(f"slack:T0FAKE:U000{i}", f"Leader {i}", f"Trust {i % 3}") for i in range(4)]
    async with FakeSlackApi() as slack:
        client = AsyncWebClient(token=slack.token, base_url=slack.url + "api/", timeout=5)
        app.notifiers["slack"] = SlackNotifier(client, app.users, ChannelPacer(0))
        await round_now(app, members)
        assert app.rounds is not None
        await app.rounds.tick()  # again: nothing more

        opened = sorted(c.params["users"] for c in slack.calls_to("conversations.open"))
        (round_,) = app.circles.rounds("c1")
        wanted = sorted(",".join(UserKey.parse(m).user for m in g.members) for g in round_.groups)
        assert opened == wanted
        posts = slack.calls_to("chat.postMessage")
        to_groups = [p for p in posts if str(p.params["channel"]).startswith("G")]
        assert sorted(slack.groups) == sorted({p.params["channel"] for p in to_groups})
        assert len(to_groups) == len(round_.groups)
        for post in to_groups:
            assert "you are this round's pair" in post.params["text"]
            assert "only asks questions, no advice" in post.params["text"]
            assert post.params["metadata"]["event_payload"]["delivery"].startswith("group:")
        dms = [p for p in posts if not str(p.params["channel"]).startswith("G")]
        assert len(dms) == len(members)
        assert all("opened a group chat" in p.params["text"] for p in dms)


async def test_teams_members_get_a_start_a_chat_link_when_sign_in_names_are_known(
    app: App,
) -> None:
    members = [Leader(f"teams:tn:u{i}", f"Leader {i}", f"Trust {i}") for i in range(2)]
    for i, leader in enumerate(members):
        reference = {"conversation_reference": {"user": {"userPrincipalName": f"l{i}@nhs.net"}}}
        await app.users.save_extra(
            UserKey.parse(leader.user), "teams", {"conversation": reference}
        )
    notifier = RecordingNotifier(FakeClock(AT))
    app.notifiers["teams"] = notifier
    await round_now(app, members)
    first = notifier.to("teams:tn:u0")[0].text
    assert "https://teams.microsoft.com/l/chat/0/0?users=l1@nhs.net" in first


def test_a_teams_link_needs_every_other_members_sign_in_name() -> None:
    names = {"a": "a@nhs.net", "b": "b.c@nhs.net"}
    assert teams_link(["a", "b"], names) == (
        "https://teams.microsoft.com/l/chat/0/0?users=a@nhs.net,b.c@nhs.net"
    )
    assert teams_link(["a", "x"], names) is None  # then their names alone must do
    assert (
        sign_in_name({"conversation": {"conversation_reference": {"user": {"id": "29:1"}}}})
        is None
    )


def test_the_check_in_has_its_three_buttons_in_every_channel(app: App) -> None:
    assert app.rounds is not None
    circle = Circle("c1", COACH, "North peers", "pairs", 2, None, AT.date(), "active", AT, AT)
    round_ = Round("c1", 1, AT.date(), AT.date(), "running", (Group(("a", "b")),), AT)
    question = check_ins.check_in_question(app.rounds.copy, circle, round_, AT)
    ask = Ask(question.text, question.choices, question.token, question.topic)
    assert ask.token == "svc:circle-checkin:c1:1"
    buttons = ["Met", "Rescheduled", "Not this round"]
    slack = slack_turn([ask], "abc")
    actions = [b for b in slack.blocks if b["type"] == "actions"]
    assert [e["text"]["text"] for b in actions for e in b["elements"]] == buttons
    card = teams_turn([ask], "abc")[0]["attachments"][0]["content"]
    assert [a["title"] for a in card["actions"]] == buttons
    text = to_text((ask,))
    assert all(label in text for label in buttons)
