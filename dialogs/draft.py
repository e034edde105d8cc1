"""A turn under construction: messages, effects and state changes gathered in one place."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dialogs.model import (
    Ask,
    Awaiting,
    Choice,
    Effect,
    Message,
    Prompt,
    Say,
    Turn,
    UserState,
    WorkingWeek,
)
from dialogs.records import evolve


@dataclass
class Draft:
    """Local, mutable scratchpad used inside one `step()` call; the result is a frozen Turn."""

    state: UserState
    now: datetime
    week: WorkingWeek = field(default_factory=WorkingWeek)
    messages: list[Message] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)

    def update(self, **changes: Any) -> None:
        self.state = evolve(self.state, **changes)

    def update_profile(self, **changes: Any) -> None:
        self.state = evolve(self.state, profile=evolve(self.state.profile, **changes))

    def next_id(self, prefix: str) -> str:
        """A new id, unique for this leader (ids of reflections, commitments, questions)."""
        self.state = evolve(self.state, seq=self.state.seq + 1)
        return f"{prefix}{self.state.seq}"

    def say(self, text: str) -> None:
        self.messages.append(Say(text))

    def lead_options(self, line: str, mark: int) -> None:
        """Put `line` ("Which of these comes closest...") before the options asked since
        message `mark`, and only if options were asked: never a line pointing at nothing
        (review 12h)."""
        asked = any(isinstance(m, Ask) and m.choices for m in self.messages[mark:])
        if asked:
            self.messages.insert(mark, Say(line))

    def ask(
        self, text: str, choices: tuple[Choice, ...], token: str | None = None, *, topic: str = ""
    ) -> None:
        """Ask with buttons; the new token makes buttons of earlier questions stale."""
        token = token or self.next_id("q")
        self.messages.append(Ask(text, choices, token, topic))
        self.state = evolve(self.state, awaiting=Awaiting(token, choices, self.now))

    def prompt(self, text: str, placeholder: str | None = None) -> None:
        self.messages.append(Prompt(text, placeholder))
        self.state = evolve(self.state, awaiting=Awaiting(self.next_id("q"), (), self.now))

    def effect(self, effect: Effect) -> None:
        if effect not in self.effects:
            self.effects.append(effect)

    def finish(self) -> Turn:
        return Turn(self.state, tuple(self.messages), tuple(self.effects))
