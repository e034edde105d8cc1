"""A newcomer's first message when it is a command (`timezone Europe/Paris`, `schedule
weekdays 08:30`, `coach add @Sam`): the welcome first, then the command carried out, then
set-up still offered. A command is never dropped without a word. A first message that says
what is wrong gets its conversation first, and set-up once that is over."""

from datetime import datetime

from dialogs import asides, onboarding
from dialogs.commands import Command, Simple, StartDialogue
from dialogs.content_model import Content
from dialogs.draft import Draft
from dialogs.model import Turn, UserState

OPENING = ("start", "stop", "forget", "nudge", "prep")  # commands that open something of their own


def opens_something(command: Command) -> bool:
    """`start`, a named dialogue, `nudge`, `forget me`, `stop`: they take the place of
    set-up (`start` shows the menu at once) rather than being followed by it."""
    return isinstance(command, StartDialogue) or (
        isinstance(command, Simple) and command.name in OPENING
    )


def greet(state: UserState, content: Content, at: datetime) -> Turn | None:
    """The welcome alone, for a newcomer whose first command a service answers (`schedule`,
    `coach`, `admin`); None for a leader already welcomed."""
    if state.profile.welcomed_at is not None:
        return None
    draft = Draft(state, at)
    onboarding.welcome(draft, content, at)
    return draft.finish()


def offer_setup(draft: Draft, content: Content) -> None:
    """After a newcomer's first command: a question a service asked before they ever wrote
    (set-up follows once it is answered), or else set-up."""
    waiting = draft.state.aside
    if waiting is not None:
        asides.present(draft, content, waiting)
    else:
        onboarding.begin(draft, content)


def after_first_command(state: UserState, content: Content, at: datetime) -> Turn:
    """Once a service has answered a newcomer's first command: set-up, still offered."""
    draft = Draft(state, at)
    offer_setup(draft, content)
    draft.update(last_seen_at=at)
    return draft.finish()


def setup_when_done(draft: Draft, content: Content) -> None:
    """A newcomer whose first message opened a conversation is offered set-up once it is
    over, not before (review 12e: the themes question before what they came with)."""
    state = draft.state
    if state.dialogue is not None or state.aside is not None or state.awaiting is not None:
        return
    if state.profile.welcomed_at is not None and not state.profile.onboarded:
        onboarding.begin(draft, content)
