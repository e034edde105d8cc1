"""The issue 12 ideas (shared ownership, strengths, the crossroads, setbacks, unlearning):
each has its dialogue and nudges, and what leaders actually type finds the right one."""

import pytest

from dialogs.content_model import Content
from dialogs.routing import suggest

IDEAS = {
    "shared-ownership.felt-not-imposed": "shared-ownership",
    "building-on-strengths.start-from-assets": "building-on-strengths",
    "crossroads.what-next": "crossroads",
    "resilience.after-a-setback": "resilience",
    "unlearning.test-a-new-way": "unlearning",
}


@pytest.mark.parametrize(("dialogue_id", "theme"), IDEAS.items())
def test_each_idea_has_a_dialogue_and_at_least_six_nudges_of_its_own(
    content: Content, dialogue_id: str, theme: str
) -> None:
    dialogue = content.dialogue(dialogue_id)
    assert dialogue is not None
    assert dialogue.theme == theme
    assert dialogue.kind == "conversation"
    linked = [n for n in content.nudges if n.dialogue == dialogue_id]
    assert linked, "a nudge offers the dialogue through reflect now"
    if theme != "resilience":  # a new theme: all its nudges are this idea's
        assert content.theme(theme) is not None
        assert not content.theme(theme).core  # type: ignore[union-attr]
        assert len(content.nudges_for(theme)) >= 6


def test_the_setback_nudges_join_resilience(content: Content) -> None:
    ids = {n.id for n in content.nudges_for("resilience")}
    setback = {
        "resilience.story-after-a-no",
        "resilience.what-it-built",
        "resilience.what-makes-a-yes",
        "resilience.past-comeback",
        "resilience.smallest-step-on",
        "resilience.say-it-plainly",
        "resilience.same-again",
    }
    assert setback <= ids


@pytest.mark.parametrize(
    ("said", "dialogue_id"),
    [
        ("my post was deleted in the restructure", "crossroads.what-next"),
        ("I'm at risk of redundancy", "crossroads.what-next"),
        ("got my at risk letter today", "crossroads.what-next"),
        ("I didn't get slotted into the new structure", "crossroads.what-next"),
        ("should I go into consultancy now my post has gone", "crossroads.what-next"),
        ("where do I go from here", "crossroads.what-next"),
        ("our bid was rejected", "resilience.after-a-setback"),
        ("got knocked back at the board again", "resilience.after-a-setback"),
        ("the business case was turned down", "resilience.after-a-setback"),
        ("back to square one on the discharge hub", "resilience.after-a-setback"),
        ("it's all tick box accountability", "shared-ownership.felt-not-imposed"),
        ("nobody feels responsible for the winter plan", "shared-ownership.felt-not-imposed"),
        ("everything is done to us by the ICB", "shared-ownership.felt-not-imposed"),
        ("they only see what's wrong with us", "building-on-strengths.start-from-assets"),
        ("it's always about the gaps", "building-on-strengths.start-from-assets"),
        ("we're seen as a failing trust", "building-on-strengths.start-from-assets"),
        ("the old ways don't work any more", "unlearning.test-a-new-way"),
        ("I used to just tell people what to do", "unlearning.test-a-new-way"),
        ("I keep acting like a director when I'm not one", "unlearning.test-a-new-way"),
        # the neighbours keep theirs
        ("I lost my role in the restructure and feel sidelined", "resilience.after-a-role-change"),
        (
            "nobody owns this problem and it keeps bouncing around",
            "wicked-problems.tame-or-wicked",
        ),
        ("where do I fit", "person-task-role.value-first"),
    ],
)
def test_what_leaders_type_finds_the_idea(content: Content, said: str, dialogue_id: str) -> None:
    found = suggest(said, content.dialogues)
    assert found is not None, said
    assert found.id == dialogue_id


@pytest.mark.parametrize(
    "said",
    [
        "I want to become a consultant cardiologist",  # the clinical kind
        "I don't know what to do next with this project",
        "the GP consultation model is changing",
    ],
)
def test_everyday_nhs_words_do_not_open_the_crossroads(content: Content, said: str) -> None:
    found = suggest(said, content.dialogues)
    assert found is None or found.id != "crossroads.what-next"
