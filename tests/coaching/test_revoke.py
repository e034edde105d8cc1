"""`admin uncoach`: everything the coach role carried ends, and granting it again restores
nothing until each leader accepts again."""

from bot.domain import UserKey
from bot.services.coach_roles import HANDOVER
from dialogs.model import ChoiceMade
from tests.coaching.test_coaching import (
    ADMIN,
    COACH,
    LEADER,
    STRANGER,
    Office,
    linked,
    make_coach,
    office,
    text,
)

__all__ = ["office"]  # the fixture, shared with test_coaching


async def coach_schedule(office: Office, leader: str = "leader") -> None:
    await office.say(COACH, f"coach schedule {leader} weekdays 08:30 resilience")
    assert "Saved 1 schedule" in text(await office.press(COACH, "Save"))
    await office.press(LEADER if leader == "leader" else f"console:{leader}", "Keep it")


async def revoke(office: Office) -> str:
    said = text(await office.say(ADMIN, "admin uncoach coach"))
    assert said.startswith("coach is no longer a coach")
    return said


def told(office: Office, user: str) -> list[str]:
    return [s.text for s in office.notifier.to(user)]


async def test_revoking_closes_links_tells_each_leader_once_and_lists_no_coach(
    office: Office,
) -> None:
    await linked(office)
    before = len(told(office, LEADER))
    assert "1 leader has been told" in await revoke(office)
    (line,) = told(office, LEADER)[before:]
    assert line == "coach no longer coaches in peercoach, so they are no longer your coach."
    assert "no coach" in text(await office.say(LEADER, "coaches"))
    assert "Coaches**: none yet" in text(await office.say(ADMIN, "admin coaches"))
    assert any("ended your coach role" in t for t in told(office, COACH))
    link = office.app.coaching_store.link(COACH, LEADER)
    assert link is not None
    assert link.status == "revoked"


async def test_granting_again_restores_no_leader_until_they_accept_again(office: Office) -> None:
    await linked(office)
    await revoke(office)
    await make_coach(office)
    assert "no leaders yet" in text(await office.say(COACH, "coach leaders"))
    said = text(await office.say(COACH, "coach schedule leader weekdays 08:30 resilience"))
    assert "is not one of your leaders" in said
    assert "is not one of your leaders" in text(await office.say(COACH, "coach schedules leader"))
    assert "no leaders who have accepted" in text(
        await office.say(COACH, "coach schedule all weekdays 08:30")
    )
    assert "You have no leaders yet" in text(await office.say(COACH, "coach report"))
    assert "no coach" in text(await office.say(LEADER, "coaches"))
    await office.say(COACH, "coach add leader")  # a new request; the leader must accept it
    assert "has not accepted" in text(await office.say(COACH, "coach schedules leader"))
    await office.press(LEADER, "Accept")
    assert "**leader**" in text(await office.say(COACH, "coach schedules leader"))


async def test_the_coachs_schedules_are_paused_and_handed_over_to_keep(office: Office) -> None:
    await linked(office)
    await coach_schedule(office)
    await revoke(office)
    (schedule,) = office.app.schedules.schedules_of(LEADER)
    assert (schedule.paused, schedule.paused_reason) == (True, HANDOVER)
    question = told(office, LEADER)[-1]
    assert question == (
        "coach no longer coaches in peercoach, so they are no longer your coach; the nudge "
        "schedule they set for you is paused until you choose: keep it as your own, or remove it?"
    )
    assert "Kept 1 schedule as your own" in text(await office.press(LEADER, "Keep it"))
    (kept,) = office.app.schedules.schedules_of(LEADER)
    assert (kept.origin, kept.created_by, kept.paused) == ("leader", LEADER, False)
    assert "set by your coach" not in text(await office.say(LEADER, "schedule"))


async def test_or_removed_at_the_leaders_choice(office: Office) -> None:
    await linked(office)
    await coach_schedule(office)
    await office.say(LEADER, "schedule weekdays 18:00 influence")  # the leader's own stays
    await revoke(office)
    assert "Removed 1 schedule" in text(await office.press(LEADER, "Remove it"))
    (left,) = office.app.schedules.schedules_of(LEADER)
    assert left.origin == "leader"
    assert not left.paused


async def test_a_pause_the_leader_chose_stays_when_they_keep_it(office: Office) -> None:
    await linked(office)
    await coach_schedule(office)
    (schedule,) = office.app.schedules.schedules_of(LEADER)
    await office.say(LEADER, f"schedule pause {schedule.id}")
    await revoke(office)
    await office.press(LEADER, "Keep it")
    (kept,) = office.app.schedules.schedules_of(LEADER)
    assert (kept.origin, kept.paused, kept.paused_reason) == ("leader", True, "paused by you")


async def test_a_pending_request_is_withdrawn_and_cannot_be_accepted(office: Office) -> None:
    await make_coach(office)
    await office.say(COACH, "coach add stranger")
    state = await office.app.users.load(office_key(STRANGER))
    assert state is not None
    assert state.awaiting is not None
    old_question = state.awaiting.token
    await revoke(office)
    assert told(office, STRANGER)[-1].endswith("so their request to coach you is withdrawn.")
    reply = await office.app.conversations.handle(
        office_key(STRANGER), choice(old_question, "accept", office)
    )
    assert "already been answered or withdrawn" in text(list(reply.messages))
    link = office.app.coaching_store.link(COACH, STRANGER)
    assert link is not None
    assert link.status == "revoked"


async def test_a_plan_not_yet_saved_cannot_be_saved_after_revoking(office: Office) -> None:
    await linked(office)
    await office.say(COACH, "coach schedule leader weekdays 08:30 resilience")
    coach_state = await office.app.users.load(office_key(COACH))
    assert coach_state is not None
    assert coach_state.awaiting is not None
    token = coach_state.awaiting.token
    await revoke(office)
    reply = await office.app.conversations.handle(office_key(COACH), choice(token, "save", office))
    assert "Saved" not in text(list(reply.messages))
    assert office.app.schedules.schedules_of(LEADER) == []


async def test_revoking_someone_who_is_not_a_coach_says_so(office: Office) -> None:
    said = text(await office.say(ADMIN, "admin uncoach stranger"))
    assert said == "stranger is not a coach. `admin coaches` lists them."


def office_key(user: str) -> UserKey:
    return UserKey.parse(user)


def choice(token: str, choice_id: str, office: Office) -> ChoiceMade:
    return ChoiceMade(token, choice_id, office.clock.now())


async def test_several_schedules_are_handed_over_together(office: Office) -> None:
    await linked(office)
    for clock in ("08:30", "17:00"):
        await office.say(COACH, f"coach schedule leader weekdays {clock} resilience")
        await office.press(COACH, "Save")
        await office.press(LEADER, "Keep it")
    await revoke(office)
    assert "the 2 nudge schedules they set for you are paused" in told(office, LEADER)[-1]
    assert "Removed 2 schedules" in text(await office.press(LEADER, "Remove them"))
    assert office.app.schedules.schedules_of(LEADER) == []
