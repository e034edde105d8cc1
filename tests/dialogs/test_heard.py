"""The words that get "That sounds hard." before a suggestion are content: each dialogue's
`routing: feelings:` (brief for issue 12: moved out of dialogs/heard.py), read the way the
rule in code read them, and checked by `content check`."""

from pathlib import Path

import pytest

from dialogs import heard, texts
from dialogs.content import check_content
from dialogs.content_model import Content
from tests.dialogs.test_content import copy_of_content

HEARD = [
    "I'm exhausted",
    "totally knackered after the board",
    "burnt out by the rota",
    "burning out",
    "heading for burnout",
    "worn  out",
    "fed up with the ICS",
    "gutted about the bid",
    "furious with the chair",
    "they keep undermining me",
    "she undermined me in the huddle",
    "nobody listens to me",
    "they went over my head",
    "I've lost my job title",
    "I was made redundant",
    "I've been restructured out",
    "dreading tomorrow",
]
NOT_HEARD = ["board tomorrow", "how do I get buy-in", "tiredness", "worn outside", "burn"]


@pytest.mark.parametrize("said", HEARD)
def test_a_feeling_is_met(content: Content, said: str) -> None:
    assert heard.acknowledgement(said, content.dialogues) == texts.SOUNDS_HARD


@pytest.mark.parametrize("said", NOT_HEARD)
def test_a_plain_message_is_not(content: Content, said: str) -> None:
    assert heard.acknowledgement(said, content.dialogues) is None


def test_the_words_are_not_in_the_code() -> None:
    source = Path(heard.__file__).read_text()
    assert "exhausted" not in source.split('"""', 2)[2]  # past the docstring


def test_each_feeling_is_declared_by_the_dialogue_it_routes_to(content: Content) -> None:
    energy = content.dialogue("resilience.energy-audit")
    assert energy is not None
    assert "exhausted" in energy.feelings


def _problems_with(tmp_path: Path, feeling: str) -> list[str]:
    folder = copy_of_content(tmp_path)
    path = folder / "dialogues" / "resilience.after-a-setback.yaml"
    text = path.read_text()
    path.write_text(text.replace("  feelings:\n", f"  feelings:\n    - {feeling!r}\n", 1))
    _, problems = check_content(folder)
    return [str(p) for p in problems if p.severity == "error"]


@pytest.mark.parametrize("bad", ["wor*n out", "ab*", "upset!", "fed up?"])
def test_content_check_names_a_badly_written_feeling(tmp_path: Path, bad: str) -> None:
    said = _problems_with(tmp_path, bad)
    assert len(said) == 1, said
    assert f"routing: feeling {bad!r} must be lowercase words" in said[0]
    assert "e.g. `worn out` or `undermin*`" in said[0]


def test_content_check_asks_for_lowercase(tmp_path: Path) -> None:
    said = _problems_with(tmp_path, "Upset")
    assert len(said) == 1, said
    assert "'Upset' in `feelings` must be lowercase; write it as 'upset'" in said[0]
