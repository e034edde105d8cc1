"""Commitments that land (issue 12 §2): one question for a missing what, who or when; a
check-in on the leader's own day, on a working day; closing lines that say the date and
never claim more than was said; and "how did it go?" answers that feed the journal."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from dialogs import texts
from dialogs.commitment_check import missing
from dialogs.commitment_step import given_parts
from dialogs.content import load_content
from dialogs.content_model import Content
from dialogs.dates import working_day_from
from dialogs.model import FollowUpPlanned, Prompt, WorkingWeek
from tests.conftest import AT, CONTENT_DIR
from tests.dialogs.chat import Chat, message_text, onboarded

CONTENT = load_content(CONTENT_DIR)
SETBACK = "resilience.after-a-setback"  # follow_up_days: 5, a plain commitment step
FRI_27_NOV = AT.date()
assert date(2026, 11, 27) == FRI_27_NOV
assert FRI_27_NOV.weekday() == 4


def at_commitment(content: Content, dialogue: str = SETBACK) -> Chat:
    """A leader at the commitment step of `dialogue` (first button, a few words elsewhere)."""
    chat = Chat(content, onboarded())
    found = content.dialogue(dialogue)
    assert found is not None
    chat.say(f"start {found.title}")
    for _ in range(10):
        progress = chat.state.dialogue
        assert progress is not None
        if found.steps[progress.step].type == "commitment":
            return chat
        awaiting = chat.state.awaiting
        assert awaiting is not None
        if awaiting.choices:
            chat.press(awaiting.choices[0].label)
        else:
            chat.say("the rota")
    raise AssertionError("no commitment step reached")


def planned(chat: Chat) -> date:
    assert chat.last is not None
    days = [e.due_on for e in chat.last.effects if isinstance(e, FollowUpPlanned)]
    assert len(days) == 1, chat.last.effects
    return days[0]


def closing_date_line(day: date) -> str:
    """As said on Fri 27 Nov 2026: a day in 2027 carries its year."""
    year = f" {day.year}" if day.year != FRI_27_NOV.year else ""
    return texts.FOLLOW_UP_PLANNED.format(day=f"{day:%a} {day.day} {day:%b}{year}")


# ------------------------------------------------------------------ what, who and when


@pytest.mark.parametrize(
    ("words", "gaps"),
    [
        ("I'll talk to people about it.", ("who", "when")),
        ("I will check in with you after the meeting", ("when",)),  # a meeting has people
        ("think about it more", ("what", "who", "when")),
        ("look into it with Sam", ("what", "when")),
        ("be kinder to myself next week", ("what", "who")),
        ("email Sam by Friday", ()),
        ("ask my deputy on Thursday", ()),
        ("ring Priya at 8.30", ()),
        ("book ten minutes with the ward manager tomorrow", ()),
        ("share the paper with the ICS leads on the 18th", ()),
        # Review 12b: a step a reader would call one, asked for again word for word.
        ("sort the rota with the matron", ("when",)),
        ("brief the COO on Tuesday", ()),
    ],
)
def test_the_what_who_when_rules(words: str, gaps: tuple[str, ...]) -> None:
    assert missing(words, FRI_27_NOV) == gaps


def test_a_vague_commitment_gets_one_friendly_question_for_what_is_missing(
    content: Content,
) -> None:
    chat = at_commitment(content)
    turn = chat.say("I'll talk to people about it.")
    assert chat.state.dialogue is not None  # still at the commitment step
    assert chat.state.commitments == ()
    assert turn.messages == (
        Prompt(content.commitments.gap(("who", "when")), content.commitments.get("placeholder")),
    )
    chat.say("Sam and the matron, on Thursday")
    assert chat.state.dialogue is None
    commitment = chat.state.commitments[-1]
    assert commitment.text == "I'll talk to people about it — Sam and the matron, on Thursday"
    assert commitment.due_on == date(2026, 12, 4)  # the day after Thursday 3 Dec
    assert closing_date_line(date(2026, 12, 4)) in chat.text()
    assert content.commitments.get("as_written") not in chat.text()


def test_thats_it_after_one_question_keeps_a_vague_line_as_a_note_with_no_check_in(
    content: Content,
) -> None:
    """The review: a check-in on "I'll talk to people about it" is one a leader ignores."""
    chat = at_commitment(content)
    chat.say("I'll talk to people about it.")
    chat.say("that's it")
    assert chat.state.dialogue is None  # no second question
    assert chat.state.commitments == ()
    assert chat.state.reflections[-1].text == "I'll talk to people about it."
    assert chat.last is not None
    assert not any(isinstance(e, FollowUpPlanned) for e in chat.last.effects)
    said = chat.text()
    assert content.commitments.get("no_check_in") in said
    assert "how it went" not in said
    end = content.dialogue(SETBACK).steps["close"].text  # type: ignore[union-attr]
    assert end not in said  # "I'd like to hear how it goes" would promise a check-in


def test_a_second_vague_answer_gets_no_second_question(content: Content) -> None:
    """A "don't know" at the follow-up is met and the same question asked once more
    (review 12f); a second one closes it, with no new question."""
    chat = at_commitment(content)
    chat.say("think about it")
    chat.say("hmm, not sure")
    assert content.commitments.get("gap_dont_know") in chat.text()
    chat.say("hmm, not sure")
    assert chat.state.dialogue is None
    assert chat.state.reflections[-1].text == "think about it"  # "hmm, not sure" adds nothing
    assert chat.state.commitments == ()


def test_a_step_and_a_person_but_no_day_gets_the_default_day_and_says_it_was_picked(
    content: Content,
) -> None:
    chat = at_commitment(content)
    chat.say("I'll talk to people about it.")
    chat.say("the DoF")  # the review's answer: a who, still no when
    assert chat.state.commitments[-1].text == "I'll talk to people about it — the DoF"
    due = working_day_from(FRI_27_NOV + timedelta(days=5))
    assert planned(chat) == due
    said = chat.text()
    assert content.commitments.get("day_picked") in said
    assert said.index(content.commitments.get("day_picked")) < said.index(closing_date_line(due))


def test_a_clear_commitment_is_kept_at_once(content: Content) -> None:
    chat = at_commitment(content)
    chat.say("email Sam by Friday")
    assert chat.state.dialogue is None
    assert chat.state.commitments[-1].due_on == date(2026, 12, 7)  # Fri 4 Dec -> Mon 7 Dec
    assert content.commitments.get("as_written") not in chat.text()


def test_the_question_is_asked_again_after_an_interruption(content: Content) -> None:
    chat = at_commitment(content)
    chat.say("I'll talk to people about it.")
    chat.open(hours=2)  # the leader comes back to the console
    assert content.commitments.gap(("who", "when")) in chat.text()
    chat.say("my deputy, tomorrow")
    assert chat.state.commitments[-1].due_on == date(2026, 11, 30)  # Sat 28 -> Mon 30


# ------------------------------------------------------------------ the check-in day


def test_after_the_meeting_is_asked_about_and_never_lands_on_a_saturday(
    content: Content,
) -> None:
    """The issue's own example: "after the meeting" was followed by "Sat 5 Dec"."""
    chat = at_commitment(content)
    chat.say("I will check in with you after the meeting")
    assert content.commitments.gap(("when",)) in chat.text()
    chat.say("it's after Tuesday's board")
    due = planned(chat)
    assert due == date(2026, 12, 2)  # the day after Tuesday 1 Dec
    assert due.weekday() < 5
    assert closing_date_line(due) in chat.text()


@pytest.mark.parametrize(
    ("words", "due"),
    [
        ("email Sam by Friday", date(2026, 12, 7)),  # Fri 4 Dec: the Monday after
        ("ask Sam on the 18th", date(2026, 12, 21)),  # Fri 18 Dec: the Monday after
        ("ask the team next week", date(2026, 12, 7)),  # next week's Friday 4 Dec
        ("ask Sam after Tuesday's board", date(2026, 12, 2)),
        ("share it with the board by the end of January", date(2027, 2, 1)),
        ("ring Priya tomorrow", date(2026, 11, 30)),  # Sat 28 Nov: the Monday after
        ("meet Sam in two weeks", date(2026, 12, 14)),  # Fri 11 Dec: the Monday after
    ],
)
def test_the_check_in_follows_the_leaders_own_words(
    content: Content, words: str, due: date
) -> None:
    chat = at_commitment(content)
    chat.say(words)
    assert chat.state.dialogue is None
    assert planned(chat) == due
    assert chat.state.commitments[-1].due_on == due
    assert closing_date_line(due) in chat.text()


TUE_THU_0745 = WorkingWeek(frozenset({1, 3}), "07:45")


@pytest.mark.parametrize(
    ("week", "due", "nudge_time"),
    [
        (TUE_THU_0745, date(2026, 12, 8), "07:45"),  # Fri 4 Dec -> Tue 8 Dec at 07:45
        (WorkingWeek(), date(2026, 12, 7), None),  # Mon-Fri, no schedule: Mon 7 Dec
    ],
)
def test_the_check_in_lands_on_the_leaders_own_working_days(
    content: Content, week: WorkingWeek, due: date, nudge_time: str | None
) -> None:
    chat = at_commitment(content)
    chat.week = week
    chat.say("email Sam by Friday")
    assert chat.state.dialogue is None
    assert chat.last is not None
    assert FollowUpPlanned(chat.state.commitments[-1].id, due, nudge_time) in chat.last.effects
    assert closing_date_line(due) in chat.text()


def test_the_default_check_in_and_a_not_yet_keep_to_the_leaders_days(content: Content) -> None:
    chat = at_commitment(content)  # follow_up_days: 5 -> Wed 2 Dec, not a Tue/Thu
    chat.week = TUE_THU_0745
    chat.say("email Sam the rota")
    chat.say("that's it")
    assert planned(chat) == date(2026, 12, 3)  # Thu 3 Dec
    commitment = chat.state.commitments[-1]
    chat.at = datetime.combine(commitment.due_on, time(7, 45), UTC)
    chat.follow_up_due(commitment.id)
    chat.press("Not yet")
    assert planned(chat) == date(2026, 12, 8)  # Thu 3 Dec + 3 = Sun 6 -> Tue 8 Dec


def test_a_day_in_the_past_is_questioned_once(content: Content) -> None:
    chat = at_commitment(content)
    chat.say("email Sam on 18 Nov")
    assert chat.state.dialogue is not None
    assert content.commitments.get("date_past").format(day="Wed 18 Nov") in chat.text()
    chat.say("by Wednesday then")
    assert chat.state.dialogue is None
    assert planned(chat) == date(2026, 12, 3)  # the day after Wed 2 Dec
    assert chat.state.commitments[-1].text == "email Sam on 18 Nov"


def test_a_past_day_given_again_falls_back_to_the_default(content: Content) -> None:
    chat = at_commitment(content)
    chat.say("email Sam last Monday")
    chat.say("yesterday")
    assert chat.state.dialogue is None  # asked once only
    assert planned(chat) == working_day_from(FRI_27_NOV + timedelta(days=5))


def test_a_day_over_ninety_days_away_is_questioned_once_and_can_stand(
    content: Content,
) -> None:
    chat = at_commitment(content)
    chat.say("email Sam by the end of June")
    assert content.commitments.get("date_far").format(day="Wed 30 Jun 2027") in chat.text()
    chat.say("that's fine")
    assert chat.state.dialogue is None
    assert planned(chat) == date(2027, 7, 1)


def test_a_far_day_can_be_brought_nearer(content: Content) -> None:
    chat = at_commitment(content)
    chat.say("email Sam by the end of June")
    chat.say("a first draft by the end of January")
    assert planned(chat) == date(2027, 2, 1)


def test_no_day_named_uses_the_dialogues_default_on_a_working_day(content: Content) -> None:
    chat = at_commitment(content, "influence.make-the-case")  # follow_up_days: 7
    chat.say("email Sam the draft case")
    chat.say("that's it")
    assert planned(chat) == working_day_from(FRI_27_NOV + timedelta(days=7))


# ------------------------------------------------------------------ closing lines


PROMISES = ("clear next step", "in a few days", "about a week", "after the meeting")


def test_no_closing_line_claims_a_timing_or_a_clear_step(content: Content) -> None:
    """The engine's own line says the date; an end step says nothing that could contradict it
    or a commitment left vague."""
    for dialogue in content.dialogues:
        for step_id, step in dialogue.steps.items():
            if step.type == "end":
                said = step.text.lower()
                assert not [p for p in PROMISES if p in said], (dialogue.id, step_id)
                assert "check in with you" not in said, (dialogue.id, step_id)


# ------------------------------------------------------------------ how did it go?


def made(content: Content) -> tuple[Chat, str]:
    chat = at_commitment(content)
    chat.say("ask Sam to cover Friday's huddle")
    return chat, chat.state.commitments[-1].id


def test_not_yet_asks_once_what_got_in_the_way_then_plans_again(content: Content) -> None:
    chat, commitment = made(content)
    chat.follow_up_due(commitment, days=5)  # Wed 2 Dec
    chat.press("Not yet")
    assert content.commitments.get("not_yet_question") in chat.text()
    again = planned(chat)
    assert again == date(2026, 12, 7)  # three days on is Saturday: the Monday
    chat.say("the rota fell apart this week")
    assert chat.state.reflections[-1].text == "the rota fell apart this week"
    assert chat.state.reflections[-1].dialogue == SETBACK
    assert content.commitments.get("next_step_question") in chat.text()
    chat.say("that's it")  # no new step: asked again on the day already set
    assert content.commitments.get("not_yet_again").format(day="Mon 7 Dec") in chat.text()
    assert chat.state.aside is None
    assert chat.state.commitments[-1].status == "open"
    chat.follow_up_due(commitment, days=5)
    assert "How did it go?" in chat.text()  # asked again on the new day


@pytest.mark.parametrize(("label", "status"), [("I did it", "kept"), ("Partly", "partly")])
def test_did_it_and_partly_feed_the_journal(content: Content, label: str, status: str) -> None:
    chat, commitment = made(content)
    chat.follow_up_due(commitment, days=5)
    chat.press(label)
    chat.say("Sam was glad to be asked")
    assert chat.state.commitments[-1].status == status
    assert chat.state.reflections[-1].text == "Sam was glad to be asked"
    if label == "Partly":
        chat.say("that's it")  # the next step it asks for, left for now
    else:
        chat.say("asking early")  # what made it work
    assert chat.state.aside is None
    chat.say("journal")
    assert "Sam was glad to be asked" in chat.text()


def test_let_it_go_is_recorded(content: Content) -> None:
    chat, commitment = made(content)
    chat.follow_up_due(commitment, days=5)
    chat.press("Let it go")
    assert chat.state.commitments[-1].status == "dropped"
    assert chat.state.aside is None


@pytest.mark.parametrize("dialogue", [d.id for d in CONTENT.dialogues])
def test_every_dialogue_asks_once_about_a_vague_commitment_and_closes_honestly(
    content: Content, dialogue: str
) -> None:
    chat = at_commitment(content, dialogue)
    found = content.dialogue(dialogue)
    assert found is not None
    assert chat.state.dialogue is not None
    step = found.steps[chat.state.dialogue.step]
    chat.say("think about it")
    given = given_parts(found, step)  # a prep's meeting, unless the step says otherwise
    asked = tuple(p for p in ("what", "who", "when") if p not in given)
    if step.expects == "question":
        asked = ("question", *asked[1:])
    question = step.follow_up or content.commitments.gap(asked, prep=found.kind == "prep")
    assert question in chat.text()
    chat.say("that's it")
    assert chat.state.dialogue is None
    said = chat.text()
    assert "{" not in said
    assert content.commitments.get("no_check_in") in said
    assert chat.state.commitments == ()
    assert chat.state.reflections[-1].text.endswith("think about it")  # after any builds_on


@pytest.mark.parametrize("dialogue", [d.id for d in CONTENT.dialogues if d.kind != "prep"])
def test_talking_to_people_then_thats_it_is_a_note_in_every_dialogue(
    content: Content, dialogue: str
) -> None:
    """Review 12b: dialogues 2, 8 and 12 (a step with `given: [who]`) filed "I'll talk to
    people about it" with a picked check-in day while the others kept it as a note."""
    chat = at_commitment(content, dialogue)
    chat.say("I'll talk to people about it")
    if chat.state.dialogue is not None:
        chat.say("soon")  # dialogue 8's "when": still no day
    if chat.state.dialogue is not None:
        chat.say("that's it")
    assert chat.state.dialogue is None
    assert content.commitments.get("no_check_in") in chat.text()
    assert content.commitments.get("day_picked") not in chat.text()
    assert chat.state.commitments == ()


def test_talking_to_people_by_a_named_day_still_gets_its_check_in(content: Content) -> None:
    chat = at_commitment(content, "growing-leaders.lead-or-follow")
    chat.say("I'll talk to people about it by Friday")
    assert chat.state.dialogue is None
    assert chat.state.commitments[-1].text == "I'll talk to people about it by Friday"


def test_every_commitment_steps_own_example_needs_no_follow_up() -> None:
    """The example a leader sees under a commitment question passes the what/who/when check,
    after the example of the answer it builds on, less what the conversation gives (a prep's
    meeting tomorrow is the who and the when)."""
    for dialogue in CONTENT.dialogues:
        for step_id, step in dialogue.steps.items():
            if step.type != "commitment" or not step.placeholder:
                continue
            words = step.placeholder.removeprefix("e.g. ")
            if step.builds_on:
                base = next(s for s in dialogue.steps.values() if s.save_as == step.builds_on)
                words = f"{(base.placeholder or '').removeprefix('e.g. ')} — {words}"
            given = given_parts(dialogue, step)
            gaps = tuple(g for g in missing(words, FRI_27_NOV) if g not in given)
            assert gaps == (), (dialogue.id, step_id, step.placeholder)


def test_of_several_days_named_the_earliest_sets_the_check_in(content: Content) -> None:
    chat = at_commitment(content)
    chat.say("book coffee with Sam by Friday; review how I feel at the end of the month")
    assert planned(chat) == date(2026, 12, 1)  # the end of the month (Mon 30 Nov) comes first


def at_prep_step(content: Content, button: str) -> Chat:
    """A leader at the prep's commitment after pressing `button` at its choice."""
    chat = Chat(content, onboarded())
    chat.say("prep")
    for _ in range(5):
        awaiting = chat.state.awaiting
        assert awaiting is not None
        if awaiting.choices:
            chat.press(button)
            return chat
        chat.say("the rota")
    raise AssertionError("no choice reached")


def test_a_prep_question_to_ask_tomorrow_needs_no_follow_up(content: Content) -> None:
    chat = at_prep_step(content, "One good question")
    chat.say("what would make this safe to try for three months?")
    assert chat.state.dialogue is None
    assert content.commitments.get("as_written") not in chat.text()


def test_the_journal_says_which_conversation_a_commitment_came_from(content: Content) -> None:
    chat = at_commitment(content)
    chat.say("email Sam by Friday")
    chat.say("journal")
    title = content.dialogue(SETBACK).title  # type: ignore[union-attr]
    assert f"• “email Sam by Friday” · {title} · check-in Mon 7 Dec (open)" in chat.text()


def test_a_commitment_that_builds_on_the_change_named_asks_only_when(content: Content) -> None:
    """The review: "You want to try leave on time on wednesdays. What exactly will you do,
    who will you ask for support, and by when?" asked again for what was just said."""
    chat = Chat(content, onboarded())
    chat.say("start Where is your energy going?")
    for answer in ("back-to-back meetings", "1", "walking the wards"):
        chat.say(answer)
    chat.say("leave on time on wednesdays")
    chat.press("Nobody yet")
    assert chat.last is not None
    heard, question = chat.last.messages  # review 12b: "Nobody yet" got no reply at all
    assert "start with you" in message_text(heard)
    assert isinstance(question, Prompt)
    assert question.text.endswith("When will you start?")
    assert "> leave on time on wednesdays" in question.text  # quoted, not spliced in
    chat.say("next Wednesday")
    assert chat.state.dialogue is None
    assert chat.state.commitments[-1].text == "leave on time on wednesdays next Wednesday"
    assert planned(chat) == date(2026, 12, 3)  # Wed 2 Dec named: the day after


def test_a_supporter_chosen_is_asked_for_by_name(content: Content) -> None:
    """Review 12b, dialogue 8: every supporter choice went to the same "When will you start?"
    and never asked who."""
    chat = Chat(content, onboarded())
    chat.say("start Where is your energy going?")
    for answer in ("back-to-back meetings", "1", "walking the wards"):
        chat.say(answer)
    chat.say("leave on time on wednesdays")
    chat.press("A peer in the system")
    assert "Who, by name, will you ask to back you" in chat.text()
    chat.say("next Wednesday")
    assert content.commitments.gap(("who",)) in chat.text()
    chat.say("Priya")
    kept = chat.state.commitments[-1].text
    assert kept == "leave on time on wednesdays next Wednesday — Priya"


def test_a_talk_about_one_peer_asks_only_when_not_who(content: Content) -> None:
    """The review: "Who will you speak to first?" when the talk is about one named peer."""
    chat = at_commitment(content, "challenging-behaviour.sbi-prepare")
    chat.say("I'll talk to people about it.")
    assert content.commitments.gap(("when",)) in chat.text()


def test_a_prep_question_must_be_a_question(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.say("prep")
    chat.say("a yes to the pilot")
    chat.press("One good question")
    chat.say("I'll talk to people about it")
    assert content.commitments.gap(("question",)) in chat.text()
    chat.say("what would make this safe to try?")
    assert chat.state.dialogue is None
    assert chat.state.commitments[-1].text.endswith("what would make this safe to try?")


def test_a_prep_ally_with_no_person_or_time_is_asked_once(content: Content) -> None:
    chat = at_prep_step(content, "Someone onside first")
    chat.say(
        "the ward managers still ring me when things go wrong, the deputy COO thinks i'm a "
        "nuisance, and i can't just tell people any more"
    )
    assert chat.state.dialogue is not None  # no time before the meeting: asked once
    assert content.commitments.get("ask_before_meeting") in chat.text()
    chat.say("catch the deputy COO at 8.45")
    assert chat.state.dialogue is None


def test_a_person_with_no_start_day_is_asked_for_the_day(content: Content) -> None:
    """Review 12c, dialogue 8: "skip the 4pm bed meeting — my husband" was taken as dated."""
    assert missing("skip the 4pm bed meeting — my husband", FRI_27_NOV) == ("when",)
    assert missing("ring Sam at 4pm", FRI_27_NOV) == ()


def test_a_where_and_when_answers_a_question_that_names_the_action(content: Content) -> None:
    """Review 12c, dialogue 19: "at Wednesday's huddle, looking back Friday" is the plan."""
    chat = at_commitment(content, "unlearning.test-a-new-way")
    found = content.dialogue("unlearning.test-a-new-way")
    assert found is not None
    assert chat.state.dialogue is not None
    step = found.steps[chat.state.dialogue.step]
    assert "test it" in step.text
    chat.say("at Wednesday's huddle, looking back Friday")
    assert chat.state.dialogue is None
    assert content.commitments.get("ask_what") not in chat.text()


def test_a_dont_know_to_the_follow_up_keeps_the_commitment_as_it_was(content: Content) -> None:
    chat = at_commitment(content)
    chat.say("email Sam")
    assert content.commitments.gap(("when",)) in chat.text()
    chat.say("i don't know really")
    assert chat.state.dialogue is not None  # met, and asked once more (review 12f)
    chat.say("i don't know really")
    assert chat.state.dialogue is None
    assert chat.state.commitments == ()  # no day: a note, no check-in
    assert chat.state.reflections[-1].text == "email Sam"


def test_the_day_comes_from_the_commitment_not_the_earlier_answer_it_builds_on(
    content: Content,
) -> None:
    """Review 4, dialogues 8 and 13: "the CQC are in in six weeks" in the answer the
    commitment builds on set a check-in six weeks out for "I'll talk to people about it"."""
    chat = Chat(content, onboarded())
    chat.say("start What are we taking for granted?")
    for _ in range(12):  # bounded: the dialogue has fewer steps
        awaiting = chat.state.awaiting
        assert awaiting is not None
        if "By when will you have done it?" in chat.text():
            break
        if awaiting.choices:
            chat.press(awaiting.choices[0].label)
        elif "quickest, cheapest way" in chat.text():
            chat.say("ask two ward managers, the CQC are in in six weeks")
        else:
            chat.say("that the extra reviews will fit in")
    else:
        pytest.fail("never reached the commitment step")
    chat.say("I'll talk to people about it")
    assert chat.state.dialogue is not None  # asked for the day, not dated six weeks out
    assert "14 Jan" not in chat.text()
    chat.say("by Friday")
    assert chat.state.dialogue is None
    assert planned(chat) < date(2026, 12, 14)


# ------------------------------------------------------------------ review 4 (issue 12)


@pytest.mark.parametrize("dialogue", [d.id for d in CONTENT.dialogues])
def test_talking_to_people_after_the_one_follow_up_closes_as_a_note_in_every_dialogue(
    content: Content, dialogue: str
) -> None:
    """Review 4, dialogue 7: at "What is the first step, and by when?" the answer "I'll talk
    to people about it" was kept as a step with a picked day. Still vague after the one
    follow-up, it is a note: no check-in, no day invented, nothing that claims a step."""
    chat = at_commitment(content, dialogue)
    chat.say("think about it with Sam")
    assert chat.state.dialogue is not None  # the one follow-up question
    chat.say("I'll talk to people about it")
    assert chat.state.dialogue is None
    said = chat.text()
    assert content.commitments.get("no_check_in") in said
    assert content.commitments.get("day_picked") not in said
    assert "how it went" not in said
    assert chat.state.commitments == ()
    assert chat.state.reflections[-1].text.endswith("I'll talk to people about it")


def test_a_named_person_and_a_day_after_the_follow_up_still_make_a_commitment(
    content: Content,
) -> None:
    chat = at_commitment(content)
    chat.say("think about it with Sam")
    chat.say("I'll talk to people about it on Thursday")
    assert chat.state.dialogue is None
    assert planned(chat) == date(2026, 12, 4)  # the day after Thursday 3 Dec


def test_a_default_day_is_said_to_be_picked_in_plain_words(content: Content) -> None:
    """Issue 12 §2: no invented day unless the dialogue's default applies and the closing
    says one was picked, and when (review 12f: not "this conversation's default")."""
    chat = at_commitment(content)
    chat.say("email Sam")
    chat.say("that's it")
    assert planned(chat) == working_day_from(FRI_27_NOV + timedelta(days=5))
    assert "picked" in content.commitments.get("day_picked")
    assert content.commitments.get("day_picked") in chat.text()
    assert "how it went on" in chat.text()


def test_a_day_after_tomorrows_meeting_is_questioned_once(content: Content) -> None:
    """Review 4, dialogue 3: "I'll speak to Sam by Friday" for a meeting tomorrow was kept
    with a check-in after Friday, as if Friday came before the meeting."""
    chat = at_prep_step(content, "Someone onside first")
    chat.say("I'll speak to Sam by Friday")
    assert chat.state.dialogue is not None
    question = content.commitments.get("date_after_meeting").format(day="Fri 4 Dec")
    assert chat.text() == question
    chat.say("catch him at 8.45 before it starts")
    assert chat.state.dialogue is None
    kept = chat.state.commitments[-1]
    assert kept.text == "I'll speak to Sam — catch him at 8.45 before it starts"
    assert kept.due_on == date(2026, 11, 30)  # tomorrow is Sat 28 Nov: the next working day


def test_a_day_after_the_meeting_never_stands_even_when_the_leader_says_so(
    content: Content,
) -> None:
    """Review 12g: a prep for tomorrow that ends with a step after tomorrow is no prep."""
    chat = at_prep_step(content, "Someone onside first")
    chat.say("I'll speak to Sam by Friday")
    chat.say("that's fine")
    assert chat.state.dialogue is None
    assert chat.state.commitments[-1].text == "I'll speak to Sam — before the meeting"
    assert planned(chat) == date(2026, 11, 30)  # tomorrow is Sat 28 Nov: the next working day


def test_a_day_before_the_meeting_is_not_questioned(content: Content) -> None:
    chat = at_prep_step(content, "Someone onside first")
    chat.say("speak to Sam tomorrow at 8.45")
    assert chat.state.dialogue is None
    assert "after tomorrow's meeting" not in chat.text()


def test_the_habit_test_asks_its_own_follow_up_not_a_generic_who(content: Content) -> None:
    """Review 4, dialogue 19: "I'll talk to people about it" at "Where and when will you test
    it?" got "Who will you speak to first, and when?", which turned a habit test into a
    talk. The dialogue's own follow-up asks which meeting and which day."""
    dialogue = content.dialogue("unlearning.test-a-new-way")
    assert dialogue is not None
    chat = at_commitment(content, dialogue.id)
    assert chat.state.dialogue is not None
    step = dialogue.steps[chat.state.dialogue.step]
    assert step.follow_up is not None
    chat.say("I'll talk to people about it")
    assert chat.text() == step.follow_up
    assert content.commitments.get("ask_who_when") not in chat.text()
    chat.say("Wednesday's programme board")
    assert chat.state.dialogue is None
    assert planned(chat) == date(2026, 12, 3)  # the day after Wed 2 Dec


def test_the_habit_test_needs_no_person() -> None:
    dialogue = CONTENT.dialogue("unlearning.test-a-new-way")
    assert dialogue is not None
    step = next(s for s in dialogue.steps.values() if s.type == "commitment")
    assert "who" in given_parts(dialogue, step)


def test_a_prep_check_in_comes_after_tomorrows_meeting_not_on_its_morning(
    content: Content,
) -> None:
    """Walked on Wed 2 Dec in the console, "catch Sam at 8.45" got "I'll ask how it went on
    Thu 3 Dec": the meeting day, at a nudge time that may come before the meeting."""
    chat = Chat(content, onboarded(), at=AT - timedelta(days=2))  # Wed 25 Nov
    chat.say("prep")
    chat.say("a yes to the pilot")
    chat.press("Someone onside first")
    chat.say("catch Sam at 8.45 outside the board room")
    assert chat.state.dialogue is None
    assert planned(chat) == date(2026, 11, 27)  # Fri, the day after Thursday's meeting


def test_a_day_given_where_a_name_was_asked_is_not_asked_for_again(content: Content) -> None:
    """Review 4, dialogue 6: "I'll speak to Sam by Friday" at "Who is it?", then "When will
    you get in touch…", then "When will you do it?": the when asked twice."""
    chat = Chat(content, onboarded())
    chat.say("start After your role has changed")
    chat.say("my post went in the restructure")
    chat.press("Loss or sadness")
    chat.say("not knowing what I am for")
    chat.say("untangling discharge problems")
    chat.press("Someone I trust")
    chat.say("I'll speak to Sam by Friday")  # review 12g: the person and the day, asked once
    assert chat.state.dialogue is None
    kept = chat.state.commitments[-1]
    assert kept.text == "I'll speak to Sam by Friday"
    assert kept.due_on == date(2026, 12, 7)  # the working day after Fri 4 Dec
    assert chat.text().endswith("I'll ask how it went on Mon 7 Dec.")


def test_people_at_a_who_question_is_nobody_even_after_a_board_was_named(
    content: Content,
) -> None:
    """Walked in the console: the change "a ward walk after the Tuesday board", then "I'll
    talk to people about it" at "Who, by name, will you ask to back you?" was taken as
    naming someone (the board) and got a default check-in."""
    chat = Chat(content, onboarded())
    chat.say("start Where is your energy going?")
    for answer in ("back-to-back meetings", "1", "walking the wards"):
        chat.say(answer)
    chat.say("a ward walk after the Tuesday board")
    chat.press("A peer in the system")
    chat.say("I'll talk to people about it")
    assert content.commitments.gap(("who", "when")) in chat.text()
    chat.say("that's it")
    assert chat.state.dialogue is None
    assert chat.state.commitments == ()
    assert content.commitments.get("no_check_in") in chat.text()


# ------------------------------------------------------------------ a meeting without its day


@pytest.mark.parametrize(
    ("said", "meeting"),
    [
        ("book 20 minutes with Sam before the next board", "board"),
        ("ask Sam after the next board", "board"),
        ("ask the team at the next huddle", "huddle"),
        ("brief Priya before the next ICB meeting", "ICB meeting"),
    ],
)
def test_a_meeting_named_without_its_day_gets_asked_which_day(
    content: Content, said: str, meeting: str
) -> None:
    """Review 12g: "before the next board" got "When will you do it? …"; ask once which
    day the meeting is, and read the day from the answer."""
    chat = at_commitment(content)
    chat.say(said)
    assert chat.state.dialogue is not None
    question = content.commitments.get("ask_meeting_day")
    assert chat.text() == question.format(meeting=f"the next {meeting}")
    assert chat.text().startswith(f"Which day is the next {meeting}?")
    chat.say("Thursday")
    assert chat.state.dialogue is None
    assert planned(chat) == date(2026, 12, 4)  # the day after Thursday 3 Dec
    assert closing_date_line(date(2026, 12, 4)) in chat.text()
    assert content.commitments.get("day_picked") not in chat.text()
    assert chat.state.commitments[-1].text.startswith(said)


@pytest.mark.parametrize("answer", ["not sure", "that's it", "whenever it is"])
def test_a_meetings_day_still_unknown_takes_the_default_and_says_so(
    content: Content, answer: str
) -> None:
    chat = at_commitment(content)
    chat.say("book 20 minutes with Sam before the next board")
    chat.say(answer)
    assert chat.state.dialogue is None
    assert planned(chat) == working_day_from(FRI_27_NOV + timedelta(days=5))
    assert content.commitments.get("day_picked") in chat.text()
    assert chat.state.commitments[-1].text == "book 20 minutes with Sam before the next board"


def test_a_meeting_with_its_day_is_not_asked_about(content: Content) -> None:
    chat = at_commitment(content)
    chat.say("ask Sam after Tuesday's board")
    assert chat.state.dialogue is None
    assert planned(chat) == date(2026, 12, 2)  # the day after Tue 1 Dec
