"""Routing over the labelled corpus (issue 12 §5): the top suggestion is right for at least
90% of it, distress never reaches routing, and other languages get "English only for now".

`python -m bench routing` turns the same corpus into the figure in bench/RESULTS.md, with the
misses per label and a held-out figure."""

from collections import Counter
from pathlib import Path

import pytest

from bench.routing import HELD_OUT, HELD_OUT_2, label_of, labelled, misses
from dialogs import language
from dialogs.content_model import Content
from dialogs.model import SuggestAside
from dialogs.texts import ENGLISH_ONLY
from tests.dialogs.chat import Chat, onboarded

SPECIAL = {"prep", "help", "safety", "not-english"}


def test_the_corpus_is_big_enough_and_labels_every_dialogue(content: Content) -> None:
    counts = Counter(label for label, _ in labelled())
    assert sum(counts.values()) >= 200
    ids = {d.id for d in content.dialogues if d.kind != "prep"}
    assert set(counts) == ids | SPECIAL
    assert min(counts.values()) >= 10


def test_top_suggestion_is_right_for_at_least_90_percent(content: Content) -> None:
    messages = labelled()
    wrong = misses(content, messages)
    assert len(wrong) <= len(messages) // 10, wrong


@pytest.mark.parametrize(("path", "floor"), [(HELD_OUT, 18), (HELD_OUT_2, 25)])
def test_the_held_out_sets_do_not_slip(content: Content, path: Path, floor: int) -> None:
    """Never used to tune routing: held_out.yaml was 7/44 before issue 12 and 21/44 after;
    held_out_2.yaml was 17/44 between the two rounds and 29/44 after. A change that loses
    several of them overfits the corpus."""
    held = labelled(path)
    assert len(held) - len(misses(content, held)) >= floor


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("I'm exhausted", "resilience.energy-audit"),  # issue 12 §8: tiredness, not distress
        ("I'm exhausted all the time", "safety"),
        ("keeps undermining me", "challenging-behaviour.sbi-prepare"),
        ("nobody listens to me", "influence.make-the-case"),
        ("they went over my head", "challenging-behaviour.sbi-prepare"),
        ("I've lost my job title", "person-task-role.value-first"),
        ("board tomorrow", "prep"),
        ("big meeting", "prep"),
    ],
)
def test_the_issues_examples(content: Content, text: str, label: str) -> None:
    assert label_of(text, content) == label


@pytest.mark.parametrize("text", [t for label, t in labelled() if label == "safety"])
def test_distress_is_screened_before_routing(content: Content, text: str) -> None:
    chat = Chat(content, onboarded())
    chat.say(text)
    assert not isinstance(chat.state.aside, SuggestAside)
    assert label_of(text, content) == "safety"


@pytest.mark.parametrize("text", [t for label, t in labelled() if label == "not-english"])
def test_another_language_is_told_kindly_english_only(content: Content, text: str) -> None:
    chat = Chat(content, onboarded())
    chat.say(text)
    assert chat.text() == ENGLISH_ONLY
    assert chat.state.aside is None


@pytest.mark.parametrize(
    "text",
    [
        "diolch!",
        "diolch! our bid was rejected though",
        "bore da, big board meeting tomorrow",
        "I'm in Cardiff, shwmae",
        "the non-executive director won't back my idea",
        "the meeting was awful, no?",
        "our ICS",
    ],
)
def test_english_with_a_welsh_or_borrowed_word_is_english(text: str) -> None:
    assert not language.not_english(text)


def test_english_with_one_welsh_word_still_gets_its_suggestion(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.say("diolch! our bid was rejected though")
    assert "After a setback" in chat.text()


@pytest.mark.parametrize(
    "text", ["لا أعرف ماذا أفعل", "我不知道该怎么办", "Я не знаю, что делать"]
)
def test_another_script_is_not_english(text: str) -> None:
    assert language.not_english(text)
