"""Load and check the YAML content folder; every problem names file, line and fix."""

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dialogs.content_checks import check_dialogue_graph, check_totals, check_unread
from dialogs.content_circle_rounds import RoundCopy, load_circle_rounds
from dialogs.content_circles import load_circle_copy
from dialogs.content_commitments import load_commitments
from dialogs.content_dialogues import parse_dialogue
from dialogs.content_model import Content, Dialogue, Nudge, Onboarding, Theme
from dialogs.content_profile import load_organisations, load_profile_copy
from dialogs.content_reader import FileReader
from dialogs.content_safety import load_safety
from dialogs.errors import ContentError, ContentProblem
from dialogs.yamlsource import YamlMap, YamlSyntaxError, line_of, load_yaml

NUDGE_MAX = 280
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
    "zone_guessed",
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
        dialogue = parse_dialogue(reader, data, path.stem, theme_ids)
        if dialogue is not None:
            check_dialogue_graph(reader, data, dialogue)
            dialogues.append(dialogue)
    return tuple(dialogues)


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
