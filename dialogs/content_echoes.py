"""Schema and checks for echoes: how a later question may use an earlier answer."""

from dialogs.content_model import Dialogue, Step
from dialogs.content_reader import FileReader
from dialogs.echoes import (
    ANSWER_KINDS,
    ECHO_CHARS,
    ECHO_WORDS,
    AnswerKind,
    alone_on_line,
    is_short,
    names_in,
)
from dialogs.yamlsource import YamlMap, line_of

REFER_AS_MAX = 40


def parse_answer(reader: FileReader, m: YamlMap, what: str) -> AnswerKind:
    """`answer:` of a text step: `long` (the default), `short` or `name`."""
    return reader.one_of(
        m,
        "answer",
        what,
        options=ANSWER_KINDS,
        default="long",
        example="e.g. `answer: short` for a step that asks for a few words",
    )


def parse_refer_as(reader: FileReader, m: YamlMap, what: str) -> str | None:
    """`refer_as:` of a text step: the words that stand in for a long answer."""
    value = reader.text(m, "refer_as", what, required=False, max_len=REFER_AS_MAX)
    if value is None:
        return None
    if m.get("save_as") is None:
        reader.problem(
            line_of(m, "refer_as"),
            f"{what}: `refer_as` only matters with `save_as`; add `save_as: <name>` or remove it",
            warning=True,
        )
    if value[:1].isupper() or value.endswith((".", "?", "!")):
        reader.problem(
            line_of(m, "refer_as"),
            f"{what}: `refer_as` {value!r} goes inside a sentence; write it in lower case "
            "with no full stop, e.g. `refer_as: that change`",
        )
    return value


def check_echoes(reader: FileReader, data: YamlMap, dialogue: Dialogue) -> None:
    """Warnings where an echo would read badly: a long answer mid-sentence, no `refer_as`
    to stand in for it, or a short-answer step whose example is not short."""
    raw_steps = data.get("steps")
    lines = raw_steps.key_lines if isinstance(raw_steps, YamlMap) else {}
    savers: dict[str, list[Step]] = {}
    for step in dialogue.steps.values():
        if step.save_as:
            savers.setdefault(step.save_as, []).append(step)
        _check_example(reader, step, lines.get(step.id, 0))
    for name, steps in savers.items():
        _check_agree(reader, name, steps, lines)
    for step in dialogue.steps.values():
        texts = [step.text, *(c.reply or "" for c in step.choices)]
        for text in texts:
            quoted = alone_on_line(text)
            for name in names_in(text):
                text_savers = [s for s in savers.get(name, []) if s.type == "text"]
                if name not in quoted and text_savers:
                    _check_inline(reader, step, text_savers[0], name, lines.get(step.id, 0))


def _check_inline(reader: FileReader, step: Step, saver: Step, name: str, line: int) -> None:
    if saver.type != "text":
        return  # a choice saves its label, which is short
    if saver.answer == "long":
        reader.problem(
            line,
            f"step {step.id!r} puts {{{name}}} mid-sentence, but step {saver.id!r} invites a "
            f"long answer; put {{{name}}} on a line of its own to quote it, or ask there for a "
            "few words and mark it `answer: short` with a `refer_as`",
            warning=True,
        )
    elif saver.refer_as is None:
        reader.problem(
            line,
            f"step {step.id!r} puts {{{name}}} mid-sentence, and step {saver.id!r} has no "
            "`refer_as` for when the answer is long; add one, e.g. `refer_as: that change` "
            "or `refer_as: the person you named`",
            warning=True,
        )


def _check_agree(reader: FileReader, name: str, steps: list[Step], lines: dict[str, int]) -> None:
    """Steps saving one name echo it one way, whichever of them the leader came through."""
    first = steps[0]
    for other in steps[1:]:
        if other.type == first.type == "text" and (other.answer, other.refer_as) != (
            first.answer,
            first.refer_as,
        ):
            reader.problem(
                lines.get(other.id, 0),
                f"steps {first.id!r} and {other.id!r} both save {{{name}}} but differ in "
                "`answer` or `refer_as`; give them the same, so the echo reads one way",
                warning=True,
            )


def _check_example(reader: FileReader, step: Step, line: int) -> None:
    if step.type != "text" or step.answer == "long":
        return
    example = (step.placeholder or "").removeprefix("e.g.").strip()
    if not example:
        reader.problem(
            line,
            f"step {step.id!r} asks for `answer: {step.answer}` but shows no example; add "
            "e.g. `placeholder: e.g. Sam, or the ward manager`",
            warning=True,
        )
    elif not is_short(example):
        reader.problem(
            line,
            f"step {step.id!r} asks for `answer: {step.answer}`, but its example "
            f"{example!r} is longer than {ECHO_WORDS} words or {ECHO_CHARS} characters; "
            "shorten the example so it shows a few words",
            warning=True,
        )
