"""One dialogue file read into a Dialogue: its routing, its steps and their choices, each
problem named with file, line and fix. Split from content.py by job."""

import re
from typing import Any, cast

from dialogs.content_checks import parse_kind
from dialogs.content_commitments import parse_commitment_fields
from dialogs.content_echoes import parse_answer, parse_refer_as
from dialogs.content_model import (
    COACHING_MODELS,
    Dialogue,
    Hearing,
    Step,
    StepChoice,
    StepType,
)
from dialogs.content_reader import FileReader
from dialogs.yamlsource import YamlMap, line_of

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
        "if_heard",
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


def parse_dialogue(
    reader: FileReader, data: YamlMap, stem: str, theme_ids: set[str]
) -> Dialogue | None:
    """A dialogue file's fields checked and built; None when any is missing or wrong."""
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
    phrases, keywords, feelings = _parse_routing(reader, data)
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
        feelings=feelings,
        kind=kind,
    )


Words = tuple[str, ...]
# A feeling: lowercase words (letters, apostrophes, hyphens); a `*` may end the last one.
_FEELING = re.compile(r"^[a-z][a-z'-]*(?: [a-z][a-z'-]*)*(?:[a-z]{3}\*)?$")


def _parse_routing(reader: FileReader, data: YamlMap) -> tuple[Words, Words, Words]:
    """`phrases:` and `keywords:` that let free text find the dialogue, and `feelings:`,
    words that say how the leader is, met with one line before any suggestion."""
    routing = data.get("routing")
    if routing is None:
        reader.problem(
            data.line,
            "the dialogue: `routing` is missing; add `routing:` with "
            "`phrases:` and `keywords:` so free text can find it",
            warning=True,
        )
        return (), (), ()
    m = reader.mapping(routing, "`routing`", line_of(data, "routing"))
    if m is None:
        return (), (), ()
    reader.unknown_keys(m, ("phrases", "keywords", "feelings"), "routing")
    phrases = reader.phrases(m, "phrases", "routing", required=True)
    keywords = reader.phrases(m, "keywords", "routing", required=False)
    for word in keywords:
        if " " in word:
            reader.problem(
                line_of(m, "keywords"),
                f"routing: keyword {word!r} has a space; move it to `phrases`",
            )
    feelings = reader.phrases(m, "feelings", "routing", required=False)
    for word in feelings:
        if not _FEELING.match(word):
            reader.problem(
                line_of(m, "feelings"),
                f"routing: feeling {word!r} must be lowercase words, and only the last may "
                "end in `*` after at least three letters, e.g. `worn out` or `undermin*`",
            )
    return phrases, keywords, tuple(w for w in feelings if _FEELING.match(w))


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
        if_heard=_parse_hearings(reader, m, what) if step_type == "text" else (),
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


def _parse_hearings(reader: FileReader, m: YamlMap, what: str) -> tuple[Hearing, ...]:
    """`if_heard:` entries, each `words` (as `routing: feelings:`), `say` and `ask`."""
    if m.get("if_heard") is None:
        return ()
    hearings: list[Hearing] = []
    for line, item in reader.items(m, "if_heard", what):
        h = reader.mapping(item, "an `if_heard` entry", line)
        if h is None:
            continue
        where = f"{what} if_heard"
        reader.unknown_keys(h, ("words", "say", "ask"), where)
        words = reader.phrases(h, "words", where, required=True)
        for word in words:
            if not _FEELING.match(word):
                reader.problem(
                    line_of(h, "words"),
                    f"{where}: {word!r} must be lowercase words, and only the last may end "
                    "in `*` after at least three letters, e.g. `off sick` or `exhaust*`",
                )
        say = reader.text(h, "say", where, max_len=150)
        ask = reader.text(h, "ask", where, max_len=STEP_TEXT_MAX)
        if words and say and ask:
            hearings.append(Hearing(tuple(w for w in words if _FEELING.match(w)), say, ask))
    return tuple(hearings)
