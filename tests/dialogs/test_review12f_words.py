"""Blind review 12f, the wording: one question per message, a "don't know" at a step the next
one relies on is asked for a role, no stock line or "fair enough", an acknowledgement after
the post's news, and a proportionate line first when burnout is mentioned."""

import pytest

from dialogs import texts
from dialogs.content_model import Content
from dialogs.model import SafetyAside
from dialogs.runner import dont_know_heard
from dialogs.screening import distress
from tests.dialogs.chat import Chat, onboarded

AFTER = "challenging-behaviour.after-the-meeting"
ASSETS = "building-on-strengths.start-from-assets"
LEAD = "growing-leaders.lead-or-follow"
QUESTIONS = "reframing.questions-not-answers"
ROLE = "resilience.after-a-role-change"
SETBACK = "resilience.after-a-setback"
GROUND = "testing-assumptions.check-the-ground"
POST = "crossroads.what-next"


def last_line(text: str) -> str:
    """The question itself, under any quoted answer."""
    return text.rstrip().split("\n")[-1]


@pytest.mark.parametrize(
    ("dialogue", "step", "question"),
    [
        (AFTER, "where", "Where would you raise it?"),
        (
            SETBACK,
            "differently",
            "Looking ahead from here, what is one thing you would do differently?",
        ),
        (LEAD, "observe", "Once you have stepped back, what will tell you to stay out of it?"),
        (QUESTIONS, "commit", "Who will you ask, and when?"),
        (ASSETS, "build", "At the next huddle for {group}, what will you ask first?"),
    ],
)
def test_a_double_question_is_now_one(
    content: Content, dialogue: str, step: str, question: str
) -> None:
    found = content.dialogue(dialogue)
    assert found is not None
    asked = last_line(found.steps[step].text)
    assert asked == question
    assert asked.count("?") == 1


def walk_to(chat: Chat, marker: str, answer: str) -> None:
    """Answer (first button, or `answer`) until the last turn says `marker`."""
    for _ in range(8):  # bounded: every dialogue is at most six questions
        if marker in chat.text():
            return
        awaiting = chat.state.awaiting
        assert awaiting is not None
        if awaiting.choices:
            chat.press(awaiting.choices[0].label)
        else:
            chat.say(answer)
    pytest.fail(f"never reached {marker!r}")


def test_where_to_raise_it_is_two_buttons_each_with_its_own_opener(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.say("start After a meeting that went wrong")
    walk_to(chat, "Where would you raise it?", "the chair cut in each time I spoke")
    assert chat.labels() == ["With them alone", "In the room"]
    assert "What makes" not in chat.text()
    chat.press("In the room")
    assert "Which meeting will you raise it in" in chat.text()


def test_the_team_is_called_by_the_name_the_leader_gave(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.say("start Start from what is already strong")
    chat.say("ward 7")
    said = chat.text()
    assert "You named" not in said
    assert "already working in ward 7?" in said
    chat.press("The people and their mix")
    chat.say("the healthcare assistants who live locally")
    assert last_line(chat.text()) == "At the next huddle for ward 7, what will you ask first?"


def test_questions_not_answers_ends_with_one_line_on_holding_back(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.say("start Questions, not answers")
    walk_to(chat, "Who will you ask, and when?", "where is the handover getting stuck?")
    chat.say("the urgent care lead, on Thursday")
    assert "let the silence run" in chat.text()
    assert chat.state.dialogue is None


# ------------------------------------------------------------------ "no idea really"


@pytest.mark.parametrize(
    ("start", "marker", "answer", "gentler"),
    [
        ("start Lead it, or let someone else?", "who could take on one part", None, "a role"),
        (
            "start What are we taking for granted?",
            "quickest, cheapest way",
            None,
            "one person you could ask",
        ),
    ],
)
def test_no_idea_where_the_next_step_needs_a_name_asks_for_a_role(
    content: Content, start: str, marker: str, answer: str | None, gentler: str
) -> None:
    """Review 12f: "no idea really" here was followed by a question about "them", "the
    person you named" or "it", none of which had been given."""
    chat = Chat(content, onboarded())
    chat.say(start)
    for _ in range(8):  # bounded
        if marker in chat.text():
            break
        awaiting = chat.state.awaiting
        assert awaiting is not None
        labels = [c.label for c in awaiting.choices]
        if answer in labels:
            chat.press(answer)
        elif labels:
            chat.press(labels[0])
        else:
            chat.say("the frailty pathway going live")
    else:
        pytest.fail(f"never reached {marker!r}")
    chat.say("no idea really")
    said = chat.text()
    assert any(line in said for line in texts.DONT_KNOW_HEARD)
    assert gentler in said
    assert chat.state.awaiting is not None
    assert not chat.state.awaiting.choices  # still the same question, not the commitment
    assert "When will" not in said
    assert "By when" not in said


def test_the_dont_know_line_differs_between_steps_and_holds_for_one(content: Content) -> None:
    lines = {
        dont_know_heard(d, s)
        for d in content.dialogues
        for s in d.steps.values()
        if s.type == "text"
    }
    assert lines == set(texts.DONT_KNOW_HEARD)
    dialogue = content.dialogue(GROUND)
    assert dialogue is not None
    step = dialogue.steps["test"]
    assert dont_know_heard(dialogue, step) == dont_know_heard(dialogue, step)
    assert all(not line.startswith("That's all right") for line in texts.DONT_KNOW_HEARD)


def test_no_reply_in_content_doubles_a_stock_line(content: Content) -> None:
    """Review 12f: "That's fine. It may be clearer..." straight after "That's fine. Not
    knowing yet..."; and "Fair enough" at the worst moment of a career."""
    for dialogue in content.dialogues:
        for step in dialogue.steps.values():
            for choice in step.choices:
                reply = choice.reply or ""
                assert not reply.startswith("That's fine"), (dialogue.id, step.id)
                assert "fair enough" not in reply.lower(), (dialogue.id, step.id)


# ------------------------------------------------------------------ after your role has changed


def test_shock_is_met_as_a_normal_first_reaction(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.say("start After your role has changed")
    chat.say("my director post became a programme lead role")
    chat.press("Shock or numbness")
    said = chat.text()
    assert said.startswith("That is a common first reaction when a role changes.")


def test_nobody_really_offers_the_options_as_buttons(content: Content) -> None:
    """Review 12g added a question about the work; the options for someone with nobody to
    turn to are now the buttons of "who could you talk that through with"."""
    chat = Chat(content, onboarded())
    chat.say("start After your role has changed")
    chat.say("my director post became a programme lead role")
    chat.press("Loss or sadness")
    chat.say("most days I'm not sure what I'm for")
    chat.say("untangling discharge problems")
    assert "ask my coach" not in chat.text()
    assert chat.labels() == [
        "Someone I trust",
        "A peer at another trust",
        "Your coach",
        "Occupational health",
        "Nobody comes to mind",
    ]
    chat.press("Occupational health")
    assert "When will you get in touch with occupational health" in chat.text()


# ------------------------------------------------------------------ your post has changed


def test_the_post_news_is_acknowledged_before_what_has_to_be_decided(content: Content) -> None:
    chat = Chat(content, onboarded())
    chat.say("start Your post has changed. What next?")
    chat.say("director of nursing post deleted in the restructure")
    lines = chat.text().split("\n")
    assert lines[0] == "That is a hard place to be, with the day job still going on."
    assert lines[1].startswith("What has to be decided")


# ------------------------------------------------------------------ burnout in proportion


BURN = "none really, i need to stop by next week or I'll burn out"


def test_burnout_said_in_passing_names_the_proportionate_support_first(
    content: Content,
) -> None:
    assert distress(BURN, content.safety) is not None  # still a concern, as in the corpus
    chat = Chat(content, onboarded())
    chat.say("start Let go of one habit, test a new one")
    chat.say(BURN)
    assert isinstance(chat.state.aside, SafetyAside)
    chat.press("Show support contacts")  # review 12h: the contacts one button away
    said = chat.text()
    assert said.index("Practitioner Health") < said.index("Samaritans")
    assert "strain that has built up" in said
    chat.press("Carry on")
    assert chat.state.dialogue is not None  # the conversation carries on
