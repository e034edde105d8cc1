"""Typing at a choice instead of pressing a button (review 4): a second miss never repeats
the first wording word for word, and an honest "no idea" picks a "Not sure yet" option."""

from dataclasses import replace

import pytest

from dialogs import texts
from dialogs.content_model import Content, Dialogue, Step
from dialogs.echoes import is_dont_know
from dialogs.model import Ask, DialogueProgress
from tests.conftest import AT
from tests.dialogs.chat import Chat, onboarded
from tests.dialogs.test_every_path import CONTENT

ROLE = "resilience.after-a-role-change"  # its feelings menu has a `heard` line
STORIES = (
    "honestly they restructured the whole directorate and nobody told me until the day",
    "and now the new chief nurse runs the meetings I used to chair, it is a lot",
    "I keep going over it at night, what I could have said at the consultation",
)
NO_IDEA = ("no idea really", "no idea", "not a clue", "dunno really", "haven't a clue")


def at_feelings(content: Content) -> Chat:
    chat = Chat(content, onboarded())
    chat.say("start After your role has changed")
    chat.say("My director post went in the restructure")
    assert chat.state.dialogue is not None
    assert chat.state.dialogue.step == "feeling"
    return chat


def only_ask(chat: Chat) -> Ask:
    assert chat.last is not None
    (ask,) = chat.last.messages
    assert isinstance(ask, Ask)
    return ask


def test_a_second_story_at_a_menu_does_not_repeat_the_first_reply(content: Content) -> None:
    """Review 4, dialogues 4 and 6: "Thank you for putting it in your own words. That is a
    lot to live with. I've kept that in your journal. Which of these comes closest to it?"
    came back word for word each time."""
    chat = at_feelings(content)
    labels = chat.labels()
    heard = content.dialogue(ROLE).steps["feeling"].heard  # type: ignore[union-attr]
    replies = []
    for story in STORIES:
        chat.say(story)
        replies.append(only_ask(chat).text)
        assert chat.labels() == labels  # the options stay
        assert chat.state.reflections[-1].text == story  # and the story is kept
    assert replies[0] == f"{heard} {texts.STORY_KEPT}"
    assert heard not in replies[1]  # the sympathy line is said once
    assert replies[1] != replies[0]
    assert replies[2] != replies[1]
    assert all("\n" not in r and len(r) < len(replies[0]) for r in replies[1:])


def test_a_second_missed_button_gets_a_shorter_line(content: Content) -> None:
    chat = at_feelings(content)
    labels = chat.labels()
    chat.say("hmm")
    first = only_ask(chat).text
    chat.say("purple")
    second = only_ask(chat).text
    chat.say("blue")
    third = only_ask(chat).text
    assert first == texts.DIDNT_CATCH_DIALOGUE
    assert second != first
    assert third != second
    assert len(second) < len(first)
    assert chat.labels() == labels


def test_misses_are_counted_afresh_at_the_next_menu(content: Content) -> None:
    chat = at_feelings(content)
    chat.say(STORIES[0])
    chat.press("Loss or sadness")
    chat.say("the hardest part is not knowing what I am for")  # the next step: a text
    chat.say("untangling discharge problems")  # and the work itself (review 12g)
    assert chat.state.dialogue is not None
    assert chat.state.dialogue.step == "support"
    chat.say(STORIES[1])
    heard = content.dialogue(ROLE).steps["support"].heard  # type: ignore[union-attr]
    assert only_ask(chat).text == f"{heard} {texts.STORY_KEPT}"


@pytest.mark.parametrize(
    "said",
    [
        *NO_IDEA,
        "No idea, really.",
        "honestly, no idea",
        "I've no idea",
        "I have no idea",
        "haven't got a clue",
        "not really sure",
        "no idea tbh",
    ],
)
def test_every_kind_of_no_idea_is_a_dont_know(said: str) -> None:
    assert is_dont_know(said)


def unsure_choices() -> list[tuple[Dialogue, Step, int]]:
    """Every choice step with an option for not knowing ("Not sure yet")."""
    found = []
    for dialogue in CONTENT.dialogues:
        for step in dialogue.steps.values():
            for index, choice in enumerate(step.choices):
                label = choice.label.lower()
                if is_dont_know(label) and not label.startswith(("nobody", "no one", "none")):
                    found.append((dialogue, step, index))
    return found


def test_the_not_sure_options_are_all_found() -> None:
    labels = [step.choices[i].label for _, step, i in unsure_choices()]
    assert labels.count("Not sure yet") >= 6
    assert "I don't know them well" not in labels  # knowing a person is not not knowing


@pytest.mark.parametrize(
    ("dialogue", "step", "index"),
    [pytest.param(d, s, i, id=f"{d.id}#{s.id}") for d, s, i in unsure_choices()],
)
@pytest.mark.parametrize("said", NO_IDEA)
def test_no_idea_at_a_menu_picks_its_not_sure_option(
    content: Content, dialogue: Dialogue, step: Step, index: int, said: str
) -> None:
    """Review 4: "no idea really" at a menu with "Not sure yet" got "I didn't catch which
    one you meant" (dialogues 2, 5, 11, 12 and others)."""
    progress = DialogueProgress(dialogue.id, step.id, AT, AT)
    chat = Chat(content, replace(onboarded(), dialogue=progress))
    chat.say(said)
    assert chat.state.dialogue is not None
    assert chat.state.dialogue.step == step.choices[index].next
    assert texts.DIDNT_CATCH_DIALOGUE not in chat.text()


def test_no_idea_never_picks_an_option_for_sharing_a_word(content: Content) -> None:
    """ "no idea" shares "idea" with "Dismissing ideas": not a choice of it."""
    dialogue = content.dialogue("challenging-behaviour.after-the-meeting")
    assert dialogue is not None
    step = next(s for s in dialogue.steps.values() if any("ideas" in c.label for c in s.choices))
    progress = DialogueProgress(dialogue.id, step.id, AT, AT)
    chat = Chat(content, replace(onboarded(), dialogue=progress))
    chat.say("no idea")
    assert chat.state.dialogue is not None
    assert chat.state.dialogue.step == step.id  # asked again, nothing chosen


def test_a_second_miss_at_the_conversation_menu_is_one_short_line(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.say("start")
    labels = chat.labels()
    first = chat.say("purple").messages
    second = chat.say("orange").messages
    third = chat.say("green").messages
    assert first[0].text == texts.DIDNT_CATCH  # type: ignore[union-attr]
    assert len(second) == 1
    assert len(third) == 1
    assert second[0].text != third[0].text  # type: ignore[union-attr]
    assert chat.labels() == labels
    chat.press(labels[0])
    assert chat.state.dialogue is not None
