"""The channel-neutral command grammar, parsed once for console, Slack and Teams."""

from dataclasses import dataclass
from datetime import date
from typing import Literal

from dialogs.timetext import parse_clock
from dialogs.timezones import canonical_zone, suggest_zone

SimpleName = Literal["help", "start", "nudge", "journal", "resume", "export", "forget", "stop"]


@dataclass(frozen=True)
class Simple:
    name: SimpleName


@dataclass(frozen=True)
class StartDialogue:
    """`start` with words after it: the leader named (or numbered) a dialogue."""

    query: str


@dataclass(frozen=True)
class Pause:
    until: date | None = None


@dataclass(frozen=True)
class SetTimezone:
    zone: str | None  # None: show the current zone


@dataclass(frozen=True)
class QuietHours:
    """`quiet` (show), `quiet off`, `quiet 22:00-07:00`."""

    hours: tuple[str, str] | None
    show: bool = False


@dataclass(frozen=True)
class ScheduleCommand:
    """`schedule`, `schedule <days> <HH:MM> [theme...]`, `schedule remove ID`: answered by the
    schedule service, which holds every leader's schedules."""

    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class CommandError:
    """Bad arguments: one sentence of reason and a correct example."""

    reason: str
    example: str

    @property
    def text(self) -> str:
        return f"{self.reason} For example: `{self.example}`"


Command = Simple | StartDialogue | Pause | SetTimezone | QuietHours | ScheduleCommand
# Answered by a service rather than the engine: they need more than one leader's state.
ServiceCommand = ScheduleCommand
SERVICE_COMMANDS = (ScheduleCommand,)

_ALIASES: dict[str, SimpleName] = {
    "help": "help",
    "?": "help",
    "commands": "help",
    "menu": "start",
    "start": "start",
    "dialogues": "start",
    "nudge": "nudge",
    "journal": "journal",
    "resume": "resume",
    "export": "export",
    "stop": "stop",
    "cancel": "stop",
    "quit": "stop",
}
_FORGET = ("forget me", "forget", "delete my data", "delete me")


def parse_command(text: str) -> Command | CommandError | None:
    """A command, a CommandError for a command word with bad arguments, or None for prose."""
    words = text.strip().lstrip("/").split()
    if not words:
        return None
    head, rest = words[0].lower(), words[1:]
    if " ".join(w.lower() for w in words) in _FORGET:
        return Simple("forget")
    if head == "pause":
        return _parse_pause(rest)
    if head in ("timezone", "tz", "time-zone"):
        return _parse_timezone(rest)
    if head in ("schedule", "schedules"):
        return ScheduleCommand(tuple(rest))
    if head == "quiet":
        return _parse_quiet(rest)
    if head in ("start", "menu") and rest:
        return StartDialogue(" ".join(rest))
    name = _ALIASES.get(head)
    if name is None or rest:
        return None
    return Simple(name)


def interrupts_an_answer(parsed: Command | CommandError) -> bool:
    """Whether a command may cut into a free-text answer: only a whole, unmistakable one.

    "journal" or "pause until 2027-01-05" is a command anywhere; "start small" or
    "schedule a meeting with Jo" at a question about what the leader will try is an answer.
    """
    match parsed:
        case Simple() | Pause() | QuietHours() | SetTimezone():
            return True
        case ScheduleCommand(args=args):
            return not args
    return False


def _parse_pause(rest: list[str]) -> Pause | CommandError:
    if not rest:
        return Pause()
    args = rest[1:] if rest[0].lower() == "until" else rest
    if len(args) != 1:
        return CommandError(
            "Pause takes one date, written year-month-day.", "pause until 2027-01-05"
        )
    try:
        return Pause(date.fromisoformat(args[0]))
    except ValueError:
        return CommandError(
            f"I couldn't read {args[0]!r} as a date; write it year-month-day.",
            "pause until 2027-01-05",
        )


def _parse_quiet(rest: list[str]) -> QuietHours | CommandError:
    if not rest:
        return QuietHours(None, show=True)
    if len(rest) == 1 and rest[0].lower() in ("off", "none"):
        return QuietHours(None)
    spaced = " ".join(rest).lower().replace(" to ", "-").replace("–", "-").replace(" ", "-")
    times = [parse_clock(part) for part in spaced.split("-") if part]
    start, end = [*times, None, None][:2]
    if len(times) != 2 or start is None or end is None or start == end:  # noqa: PLR2004
        return CommandError(
            "Quiet hours need a start and an end time, like 22:00-07:00.", "quiet 22:00-07:00"
        )
    return QuietHours((start, end))


def _parse_timezone(rest: list[str]) -> SetTimezone | CommandError:
    if not rest:
        return SetTimezone(None)
    name = " ".join(rest)
    found = canonical_zone(name.replace(" ", "_"))
    if found:
        return SetTimezone(found)
    guess = suggest_zone(name.replace(" ", "_"))
    reason = (
        f"{name!r} is not a time zone I know; did you mean {guess}?"
        if guess
        else f"{name!r} is not a time zone name; use a place name from the IANA list, not an "
        "abbreviation or offset."
    )
    return CommandError(reason, f"timezone {guess or 'Europe/London'}")
