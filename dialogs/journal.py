"""The `journal` command: recent reflections and commitments in the leader's own words."""

from dialogs import runner
from dialogs.content_model import Content
from dialogs.model import UserState
from dialogs.timetext import local_date, short_date

RECENT = 5
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


def render(state: UserState, content: Content) -> str:
    """A short, readable page: the last few reflections, then commitments still open."""
    tz = state.profile.timezone
    lines = ["**Your journal**"]
    if state.reflections:
        lines.append("Recent reflections:")
        for r in state.reflections[-RECENT:][::-1]:
            where = (
                "a nudge" if r.nudge or not r.dialogue else runner.title_of(content, r.dialogue)
            )
            day = short_date(local_date(r.at, tz))
            lines.append(f"• {day} · {where}: “{runner.shorten(r.text, 200)}”")
    recent = [c for c in state.commitments if c.status in ("open", "not_yet")][-RECENT:]
    if recent:
        lines.append("Commitments:")
        for c in recent[::-1]:
            lines.append(
                f"• “{runner.shorten(c.text, 200)}” · check-in {short_date(c.due_on)} "
                f"({STATUS[c.status]})"
            )
    kept = sum(1 for c in state.commitments if c.status in ("kept", "partly"))
    if kept:
        lines.append(f"Commitments you have acted on so far: {kept}.")
    return "\n".join(lines) if len(lines) > 1 else EMPTY
