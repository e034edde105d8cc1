"""Content faults of blind review 4 (issue 12), checked where a rewrite could bring them
back: wording a sceptical director called fluff, and a vent heard before any menu."""

import re

from dialogs.content_model import Content, Dialogue
from tests.dialogs.chat import Chat, onboarded

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


def test_bringing_peers_quotes_the_idea_on_its_own_line(content: Content) -> None:
    """Review 4, dialogue 1: "What would ED flow across the ICS. stalled change for
    patients...?" The idea is quoted on its own line, never inside the question."""
    dialogue = content.dialogue("influence.make-the-case")
    assert dialogue is not None
    for step in dialogue.steps.values():
        for line in step.text.split("\n"):
            if "{idea}" in line:
                assert line.strip() == "{idea}", (step.id, line)


def test_each_first_move_has_its_own_example(content: Content) -> None:
    """Review 4, dialogue 1: after "Offer a small test" the example was the advice one."""
    dialogue = content.dialogue("influence.make-the-case")
    assert dialogue is not None
    moves = next(s for s in dialogue.steps.values() if s.save_as == "move")
    examples = [dialogue.steps[c.next].placeholder for c in moves.choices]
    assert len(set(examples)) == len(moves.choices), examples


def test_after_a_bad_meeting_the_leader_says_what_happened_before_any_menu(
    content: Content,
) -> None:
    """Review 4, dialogue 4: the first thing someone does after a bad meeting is vent; a
    menu first felt like a phone-menu robot."""
    dialogue = content.dialogue("challenging-behaviour.after-the-meeting")
    assert dialogue is not None
    assert dialogue.steps[dialogue.start].type == "text"
    chat = Chat(content, onboarded())
    chat.say(f"start {dialogue.title}")
    chat.say("he talked over me the whole time and then took credit for my idea")
    assert chat.state.awaiting is not None
    assert chat.state.awaiting.choices  # the menu comes second
    assert "> he talked over me" in chat.text()  # under their own words
