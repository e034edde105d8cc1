"""Errors the engine and its content can raise."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class ContentProblem:
    """One thing wrong (or doubtful) in a content file, with where and how to fix it."""

    file: str
    line: int
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        tag = "" if self.severity == "error" else " (warning)"
        return f"{where}:{tag} {self.message}"


class ContentError(Exception):
    """Raised when content fails its checks; carries every problem, not just the first."""

    def __init__(self, problems: Sequence[ContentProblem]) -> None:
        self.problems = tuple(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        super().__init__(f"{len(errors)} content error(s):\n" + "\n".join(map(str, errors)))
