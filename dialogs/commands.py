"""The channel-neutral command grammar, parsed once for console, Slack and Teams."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from dialogs.timetext import parse_clock
from dialogs.timezones import canonical_zone, suggest_zone

SimpleName = Literal[
    "help",
    "start",
    "nudge",
    "journal",
    "resume",
    "export",
    "forget",
    "stop",
    "prep",
    "privacy",
    "support",
]


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
class Share:
    """`share 2` / `unshare 2`: one journal reflection, by its number, for the leader's coaches."""

    number: int
    shared: bool = True


@dataclass(frozen=True)
class CoachCommand:
    """`coach ...` (a coach acting for leaders) and `coaches ...` (a leader's own coaches)."""

    args: tuple[str, ...]
    leaders_view: bool = False  # `coaches`: the leader's side


@dataclass(frozen=True)
class AdminCommand:
    """`admin coach <user>`, `admin uncoach <user>`, `admin coaches`."""

    args: tuple[str, ...]


@dataclass(frozen=True)
class OrganisationCommand:
    """`organisation` (show), `organisation <name>`, `organisation clear`."""

    name: str | None = None
    clear: bool = False


@dataclass(frozen=True)
class AboutCommand:
    """`about` (show), `about <one line>`, `about clear`: what the leader's peers see."""

    text: str | None = None
    clear: bool = False


@dataclass(frozen=True)
class AvoidCommand:
    """`avoid` (the list), `avoid <leader>`, `avoid remove <leader>`: answered by the avoid
    service, which knows who is who."""

    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class CircleCommand:
    """`circle ...` (one peer circle: new, invite, show, round, report, pause, resume, end,
    leave, skip) and `circles` (the circles a coach runs, or a leader is in)."""

    args: tuple[str, ...]
    listing: bool = False  # `circles`


@dataclass(frozen=True)
class CommandError:
    """Bad arguments: one sentence of reason and a correct example."""

    reason: str
    example: str

    @property
    def text(self) -> str:
        return f"{self.reason} For example: `{self.example}`"


Command = (
    Simple
    | StartDialogue
    | Pause
    | SetTimezone
    | QuietHours
    | ScheduleCommand
    | Share
    | CoachCommand
    | AdminCommand
    | OrganisationCommand
    | AboutCommand
    | AvoidCommand
    | CircleCommand
)
# Answered by a service rather than the engine: they need more than one leader's state.
ServiceCommand = ScheduleCommand | CoachCommand | AdminCommand | AvoidCommand | CircleCommand
SERVICE_COMMANDS = (ScheduleCommand, CoachCommand, AdminCommand, AvoidCommand, CircleCommand)

_ALIASES: dict[str, SimpleName] = {
    "help": "help",
    "?": "help",
    "commands": "help",
    "menu": "start",
    "start": "start",
    "dialogues": "start",
    "nudge": "nudge",
    "journal": "journal",
    "prep": "prep",
    "privacy": "privacy",
    "support": "support",  # the support contacts, at any time (review 12h)
    "contacts": "support",
    "resume": "resume",
    "export": "export",
    "stop": "stop",
    "cancel": "stop",
    "quit": "stop",
}
_FORGET = ("forget me", "forget", "delete my data", "delete me")


def _tuple_of[T](kind: Callable[[tuple[str, ...]], T]) -> Callable[[list[str]], T]:
    return lambda rest: kind(tuple(rest))


def parse_command(text: str) -> Command | CommandError | None:
    """A command, a CommandError for a command word with bad arguments, or None for prose."""
    words = text.strip().lstrip("/").split()
    if not words:
        return None
    head, rest = words[0].lower(), words[1:]
    if " ".join(w.lower() for w in words) in _FORGET:
        return Simple("forget")
    if head == "ask":
        return _parse_ask(rest)
    if head in _WITH_ARGUMENTS:
        return _WITH_ARGUMENTS[head](rest)
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
        case Simple() | Pause() | QuietHours() | SetTimezone() | Share():
            return True
        case ScheduleCommand(args=args) | CoachCommand(args=args) | AdminCommand(args=args):
            return not args
        case AvoidCommand(args=args):
            return not args
        case OrganisationCommand(name=None, clear=False) | AboutCommand(text=None, clear=False):
            return True  # "about the rota..." at a question is an answer; "about" alone is not
        case CircleCommand(args=args):
            return not args
    return False


def _parse_ask(rest: list[str]) -> CoachCommand | None:
    """`ask my coach` (or `ask coach`, `ask my coach 2` for the second of several): the
    leader asks a coach to get in touch. Anything else after "ask" is prose."""
    said = [w.lower().strip(".!?") for w in rest]
    if said[:1] == ["my"]:
        said = said[1:]
    if said[:1] not in (["coach"], ["coaches"]) or len(said) > 2 or not all(said):  # noqa: PLR2004
        return None
    which = said[1:]
    if which and not which[0].isdigit():
        return None
    return CoachCommand(("ask", *which), leaders_view=True)


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


def _parse_share(rest: list[str], *, shared: bool) -> Share | CommandError:
    word = "share" if shared else "unshare"
    if len(rest) != 1 or not rest[0].isdigit() or int(rest[0]) < 1:
        return CommandError(
            f"Say which reflection to {word} by its number in your journal.", f"{word} 1"
        )
    return Share(int(rest[0]), shared)


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


_CLEAR = ("clear", "remove", "delete", "none")


def _parse_organisation(rest: list[str]) -> OrganisationCommand:
    if len(rest) == 1 and rest[0].lower() in _CLEAR:
        return OrganisationCommand(clear=True)
    return OrganisationCommand(" ".join(rest) if rest else None)


def _parse_about(rest: list[str]) -> AboutCommand:
    if len(rest) == 1 and rest[0].lower() in _CLEAR:
        return AboutCommand(clear=True)
    return AboutCommand(" ".join(rest) if rest else None)


_WITH_ARGUMENTS: dict[str, Callable[[list[str]], Command | CommandError]] = {
    "pause": _parse_pause,
    "timezone": _parse_timezone,
    "tz": _parse_timezone,
    "time-zone": _parse_timezone,
    "quiet": _parse_quiet,
    "share": lambda rest: _parse_share(rest, shared=True),
    "unshare": lambda rest: _parse_share(rest, shared=False),
    "schedule": _tuple_of(ScheduleCommand),
    "schedules": _tuple_of(ScheduleCommand),
    "coach": _tuple_of(CoachCommand),
    "coaches": lambda rest: CoachCommand(tuple(rest), leaders_view=True),
    "admin": _tuple_of(AdminCommand),
    "organisation": _parse_organisation,
    "organization": _parse_organisation,
    "org": _parse_organisation,
    "about": _parse_about,
    "avoid": _tuple_of(AvoidCommand),
    "circle": _tuple_of(CircleCommand),
    "circles": lambda rest: CircleCommand(tuple(rest), listing=True),
}
