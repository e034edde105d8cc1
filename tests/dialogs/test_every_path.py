"""Generated: every path of every dialogue in content/, walked through the engine."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from dialogs.content import load_content
from dialogs.content_checks import question_range
from dialogs.content_model import Content, Dialogue
from tests.dialogs.chat import Chat, onboarded

CONTENT = load_content(Path(__file__).resolve().parents[2] / "content")
Path_ = tuple[tuple[str, int | None], ...]  # (step id, choice index or None)


def paths(dialogue: Dialogue, step_id: str | None = None) -> Iterator[Path_]:
    step = dialogue.steps[step_id or dialogue.start]
    if step.type == "end":
        yield ()
    elif step.type == "choice":
        for index, choice in enumerate(step.choices):
            for rest in paths(dialogue, choice.next):
                yield ((step.id, index), *rest)
    else:
        for rest in paths(dialogue, step.next):
            yield ((step.id, None), *rest)


CASES = [
    pytest.param(d, p, id=f"{d.id}:{'>'.join(f'{s}{"" if i is None else i}' for s, i in p)}")
    for d in CONTENT.dialogues
    for p in paths(d)
]


@pytest.mark.parametrize(("dialogue", "path"), CASES)
def test_walk_a_path(content: Content, dialogue: Dialogue, path: Path_) -> None:
    low, high = question_range(dialogue)  # 3 to 6; a `kind: prep` 2 to 3
    assert low <= len(path) <= high
    chat = Chat(content, onboarded())
    chat.say(f"start {dialogue.title}")
    by = "tomorrow" if dialogue.kind == "prep" else "by Friday"  # a prep's meeting: tomorrow
    for number, (step_id, choice) in enumerate(path):
        assert chat.state.dialogue is not None
        assert chat.state.dialogue.step == step_id
        assert "{" not in chat.text(), chat.text()  # every placeholder was filled
        step = dialogue.steps[step_id]
        if choice is None and step.type == "commitment" and step.expects == "question":
            chat.say(f"what would Sam need {by} ({number})?")  # as they will ask it
        elif choice is None and step.type == "commitment":
            chat.say(f"email Sam {by} ({number})")  # what, who and when: no follow-up
        elif choice is None:
            chat.say(f"answer {number} on {step_id}")
        else:
            chat.press(dialogue.steps[step_id].choices[choice].label)
    assert chat.state.dialogue is None
    assert chat.state.history[-1].outcome == "completed"
    texts = [s for s, i in path if i is None and dialogue.steps[s].type == "text"]
    commitments = [s for s, i in path if i is None and dialogue.steps[s].type == "commitment"]
    assert len(chat.state.reflections) == len(texts)
    assert len(chat.state.commitments) == len(commitments) >= 1


def test_every_dialogue_has_at_least_one_branch() -> None:
    for dialogue in CONTENT.dialogues:
        assert sum(1 for _ in paths(dialogue)) > 1, dialogue.id
