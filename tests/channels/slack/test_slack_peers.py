"""`organisation`, `about` and `avoid` through the real Slack stack, in the DM and by
`/coach`: the set-up's organisation question with its Skip button, and a colleague avoided
by name or @mention without being told."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.channels.slack.world import TEAM, SlackWorld, slack_world, texts
from tests.conftest import FakeClock

ANN, BEN, CAT = "U0ANN", "U0BEN", "U0CAT"
LTHT = "Leeds Teaching Hospitals NHS Trust"


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[SlackWorld]:
    clock = FakeClock(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
    async with slack_world(tmp_path, clock) as opened:
        opened.fake.set_user(ANN, tz="Europe/London", name="Ann Able")
        opened.fake.set_user(BEN, tz="Europe/London", name="Ben Bold")
        opened.fake.set_user(CAT, tz="Europe/London", name="Cat Calm")
        yield opened


async def slash(world: SlackWorld, user: str, text: str) -> str:
    before = len(world.fake.calls_to("chat.postMessage"))
    response = await world.slash(user, text)
    assert response.status == 200
    return texts(await world.replies(before))


async def test_set_up_asks_for_the_organisation_with_a_skip_button(world: SlackWorld) -> None:
    await world.dm(ANN, "hello")
    await world.click(ANN, "Set up now")
    await world.click(ANN, "Resilience and energy")
    await world.click(ANN, "That's enough")
    said = texts(await world.click(ANN, "08:00"))
    assert "which organisation do you work for?" in said
    assert "You can add it any time" in texts(await world.click(ANN, "Skip"))
    assert "You haven't said where you work yet" in texts(await world.dm(ANN, "organisation"))
    assert f"Saved: {LTHT}." in texts(await world.dm(ANN, "organisation LTHT"))


async def test_organisation_and_about_by_dm_and_by_slash_command(world: SlackWorld) -> None:
    await world.dm(ANN, "hello")
    await world.click(ANN, "Skip for now")
    assert f"Saved: {LTHT}." in await slash(world, ANN, "organisation leeds teaching hospitals")
    assert LTHT in await slash(world, ANN, "organisation")
    said = texts(await world.dm(ANN, "about Leading the merger of two outpatient teams"))
    assert "Peers in a circle will see: Leading the merger" in said
    assert "Leading the merger" in await slash(world, ANN, "about")
    assert "NHS number" in await slash(world, ANN, "about The case of 943 476 5919")
    await slash(world, ANN, "about clear")
    state = await world.app.users.load(world.key(ANN))
    assert state is not None
    assert (state.profile.organisation, state.profile.about) == (LTHT, None)


async def test_a_colleague_is_avoided_by_name_or_mention_and_never_told(
    world: SlackWorld,
) -> None:
    for user in (ANN, BEN, CAT):
        await world.dm(user, "hello")
        await world.click(user, "Skip for now")
    to_ben = len(world.fake.messages.get("D" + BEN, []))
    assert "you won't be matched with Ben Bold" in texts(await world.dm(ANN, "avoid Ben Bold"))
    said = await slash(world, ANN, f"avoid <@{CAT}>")
    assert "you won't be matched with Cat Calm" in said
    assert "I don't know anyone called" in await slash(world, ANN, "avoid Dee Nobody")
    assert "You can't avoid yourself" in texts(await world.dm(ANN, "avoid Ann Able"))
    listing = texts(await world.dm(ANN, "avoid"))
    assert "Ben Bold" in listing
    assert "Cat Calm" in listing
    assert "off your avoid list" in await slash(world, ANN, "avoid remove Cat Calm")
    state = await world.app.users.load(world.key(ANN))
    assert state is not None
    assert state.profile.avoid == (f"slack:{TEAM}:{BEN}",)
    assert len(world.fake.messages.get("D" + BEN, [])) == to_ben  # Ben heard nothing
