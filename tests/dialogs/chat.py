"""A small driver that talks to the pure engine the way a leader would."""

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from dialogs.content_model import Content
from dialogs.engine import step
from dialogs.model import (
    Ask,
    ChoiceMade,
    CommandGiven,
    Event,
    FollowUpDue,
    Message,
    NudgeDue,
    Profile,
    Prompt,
    Say,
    SessionOpened,
    Turn,
    UserState,
    UserText,
    WorkingWeek,
)
from tests.conftest import AT


def onboarded(**profile: object) -> UserState:
    """A leader who has seen the welcome and skipped set-up."""
    base = Profile(welcomed_at=AT - timedelta(days=30), onboarded=True)
    return UserState(profile=replace(base, **profile))  # type: ignore[arg-type]


@dataclass
class Chat:
    content: Content
    state: UserState = field(default_factory=UserState)
    at: datetime = AT
    last: Turn | None = None
    week: WorkingWeek = field(default_factory=WorkingWeek)  # what the services would pass

    def send(self, event: Event) -> Turn:
        self.last = step(self.state, event, self.content, self.week)
        self.state = self.last.state
        return self.last

    def say(self, text: str, **later: float) -> Turn:
        self.at += timedelta(**later) if later else timedelta(seconds=20)
        return self.send(UserText(text, self.at))

    def command(self, text: str) -> Turn:
        self.at += timedelta(seconds=20)
        return self.send(CommandGiven(text, self.at))

    def press(self, label: str, ask: Ask | None = None) -> Turn:
        """Press the button with this label on the last question (or on `ask`)."""
        ask = ask or self.last_ask()
        choice = next(c for c in ask.choices if c.label == label)
        self.at += timedelta(seconds=20)
        return self.send(ChoiceMade(ask.token, choice.id, self.at))

    def open(self, **later: float) -> Turn:
        self.at += timedelta(**later) if later else timedelta(seconds=20)
        return self.send(SessionOpened(self.at))

    def nudge_due(self, delivery: str, themes: tuple[str, ...] = (), **later: float) -> Turn:
        self.at += timedelta(**later) if later else timedelta(seconds=20)
        return self.send(NudgeDue(delivery, themes, self.at))

    def follow_up_due(self, commitment: str, **later: float) -> Turn:
        self.at += timedelta(**later) if later else timedelta(seconds=20)
        return self.send(FollowUpDue(commitment, self.at))

    def finish_dialogue(self, answer: str) -> None:
        """Answer every question of the open dialogue: first button, or `answer` in words."""
        while self.state.dialogue is not None:
            awaiting = self.state.awaiting
            assert awaiting is not None
            if awaiting.choices:
                self.press(awaiting.choices[0].label)
            else:
                self.say(answer)

    def last_ask(self) -> Ask:
        assert self.last is not None
        asks = [m for m in self.last.messages if isinstance(m, Ask)]
        assert asks, f"no question with buttons in {self.last.messages}"
        return asks[-1]

    def labels(self) -> list[str]:
        return [c.label for c in self.last_ask().choices]

    def text(self) -> str:
        """Everything the last turn said, as one string."""
        assert self.last is not None
        return "\n".join(message_text(m) for m in self.last.messages)


def message_text(message: Message) -> str:
    match message:
        case Say(text=text) | Prompt(text=text):
            return text
        case Ask(text=text, choices=choices):
            return text + "\n" + "\n".join(c.label for c in choices)
    return ""
