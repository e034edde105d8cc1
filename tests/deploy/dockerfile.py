"""Read a Dockerfile the way `docker build` does, enough to check what the image runs:
continuation lines joined, comments dropped, one instruction per entry, grouped by stage."""

import json
import shlex
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper case: FROM, RUN, CMD, ...
    arguments: str

    def exec_form(self) -> list[str]:
        """The JSON array of an exec-form CMD, ENTRYPOINT or HEALTHCHECK ... CMD."""
        start = self.arguments.find("[")
        assert start >= 0, f"{self.keyword} {self.arguments} is in shell form"
        value = json.loads(self.arguments[start:])
        assert isinstance(value, list), f"{self.keyword} is not a JSON array"
        assert all(isinstance(part, str) for part in value)
        return value

    def settings(self) -> dict[str, str]:
        """ENV (or LABEL) key=value pairs."""
        return dict(part.split("=", 1) for part in shlex.split(self.arguments))


def instructions(path: Path) -> list[Instruction]:
    found: list[Instruction] = []
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue  # comments may sit inside a continued instruction too
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).partition(" ")
        found.append(Instruction(keyword.upper(), arguments.strip()))
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"
    return found


def stages(path: Path) -> list[list[Instruction]]:
    """Each stage's instructions, its FROM first."""
    result: list[list[Instruction]] = []
    for instruction in instructions(path):
        if instruction.keyword == "FROM":
            result.append([])
        assert result, "the Dockerfile must start with FROM"
        result[-1].append(instruction)
    return result


def only(stage: list[Instruction], keyword: str) -> Instruction:
    (found,) = [i for i in stage if i.keyword == keyword]
    return found


def environment(stage: list[Instruction]) -> dict[str, str]:
    env: dict[str, str] = {}
    for instruction in stage:
        if instruction.keyword == "ENV":
            env |= instruction.settings()
    return env
