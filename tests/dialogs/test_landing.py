"""Review 12e, the faults still open after i12-listen: whose problem it is, first contact, the
prep question branch, a bare number at a free-text question, the post-changed decision, and
the smaller wording faults. Each test walks the engine as a leader would."""

import pytest

from dialogs.content import load_content
from dialogs.content_model import Content
from tests.conftest import CONTENT_DIR
from tests.dialogs.chat import Chat, onboarded
from tests.dialogs.test_every_path import paths

CONTENT = load_content(CONTENT_DIR)
WICKED = "wicked-problems.tame-or-wicked"
CARRY = "yours to carry"


@pytest.mark.parametrize("path", list(paths(CONTENT.dialogue(WICKED))))  # type: ignore[arg-type]
def test_whose_problem_asks_what_is_yours_before_the_first_step(path: tuple) -> None:
    """On every path, the question just before the commitment asks which part is the
    leader's to carry and which they could hand back or stop holding."""
    dialogue = CONTENT.dialogue(WICKED)
    assert dialogue is not None
    before_commitment = [s for s, _ in path][-2]
    step = dialogue.steps[before_commitment]
    assert step.type == "text"
    assert CARRY in step.text
    assert "stop holding" in step.text
    assert step.text.rstrip().endswith("?")


def test_known_fix_asks_rather_than_tells(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.say("start Whose problem is it?")
    chat.say("delayed discharges")
    chat.press("Known fix, not yet done")
    said = chat.text()
    assert "Then it may need the right person" not in said
    assert chat.last is not None
    assert len(chat.last.messages) == 1, said  # the question alone, no line of advice first
    assert "?" in said


def test_whose_problem_walk_with_the_reviewers_answer(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.say("start Whose problem is it?")
    chat.say("nursing workforce gaps")
    chat.press("Known fix, not yet done")
    chat.say("the chief people officer")
    chat.press("No, they wouldn't")
    assert CARRY in chat.text()
    chat.say("the rota gaps are mine; the budget and recruitment sit with HR")
    assert "first step" in chat.text()
    assert chat.state.reflections[-1].text.startswith("the rota gaps are mine")
