"""Load and check the YAML content folder; every problem names file, line and fix."""

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from dialogs.content_checks import check_dialogue_graph, check_totals, check_unread, parse_kind
from dialogs.content_circle_rounds import RoundCopy, load_circle_rounds
from dialogs.content_circles import load_circle_copy
from dialogs.content_commitments import load_commitments, parse_commitment_fields
from dialogs.content_echoes import parse_answer, parse_refer_as
from dialogs.content_model import (
    COACHING_MODELS,
    Content,
    Dialogue,
    Nudge,
    Onboarding,
    Step,
    StepChoice,
    StepType,
    Theme,
)
from dialogs.content_profile import load_organisations, load_profile_copy
from dialogs.content_reader import FileReader
from dialogs.content_safety import load_safety
from dialogs.errors import ContentError, ContentProblem
from dialogs.yamlsource import YamlMap, YamlSyntaxError, line_of, load_yaml

NUDGE_MAX = 280
STEP_TEXT_MAX = 300
LABEL_MAX = 30
STEP_TYPES = ("text", "choice", "commitment", "end")
STEP_FIELDS = {
    "text": (
        "type",
        "ask",
        "next",
        "placeholder",
        "save_as",
        "answer",
        "refer_as",
        "if_dated",
        "if_unsure",
    ),
    "choice": ("type", "ask", "choices", "save_as", "heard"),
    "commitment": (
        "type",
        "ask",
        "next",
        "placeholder",
        "given",
        "builds_on",
        "expects",
        "follow_up",
        "if_dated",
    ),
    "end": ("type", "say"),
}
ONBOARDING_KEYS = (
    "welcome",
    "privacy_line",
    "privacy",
    "setup_question",
    "themes_question",
    "more_themes_question",
    "time_question",
    "done",
    "done_no_nudges",
    "skipped",
)


# What a newcomer sees first is short on a phone (review 12e: a wall of text on first contact).
ONBOARDING_LIMITS = {"welcome": 200, "privacy_line": 160}


def load_content(directory: Path) -> Content:
    """Load the content folder, raising ContentError with every error found."""
    content, problems = check_content(directory)
    if content is None or any(p.severity == "error" for p in problems):
        raise ContentError(problems)
    return content


def check_content(directory: Path) -> tuple[Content | None, list[ContentProblem]]:
    """Load what can be loaded and list every problem (errors and warnings)."""
    problems: list[ContentProblem] = []
    if not directory.is_dir():
        problems.append(
            ContentProblem(
                str(directory),
                0,
                "content folder not found; set PEERCOACH_CONTENT_DIR to a folder with themes.yaml",
            )
        )
        return None, problems
    themes = _load_themes(directory, problems)
    theme_ids = {t.id for t in themes}
    dialogues = _load_dialogues(directory, theme_ids, problems)
    nudges = _load_nudges(directory, theme_ids, {d.id for d in dialogues}, problems)
    onboarding = _load_onboarding(directory, problems)
    safety = _load_file(directory / "safety.yaml", problems, load_safety)
    commitments = _load_file(directory / "commitments.yaml", problems, load_commitments)
    profile = _load_file(directory / "profile.yaml", problems, load_profile_copy)
    organisations = (  # optional: without it, every organisation is kept as typed
        _load_file(directory / "organisations.yaml", problems, load_organisations)
        if (directory / "organisations.yaml").is_file()
        else ()
    )
    circles = _load_file(directory / "circles.yaml", problems, load_circle_copy)
    circle_rounds = _load_circle_rounds(directory, problems)
    check_totals(directory, themes, nudges, dialogues, problems)
    check_unread(directory, problems)
    problems.sort(key=lambda p: (p.severity != "error", p.file, p.line))
    if (
        onboarding is None
        or safety is None
        or commitments is None
        or profile is None
        or circles is None
    ):
        return None, problems
    if any(p.severity == "error" for p in problems):
        return None, problems
    return Content(
        themes=themes,
        nudges=nudges,
        dialogues=dialogues,
        onboarding=onboarding,
        safety=safety,
        commitments=commitments,
        profile=profile,
        organisations=organisations or (),
        circle_rounds=circle_rounds,
        circles=circles,
        version=_fingerprint(directory),
    ), problems


def _read(path: Path, problems: list[ContentProblem]) -> tuple[FileReader, YamlMap | None]:
    reader = FileReader(str(path), problems)
    if not path.is_file():
        reader.problem(0, "file is missing; create it (see content/README.md)")
        return reader, None
    try:
        data = load_yaml(path)
    except YamlSyntaxError as exc:
        reader.problem(exc.line, f"{exc.reason}; check indentation and quoting on this line")
        return reader, None
    except UnicodeDecodeError:
        reader.problem(0, "file is not UTF-8 text; save it as UTF-8")
        return reader, None
    return reader, reader.mapping(data, "the file", 1)


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*") if p.suffix in (".yaml", ".yml"))


def _load_themes(directory: Path, problems: list[ContentProblem]) -> tuple[Theme, ...]:
    reader, data = _read(directory / "themes.yaml", problems)
    if data is None:
        return ()
    themes: list[Theme] = []
    for line, item in reader.items(data, "themes", "themes.yaml"):
        m = reader.mapping(item, "a theme", line)
        if m is None:
            continue
        reader.unknown_keys(m, ("id", "title", "summary", "core"), "theme")
        theme_id = reader.identifier(m, "id", "theme")
        what = f"theme {theme_id!r}"
        title = reader.text(m, "title", what, max_len=40)
        summary = reader.text(m, "summary", what, max_len=120)
        core = reader.boolean(m, "core", what, default=False)
        if theme_id and any(t.id == theme_id for t in themes):
            reader.problem(line, f"theme id {theme_id!r} is used twice; give each its own id")
        elif theme_id and title and summary:
            themes.append(Theme(theme_id, title, summary, core))
    return tuple(themes)


def _load_nudges(
    directory: Path, theme_ids: set[str], dialogue_ids: set[str], problems: list[ContentProblem]
) -> tuple[Nudge, ...]:
    nudges: list[Nudge] = []
    seen: dict[str, str] = {}
    for path in _yaml_files(directory / "nudges"):
        reader, data = _read(path, problems)
        if data is None:
            continue
        reader.unknown_keys(data, ("theme", "nudges"), "the file")
        theme = reader.text(data, "theme", "the file")
        if theme and theme not in theme_ids:
            reader.problem(
                line_of(data, "theme"),
                f"theme {theme!r} is not in themes.yaml; "
                f"use one of: {', '.join(sorted(theme_ids))}",
            )
        for line, item in reader.items(data, "nudges", "the file"):
            nudge = _parse_nudge(reader, item, line, theme or "", dialogue_ids)
            if nudge is None:
                continue
            if nudge.id in seen:
                reader.problem(
                    line,
                    f"nudge id {nudge.id!r} is also used in {seen[nudge.id]}; "
                    "give each nudge its own id",
                )
                continue
            seen[nudge.id] = str(path)
            nudges.append(nudge)
    return tuple(nudges)


def _parse_nudge(
    reader: FileReader, item: Any, line: int, theme: str, dialogue_ids: set[str]
) -> Nudge | None:
    m = reader.mapping(item, "a nudge", line)
    if m is None:
        return None
    reader.unknown_keys(m, ("id", "text", "dialogue"), "nudge")
    nudge_id = reader.identifier(m, "id", "nudge")
    what = f"nudge {nudge_id!r}"
    text = reader.text(m, "text", what, max_len=NUDGE_MAX)
    dialogue = reader.text(m, "dialogue", what, required=False)
    if nudge_id and theme and not nudge_id.startswith(theme + "."):
        reader.problem(line, f"{what}: id must start with the theme, e.g. '{theme}.{nudge_id}'")
    if text and not text.rstrip().endswith(("?", ".")):
        reader.problem(
            line_of(m, "text"), f"{what}: end with a question (?) or a small action for today (.)"
        )
    if dialogue and dialogue not in dialogue_ids:
        reader.problem(
            line_of(m, "dialogue"),
            f"{what}: dialogue {dialogue!r} does not exist; use the id of a file in dialogues/",
        )
    if not (nudge_id and text):
        return None
    return Nudge(nudge_id, theme, text, dialogue)


def _load_dialogues(
    directory: Path, theme_ids: set[str], problems: list[ContentProblem]
) -> tuple[Dialogue, ...]:
    dialogues: list[Dialogue] = []
    for path in _yaml_files(directory / "dialogues"):
        reader, data = _read(path, problems)
        if data is None:
            continue
        dialogue = _parse_dialogue(reader, data, path.stem, theme_ids)
        if dialogue is not None:
            check_dialogue_graph(reader, data, dialogue)
            dialogues.append(dialogue)
    return tuple(dialogues)


def _parse_dialogue(
    reader: FileReader, data: YamlMap, stem: str, theme_ids: set[str]
) -> Dialogue | None:
    reader.unknown_keys(
        data,
        (
            "id",
            "theme",
            "title",
            "summary",
            "model",
            "minutes",
            "follow_up_days",
            "routing",
            "kind",
            "start",
            "steps",
        ),
        "the dialogue",
    )
    dialogue_id = reader.identifier(data, "id", "the dialogue")
    if dialogue_id and dialogue_id != stem:
        reader.problem(
            line_of(data, "id"),
            f"id {dialogue_id!r} does not match the file name; "
            f"rename the file to {dialogue_id}.yaml or set `id: {stem}`",
        )
    theme = reader.text(data, "theme", "the dialogue")
    if theme and theme not in theme_ids:
        reader.problem(
            line_of(data, "theme"),
            f"theme {theme!r} is not in themes.yaml; use one of: {', '.join(sorted(theme_ids))}",
        )
    title = reader.text(data, "title", "the dialogue", max_len=50)
    summary = reader.text(data, "summary", "the dialogue", max_len=140)
    model = reader.text(data, "model", "the dialogue")
    if model and model not in COACHING_MODELS:
        reader.problem(
            line_of(data, "model"),
            f"model {model!r} is unknown; use one of: {', '.join(COACHING_MODELS)}",
        )
    minutes = reader.integer(data, "minutes", "the dialogue", 1, 10)
    follow_up = reader.integer(data, "follow_up_days", "the dialogue", 1, 30)
    phrases, keywords = _parse_routing(reader, data)
    kind = parse_kind(reader, data)
    start = reader.text(data, "start", "the dialogue")
    steps = _parse_steps(reader, data)
    if None in (dialogue_id, theme, title, summary, model, minutes, follow_up, start) or not steps:
        return None
    return Dialogue(
        id=str(dialogue_id),
        theme=str(theme),
        title=str(title),
        summary=str(summary),
        model=str(model),
        minutes=int(minutes or 0),
        follow_up_days=int(follow_up or 0),
        start=str(start),
        steps=steps,
        phrases=phrases,
        keywords=keywords,
        kind=kind,
    )


def _parse_routing(reader: FileReader, data: YamlMap) -> tuple[tuple[str, ...], tuple[str, ...]]:
    routing = data.get("routing")
    if routing is None:
        reader.problem(
            data.line,
            "the dialogue: `routing` is missing; add `routing:` with "
            "`phrases:` and `keywords:` so free text can find it",
            warning=True,
        )
        return (), ()
    m = reader.mapping(routing, "`routing`", line_of(data, "routing"))
    if m is None:
        return (), ()
    reader.unknown_keys(m, ("phrases", "keywords"), "routing")
    phrases = reader.phrases(m, "phrases", "routing", required=True)
    keywords = reader.phrases(m, "keywords", "routing", required=False)
    for word in keywords:
        if " " in word:
            reader.problem(
                line_of(m, "keywords"),
                f"routing: keyword {word!r} has a space; move it to `phrases`",
            )
    return phrases, keywords


def _parse_steps(reader: FileReader, data: YamlMap) -> dict[str, Step]:
    raw = reader.mapping(data.get("steps"), "`steps`", line_of(data, "steps"))
    if raw is None:
        return {}
    steps: dict[str, Step] = {}
    for step_id, value in raw.items():
        step = _parse_step(reader, str(step_id), value, line_of(raw, str(step_id)))
        if step is None:
            return {}  # reported; graph checks on a partial graph would only add noise
        steps[step.id] = step
    return steps


def _parse_step(reader: FileReader, step_id: str, value: Any, line: int) -> Step | None:
    what = f"step {step_id!r}"
    m = reader.mapping(value, what, line)
    if m is None:
        return None
    step_type = cast(StepType | None, reader.text(m, "type", what))
    if step_type not in STEP_TYPES:
        if step_type is not None:
            reader.problem(
                line_of(m, "type"),
                f"{what}: type {step_type!r} is unknown; use one of: {', '.join(STEP_TYPES)}",
            )
        return None
    reader.unknown_keys(m, STEP_FIELDS[step_type], what)
    text_key = "say" if step_type == "end" else "ask"
    text = reader.text(m, text_key, what, max_len=STEP_TEXT_MAX)
    choices = _parse_choices(reader, m, what) if step_type == "choice" else ()
    next_id = reader.text(m, "next", what) if step_type in ("text", "commitment") else None
    if text is None or (step_type in ("text", "commitment") and next_id is None):
        return None
    return Step(
        id=step_id,
        type=step_type,
        text=text,
        next=next_id,
        choices=choices,
        save_as=reader.text(m, "save_as", what, required=False),
        placeholder=reader.text(m, "placeholder", what, required=False, max_len=100),
        answer=parse_answer(reader, m, what),
        refer_as=parse_refer_as(reader, m, what),
        heard=reader.text(m, "heard", what, required=False, max_len=150),
        if_dated=reader.text(m, "if_dated", what, required=False, max_len=STEP_TEXT_MAX),
        if_unsure=reader.text(m, "if_unsure", what, required=False, max_len=STEP_TEXT_MAX),
        **(parse_commitment_fields(reader, m, what) if step_type == "commitment" else {}),
    )


def _parse_choices(reader: FileReader, m: YamlMap, what: str) -> tuple[StepChoice, ...]:
    choices: list[StepChoice] = []
    items = reader.items(m, "choices", what)
    if items and not 2 <= len(items) <= 5:  # noqa: PLR2004 - the rule is "2 to 5 buttons"
        reader.problem(line_of(m, "choices"), f"{what}: has {len(items)} choices; offer 2 to 5")
    for line, item in items:
        c = reader.mapping(item, "a choice", line)
        if c is None:
            continue
        reader.unknown_keys(c, ("label", "next", "aliases", "reply"), f"{what} choice")
        label = reader.text(c, "label", f"{what} choice", max_len=LABEL_MAX)
        next_id = reader.text(c, "next", f"{what} choice {label!r}")
        aliases = reader.phrases(c, "aliases", f"{what} choice {label!r}", required=False)
        reply = reader.text(
            c, "reply", f"{what} choice {label!r}", required=False, max_len=STEP_TEXT_MAX
        )
        if label and next_id:
            choices.append(StepChoice(label, next_id, aliases, reply))
    return tuple(choices)


def _load_onboarding(directory: Path, problems: list[ContentProblem]) -> Onboarding | None:
    reader, data = _read(directory / "onboarding.yaml", problems)
    if data is None:
        return None
    reader.unknown_keys(data, ONBOARDING_KEYS, "onboarding")
    values = {
        key: reader.text(data, key, "onboarding", max_len=ONBOARDING_LIMITS.get(key, 900))
        for key in ONBOARDING_KEYS
    }
    for key, allowed in (("done", {"themes", "time", "timezone"}), ("done_no_nudges", {"themes"})):
        text = values.get(key) or ""
        for name in _placeholders(text) - allowed:
            reader.problem(
                line_of(data, key),
                f"onboarding: `{key}` uses {{{name}}}; only "
                f"{', '.join('{' + a + '}' for a in sorted(allowed))} are filled in",
            )
    if any(v is None for v in values.values()):
        return None
    return Onboarding(**{k: str(v) for k, v in values.items()})


def _load_circle_rounds(directory: Path, problems: list[ContentProblem]) -> RoundCopy | None:
    """Optional, so a content folder from before peer circles still loads: without it,
    circles' rounds are off (and the check says so)."""
    path = directory / "circle_rounds.yaml"
    if not path.is_file():
        problems.append(
            ContentProblem(
                str(path),
                0,
                "file is missing, so peer circles cannot run rounds; copy the shipped "
                "content/circle_rounds.yaml here (see content/README.md)",
                "warning",
            )
        )
        return None
    return _load_file(path, problems, load_circle_rounds)


def _load_file[T](
    path: Path, problems: list[ContentProblem], load: Callable[[FileReader, YamlMap], T | None]
) -> T | None:
    reader, data = _read(path, problems)
    return None if data is None else load(reader, data)


def _placeholders(text: str) -> set[str]:
    import string  # noqa: PLC0415 - only needed here

    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _fingerprint(directory: Path) -> str:
    """A short hash of every content file, shown by /healthz as the content version."""
    digest = hashlib.sha256()
    for path in sorted(directory.rglob("*.y*ml")):
        digest.update(path.relative_to(directory).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
