"""`export` holds everything stored about the leader, set through real commands: profile,
state, reflections, commitments, schedules and reminders, coaching links, nudge history."""

import json
from typing import Any

from bot.domain import UserKey
from dialogs.model import UserText
from tests.coaching.test_coaching import COACH, LEADER, OTHER_COACH, Office, linked, office

__all__ = ["office"]  # the fixture, shared with test_coaching
WORDS = "asked Sam to lead the huddle"


async def exported(office: Office, user: str = LEADER) -> dict[str, Any]:
    reply = await office.app.conversations.handle(
        UserKey.parse(user), UserText("export", office.clock.now())
    )
    (attachment,) = reply.attachments
    document: dict[str, Any] = json.loads(attachment.data)
    return document


async def finish_dialogue(office: Office, user: str) -> None:
    await office.say(user, "start energy")
    for _ in range(12):  # bounded: a dialogue is 3-6 turns
        state = await office.app.users.load(UserKey.parse(user))
        assert state is not None
        if state.dialogue is None:
            return
        assert state.awaiting is not None
        at_commitment = state.dialogue.step.startswith("commit")  # a day: a check-in planned
        words = f"{WORDS} on Friday" if at_commitment else WORDS
        await office.say(user, "1" if state.awaiting.choices else words)
    raise AssertionError("the dialogue did not end")


async def test_export_holds_everything_set_through_commands(office: Office) -> None:
    await linked(office)  # an accepted coaching link
    await office.say(COACH, "coach schedule leader weekdays 08:30 resilience")
    await office.press(COACH, "Save")
    await office.press(LEADER, "Keep it")
    await office.say(LEADER, "timezone Asia/Kolkata")
    await office.say(LEADER, "quiet 22:00-07:00")
    await office.say(LEADER, "schedule daily 14:30 influence")
    mine = next(s for s in office.app.schedules.schedules_of(LEADER) if s.origin == "leader")
    office.clock.at = office.clock.at.replace(hour=9, minute=0)  # 14:30 in Kolkata
    assert office.app.scheduler is not None
    await office.app.scheduler.fire(mine.id)  # a nudge delivered: history and the ledger
    await office.say(LEADER, "Snooze")
    await office.say(LEADER, "An hour from now")  # a reminder
    await finish_dialogue(office, LEADER)  # a reflection, a commitment, its follow-up
    document = await exported(office)

    assert document["user"] == LEADER
    assert document["profile"]["timezone"] == "Asia/Kolkata"
    assert document["profile"]["quiet_hours"] == ["22:00", "07:00"]
    assert WORDS in json.dumps(document["reflections"] + document["commitments"])
    assert document["commitments"]
    assert document["history"][0]["dialogue"].endswith("energy-audit")
    assert document["nudges"][0]["delivery"] == document["deliveries"][0]["key"]
    assert {s["origin"] for s in document["schedules"]} == {"coach", "leader"}
    assert {r["kind"] for r in document["reminders"]} == {"snooze", "follow_up"}
    (link,) = document["coaching_links"]
    assert (link["coach"], link["status"]) == ("coach", "accepted")
    assert set(link) == {"coach", "status", "asked_at", "updated_at", "asked_to_talk_at"}
    assert [d["status"] for d in document["deliveries"]] == ["sent"]
    assert document["coach_role"] is None
    for internal in ("version", "aside", "awaiting", "seq"):
        assert internal not in document


async def test_a_leaders_export_holds_no_other_leaders_data(office: Office) -> None:
    await linked(office)
    await office.say(OTHER_COACH, "hello")
    other = "console:another"
    await office.say(other, "hello")
    await office.say(COACH, "coach add another")
    await office.press(other, "Accept")
    await office.say(other, "schedule daily 07:00 influence")
    document = json.dumps(await exported(office))
    assert "another" not in document
    coach = await exported(office, COACH)
    assert coach["coach_role"]["leaders"] == 2
    assert coach["coaching_links"] == []  # links as a coach are the leaders' data
    assert "console:leader" not in json.dumps(coach)
    assert "another" not in json.dumps(coach)
