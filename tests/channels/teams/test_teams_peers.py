"""`organisation`, `about` and `avoid` through the real Teams stack (fake connector): the
set-up's organisation question on a card with Skip, and a colleague avoided by name or
@mention without being told."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.channels.teams.package import COMMAND_LIMIT, COMMANDS
from bot.domain import UserKey
from tests.channels.teams.test_teams_coaching import key, mention, press, say
from tests.channels.teams.world import TeamsWorld, teams_world
from tests.conftest import FakeClock

ANN = ("29:ann", "a1000000-0000-0000-0000-000000000001", "a:chatWithAnn", "Ann Able")
BEN = ("29:ben", "b1000000-0000-0000-0000-000000000002", "a:chatWithBen", "Ben Bold")
CAT = ("29:cat", "c1000000-0000-0000-0000-000000000003", "a:chatWithCat", "Cat Calm")
LTHT = "Leeds Teaching Hospitals NHS Trust"


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[TeamsWorld]:
    async with teams_world(tmp_path, FakeClock(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))) as w:
        yield w


async def test_set_up_asks_for_the_organisation_on_a_card_with_skip(world: TeamsWorld) -> None:
    await say(world, ANN, "hello")
    await press(world, ANN, "Set up now")
    await say(world, ANN, "Resilience and energy")  # themes come as a choice set
    await say(world, ANN, "That's enough")
    await say(world, ANN, "08:00")
    assert f"Saved: {LTHT}." in await say(world, ANN, "LTHT")
    assert LTHT in await say(world, ANN, "organisation")
    await say(world, BEN, "hello")
    await press(world, BEN, "Set up now")
    await say(world, BEN, "Resilience and energy")  # themes come as a choice set
    await say(world, BEN, "That's enough")
    await say(world, BEN, "08:00")
    await press(world, BEN, "Skip")
    state = await world.app.users.load(_key(BEN))
    assert state is not None
    assert state.aside is None
    assert state.profile.organisation is None


async def test_about_and_avoid_in_teams_and_the_avoided_are_not_told(world: TeamsWorld) -> None:
    for person in (ANN, BEN, CAT):
        await say(world, person, "hello")
        await press(world, person, "Skip for now")
    assert "Peers in a circle will see" in await say(world, ANN, "about Growing a new team")
    assert "Growing a new team" in await say(world, ANN, "about")
    to_ben = len(world.connector.sent_to(BEN[2]))
    assert "you won't be matched with Ben Bold" in await say(world, ANN, "avoid Ben Bold")
    said = await say(world, ANN, f"avoid <at>{CAT[3]}</at>", entities=[mention(CAT)])
    assert "you won't be matched with Cat Calm" in said
    assert "I don't know anyone called" in await say(world, ANN, "avoid Dee Nobody")
    assert "Ben Bold" in await say(world, ANN, "avoid")
    assert "off your avoid list" in await say(world, ANN, "avoid remove Cat Calm")
    state = await world.app.users.load(_key(ANN))
    assert state is not None
    assert state.profile.avoid == (key(BEN),)
    assert state.profile.about == "Growing a new team"
    assert len(world.connector.sent_to(BEN[2])) == to_ben


def test_the_teams_command_list_keeps_its_ten_and_help_names_the_new_commands() -> None:
    """The list is full (ten): the new commands are in `help`, not in the list."""
    assert len(COMMANDS) == COMMAND_LIMIT
    assert {"organisation", "about", "avoid"}.isdisjoint(title for title, _ in COMMANDS)


def _key(person: tuple[str, str, str, str]) -> UserKey:
    return UserKey.parse(key(person))
