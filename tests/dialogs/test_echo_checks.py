"""`content check` on echoes: a long answer quoted mid-sentence, a missing `refer_as`, a
short-answer step whose example is not short, and the new fields' schema."""

from pathlib import Path

from dialogs.content import check_content
from tests.dialogs.test_content import copy_of_content

HEAD = (
    "id: influence.echo\ntheme: influence\ntitle: Echo\nsummary: Echoes.\n"
    "model: grow\nminutes: 3\nfollow_up_days: 5\nrouting:\n  phrases: [echo test]\n"
    "start: change\nsteps:\n"
)
TAIL = (
    "  pick:\n    type: choice\n    ask: Which?\n    choices:\n"
    "      - label: One\n        next: commit\n      - label: Two\n        next: other\n"
    "  other:\n    type: text\n    ask: Why?\n    next: commit\n"
    "  commit:\n    type: commitment\n    ask: What will you try, and by when?\n"
    "    next: done\n"
    "  done:\n    type: end\n    say: Thanks.\n"
)


def problems_of(tmp_path: Path, change: str, use: str) -> list[str]:
    folder = copy_of_content(tmp_path)
    path = folder / "dialogues" / "influence.echo.yaml"
    path.write_text(HEAD + change + use + TAIL)
    _, problems = check_content(folder)
    return [str(p).removeprefix(f"{path}:") for p in problems if str(path) in str(p)]


CHANGE_LONG = (
    "  change:\n    type: text\n    ask: What has changed?\n    save_as: change\n    next: use\n"
)
CHANGE_SHORT = (
    "  change:\n    type: text\n    ask: What has changed? A few words.\n"
    "    placeholder: e.g. my post went\n    save_as: change\n    answer: short\n"
    "    refer_as: that change\n    next: use\n"
)
USE_INLINE = (
    "  use:\n    type: text\n    ask: When you think about {change}, what?\n    next: pick\n"
)
USE_ON_ITS_LINE = (
    "  use:\n    type: text\n    ask: |-\n      You said:\n      {change}\n      What now?\n"
    "    next: pick\n"
)


def test_a_long_answer_quoted_mid_sentence_is_a_warning_with_the_fix(tmp_path: Path) -> None:
    assert problems_of(tmp_path, CHANGE_LONG, USE_INLINE) == [
        "17: (warning) step 'use' puts {change} mid-sentence, but step 'change' invites a long "
        "answer; put {change} on a line of its own to quote it, or ask there for a few words "
        "and mark it `answer: short` with a `refer_as`"
    ]


def test_a_long_answer_quoted_on_its_own_line_is_fine(tmp_path: Path) -> None:
    assert problems_of(tmp_path, CHANGE_LONG, USE_ON_ITS_LINE) == []


def test_a_short_answer_with_refer_as_is_fine_mid_sentence(tmp_path: Path) -> None:
    assert problems_of(tmp_path, CHANGE_SHORT, USE_INLINE) == []


def test_a_short_answer_with_no_refer_as_is_a_warning(tmp_path: Path) -> None:
    change = CHANGE_SHORT.replace("    refer_as: that change\n", "")
    assert problems_of(tmp_path, change, USE_INLINE) == [
        "19: (warning) step 'use' puts {change} mid-sentence, and step 'change' has no "
        "`refer_as` for when the answer is long; add one, e.g. `refer_as: that change` or "
        "`refer_as: the person you named`"
    ]


def test_a_short_answer_step_shows_a_short_example(tmp_path: Path) -> None:
    change = CHANGE_SHORT.replace(
        "e.g. my post went", "e.g. my post went in the restructure in May"
    )
    assert problems_of(tmp_path, change, USE_INLINE) == [
        "12: (warning) step 'change' asks for `answer: short`, but its example 'my post went "
        "in the restructure in May' is longer than 6 words or 40 characters; shorten the "
        "example so it shows a few words"
    ]
    change = CHANGE_SHORT.replace("    placeholder: e.g. my post went\n", "")
    assert problems_of(tmp_path / "again", change, USE_INLINE) == [
        "12: (warning) step 'change' asks for `answer: short` but shows no example; add e.g. "
        "`placeholder: e.g. Sam, or the ward manager`"
    ]


def test_the_new_fields_are_checked(tmp_path: Path) -> None:
    change = CHANGE_SHORT.replace("answer: short", "answer: brief").replace(
        "refer_as: that change", "refer_as: That change."
    )
    found = problems_of(tmp_path, change, USE_INLINE)
    assert (
        "17: step 'change': answer 'brief' is unknown; use one of: short, long, name (e.g. "
        "`answer: short` for a step that asks for a few words)" in found
    )
    assert (
        "18: step 'change': `refer_as` 'That change.' goes inside a sentence; write it in "
        "lower case with no full stop, e.g. `refer_as: that change`" in found
    )


def test_steps_saving_one_name_agree_on_how_it_is_echoed(tmp_path: Path) -> None:
    other = (
        "  other:\n    type: text\n    ask: Why?\n    save_as: change\n    answer: long\n"
        "    next: commit\n"
    )
    folder = copy_of_content(tmp_path)
    path = folder / "dialogues" / "influence.echo.yaml"
    yaml = HEAD + CHANGE_SHORT + USE_INLINE + TAIL
    path.write_text(
        yaml.replace("  other:\n    type: text\n    ask: Why?\n    next: commit\n", other)
    )
    _, problems = check_content(folder)
    assert [str(p).removeprefix(f"{path}:") for p in problems if str(path) in str(p)] == [
        "32: (warning) steps 'change' and 'other' both save {change} but differ in `answer` or "
        "`refer_as`; give them the same, so the echo reads one way"
    ]


# ------------------------------------------------------------------ choices that matter

SAME_NEXT = (
    "  change:\n    type: text\n    ask: What has changed?\n    next: how\n"
    "  how:\n    type: choice\n    ask: How will it reach the meeting?\n    save_as: how\n"
    "    choices:\n      - label: They raise it\n        next: use\n"
    "      - label: I raise it\n        next: use\n"
)


def test_a_choice_that_changes_nothing_is_a_warning(tmp_path: Path) -> None:
    """Review 12b, dialogues 8 and 14: every button led to the same next question."""
    use = "  use:\n    type: text\n    ask: What now?\n    next: pick\n"
    assert problems_of(tmp_path, SAME_NEXT, use) == [
        "16: (warning) step 'how': every choice leads to the same step and changes nothing; "
        "send them to different steps, give each a `reply`, or make it a text step"
    ]


def test_a_choice_whose_label_a_later_question_uses_matters(tmp_path: Path) -> None:
    use = "  use:\n    type: text\n    ask: You chose {how}. What now?\n    next: pick\n"
    assert problems_of(tmp_path, SAME_NEXT, use) == []


def test_heard_is_a_choice_steps_field_only(tmp_path: Path) -> None:
    change = (
        "  change:\n    type: text\n    ask: What has changed?\n    heard: Ouch.\n    next: use\n"
    )
    use = "  use:\n    type: text\n    ask: What now?\n    next: pick\n"
    (problem,) = problems_of(tmp_path, change, use)
    assert "heard" in problem
