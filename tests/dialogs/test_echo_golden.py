"""Golden echoes: every path of every dialogue, walked with five styles of answer, and every
question that quotes an earlier answer, as the leader sees it.

Each dialogue's file under tests/dialogs/golden/echoes/ lists, per answer style, each question
that quotes an answer (once, however many paths reach it). After a deliberate change to
content or to dialogs/echoes.py, regenerate and read the diff before committing:

    UPDATE_GOLDEN=1 .venv/bin/pytest -q tests/dialogs/test_echo_golden.py

Whatever the golden files say, the rules below hold on every path: no placeholder is left,
a long answer never appears inside a sentence, shouting never comes back, and acronyms and
names keep their capitals.
"""

import os
from pathlib import Path

import pytest

from dialogs.content_model import Content, Dialogue, Step
from dialogs.echoes import AnswerKind, names_in
from tests.dialogs.chat import Chat, onboarded
from tests.dialogs.test_every_path import CONTENT, paths

GOLDEN = Path(__file__).parent / "golden" / "echoes"
COMMITMENT = "I will ask Sam for 20 minutes on Friday"
BEFORE_THE_MEETING = "I will ask Sam for 20 minutes tomorrow"  # a prep: before it, not after
QUESTION = "what would Sam need to say yes?"  # a commitment step that expects a question
TAIL = ", and honestly it has been like this since the restructure last spring and nobody owns it"
# A step's own example answer (its placeholder) is the short answer; without one, these.
EXAMPLES: dict[AnswerKind, str] = {
    "name": "Sam",
    "short": "the winter discharge plan",
    "long": "nobody asked the wards first",
}
STYLES = ("long", "short", "lower", "caps", "acronym")


def answer(step: Step, style: str) -> str:
    """What a leader types at `step` in this style: long, short, lower-case, all capitals,
    or with an acronym in it."""
    example = (step.placeholder or "").removeprefix("e.g.").strip() or EXAMPLES[step.answer]
    example = example[:1].upper() + example[1:]
    match style:
        case "long":
            return example + TAIL
        case "lower":
            return example.lower()
        case "caps":
            return example.upper()
        case "acronym":
            return example + " (ICS)"
    return example


def walk(content: Content, dialogue: Dialogue, style: str) -> list[tuple[str, str]]:
    """(step id, what the leader saw) for each question quoting an answer, on every path."""
    seen: list[tuple[str, str]] = []
    for path in paths(dialogue):
        chat = Chat(content, onboarded())
        chat.say(f"start {dialogue.title}")
        for step_id, choice in path:
            step = dialogue.steps[step_id]
            if any(names_in(t) for t in (step.text, *(c.reply or "" for c in step.choices))):
                seen.append((step_id, chat.text()))
            if choice is not None:
                chat.press(step.choices[choice].label)
            elif step.type == "commitment":
                commitment = BEFORE_THE_MEETING if dialogue.kind == "prep" else COMMITMENT
                chat.say(QUESTION if step.expects == "question" else commitment)
            else:
                chat.say(answer(step, style))
        assert chat.state.dialogue is None, "the walk did not reach the end"
    return list(dict.fromkeys(seen))


def render(dialogue: Dialogue) -> str:
    parts = [f"# {dialogue.id}: questions that quote an answer, per answer style\n"]
    for style in STYLES:
        parts.append(f"\n## {style}\n")
        for step_id, text in walk(CONTENT, dialogue, style):
            parts.append(f"\n[{step_id}]\n{text}\n")
    return "".join(parts)


@pytest.mark.parametrize("dialogue", CONTENT.dialogues, ids=lambda d: d.id)
def test_echoes_match_the_golden_file(dialogue: Dialogue) -> None:
    path = GOLDEN / f"{dialogue.id}.txt"
    text = render(dialogue)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text, (
        f"echoes of {dialogue.id} changed; read the diff, then regenerate with "
        "UPDATE_GOLDEN=1 .venv/bin/pytest -q tests/dialogs/test_echo_golden.py"
    )


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("dialogue", CONTENT.dialogues, ids=lambda d: d.id)
def test_echoes_read_well_on_every_path(dialogue: Dialogue, style: str) -> None:
    for step_id, text in walk(CONTENT, dialogue, style):
        where = f"{dialogue.id}#{step_id} ({style}): {text!r}"
        assert "{" not in text, where
        for line in text.split("\n"):
            if line.startswith("> "):
                assert len(line) <= 2 + 90 + 1, where  # a quote is trimmed at about 90
                assert not any(w.isupper() and len(w) > 5 for w in line.split()), where
                continue
            assert TAIL[2:30] not in line, where  # a long answer is never pasted mid-sentence
            words = [w.strip(",.?:()") for w in line.split()]
            shouted = [w for w in words if w.isupper() and len(w) > 5]
            assert not shouted, where  # shouting never comes back
            if style == "acronym" and "(" in line:
                assert "(ICS)" in line, where  # an acronym keeps its capitals
