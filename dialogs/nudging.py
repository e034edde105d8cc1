"""Choosing a nudge (rotation, "not for me", resurfacing) and what its buttons do."""

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta

from dialogs import runner, texts
from dialogs.content_model import Content, Nudge
from dialogs.draft import Draft
from dialogs.model import (
    Choice,
    NudgeAside,
    NudgeRecord,
    NudgeResponse,
    ReflectAside,
    Reflection,
    SnoozeRequested,
    UserState,
)
from dialogs.timetext import short_date
from dialogs.timezones import zone

RESURFACE_EVERY = 5  # about one nudge in five brings back the leader's own words
RESURFACE_AGE = timedelta(days=14)


@dataclass(frozen=True)
class Pick:
    nudge: Nudge | None = None
    reflection: Reflection | None = None


def pick(state: UserState, content: Content, themes: tuple[str, ...], at: datetime) -> Pick:
    """The next thing to send: a resurfaced reflection now and then, else a nudge by rotation."""
    if (len(state.nudges) + 1) % RESURFACE_EVERY == 0:
        old = _reflection_to_resurface(state, at)
        if old is not None:
            return Pick(reflection=old)
    return Pick(nudge=_next_nudge(state, content, themes))


def _reflection_to_resurface(state: UserState, at: datetime) -> Reflection | None:
    used = {r.resurfaced for r in state.nudges if r.resurfaced}
    old = [r for r in state.reflections if at - r.at >= RESURFACE_AGE and r.id not in used]
    return old[0] if old else None


def _next_nudge(state: UserState, content: Content, themes: tuple[str, ...]) -> Nudge | None:
    """Rotate themes; within a theme never repeat until every nudge of it has been sent."""
    themes = tuple(t for t in themes if content.theme(t)) or tuple(t.id for t in content.themes)
    last_sent: dict[str, int] = {}
    sends: dict[str, int] = {}
    for index, record in enumerate(state.nudges):
        if record.theme:
            last_sent[record.theme] = index
        if record.nudge:
            sends[record.nudge] = sends.get(record.nudge, 0) + 1
    order = sorted(themes, key=lambda t: last_sent.get(t, -1))
    for theme in order:
        candidates = [n for n in content.nudges_for(theme) if n.id not in state.not_for_me]
        if candidates:
            return min(candidates, key=lambda n: sends.get(n.id, 0))
    return None


def deliver(
    draft: Draft, content: Content, delivery: str, themes: tuple[str, ...], at: datetime
) -> None:
    """Choose and remember a nudge for a delivery key; the same key shows the same nudge again
    (the delivery ledger decides whether it is sent, so a resend after a crash is identical)."""
    existing = record_of(draft.state, delivery)
    if existing is not None:
        _offer(draft, content, existing, keep_awaiting=True)
        return
    chosen = pick(draft.state, content, themes or draft.state.profile.themes, at)
    if chosen.nudge is None and chosen.reflection is None:
        draft.say(texts.ALL_NOT_FOR_ME if draft.state.not_for_me else texts.NO_NUDGES)
        return
    record = NudgeRecord(
        delivery=delivery,
        at=at,
        nudge=chosen.nudge.id if chosen.nudge else None,
        theme=chosen.nudge.theme if chosen.nudge else None,
        resurfaced=chosen.reflection.id if chosen.reflection else None,
    )
    draft.update(nudges=(*draft.state.nudges, record))
    free = draft.state.dialogue is None  # a fresh nudge replaces any question on top
    if free:
        draft.update(aside=NudgeAside(delivery))
    _offer(draft, content, record, keep_awaiting=not free)


def again(draft: Draft, content: Content, delivery: str) -> None:
    """A snoozed nudge comes back: the same words and buttons, answerable once more."""
    record = record_of(draft.state, delivery)
    if record is None or (record.nudge and content.nudge(record.nudge) is None):
        return  # a nudge retired from content while snoozed is not offered again
    updated = tuple(
        replace(r, response=None) if r.delivery == delivery else r for r in draft.state.nudges
    )
    draft.update(nudges=updated)
    free = draft.state.dialogue is None  # a fresh nudge replaces any question on top
    if free:
        draft.update(aside=NudgeAside(delivery))
    _offer(draft, content, record, keep_awaiting=not free)


def token_for(delivery: str) -> str:
    return f"n:{delivery}"


def _offer(draft: Draft, content: Content, record: NudgeRecord, *, keep_awaiting: bool) -> None:
    choices = [Choice(*texts.NUDGE_CHOICES_REFLECT)]
    nudge = content.nudge(record.nudge or "")
    if nudge is not None and nudge.dialogue and content.dialogue(nudge.dialogue):
        choices.append(Choice(*texts.NUDGE_CHOICES_DIALOGUE))
    choices += [Choice(*texts.NUDGE_CHOICES_SNOOZE), Choice(*texts.NUDGE_CHOICES_NOT_FOR_ME)]
    awaiting = draft.state.awaiting
    draft.ask(
        _text_of(draft.state, content, record),
        tuple(choices),
        token_for(record.delivery),
        topic=f"nudge#{record.delivery}",
    )
    if keep_awaiting:
        draft.update(awaiting=awaiting)


def _text_of(state: UserState, content: Content, record: NudgeRecord) -> str:
    if record.resurfaced:
        old = next((r for r in state.reflections if r.id == record.resurfaced), None)
        if old is not None:
            day = short_date(old.at.astimezone(zone(state.profile.timezone)).date())
            return texts.RESURFACE.format(day=day, text=runner.shorten(old.text, 200))
    nudge = content.nudge(record.nudge or "")
    return nudge.text if nudge else texts.NO_NUDGES


def record_of(state: UserState, delivery: str) -> NudgeRecord | None:
    return next((r for r in state.nudges if r.delivery == delivery), None)


def present(draft: Draft, content: Content, aside: NudgeAside) -> None:
    record = record_of(draft.state, aside.delivery)
    if aside.stage == "snooze":
        choices = tuple(Choice(*c) for c in texts.SNOOZE_CHOICES)
        draft.ask(texts.SNOOZE_ASK, choices, topic=f"snooze#{aside.delivery}")
    elif record is not None:
        _offer(draft, content, record, keep_awaiting=False)


def choose(draft: Draft, content: Content, aside: NudgeAside, choice: str, at: datetime) -> None:
    record = record_of(draft.state, aside.delivery)
    if record is None:
        draft.update(aside=None, awaiting=None)
        return
    if aside.stage == "snooze":
        _snooze(draft, record, choice, at)
    elif choice == "reflect":
        draft.update(aside=ReflectAside(record.delivery))
        draft.prompt(texts.REFLECT_PROMPT, texts.REFLECT_PLACEHOLDER)
    elif choice == "dialogue":
        nudge = content.nudge(record.nudge or "")
        dialogue = content.dialogue(nudge.dialogue or "") if nudge else None
        _respond(draft, record, "dialogue")
        if dialogue is not None:
            runner.begin(draft, dialogue, at)
    elif choice == "snooze":
        snoozing = replace(aside, stage="snooze")
        draft.update(aside=snoozing)
        present(draft, content, snoozing)
    elif choice == "not_for_me":
        if record.nudge:
            draft.update(not_for_me=(*draft.state.not_for_me, record.nudge))
        _respond(draft, record, "not_for_me")
        draft.update(aside=None, awaiting=None)
        draft.say(texts.NOT_FOR_ME_DONE)


def reflect(draft: Draft, content: Content, delivery: str, said: str, at: datetime) -> None:
    """Keep a one-line reflection on a nudge (typed straight after it, or after Reflect now)."""
    record = record_of(draft.state, delivery)
    theme = record.theme if record else None
    nudge = content.nudge(record.nudge or "") if record else None
    reflection = Reflection(
        id=draft.next_id("r"),
        at=at,
        text=said,
        theme=theme,
        dialogue=nudge.dialogue if nudge else None,
        nudge=record.nudge if record else None,
    )
    draft.update(reflections=(*draft.state.reflections, reflection), aside=None, awaiting=None)
    if record is not None:
        _respond(draft, record, "reflected")
    draft.say(texts.REFLECTION_SAVED)


def _snooze(draft: Draft, record: NudgeRecord, choice: str, at: datetime) -> None:
    tz = zone(draft.state.profile.timezone)
    if choice == "hour":
        until = at + timedelta(hours=1)
        when = f"at {until.astimezone(tz):%H:%M}"
    else:
        clock = draft.state.profile.nudge_time
        hour, minute = (int(x) for x in clock.split(":")) if clock else (9, 0)
        tomorrow = at.astimezone(tz).date() + timedelta(days=1)
        until = datetime.combine(tomorrow, time(hour, minute), tz)
        when = f"tomorrow at {hour:02d}:{minute:02d}"
    _respond(draft, record, "snoozed")
    draft.update(aside=None, awaiting=None)
    draft.effect(SnoozeRequested(record.delivery, until))
    draft.say(texts.SNOOZED.format(when=when))


def _respond(draft: Draft, record: NudgeRecord, response: NudgeResponse) -> None:
    updated = tuple(
        replace(r, response=response) if r.delivery == record.delivery else r
        for r in draft.state.nudges
    )
    draft.update(nudges=updated)
