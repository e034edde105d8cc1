"""`avoid`, with `organisation` and `about`, through the real services (console users): the
private list found by name as `coach add` finds people, kept on the leader's own state, in
`export` by name, gone with `forget me`, and told to nobody."""

import json

from bot.domain import UserKey
from tests.coaching.test_coaching import COACH, LEADER, STRANGER, Office, linked, office, text
from tests.coaching.test_export import exported

__all__ = ["office"]  # the fixture, shared with test_coaching


async def profile_of(office: Office, user: str) -> tuple[str, ...]:
    state = await office.app.users.load(UserKey.parse(user))
    assert state is not None
    return state.profile.avoid


async def test_a_leader_avoids_someone_by_name_and_nobody_is_told(office: Office) -> None:
    stranger_before = await office.app.users.load(UserKey.parse(STRANGER))
    sent_before = len(office.notifier.sent)
    said = text(await office.say(LEADER, "avoid stranger"))
    assert said == "Done: you won't be matched with stranger. Nobody is told."
    assert await profile_of(office, LEADER) == (STRANGER,)
    assert await office.app.users.load(UserKey.parse(STRANGER)) == stranger_before
    assert len(office.notifier.sent) == sent_before  # no notice to anyone
    assert "**stranger**" in text(await office.say(LEADER, "avoid"))
    assert "already" in text(await office.say(LEADER, "avoid stranger"))
    assert await profile_of(office, LEADER) == (STRANGER,)


async def test_removing_and_the_sentences_for_what_cannot_be_done(office: Office) -> None:
    assert "nobody on your avoid list" in text(await office.say(LEADER, "avoid"))
    assert text(await office.say(LEADER, "avoid leader")).startswith("You can't avoid yourself.")
    unknown = text(await office.say(LEADER, "avoid nobody-here"))
    assert unknown.startswith("I don't know anyone called nobody-here here yet")
    assert "For example: `avoid Alex Smith`" in unknown
    assert await profile_of(office, LEADER) == ()
    await office.say(LEADER, "avoid stranger")
    assert "isn't on your avoid list" in text(await office.say(LEADER, "avoid remove coach"))
    assert "For example" in text(await office.say(LEADER, "avoid remove"))
    assert text(await office.say(LEADER, "avoid remove Stranger")) == (
        "stranger is off your avoid list."
    )
    assert await profile_of(office, LEADER) == ()


async def test_a_coach_sees_nothing_of_who_avoids_whom(office: Office) -> None:
    await linked(office)
    await office.say(LEADER, "avoid stranger")
    report = text(await office.say(COACH, "coach report"))
    assert "stranger" not in report.lower()
    assert "avoid" not in report.lower()


async def test_export_holds_organisation_about_and_the_avoid_list_by_name(
    office: Office,
) -> None:
    await office.say(LEADER, "organisation LTHT")
    await office.say(LEADER, "about Leading the merger of two outpatient teams")
    await office.say(LEADER, "avoid stranger")
    document = await exported(office)
    assert document["profile"]["organisation"] == "Leeds Teaching Hospitals NHS Trust"
    assert document["profile"]["organisation_key"] == "leeds teaching hospitals"
    assert document["profile"]["about"] == "Leading the merger of two outpatient teams"
    assert document["avoiding"] == ["stranger"]
    theirs = await exported(office, STRANGER)  # the one avoided holds no trace of it
    assert theirs["avoiding"] == []
    assert "leader" not in json.dumps(theirs["profile"])


async def test_forget_me_removes_organisation_about_and_avoid_list(office: Office) -> None:
    await office.say(LEADER, "organisation Barts")
    await office.say(LEADER, "about Turning round a waiting list")
    await office.say(LEADER, "avoid stranger")
    await office.say(LEADER, "forget me")
    await office.press(LEADER, "Yes, delete everything")
    assert await office.app.users.load(UserKey.parse(LEADER)) is None
    await office.say(LEADER, "hello")  # afresh: nothing of it is left
    state = await office.app.users.load(UserKey.parse(LEADER))
    assert state is not None
    profile = state.profile
    assert (profile.organisation, profile.organisation_key, profile.about, profile.avoid) == (
        None,
        None,
        None,
        (),
    )
    assert (await exported(office))["avoiding"] == []
