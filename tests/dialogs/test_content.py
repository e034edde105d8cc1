"""The shipped content meets the product's rules; broken content is reported in full."""

import re
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from dialogs.content import check_content, load_content
from dialogs.content_model import Content
from dialogs.errors import ContentError
from dialogs.routing import suggest
from tests.conftest import CONTENT_DIR, ROOT

CORE = ("influence", "challenging-behaviour", "resilience")


def test_shipped_content_has_no_errors_or_warnings() -> None:
    content, problems = check_content(CONTENT_DIR)
    assert content is not None
    assert problems == []


def test_at_least_six_themes_with_the_three_core_ones(content: Content) -> None:
    assert len(content.themes) >= 6
    assert {t.id for t in content.themes if t.core} == set(CORE)


def test_enough_nudges_and_dialogues_per_theme(content: Content) -> None:
    for theme in content.themes:
        assert len(content.nudges_for(theme.id)) >= (12 if theme.core else 6), theme.id
        assert len(content.dialogues_for(theme.id)) >= (2 if theme.core else 1), theme.id


def test_nudges_are_short_and_end_in_a_question_or_an_action(content: Content) -> None:
    for nudge in content.nudges:
        assert len(nudge.text) <= 280, nudge.id
        assert nudge.text.endswith(("?", ".")), nudge.id


def test_content_keeps_the_house_style(content: Content) -> None:
    """No exclamation marks, no 'you should', British spelling of our key words."""
    texts = [n.text for n in content.nudges]
    for dialogue in content.dialogues:
        texts += [s.text for s in dialogue.steps.values()]
        texts += [c.reply or "" for s in dialogue.steps.values() for c in s.choices]
    for text in texts:
        assert "!" not in text, text
        assert "you should" not in text.lower(), text
        assert not re.search(r"\b(behavior|organization|program)\b", text), text


# Ways of telling a leader what works or what is true, which issue 12 turned into questions.
TELLING = re.compile(
    r"\b(usually|often|tends? to|rarely) (works?|helps?|lands?|points?|soften|respond)"
    r"|\bworks? (better|best)\b|\blands best\b|\bpeople (usually|often|tend)\b",
    re.IGNORECASE,
)


def test_content_asks_rather_than_tells(content: Content) -> None:
    """Nudges and dialogue turns let the leader find the answer; they do not hand it over."""
    texts = [n.text for n in content.nudges]
    for dialogue in content.dialogues:
        texts += [s.text for s in dialogue.steps.values()]
        texts += [c.reply or "" for s in dialogue.steps.values() for c in s.choices]
    assert [t for t in texts if TELLING.search(t)] == []
    assert TELLING.search("A private word first usually works better than the room.")
    assert TELLING.search("Anger often points at something you value.")
    assert TELLING.search("People usually soften once they feel heard.")


# Course and therapy-room words, and canned thanks, a sceptical director named (review 12).
FLUFF = re.compile(
    r"\bwicked\b|\btame\b|welcome here|without judging|thank you for "
    r"(telling me|putting it plainly|saying it plainly|being honest|naming it)",
    re.IGNORECASE,
)


def test_dialogues_speak_plainly(content: Content) -> None:
    """What a leader reads in a dialogue: title, questions, replies and closings."""
    texts = [d.title for d in content.dialogues]
    for dialogue in content.dialogues:
        texts += [s.text for s in dialogue.steps.values()]
        texts += [c.reply or "" for s in dialogue.steps.values() for c in s.choices]
        texts += [c.label for s in dialogue.steps.values() for c in s.choices]
    assert [t for t in texts if FLUFF.search(t)] == []
    assert FLUFF.search("That's honest. Anger is welcome here.")


def test_dialogues_use_recognised_models_where_they_fit(content: Content) -> None:
    models = {d.id: d.model for d in content.dialogues}
    assert models["challenging-behaviour.sbi-prepare"] == "sbi"
    assert models["influence.stakeholder-map"] == "stakeholder-map"
    assert models["resilience.energy-audit"] == "energy-audit"
    assert models["wicked-problems.tame-or-wicked"] == "tame-or-wicked"


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        ("my colleague keeps talking over me in meetings", "challenging-behaviour"),
        ("I'm running on empty this week", "resilience"),
        ("how do I get the other trusts on board with this", "influence"),
        ("nobody owns this problem and it keeps bouncing around", "wicked-problems"),
    ],
)
def test_routing_phrases_find_the_right_theme(content: Content, text: str, theme: str) -> None:
    found = suggest(text, content.dialogues)
    assert found is not None, text
    assert found.theme == theme


def test_broken_content_is_reported_in_full_with_file_line_and_fix(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    status = main(["content", "check", "tests/fixtures/broken_content"])
    expected = (ROOT / "tests/fixtures/broken_content.expected.txt").read_text()
    assert status == 1
    assert capsys.readouterr().out == expected


def test_load_content_raises_with_every_error() -> None:
    with pytest.raises(ContentError) as raised:
        load_content(ROOT / "tests/fixtures/broken_content")
    assert len([p for p in raised.value.problems if p.severity == "error"]) == 19


def copy_of_content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def test_a_path_with_too_few_questions_is_an_error(tmp_path: Path) -> None:
    folder = copy_of_content(tmp_path)
    (folder / "dialogues" / "influence.short.yaml").write_text(
        "id: influence.short\ntheme: influence\ntitle: Short\nsummary: Too short.\n"
        "model: grow\nminutes: 3\nfollow_up_days: 5\nrouting:\n  phrases: [too short]\n"
        "start: one\nsteps:\n  one:\n    type: commitment\n    ask: What will you try?\n"
        "    next: done\n  done:\n    type: end\n    say: Thanks.\n"
    )
    _, problems = check_content(folder)
    assert [str(p) for p in problems if p.severity == "error"] == [
        f"{folder}/dialogues/influence.short.yaml:12: paths from start ask between 1 and 1 "
        "questions; every path must ask 3 to 6 (about three minutes)"
    ]


def test_commitment_step_fields_are_checked(tmp_path: Path) -> None:
    folder = copy_of_content(tmp_path)
    path = folder / "dialogues" / "challenging-behaviour.sbi-prepare.yaml"
    text = path.read_text().replace("    given: [who]", "    given: [how]\n    builds_on: nope")
    path.write_text(text)
    _, problems = check_content(folder)
    errors = [p.message for p in problems if p.severity == "error"]
    assert any("`given` holds 'how'" in e and "from: what, who, when" in e for e in errors), errors
    assert any("uses {nope}" in e for e in errors), errors


def test_if_dated_keep_needs_a_commitment_that_builds_on_an_answer(tmp_path: Path) -> None:
    folder = copy_of_content(tmp_path)
    path = folder / "dialogues" / "challenging-behaviour.sbi-prepare.yaml"
    text = path.read_text().replace("    given: [who]", "    given: [who]\n    if_dated: keep")
    path.write_text(text)
    _, problems = check_content(folder)
    errors = [p.message for p in problems if p.severity == "error"]
    assert any("`if_dated: keep`" in e and "builds_on" in e for e in errors), errors


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    folder = copy_of_content(tmp_path)
    (folder / "safety.yaml").write_text("phrases: [unclosed\nmessage: hi\n")
    _, problems = check_content(folder)
    assert str(problems[0]).startswith(f"{folder}/safety.yaml:2: not valid YAML")


def test_a_key_given_twice_is_reported_with_its_line(tmp_path: Path) -> None:
    folder = copy_of_content(tmp_path)
    path = folder / "commitments.yaml"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines, "no_check_in: twice"]) + "\n")
    _, problems = check_content(folder)
    assert str(problems[0]).startswith(
        f"{folder}/commitments.yaml:{len(lines) + 1}: not valid YAML: "
        "the key 'no_check_in' is given twice"
    )


def test_yes_and_no_stay_words(tmp_path: Path) -> None:
    folder = copy_of_content(tmp_path)
    path = folder / "safety.yaml"
    path.write_text(path.read_text().replace("crisis:\n", "crisis:\n  - no\n  - yes\n", 1))
    content, problems = check_content(folder)
    assert problems == []
    assert content is not None
    assert {"no", "yes"} <= {p.text for p in content.safety.screener.crisis}


def test_a_safety_pattern_an_everyday_saying_always_cancels_is_reported(tmp_path: Path) -> None:
    folder = copy_of_content(tmp_path)
    path = folder / "safety.yaml"
    text = path.read_text()
    line = text.splitlines().index("  - cant cope (gap 2)") + 1
    path.write_text(text.replace("ordinary:\n", "ordinary:\n  - cant cope\n", 1))
    _, problems = check_content(folder)
    assert [str(p) for p in problems] == [
        f"{path}:{line}: (warning) safety: pattern 'cant cope (gap 2)' in `crisis` never "
        "matches: the message 'cant cope' triggers nothing; an `ordinary` saying or a `same` "
        "folding cancels it; change one of them"
    ]


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ("gap: 3", "gap: 9", "safety: `gap` is 9; use a number from 0 to 5"),
        ("  - cant cope (gap 2)", "  - cant cope!", "'cope!' is not a word"),
        ("  - me too|also|aswell (gap 0)", "  - me too!", "'too!' is not a word"),
        ("someone_else: [he,", "someone_else: [He,", "lowercase"),
        (
            "  pause: Pause nudges for a week",
            "  pause: Pause every single nudge for a whole week",
            "limit of 30",
        ),
    ],
)
def test_safety_schema_errors_name_the_line(
    tmp_path: Path, old: str, new: str, error: str
) -> None:
    folder = copy_of_content(tmp_path)
    path = folder / "safety.yaml"
    path.write_text(path.read_text().replace(old, new, 1))
    _, problems = check_content(folder)
    errors = [str(p) for p in problems if p.severity == "error"]
    assert len(errors) == 1
    assert errors[0].startswith(f"{path}:")
    assert error in errors[0]


def test_content_check_lists_every_file_it_does_not_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, folder)
    strays = ("broken.yaml", "dialogue/typo-folder.yaml", "nudges/notes.txt", "nudges/old/x.yaml")
    for name in strays:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("id: x\n")
    for ignored in (".git/config", ".DS_Store", "dialogues/README.md"):  # not content
        (folder / ignored).parent.mkdir(parents=True, exist_ok=True)
        (folder / ignored).write_text("")

    assert main(["content", "check", str(folder)]) == 0  # warnings: the content still loads
    lines = [line for line in capsys.readouterr().out.splitlines() if "not read:" in line]
    assert [line.split("not read: ")[1].split(" — ")[0] for line in lines] == [
        str(folder / name) for name in sorted(strays)
    ]
    assert lines[0] == (
        f"{folder}: (warning) not read: {folder / 'broken.yaml'} — content files live in "
        "dialogues/ or nudges/ (as .yaml), or are one of themes.yaml, onboarding.yaml, "
        "safety.yaml, commitments.yaml, profile.yaml, organisations.yaml, circles.yaml, "
        "circle_rounds.yaml; move or rename it, or delete it"
    )
