"""The `journal` command: recent reflections and commitments in the leader's own words, and
`share N`: the one way a coach ever sees a reflection."""

from dataclasses import replace
from datetime import date

from dialogs import runner
from dialogs.content_model import Content
from dialogs.draft import Draft
from dialogs.model import Reflection, ReflectionShared, UserState
from dialogs.timetext import local_date, short_date

RECENT = 8
EMPTY = (
    "Your journal is empty so far. What you write in conversations and in reply to nudges "
    "is kept here, for you alone."
)
STATUS = {
    "open": "open",
    "kept": "done",
    "partly": "partly done",
    "not_yet": "not yet",
    "dropped": "let go",
}
SHARE_HINT = "Only you can read these. To show one to your coach, type `share` and its number."
SHARED = (
    "Shared with your coach: “{text}”. Nothing else you have written is shown to them; "
    "`unshare {number}` takes it back."
)
UNSHARED = "That reflection is private again."
NO_SUCH = "There is no reflection number {number} in your journal; type **journal** to see them."


def recent(state: UserState) -> list[Reflection]:
    """The reflections the journal shows, most recent first: their numbers start at 1."""
    return list(state.reflections[-RECENT:][::-1])


def render(state: UserState, content: Content, today: date | None = None) -> str:
    """A short, readable page: the last few reflections, then commitments still open (a far
    check-in with its year, given `today`)."""
    tz = state.profile.timezone
    lines = ["**Your journal**"]
    shown = recent(state)
    if shown:
        lines.append("Recent reflections:")
        for number, r in enumerate(shown, 1):
            where = (
                "a nudge" if r.nudge or not r.dialogue else runner.title_of(content, r.dialogue)
            )
            day = short_date(local_date(r.at, tz))
            mark = " (shared)" if r.shared else ""
            lines.append(f"{number}. {day} · {where}: “{runner.shorten(r.text, 200)}”{mark}")
    open_ones = [c for c in state.commitments if c.status in ("open", "not_yet")][-RECENT:]
    if open_ones:
        lines.append("Commitments:")
        for c in open_ones[::-1]:
            source = f" · {runner.title_of(content, c.dialogue)}" if c.dialogue else ""
            lines.append(
                f"• “{runner.shorten(c.text, 200)}”{source} · check-in "
                f"{short_date(c.due_on, today)} ({STATUS[c.status]})"
            )
    kept = sum(1 for c in state.commitments if c.status in ("kept", "partly"))
    if kept:
        lines.append(f"Commitments you have acted on so far: {kept}.")
    if shown:
        lines.append(SHARE_HINT)
    return "\n".join(lines) if len(lines) > 1 else EMPTY


def share(draft: Draft, number: int, shared: bool) -> None:
    shown = recent(draft.state)
    if not 1 <= number <= len(shown):
        draft.say(NO_SUCH.format(number=number))
        return
    chosen = shown[number - 1]
    draft.update(
        reflections=tuple(
            replace(r, shared=shared) if r.id == chosen.id else r for r in draft.state.reflections
        )
    )
    draft.effect(ReflectionShared(chosen.id, shared))
    if shared:
        draft.say(SHARED.format(text=runner.shorten(chosen.text, 200), number=number))
    else:
        draft.say(UNSHARED)
