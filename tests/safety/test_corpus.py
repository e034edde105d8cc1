"""Every message of the labelled corpus gets the level it is labelled with.

The corpus (corpus.yaml) was written before the rules; `python -m bench safety` turns the
same corpus into recall per level and a false-alarm rate."""

from pathlib import Path

import pytest
import yaml

from dialogs.content_model import Content
from dialogs.screening import distress

CORPUS = Path(__file__).with_name("corpus.yaml")
EXPECTED = {"crisis": "crisis", "concern": "concern", "frustration": None, "ordinary": None}


def labelled() -> list[tuple[str, str]]:
    data = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    return [(label, str(text)) for label, texts in data.items() for text in texts]


def test_the_corpus_is_big_enough_and_balanced() -> None:
    counts: dict[str, int] = {}
    for label, _ in labelled():
        counts[label] = counts.get(label, 0) + 1
    assert set(counts) == set(EXPECTED)
    assert sum(counts.values()) >= 150
    assert min(counts.values()) >= 40


@pytest.mark.parametrize(("label", "text"), labelled())
def test_labelled_message(content: Content, label: str, text: str) -> None:
    found = distress(text, content.safety)
    assert (found.level if found else None) == EXPECTED[label], found
