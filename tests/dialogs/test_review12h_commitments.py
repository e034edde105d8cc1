"""Review 12h: commitments that are only kept when they are a step. A "not sure" is never
the step's words; a bare name at a prep's who-question is the person; an answer at the
follow-up that is neither a time nor an action is not glued into the step; a long earlier
answer is not glued to the front of the step that builds on it."""

from collections.abc import Callable
from datetime import date
from itertools import pairwise

import pytest

from dialogs import texts
from dialogs.commitment_check import names_someone
from dialogs.content import load_content
from dialogs.content_model import Content, Dialogue
from dialogs.model import FollowUpPlanned
from tests.conftest import CONTENT_DIR
from tests.dialogs.chat import Chat, onboarded

CONTENT = load_content(CONTENT_DIR)


def planned_days(chat: Chat) -> list[date]:
    assert chat.last is not None
    return [e.due_on for e in chat.last.effects if isinstance(e, FollowUpPlanned)]


def on_side_not_sure(content: Content, teller: str) -> Chat:
    """Dialogue 2 down "Not sure yet" to "When will you ask {teller}…?"."""
    chat = Chat(content, onboarded())
    chat.say("start Who do you need on side?")
    chat.say("single discharge hub")
    chat.say("the council director")
    chat.say("beds")
    chat.press("Not sure yet")
    chat.say(teller)
    progress = chat.state.dialogue
    assert progress is not None
    assert progress.step == "commit-ask"
    return chat


def test_not_sure_at_a_commitment_is_not_its_words(content: Content) -> None:
    chat = on_side_not_sure(content, "i'll talk to people about it")
    chat.say("not sure")
    assert chat.state.dialogue is not None  # one follow-up, for the step itself
    chat.say("next week")
    assert chat.state.dialogue is None
    assert chat.state.commitments == ()
    assert planned_days(chat) == []
    assert content.commitments.get("nothing_kept") in chat.text()  # a day alone: no note
    assert all("not sure" not in r.text for r in chat.state.reflections)
    assert all(r.text != "next week" for r in chat.state.reflections)


def test_after_not_sure_a_step_with_its_day_is_kept_alone(content: Content) -> None:
    chat = on_side_not_sure(content, "the AMU matron")
    chat.say("no idea")
    chat.say("ask her after Monday's huddle")
    assert [c.text for c in chat.state.commitments] == ["ask her after Monday's huddle"]
    assert len(planned_days(chat)) == 1


def at_prep_ally(content: Content) -> Chat:
    """`prep` ("Before a big meeting tomorrow", on Fri 27 Nov) down "Someone onside first"."""
    chat = Chat(content, onboarded())
    chat.say("start Before a big meeting tomorrow")
    chat.say("a yes to the hub")
    chat.press("Someone onside first")
    return chat


@pytest.mark.parametrize("name", ["Sam", "Priya Shah"])
def test_a_name_alone_at_a_prep_who_question_is_the_whole_step(
    content: Content, name: str
) -> None:
    chat = at_prep_ally(content)
    chat.say(name)
    assert chat.state.dialogue is None  # no follow-up
    assert [c.text for c in chat.state.commitments] == [f"catch {name} before the meeting"]
    # the meeting is tomorrow, Sat 28 Nov: the working day after it is Mon 30 Nov
    assert planned_days(chat) == [date(2026, 11, 30)]
    assert content.commitments.get("day_picked") not in chat.text()
    assert content.commitments.get("as_written") not in chat.text()


@pytest.mark.parametrize(
    "said", ["she'll want to know it won't wreck her ED numbers over winter", "x"]
)
def test_a_follow_up_answer_with_no_time_action_or_name_is_not_glued_in(
    content: Content, said: str
) -> None:
    chat = at_prep_ally(content)
    chat.say("Priya in finance")
    assert chat.state.dialogue is not None  # when?
    chat.say(said)
    assert chat.state.dialogue is None
    assert chat.state.commitments == ()
    assert planned_days(chat) == []
    assert all(said not in r.text for r in chat.state.reflections)


def test_a_follow_up_time_completes_a_named_prep_step(content: Content) -> None:
    chat = at_prep_ally(content)
    chat.say("Priya in finance")
    chat.say("at 8.45")
    assert [c.text for c in chat.state.commitments] == ["Priya in finance at 8.45"]


@pytest.mark.parametrize("first", ["x", "A3", "q"])
def test_a_letter_or_code_never_becomes_a_commitment(content: Content, first: str) -> None:
    chat = at_prep_ally(content)
    chat.say(first)
    chat.say("x")
    assert chat.state.dialogue is None
    assert chat.state.commitments == ()
    assert planned_days(chat) == []
    assert [r.text for r in chat.state.reflections] == ["a yes to the hub"]  # no note of "x"
    assert content.commitments.get("nothing_kept") in chat.text()


LONG = (
    "honestly the ICB quality team, they keep reinventing things we did in 2019 and no, "
    "i've never told them"
)
STEP = "ask Sam for ten minutes on Thursday"


def path_to(dialogue: Dialogue, target: str) -> list[str]:
    """The step ids from the dialogue's start to `target`, breadth first."""
    paths = {dialogue.start: [dialogue.start]}
    queue = [dialogue.start]
    while queue:
        here = queue.pop(0)
        if here == target:
            return paths[here]
        for after in dialogue.steps[here].successors():
            if after not in paths:
                paths[after] = [*paths[here], after]
                queue.append(after)
    raise AssertionError(f"{target} cannot be reached")


BUILDS_ON = [
    (d.id, s.id)
    for d in CONTENT.dialogues
    for s in d.steps.values()
    if s.type == "commitment" and s.builds_on
]


@pytest.mark.parametrize(("dialogue_id", "step_id"), BUILDS_ON)
def test_a_long_earlier_answer_is_not_glued_to_the_step(
    content: Content, dialogue_id: str, step_id: str
) -> None:
    """Golden walk: every commitment step that builds on an earlier answer, reached with a
    long answer there, keeps only the step and its day (review 12h, dialogue 9)."""
    dialogue = content.dialogue(dialogue_id)
    assert dialogue is not None
    target = dialogue.steps[step_id]
    path = path_to(dialogue, step_id)
    chat = Chat(content, onboarded())
    chat.say(f"start {dialogue.title}")
    for here, after in pairwise(path):
        progress = chat.state.dialogue
        assert progress is not None
        assert progress.step == here, (progress.step, here)
        step = dialogue.steps[here]
        if step.type == "choice":
            chat.press(next(c.label for c in step.choices if c.next == after))
        else:
            chat.say(LONG if step.save_as == target.builds_on else "the winter rota")
    chat.say(STEP)
    assert chat.state.dialogue is None or chat.state.dialogue.step != step_id
    assert [c.text for c in chat.state.commitments] == [STEP]


def post_changed(content: Content, branch: str) -> Chat:
    chat = Chat(content, onboarded())
    chat.say("start Your post has changed. What next?")
    chat.say("at risk")
    chat.say("whether to apply")
    chat.press(branch)
    return chat


def test_dialogue_9_keeps_only_the_step_and_the_day_given_at_the_follow_up(
    content: Content,
) -> None:
    chat = post_changed(content, "Stay and find a new way in")
    chat.say("getting GPs and the trust talking")
    chat.say(LONG)
    chat.say("ask the ICB director of nursing for 20 minutes")
    chat.say("by Friday")
    kept = [c.text for c in chat.state.commitments]
    assert kept == ["ask the ICB director of nursing for 20 minutes by Friday"]
    assert planned_days(chat) == [date(2026, 12, 7)]  # Fri 4 Dec: the working day after


@pytest.mark.parametrize("then", ["that's it", "x", "soon"])
def test_a_code_at_dialogue_9s_find_out_step_is_no_commitment(content: Content, then: str) -> None:
    chat = post_changed(content, "Honestly, I don't know")
    chat.say("calming the winter escalation call")
    chat.say("A3")
    assert content.commitments.get("day_picked") not in chat.text()
    chat.say(then)
    assert chat.state.dialogue is None
    assert chat.state.commitments == ()
    assert planned_days(chat) == []
    assert all("A3" not in r.text for r in chat.state.reflections)


def at_role_change_support(content: Content) -> Chat:
    chat = Chat(content, onboarded())
    chat.say("start After your role has changed")
    chat.say("my post went in the restructure")
    chat.press("Ready to move on")
    chat.say("helping new matrons")
    assert "Who could you talk that through with" in chat.text()
    return chat


def at_energy_support(content: Content) -> Chat:
    chat = Chat(content, onboarded())
    chat.say("start Where is your energy going?")
    chat.say("back-to-back meetings")
    chat.press("Running low")
    chat.say("walking the wards")
    chat.say("a ward walk on Wednesday mornings")
    assert "Who could you ask to support you" in chat.text()
    return chat


@pytest.mark.parametrize(
    ("reach", "said", "picked", "kept"),
    [
        (
            at_role_change_support,
            "lunch with Sam on Friday",
            "Someone I trust",
            "lunch with Sam on Friday",
        ),
        (
            at_energy_support,
            "I'll speak to Sam by Friday",
            "A peer in the system",
            "a ward walk on Wednesday mornings — I'll speak to Sam by Friday",
        ),
    ],
)
def test_a_person_and_a_day_at_a_who_choice_is_the_choice_and_the_step(
    content: Content, reach: Callable[[Content], Chat], said: str, picked: str, kept: str
) -> None:
    chat = reach(content)
    chat.say(said)
    assert texts.DIDNT_CATCH_DIALOGUE not in chat.text()
    assert chat.state.dialogue is None
    assert [c.text for c in chat.state.commitments] == [kept]
    assert planned_days(chat) == [date(2026, 12, 7)]  # Fri 4 Dec: the working day after
    assert chat.state.history[-1].outcome == "completed"
    pressed = reach(content)  # the same as pressing that option, then typing the step
    pressed.press(picked)
    pressed.say(said)
    assert [c.text for c in pressed.state.commitments] == [kept]


@pytest.mark.parametrize("said", ["Sam", "I'll talk to people on Friday"])
def test_a_who_choice_without_a_person_and_a_day_is_asked_again(
    content: Content, said: str
) -> None:
    chat = at_role_change_support(content)
    chat.say(said)
    assert chat.state.dialogue is not None
    assert chat.state.commitments == ()
    assert chat.labels()[0] == "Someone I trust"


@pytest.mark.parametrize(
    ("said", "named"),
    [
        ("Sam", True),
        ("Priya in finance", True),
        ("the matron", True),
        ("Next week", False),
        ("Lunch on Friday", False),
        ("she'll want to know it won't wreck her ED numbers", False),
        ("people", False),
    ],
)
def test_who_a_follow_up_answer_names(said: str, named: bool) -> None:
    assert names_someone(said) is named


def test_a_when_alone_is_kept_with_what_the_question_quoted(content: Content) -> None:
    """Review 8, "Have the real conversation first": "before the next board" was kept as the
    whole commitment, and the check-in asked how "before the next board" went."""
    chat = Chat(content, onboarded())
    chat.say("start Have the real conversation first")
    chat.say("we can't do the CIP without cutting registered nurse hours")
    chat.press("The chair")
    chat.say("a heads-up")
    chat.say("I don't think we can deliver this safely")
    chat.press("We raise it together")
    chat.say("before the next board")
    chat.say("Thursday")
    kept = chat.state.commitments[-1]
    said = "I don't think we can deliver this safely"
    assert kept.text == f"{said} before the next board on Thursday"
    assert kept.due_on == date(2026, 12, 4)
