"""Review 12h (b), dialogues 11-19: what the leader says that matters is heard, not stepped
over for the next scripted question ("the two bed managers who carry it are burning out",
"I want to still matter", "can't think of one")."""

import shutil
from pathlib import Path

import pytest

from dialogs import echoes, texts
from dialogs.content import check_content
from dialogs.content_model import Content
from tests.conftest import CONTENT_DIR
from tests.dialogs.chat import Chat, onboarded

OWNED = "Owned, not just accounted for"
LEAD = "Lead it, or let someone else?"
STRONG = "Start from what is already strong"
WEIGHT = "Before anyone is asked to own more, what could take some weight off them?"
BEFORE = "The last time a team of yours owned a result without being chased"


def opened(content: Content, title: str) -> Chat:
    chat = Chat(content, onboarded())
    chat.say(f"start {title}")
    return chat


def test_owners_burning_out_are_heard_before_anyone_is_asked_to_own_more(
    content: Content,
) -> None:
    chat = opened(content, OWNED)
    chat.say("the CQC action plan")
    chat.press("A few people carry it")
    chat.say("the two bed managers who carry it are burning out")
    said = chat.text()
    assert "running low" in said
    assert WEIGHT in said
    assert BEFORE not in said
    chat.say("cover one of their on-call weeks")
    assert BEFORE in chat.text()
    kept = [r.text for r in chat.state.reflections]
    assert kept[-2:] == [
        "the two bed managers who carry it are burning out",
        "cover one of their on-call weeks",
    ]


def test_the_weight_question_comes_again_after_an_interruption(content: Content) -> None:
    chat = opened(content, OWNED)
    chat.say("the CQC action plan")
    chat.press("Reports and RAG ratings")
    chat.say("honestly they're exhausted and two are off sick")
    chat.open(minutes=5)
    assert WEIGHT in chat.text()


def test_an_answer_without_strain_goes_straight_on(content: Content) -> None:
    chat = opened(content, OWNED)
    chat.say("the CQC action plan")
    chat.press("A few people carry it")
    chat.say("the matrons and the patient safety team")
    assert BEFORE in chat.text()
    assert WEIGHT not in chat.text()


def test_a_blank_at_the_last_time_a_team_owned_a_result_gets_a_smaller_question_once(
    content: Content,
) -> None:
    chat = opened(content, OWNED)
    chat.say("the CQC action plan")
    chat.press("A few people carry it")
    chat.say("the matrons")
    chat.say("dont know, cant think of one")
    said = chat.text()
    assert "a ward, a project, even a single shift" in said
    assert "What will you try this week" not in said
    chat.say("dont know")
    assert texts.DONT_KNOW_AGAIN in chat.text()
    assert "What will you try this week" in chat.text()


def test_an_answer_about_the_leader_not_the_work_is_heard(content: Content) -> None:
    chat = opened(content, LEAD)
    chat.say("the CQC inspection prep")
    chat.press("Lead it myself")
    chat.say(
        "honestly it might just be that I want to still matter, I can't tell anymore. the "
        "restructure took the title and I keep reaching for the things I used to do"
    )
    said = chat.text()
    assert "what the work needs, or about wanting to still count?" in said
    assert "who could take on one part of it" not in said
    chat.say("about still counting, if I'm honest")
    assert "who could take on one part of it" in chat.text()


def test_an_answer_about_the_work_goes_straight_to_the_grow_someone_question(
    content: Content,
) -> None:
    chat = opened(content, LEAD)
    chat.say("the CQC inspection prep")
    chat.press("Lead it myself")
    chat.say("I know the inspectors and the history of the last report")
    assert "who could take on one part of it" in chat.text()


def test_a_dont_know_with_a_reason_is_still_a_dont_know() -> None:
    assert echoes.is_dont_know("dont know, cant think of one")
    assert echoes.is_dont_know("honestly can't think of one. they're 30% vacancy")
    assert not echoes.is_dont_know("not sure, maybe Sam")
    assert not echoes.is_dont_know("no idea, ask Sam")
    assert not echoes.is_dont_know("none. The GP lead left")


def at_a_good_day(content: Content) -> Chat:
    chat = opened(content, STRONG)
    chat.say("district nursing")
    chat.press("I struggle to see any")
    return chat


def test_cant_think_of_one_is_not_quoted_back_as_a_strength(content: Content) -> None:
    chat = at_a_good_day(content)
    chat.say("honestly can't think of one. they're 30% vacancy")
    said = chat.text()
    assert "one person, one shift, or one thank-you" in said
    assert "30% vacancy" not in said
    assert "You said:" not in said
    chat.say("the HCA on nights who rang every family")
    assert "> the HCA on nights who rang every family" in chat.text()


def test_two_blanks_echo_no_strength_at_all(content: Content) -> None:
    chat = at_a_good_day(content)
    chat.say("honestly can't think of one. they're 30% vacancy")
    chat.say("no, nothing")
    said = chat.text()
    assert "You said:" not in said
    assert "nothing" not in said
    assert "At the next huddle for district nursing, what will you ask first?" in said
    chat.say("what went right on Tuesday")
    assert "that strength" not in chat.text()


def test_a_name_with_an_aside_is_echoed_by_its_name_alone(content: Content) -> None:
    """Not "What will you try with the CQC lead, priya, and by when?" mid-sentence."""
    chat = opened(content, LEAD)
    chat.say("the CQC inspection prep")
    chat.press("Step back for someone else")
    chat.say("the CQC lead, priya")
    assert "> the CQC lead, priya" in chat.text()  # quoted whole on its own line
    chat.say("ask her to chair the mock inspection")
    chat.say("she has a plan, even if it isn't mine")
    assert "What will you try with the CQC lead, and by when?" in chat.text()


def test_a_list_of_names_is_echoed_whole() -> None:
    name = echoes.Slot("name", "the person you named")
    assert echoes.echo("Sam, Priya and Jo", name) == "Sam, Priya and Jo"
    assert echoes.echo("SAM, OUR DEPUTY CHIEF NURSE", name) == "sam"
    assert echoes.echo("Sam, our deputy", name) == "Sam"


# Words that tie an example to one field (urgent care and patient flow), review 12h.
ONE_FIELD = ("4-hour", "12-hour", "corridor", "bed manager", "hip operation", "care home")


@pytest.mark.parametrize(
    "dialogue", ["outcomes-over-outputs.what-difference", "shared-ownership.felt-not-imposed"]
)
def test_examples_after_the_first_question_fit_any_field(content: Content, dialogue: str) -> None:
    found = content.dialogue(dialogue)
    assert found is not None
    later = [s for s in found.steps.values() if s.id != found.start and s.placeholder]
    assert later
    for step in later:
        assert not any(w in (step.placeholder or "").lower() for w in ONE_FIELD), step.id


def test_the_measure_example_is_not_the_answer_to_copy(content: Content) -> None:
    found = content.dialogue("outcomes-over-outputs.what-difference")
    assert found is not None
    assert "waits" not in (found.steps["options"].placeholder or "")


VALUE = "Value first, role last"
HABIT = "Let go of one habit, test a new one"


def at_first_try(content: Content) -> Chat:
    chat = opened(content, VALUE)
    chat.say("ward 7 flow")
    chat.say("I know the matrons and the site team")
    chat.say("huddle on ward 7")
    chat.press("Not sure yet")
    return chat


def test_a_first_step_already_named_is_asked_only_for_its_day(content: Content) -> None:
    chat = at_first_try(content)
    chat.say("just turn up at the 9am safety huddle and offer")
    said = chat.text()
    assert "> just turn up at the 9am safety huddle and offer" in said
    assert "Which day will you do that?" in said
    assert "What will you do first" not in said
    chat.say("thursday")
    assert chat.state.dialogue is None
    assert "9am safety huddle" in chat.state.commitments[-1].text


def test_a_first_step_with_its_day_is_kept_at_once(content: Content) -> None:
    chat = at_first_try(content)
    chat.say("offer help at thursday's huddle")
    assert chat.state.dialogue is None
    assert "Which day" not in chat.text()
    assert chat.state.commitments[-1].text == "offer help at thursday's huddle"


def test_the_first_step_question_does_not_read_on_the_task(content: Content) -> None:
    chat = opened(content, VALUE)
    chat.say("ward 7 flow")
    chat.say("I know the matrons and the site team")
    chat.say("huddle on ward 7")
    chat.press("No, I can start without it")
    said = chat.text()
    assert "on huddle on ward 7" not in said
    assert "Thinking of huddle on ward 7, what will you do first" in said


def at_new_way(content: Content, time: str) -> Chat:
    chat = opened(content, HABIT)
    chat.say("deciding, then telling people")
    chat.press(time)
    return chat


def test_a_few_months_is_acknowledged(content: Content) -> None:
    chat = at_new_way(content, "A few months, at least")
    assert "time enough to try something" in chat.text()


def test_the_test_is_asked_as_one_question(content: Content) -> None:
    chat = at_new_way(content, "A few months, at least")
    chat.say("ask the group for options before I give mine")
    chat.say("quieter people speak")
    said = chat.text()
    assert "Where and when will you test it this week?" in said
    assert "look back" not in said
    assert said.count("?") == 1
    chat.say("at the 10am staffing call on tuesday")
    assert chat.state.dialogue is None


def test_a_new_way_with_its_day_is_not_asked_when_again(content: Content) -> None:
    chat = at_new_way(content, "A few months, at least")
    chat.say("ask the matrons for options before I say mine, at monday's huddle")
    chat.say("quieter people speak")
    said = chat.text()
    assert "Which day shall I ask you how it went?" in said
    assert "Where and when" not in said
    assert said.count("?") == 1
    chat.say("tuesday")
    assert chat.state.dialogue is None


def test_if_heard_entries_are_checked(tmp_path: Path) -> None:
    folder = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, folder)
    path = folder / "dialogues" / "growing-leaders.lead-or-follow.yaml"
    text = path.read_text().replace("[still matter, to matter,", "[Still Matter, to matter,")
    text = text.replace("or about wanting to still count?", "or about {nope}?")
    path.write_text(text)
    _, problems = check_content(folder)
    errors = [p.message for p in problems if p.severity == "error"]
    assert any("'Still Matter' in `words` must be lowercase" in e for e in errors), errors
    assert any("step 'reason' uses {nope}" in e for e in errors), errors
