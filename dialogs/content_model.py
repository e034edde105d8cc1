"""What content is once loaded: themes, nudges, dialogues, onboarding copy and safety."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from dialogs.content_circle_rounds import RoundCopy
from dialogs.content_circles import CircleCopy
from dialogs.content_commitments import CommitmentCopy, CommitmentKind
from dialogs.content_profile import ProfileCopy
from dialogs.echoes import AnswerKind, Slot
from dialogs.organisations import Organisation

if TYPE_CHECKING:
    from dialogs.safety_match import Screener

StepType = Literal["text", "choice", "commitment", "end"]
COACHING_MODELS = ("grow", "sbi", "stakeholder-map", "energy-audit", "tame-or-wicked", "other")
DialogueKind = Literal["conversation", "prep"]
DIALOGUE_KINDS: tuple[DialogueKind, ...] = ("conversation", "prep")


@dataclass(frozen=True)
class Theme:
    id: str
    title: str
    summary: str
    core: bool


@dataclass(frozen=True)
class Nudge:
    id: str
    theme: str
    text: str
    dialogue: str | None = None


@dataclass(frozen=True)
class StepChoice:
    label: str
    next: str
    aliases: tuple[str, ...] = ()
    reply: str | None = None


@dataclass(frozen=True)
class Hearing:
    """Words in an answer that matter more than the next question (review 12h: "the two bed
    managers who carry it are burning out", met with the next scripted question): one line
    that meets them, then one question of their own, once, before the step moves on."""

    words: tuple[str, ...]  # whole words, a `*` ending a stem, as in `routing: feelings:`
    say: str
    ask: str


@dataclass(frozen=True)
class Step:
    """One node of a dialogue. `text` is the question (`ask`) or, for an end, the closing words."""

    id: str
    type: StepType
    text: str
    next: str | None = None
    choices: tuple[StepChoice, ...] = ()
    save_as: str | None = None
    placeholder: str | None = None
    answer: AnswerKind = "long"  # what a `text` step invites: `short`, `name` or `long`
    refer_as: str | None = None  # stands in for a long answer mid-sentence ("that change")
    heard: str | None = None  # a choice step: said first when a story comes instead of a button
    # A commitment step: the parts the conversation already gives ("who": the peer it is
    # about), the earlier answer the commitment continues (so it asks only what is left),
    # and whether its "what" must be a question as the leader will say it.
    given: tuple[str, ...] | None = None  # None: not said (a prep gives who and when)
    builds_on: str | None = None
    expects: CommitmentKind = "action"
    follow_up: str | None = None  # the step's own question for a part left out
    # Listening (review 12e): the question asked instead once a day has been given (a
    # commitment step: `keep` keeps a dated answer it builds on at once), and a gentler
    # prompt asked once after a "don't know" at a text step.
    if_dated: str | None = None
    if_unsure: str | None = None
    if_heard: tuple[Hearing, ...] = ()  # a text step: what it listens for (dialogs/heard.py)

    @property
    def slot(self) -> Slot:
        """How a later question echoes this step's saved answer (a choice's label is short)."""
        labels = frozenset(c.label for c in self.choices)
        return Slot("short" if self.type == "choice" else self.answer, self.refer_as, labels)

    @property
    def is_question(self) -> bool:
        return self.type != "end"

    def successors(self) -> tuple[str, ...]:
        if self.type == "choice":
            return tuple(dict.fromkeys(choice.next for choice in self.choices))
        return (self.next,) if self.next else ()


@dataclass(frozen=True)
class Dialogue:
    id: str
    theme: str
    title: str
    summary: str
    model: str
    minutes: int
    follow_up_days: int
    start: str
    steps: Mapping[str, Step]
    phrases: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    feelings: tuple[str, ...] = ()  # typed, met with one line before a suggestion (heard.py)
    kind: DialogueKind = "conversation"  # `prep`: the short preparation the `prep` command opens
    slots: dict[str, Slot] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        """Each `save_as` name and how it is echoed: the first step saving it with a
        `refer_as` decides (the check warns when steps saving one name disagree)."""
        for step in self.steps.values():
            name = step.save_as
            if name and (name not in self.slots or not self.slots[name].refer_as):
                self.slots[name] = step.slot


@dataclass(frozen=True)
class Onboarding:
    welcome: str  # two lines on a phone
    privacy_line: str  # one line under the welcome, pointing at the whole notice
    privacy: str  # the whole notice, shown by `privacy`
    setup_question: str
    themes_question: str
    more_themes_question: str
    time_question: str
    done: str
    done_no_nudges: str
    skipped: str
    zone_guessed: str  # under `done` when no one told us the zone: how to change it


@dataclass(frozen=True)
class SupportContact:
    name: str
    detail: str


@dataclass(frozen=True)
class Safety:
    """The crisis signpost, the concern check-in and the matcher that decides between them."""

    message: str
    contacts: tuple[SupportContact, ...]
    offer_pause: str
    offer_pause_choices: tuple[tuple[str, str], ...]  # (id, label)
    check_in: str
    check_in_choices: tuple[tuple[str, str], ...]
    check_in_again: str  # the check-in's buttons again, after an answer that was none
    check_in_kept: str  # the same, after words that were kept in the journal
    check_in_reminder: str  # a later concern the same day: one line, no list
    support_intro: str  # above the contacts, when asked for (button or `support`)
    after_contacts: str  # the check-in's other choices, after the contacts
    carried_on: str
    paused: str  # may use {day}
    stopped: str
    kept: str
    screener: "Screener" = field(compare=False, repr=False)


@dataclass(frozen=True)
class Content:
    """All content, checked. Look-ups by id are dictionaries built once at load."""

    themes: tuple[Theme, ...]
    nudges: tuple[Nudge, ...]
    dialogues: tuple[Dialogue, ...]
    onboarding: Onboarding
    safety: Safety
    commitments: CommitmentCopy
    profile: ProfileCopy
    organisations: tuple[Organisation, ...] = ()
    circle_rounds: RoundCopy | None = None  # content/circle_rounds.yaml: guides, round lines
    version: str = ""
    circles: CircleCopy = field(default_factory=CircleCopy)  # content/circles.yaml
    _themes: dict[str, Theme] = field(default_factory=dict, repr=False, compare=False)
    _dialogues: dict[str, Dialogue] = field(default_factory=dict, repr=False, compare=False)
    _nudges: dict[str, Nudge] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._themes.update((t.id, t) for t in self.themes)
        self._dialogues.update((d.id, d) for d in self.dialogues)
        self._nudges.update((n.id, n) for n in self.nudges)

    def theme(self, theme_id: str) -> Theme | None:
        return self._themes.get(theme_id)

    def dialogue(self, dialogue_id: str) -> Dialogue | None:
        return self._dialogues.get(dialogue_id)

    def nudge(self, nudge_id: str) -> Nudge | None:
        return self._nudges.get(nudge_id)

    def nudges_for(self, theme_id: str) -> tuple[Nudge, ...]:
        return tuple(n for n in self.nudges if n.theme == theme_id)

    def dialogues_for(self, theme_id: str) -> tuple[Dialogue, ...]:
        return tuple(d for d in self.dialogues if d.theme == theme_id)

    def prep(self) -> Dialogue | None:
        """The preparation before a big meeting that the `prep` command opens, if any."""
        return next((d for d in self.dialogues if d.kind == "prep"), None)
