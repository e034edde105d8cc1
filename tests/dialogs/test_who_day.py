"""A day already given where a commitment's person was asked ("Who is it? A name or a role
is enough." answered "lunch with Sam on Friday, just to talk it through") is the
commitment's day: "When will you…" is not asked again (review 12g, dialogue 6). A golden
walk over every dialogue whose commitment follows such a who-answer."""

import string
from datetime import date

import pytest

from dialogs import texts
from dialogs.content_model import Content, Dialogue
from tests.dialogs.chat import Chat, onboarded
from tests.dialogs.test_every_path import CONTENT, Path_, paths

WHO_ANSWER = "lunch with Sam on Friday, just to talk it through"
CONFIRM = "Lunch with Sam on Friday, just to talk it through — " + texts.FOLLOW_UP_PLANNED.format(
    day="Mon 7 Dec"
)  # AT is Fri 27 Nov: Friday is Fri 4 Dec, and the working day after it Mon 7 Dec


def _uses(dialogue: Dialogue, name: str) -> list[str]:
    """The commitment steps that build on, or echo, the answer saved as `name`."""
    return [
        s.id
        for s in dialogue.steps.values()
        if s.type == "commitment"
        and (s.builds_on == name or name in {f for _, f, _, _ in string.Formatter().parse(s.text)})
    ]


def _cases() -> list[object]:
    cases = []
    for dialogue in CONTENT.dialogues:
        for who in (s for s in dialogue.steps.values() if s.answer == "name" and s.save_as):
            commitments = _uses(dialogue, who.save_as or "")
            for path in paths(dialogue):
                ids = [step for step, _ in path]
                if who.id in ids and any(c in ids[ids.index(who.id) :] for c in commitments):
                    cases.append(
                        pytest.param(dialogue, who.id, path, id=f"{dialogue.id}:{who.id}")
                    )
                    break
    return cases


CASES = _cases()


def test_the_walk_covers_the_dialogues_that_ask_who_then_when() -> None:
    covered = {c.values[0].id for c in CASES}  # type: ignore[attr-defined]
    assert "growing-leaders.lead-or-follow" in covered  # the role change asks who and when at once


@pytest.mark.parametrize(("dialogue", "who", "path"), CASES)
def test_a_who_answer_with_a_day_is_the_commitment(
    content: Content, dialogue: Dialogue, who: str, path: Path_
) -> None:
    chat = Chat(content, onboarded())
    chat.say(f"start {dialogue.title}")
    for step_id, choice in path:
        if chat.state.dialogue is None:
            break
        assert chat.state.dialogue.step == step_id
        step = dialogue.steps[step_id]
        assert step.type != "commitment", f"{step_id} was asked after the day was given"
        if step_id == who:
            chat.say(WHO_ANSWER)
        elif choice is None:
            chat.say(f"the ward managers on {step_id}")
        else:
            chat.press(step.choices[choice].label)
    assert chat.state.dialogue is None
    said = chat.text()
    assert "when will" not in said.lower()
    assert "by when" not in said.lower()
    kept = chat.state.commitments[-1]
    assert kept.text == WHO_ANSWER
    assert kept.due_on == date(2026, 12, 7)
    assert said.splitlines()[-1] == CONFIRM  # one line: the step and its day


def test_a_who_answer_with_only_a_day_still_asks_the_step_but_not_its_day(
    content: Content,
) -> None:
    """ "Priya, on Thursday" at "Who else could lead this?": what to try with her is still
    to say, but not when."""
    chat = Chat(content, onboarded())
    chat.say("start Lead it, or let someone else?")
    chat.say("the discharge work")
    chat.press("Step back for someone else")
    assert chat.state.dialogue is not None
    assert chat.state.dialogue.step == "who"
    chat.say("Priya, on Thursday")
    for _ in range(4):  # the questions between: not about the day
        assert chat.state.dialogue is not None
        if chat.state.dialogue.step == "commit":
            break
        awaiting = chat.state.awaiting
        assert awaiting is not None
        if awaiting.choices:
            chat.press(awaiting.choices[0].label)
        else:
            chat.say("she asks for my view less")
    assert chat.state.dialogue is not None
    assert chat.state.dialogue.step == "commit"
    assert chat.text().startswith("What will you try with Priya?")  # not "and by when?"
    chat.say("ask her to chair the huddle")
    assert chat.state.dialogue is None
    assert content.commitments.get("ask_when") not in chat.text()
    kept = chat.state.commitments[-1]
    assert kept.due_on == date(2026, 12, 4)  # the day after Thu 3 Dec
