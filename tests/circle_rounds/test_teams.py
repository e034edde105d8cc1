"""A round through the real Teams channel (Agents SDK CloudAdapter against the fake Bot
Connector): each member's introduction in their chat with a "start a chat" link built from
the roster's sign-in names, then the check-in card, answered with its Met button."""

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from bot.domain import UserKey
from bot.storage.memory.circles import InMemoryCircleBackend
from dialogs.model import UserState
from tests.channels.teams.world import ALEX, CHAT, teams_world, texts
from tests.circle_rounds.helpers import new_circle, use_circles
from tests.conftest import AT, FakeClock
from tests.fakes import teams_activity as teams

BEA_ID, BEA_AAD, BEA_CHAT = (
    "29:1beaJonesPairwiseId",
    "bbbbbbbb-0000-1111-2222-333333333333",
    "a:1bea",
)
BEA = UserKey("teams", teams.TENANT_ID, BEA_AAD)
COACH = "console:coach"


async def with_organisation(users: object, key: UserKey, organisation: str) -> None:
    def decide(stored: UserState | None) -> tuple[UserState, None]:
        assert stored is not None
        profile = replace(stored.profile, organisation=organisation, about="A new rota")
        return replace(stored, profile=profile), None

    await users.transact(key, decide)  # type: ignore[attr-defined]


async def test_a_teams_round_links_the_chat_and_takes_the_check_in(tmp_path: Path) -> None:
    clock = FakeClock(AT)
    async with teams_world(tmp_path, clock) as world:
        world.connector.members = [
            {
                "id": teams.USER_ID,
                "aadObjectId": teams.USER_AAD_OBJECT_ID,
                "name": "Alex Smith",
                "userPrincipalName": "alex.smith@nhs.net",
            },
            {
                "id": BEA_ID,
                "aadObjectId": BEA_AAD,
                "name": "Bea Jones",
                "userPrincipalName": "bea.jones@nhs.net",
            },
        ]
        await world.say("hello")
        bea = teams.personal_message(
            world.url, "hello", conversation_id=BEA_CHAT, user_id=BEA_ID, aad_object_id=BEA_AAD
        )
        assert (await world.post(bea)).status in (200, 202)
        app = world.app
        await with_organisation(app.users, ALEX, "Leeds Teaching Hospitals")
        await with_organisation(app.users, BEA, "Bradford Care Trust")
        store = await use_circles(app, InMemoryCircleBackend())
        circle = await new_circle(store, COACH, [str(ALEX), str(BEA)], AT)
        assert app.rounds is not None
        await app.rounds.round_now(UserKey.parse(COACH), circle, AT)
        await app.start_scheduler(timers=False)
        before = len(world.connector.sent_to(CHAT))
        await app.rounds.tick()

        intro = texts(world.connector.sent_to(CHAT)[before:])
        assert "Bradford Care Trust" in intro
        assert "https://teams.microsoft.com/l/chat/0/0?users=bea.jones@nhs.net" in intro
        assert "alex.smith@nhs.net" in texts(world.connector.sent_to(BEA_CHAT))

        clock.at = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)  # two days before the end
        await app.rounds.tick()
        _, card = world.last_card()
        assert [a["title"] for a in card["actions"]] == ["Met", "Rescheduled", "Not this round"]
        said = texts(await world.press("Met"))
        assert "Good to hear" in said
        (answer,) = store.check_ins("c1", 1)
        assert (answer.leader, answer.answer) == (str(ALEX), "met")
        assert said.index("Good to hear") < said.index("What will you try after talking")
        await app.close()
