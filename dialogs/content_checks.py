"""Checks over whole dialogues (the step graph) and over the content as a whole."""

import string
from collections.abc import Sequence
from pathlib import Path

from dialogs.content_echoes import check_echoes
from dialogs.content_model import DIALOGUE_KINDS, Dialogue, DialogueKind, Nudge, Step, Theme
from dialogs.content_reader import FileReader
from dialogs.errors import ContentProblem
from dialogs.yamlsource import YamlMap, line_of

MIN_QUESTIONS, MAX_QUESTIONS = 3, 6
# Questions on every path, by `kind`: a conversation takes about three minutes; a `prep`
# (the night before a big meeting) two questions and a one-line commitment, a minute or two.
QUESTIONS: dict[DialogueKind, tuple[int, int]] = {
    "conversation": (MIN_QUESTIONS, MAX_QUESTIONS),
    "prep": (2, 3),
}
CORE_NUDGES, OTHER_NUDGES = 12, 6
CORE_DIALOGUES, OTHER_DIALOGUES = 2, 1


def check_dialogue_graph(reader: FileReader, data: YamlMap, dialogue: Dialogue) -> None:
    """Targets exist, every step is reachable, no loops, and every path is a good length;
    and echoes of earlier answers read well (`dialogs.content_echoes`)."""
    check_echoes(reader, data, dialogue)
    steps = dialogue.steps
    raw_steps = data.get("steps")
    lines = raw_steps.key_lines if isinstance(raw_steps, YamlMap) else {}
    names = ", ".join(steps)
    if dialogue.start not in steps:
        reader.problem(
            line_of(data, "start"), f"start {dialogue.start!r} is not a step; use one of: {names}"
        )
        return
    broken = False
    for step in steps.values():
        if step.if_dated == "keep" and (step.type != "commitment" or not step.builds_on):
            reader.problem(
                lines.get(step.id, 0),
                f"step {step.id!r}: `if_dated: keep` keeps the answer a commitment step "
                "builds on; give it `type: commitment` and `builds_on: <name>`, or write "
                "the question to ask instead",
            )
        for target in step.successors():
            if target not in steps:
                broken = True
                reader.problem(
                    lines.get(step.id, 0),
                    f"step {step.id!r} -> next {target!r} does not exist; use one of: {names}",
                )
    order = _topological_order(reader, dialogue, lines)
    if order is None:
        return
    for step_id in steps:
        if step_id not in order:
            reader.problem(
                lines.get(step_id, 0),
                f"step {step_id!r} cannot be reached from start "
                f"{dialogue.start!r}; point a `next` at it or delete it",
            )
    if broken:
        _check_placeholders(reader, dialogue, order, lines)
        return
    _check_paths(reader, dialogue, order, lines)
    _check_branching(reader, data, dialogue)
    _check_choices_matter(reader, lines, dialogue)


def _topological_order(
    reader: FileReader, dialogue: Dialogue, lines: dict[str, int]
) -> list[str] | None:
    """Steps reachable from start in an order where each comes before its successors."""
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(step_id: str, trail: tuple[str, ...]) -> bool:
        if state.get(step_id) == "done":
            return True
        if state.get(step_id) == "open":
            loop = " -> ".join((*trail[trail.index(step_id) :], step_id))
            reader.problem(
                lines.get(step_id, 0),
                f"steps loop back on themselves ({loop}); "
                "every path must move on to an `end` step",
            )
            return False
        state[step_id] = "open"
        ok = all(
            visit(n, (*trail, step_id))
            for n in dialogue.steps[step_id].successors()
            if n in dialogue.steps  # a missing target is reported on its own
        )
        state[step_id] = "done"
        order.append(step_id)
        return ok

    if not visit(dialogue.start, ()):
        return None
    order.reverse()
    return order


def _check_paths(
    reader: FileReader, dialogue: Dialogue, order: list[str], lines: dict[str, int]
) -> None:
    """Question counts, a commitment on every path, and placeholders defined before use."""
    steps = dialogue.steps
    shortest: dict[str, int] = {}
    longest: dict[str, int] = {}
    committed: dict[str, bool] = {}  # every path from here on holds a commitment step
    for step_id in reversed(order):
        step = steps[step_id]
        here = 1 if step.is_question else 0
        after = step.successors()
        if not after and step.type != "end":
            reader.problem(
                lines.get(step_id, 0),
                f"step {step_id!r} leads nowhere; give it a `next` or make it `type: end`",
            )
        shortest[step_id] = here + min((shortest[n] for n in after), default=0)
        longest[step_id] = here + max((longest[n] for n in after), default=0)
        committed[step_id] = step.type == "commitment" or bool(
            after and all(committed[n] for n in after)
        )
    start = dialogue.start
    low, high = question_range(dialogue)
    if shortest[start] < low or longest[start] > high:
        length = "about three minutes" if dialogue.kind == "conversation" else "`kind: prep`"
        reader.problem(
            lines.get(start, 0),
            f"paths from start ask between {shortest[start]} and "
            f"{longest[start]} questions; every path must ask {low} to {high} ({length})",
        )
    if not committed[start]:
        reader.problem(
            lines.get(start, 0),
            "a path reaches the end without a `commitment` step; "
            "end every path with 'what will you try, and by when?'",
        )
    _check_placeholders(reader, dialogue, order, lines)


def question_range(dialogue: Dialogue) -> tuple[int, int]:
    """How many questions every path of this dialogue must ask, fewest and most."""
    return QUESTIONS[dialogue.kind]


def parse_kind(reader: FileReader, data: YamlMap) -> DialogueKind:
    """`kind:` of a dialogue: `conversation` (the default) or `prep`."""
    return reader.one_of(
        data,
        "kind",
        "the dialogue",
        options=DIALOGUE_KINDS,
        default="conversation",
        example="leave it out for a conversation",
    )


def _check_one_prep(
    directory: Path, dialogues: Sequence[Dialogue], problems: list[ContentProblem]
) -> None:
    """The `prep` command opens one dialogue, so at most one may be `kind: prep`."""
    preps = [d.id for d in dialogues if d.kind == "prep"]
    if len(preps) > 1:
        problems.append(
            ContentProblem(
                str(directory / "dialogues"),
                0,
                f"{len(preps)} dialogues are `kind: prep` ({', '.join(preps)}); the `prep` "
                "command opens one, so keep `kind: prep` on one and remove it from the others",
            )
        )


def _check_placeholders(
    reader: FileReader, dialogue: Dialogue, order: list[str], lines: dict[str, int]
) -> None:
    steps = dialogue.steps
    known: dict[str, set[str]] = {}  # names saved on every path before reaching the step
    for step_id in order:
        preds = [p for p in order if step_id in steps[p].successors()]
        known[step_id] = (
            set.intersection(*(known[p] | _saved(steps[p]) for p in preds)) if preds else set()
        )
        step = steps[step_id]
        texts = [step.text, step.if_dated or "", step.if_unsure or ""]
        texts += [c.reply or "" for c in step.choices]
        texts += [line for h in step.if_heard for line in (h.say, h.ask)]
        built_on = steps[step_id].builds_on
        used: set[str] = set().union(*map(_names, texts)) | ({built_on} if built_on else set())
        for name in sorted(used):
            if name not in known[step_id]:
                reader.problem(
                    lines.get(step_id, 0),
                    f"step {step_id!r} uses {{{name}}}, which no "
                    "step before it saves on every path; add `save_as: "
                    f"{name}` to an earlier step or remove the placeholder",
                )


def _check_branching(reader: FileReader, data: YamlMap, dialogue: Dialogue) -> None:
    branches = any(
        s.type == "choice" and len(set(s.successors())) > 1 for s in dialogue.steps.values()
    )
    if not branches:
        reader.problem(
            line_of(data, "steps"),
            "no choice leads to a different step; add at least one branch on the leader's answer",
            warning=True,
        )


def _check_choices_matter(reader: FileReader, lines: dict[str, int], dialogue: Dialogue) -> None:
    """Review 12b: "I'm asked to choose, then the choice is ignored." A choice whose buttons
    all lead to the same step, with at most one `reply` and a label no later question uses,
    changes nothing for the leader."""
    used = set().union(*(_names(s.text) for s in dialogue.steps.values()))
    for step in dialogue.steps.values():
        if step.type != "choice" or len({c.next for c in step.choices}) != 1:
            continue
        if sum(1 for c in step.choices if c.reply) > 1 or step.save_as in used:
            continue
        reader.problem(
            lines.get(step.id, 0),
            f"step {step.id!r}: every choice leads to the same step and changes nothing; "
            "send them to different steps, give each a `reply`, or make it a text step",
            warning=True,
        )


def _saved(step: Step) -> set[str]:
    return {step.save_as} if step.save_as else set()


def _names(text: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError:
        return {"{"}  # an unbalanced brace; reported as an unknown placeholder


def check_totals(
    directory: Path,
    themes: Sequence[Theme],
    nudges: Sequence[Nudge],
    dialogues: Sequence[Dialogue],
    problems: list[ContentProblem],
) -> None:
    """Enough nudges and dialogues per theme (warnings: content may grow gradually), and
    no more than one `kind: prep` (an error: the `prep` command opens one)."""
    _check_one_prep(directory, dialogues, problems)
    for theme in themes:
        want_n = CORE_NUDGES if theme.core else OTHER_NUDGES
        want_d = CORE_DIALOGUES if theme.core else OTHER_DIALOGUES
        have_n = sum(1 for n in nudges if n.theme == theme.id)
        have_d = sum(1 for d in dialogues if d.theme == theme.id)
        kind = "core theme" if theme.core else "theme"
        if have_n < want_n:
            problems.append(
                ContentProblem(
                    str(directory / "nudges" / f"{theme.id}.yaml"),
                    0,
                    f"{kind} {theme.id!r} has {have_n} nudges; write at least {want_n}",
                    "warning",
                )
            )
        if have_d < want_d:
            problems.append(
                ContentProblem(
                    str(directory / "dialogues"),
                    0,
                    f"{kind} {theme.id!r} has {have_d} dialogues; write at least {want_d}",
                    "warning",
                )
            )


READ_FILES = (
    "themes.yaml",
    "onboarding.yaml",
    "safety.yaml",
    "commitments.yaml",
    "profile.yaml",
    "organisations.yaml",
    "circles.yaml",
    "circle_rounds.yaml",
)
READ_FOLDERS = ("dialogues", "nudges")
YAML_SUFFIXES = (".yaml", ".yml")


def check_unread(directory: Path, problems: list[ContentProblem]) -> None:
    """Every file the loader would skip, so a misplaced or misnamed file is not silently
    ignored. READMEs (for people) and hidden files (editors, git) are not content."""
    for path in sorted(_files(directory)):
        relative = path.relative_to(directory)
        parts = relative.parts
        if len(parts) == 1 and parts[0] in READ_FILES:
            continue
        if len(parts) == 2 and parts[0] in READ_FOLDERS and path.suffix in YAML_SUFFIXES:  # noqa: PLR2004
            continue
        problems.append(
            ContentProblem(
                str(directory),
                0,
                f"not read: {path} — content files live in {_folders()} (as .yaml), or are "
                f"one of {', '.join(READ_FILES)}; move or rename it, or delete it",
                "warning",
            )
        )


def _folders() -> str:
    return " or ".join(f"{name}/" for name in READ_FOLDERS)


def _files(directory: Path) -> list[Path]:
    found: list[Path] = []
    for folder, subfolders, names in directory.walk():
        subfolders[:] = [s for s in subfolders if not s.startswith(".")]
        found += [
            folder / n
            for n in names
            if not n.startswith(".") and not n.upper().startswith("README")
        ]
    return found
