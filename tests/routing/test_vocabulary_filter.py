"""Routing settles a message that shares no word with a dialogue's phrases and keywords with
one set test (dialogs/routing.py, `_vocabulary`), because a newcomer's first message is routed
and "hello" used to search every phrase of every dialogue. The shortcut must never change a
score: every message of the corpora, and every phrase and keyword of the content said alone,
scores the same for every dialogue with the shortcut as without it."""

import pytest

from bench.routing import HELD_OUT, HELD_OUT_2, labelled
from dialogs import routing
from dialogs.content_model import Content


def _messages(content: Content) -> list[str]:
    texts = [text for _, text in labelled()]
    texts += [text for _, text in labelled(HELD_OUT)] + [t for _, t in labelled(HELD_OUT_2)]
    for dialogue in content.dialogues:
        texts += [*dialogue.phrases, *dialogue.keywords]
        texts += [f"honestly, {p} again this week" for p in dialogue.phrases]
    return [*texts, "hello", "hi there", "3", ""]


def test_the_shortcut_never_changes_a_score(
    content: Content, monkeypatch: pytest.MonkeyPatch
) -> None:
    messages = _messages(content)
    with_it = [[routing.score(m, d) for d in content.dialogues] for m in messages]
    # a vocabulary holding every word of every message: the shortcut never rules one out
    every_word = frozenset().union(*(routing._Said.of(m).present for m in messages))
    monkeypatch.setattr(routing, "_vocabulary", lambda *_: every_word)
    without = [[routing.score(m, d) for d in content.dialogues] for m in messages]
    assert with_it == without
    assert any(any(row) for row in with_it)  # the messages do reach dialogues
