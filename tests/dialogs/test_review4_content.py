"""Content faults of blind review 4 (issue 12), checked where a rewrite could bring them
back: wording a sceptical director called fluff, and a vent heard before any menu."""

import re

from dialogs.content_model import Content, Dialogue

FLUFF = re.compile(r"\btank\b|minutes for yourself|me[- ]time|self-care|recharge", re.I)


def words_of(dialogue: Dialogue) -> list[str]:
    """Everything the dialogue says: questions, closings, replies, buttons, hints."""
    said: list[str] = []
    for step in dialogue.steps.values():
        said += [step.text, step.placeholder or "", step.heard or "", step.follow_up or ""]
        said += [c.label for c in step.choices] + [c.reply or "" for c in step.choices]
    return said


def test_the_energy_conversation_speaks_plainly(content: Content) -> None:
    """Review 4, dialogue 8: "How full does your tank feel today?" and "Thank you for
    taking three minutes for yourself" were the fluffiest wording in the set."""
    dialogue = content.dialogue("resilience.energy-audit")
    assert dialogue is not None
    assert [w for w in words_of(dialogue) if FLUFF.search(w)] == []


def test_no_dialogue_says_tank_or_minutes_for_yourself(content: Content) -> None:
    for dialogue in content.dialogues:
        assert [w for w in words_of(dialogue) if FLUFF.search(w)] == [], dialogue.id
