"""Typed field reading for content files: every problem is collected with its file and line."""

import difflib
import re
import string
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from dialogs.errors import ContentProblem
from dialogs.yamlsource import YamlList, YamlMap, line_of

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)*$")


class FileReader:
    """Reads fields of one file, recording problems instead of stopping at the first."""

    def __init__(self, file: str, problems: list[ContentProblem]) -> None:
        self.file = file
        self.problems = problems

    def problem(self, line: int, message: str, *, warning: bool = False) -> None:
        self.problems.append(
            ContentProblem(self.file, line, message, "warning" if warning else "error")
        )

    def mapping(self, value: Any, what: str, line: int) -> YamlMap | None:
        if isinstance(value, YamlMap):
            return value
        self.problem(line, f"{what} must be a mapping of `key: value` lines, not {_kind(value)}")
        return None

    def items(self, m: YamlMap, key: str, what: str) -> list[tuple[int, Any]]:
        """The (line, item) pairs of a required list field."""
        value = m.get(key)
        if not isinstance(value, YamlList) or not value:
            self.problem(line_of(m, key), f"{what}: `{key}` must be a list with at least one item")
            return []
        return list(zip(value.item_lines, value, strict=True))

    def one_of[K: str](
        self, m: YamlMap, key: str, what: str, *, options: tuple[K, ...], default: K, example: str
    ) -> K:
        """An optional field that takes one of a few words (`kind:`, `answer:`): the default
        when it is left out or unknown, the unknown one reported with the choices."""
        value = self.text(m, key, what, required=False)
        if value is None:
            return default
        for option in options:
            if value == option:
                return option
        self.problem(
            line_of(m, key),
            f"{what}: {key} {value!r} is unknown; use one of: {', '.join(options)} ({example})",
        )
        return default

    def text(
        self, m: YamlMap, key: str, what: str, *, max_len: int | None = None, required: bool = True
    ) -> str | None:
        value = m.get(key)
        if value is None:
            if required:
                self.problem(m.line, f"{what}: `{key}` is missing; add `{key}: <text>`")
            return None
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.problem(line_of(m, key), f"{what}: `{key}` must be text, not {_kind(value)}")
            return None
        text = str(value).strip() if "\n" in str(value).strip() else " ".join(str(value).split())
        if not text:
            self.problem(line_of(m, key), f"{what}: `{key}` is empty; write the text")
            return None
        if max_len is not None and len(text) > max_len:
            self.problem(
                line_of(m, key),
                f"{what}: `{key}` is {len(text)} characters, over the limit of {max_len}; "
                f"shorten it by {len(text) - max_len}",
            )
        return text

    def texts(
        self,
        m: YamlMap,
        placeholders: Mapping[str, Collection[str]],
        what: str,
        *,
        max_len: int | None = None,
    ) -> dict[str, str] | None:
        """Every key of `placeholders` as text, each using only its own {placeholders}; None
        unless all are there (the problems say which and how to fix them)."""
        values: dict[str, str] = {}
        for key, allowed in placeholders.items():
            text = self.text(m, key, what, max_len=max_len)
            if text is None:
                continue
            used = {name for _, name, _, _ in string.Formatter().parse(text) if name}
            for name in sorted(used - set(allowed)):
                names = ", ".join("{" + a + "}" for a in sorted(allowed)) or "none"
                self.problem(
                    line_of(m, key),
                    f"{what}: `{key}` uses {{{name}}}; placeholders filled in here: {names}",
                )
            values[key] = text
        return values if len(values) == len(placeholders) else None

    def identifier(self, m: YamlMap, key: str, what: str) -> str | None:
        value = self.text(m, key, what)
        if value is not None and not ID_PATTERN.match(value):
            self.problem(
                line_of(m, key),
                f"{what}: id {value!r} must be lowercase words joined by '-' with '.' between "
                "parts, e.g. 'influence.stakeholder-map'",
            )
            return None
        return value

    def integer(self, m: YamlMap, key: str, what: str, low: int, high: int) -> int | None:
        value = m.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(
                line_of(m, key), f"{what}: `{key}` must be a whole number from {low} to {high}"
            )
            return None
        if not low <= value <= high:
            self.problem(
                line_of(m, key), f"{what}: `{key}` is {value}; use a number from {low} to {high}"
            )
        return value

    def boolean(self, m: YamlMap, key: str, what: str, default: bool) -> bool:
        value = m.get(key, default)
        if not isinstance(value, bool):
            self.problem(line_of(m, key), f"{what}: `{key}` must be true or false")
            return default
        return value

    def phrases(self, m: YamlMap, key: str, what: str, *, required: bool) -> tuple[str, ...]:
        value = m.get(key)
        if value is None:
            if required:
                self.problem(m.line, f"{what}: `{key}` is missing; add a list of phrases")
            return ()
        if not isinstance(value, YamlList):
            self.problem(line_of(m, key), f"{what}: `{key}` must be a list of phrases")
            return ()
        found: list[str] = []
        for line, item in zip(value.item_lines, value, strict=True):
            if not isinstance(item, str) or not item.strip():
                self.problem(line, f"{what}: each item of `{key}` must be non-empty text")
            elif item != item.lower():
                self.problem(
                    line,
                    f"{what}: {item!r} in `{key}` must be lowercase; write it as {item.lower()!r}",
                )
            else:
                found.append(" ".join(item.split()))
        return tuple(found)

    def unknown_keys(self, m: YamlMap, allowed: Iterable[str], what: str) -> None:
        allowed = tuple(allowed)
        for key in m:
            if key not in allowed:
                guess = difflib.get_close_matches(str(key), allowed, n=1)
                fix = f"did you mean `{guess[0]}`?" if guess else f"allowed: {', '.join(allowed)}"
                self.problem(line_of(m, str(key)), f"{what}: unknown field `{key}`; {fix}")


def _kind(value: Any) -> str:
    if isinstance(value, YamlList):
        return "a list"
    if isinstance(value, YamlMap):
        return "a mapping"
    if value is None:
        return "nothing"
    return type(value).__name__
