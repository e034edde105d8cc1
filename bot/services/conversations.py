"""handle(key, event): lock -> load -> step -> save -> effects; the one path for every turn."""

import contextlib
import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import Any

from bot.clock import Clock
from bot.domain import Attachment, Notice, PlatformInfo, Reply, Retraction, ServiceReply, UserKey
from bot.errors import AlreadyHandledError, CorruptDataError, StorageError, StorageUnreachableError
from bot.logs import log
from bot.ports import Change, EventClaim, UserStore
from bot.services.conversation_ports import (
    CommandAnswerer,
    EffectAnswerer,
    EffectListener,
    ExportSource,
    NoticeSender,
    WeekSource,
)
from bot.services.exports import export_bytes, export_document
from bot.services.locks import KeyedLocks
from bot.services.once import take_or_fold
from bot.stats import TurnStats
from dialogs import texts
from dialogs.commands import SERVICE_COMMANDS, parse_command
from dialogs.content_model import Content
from dialogs.engine import answered, service_command, step
from dialogs.first_contact import after_first_command, greet
from dialogs.model import (
    DEFAULT_WEEK,
    ChoiceMade,
    CommandGiven,
    Effect,
    Event,
    ExportRequested,
    ForgetConfirmed,
    Message,
    PreferencesChanged,
    Say,
    Turn,
    UserState,
    UserText,
    WorkingWeek,
)
from dialogs.records import evolve
from dialogs.timezones import canonical_zone

logger = logging.getLogger("peercoach.conversations")

SORRY = (
    "Sorry, something went wrong on my side and I couldn't save that. Nothing you wrote "
    "before is lost. Please try again in a minute."
)
# The database is away (restarting, unreachable): nothing of this turn was saved.
CANT_SAVE_NOW = (
    "Sorry, I can't save right now, please try again in a minute. Nothing you wrote before "
    "is lost."
)
# After a send the platform refused: what was written is saved, the reply never arrived.
REPLY_REFUSED = (
    "Sorry: I saved what you wrote, but my reply could not be delivered. Type **help** and "
    "I'll show you where we were."
)
LAST_REPLY_LOST = (
    "Sorry: I saved what you wrote last time, but my reply to it could not be delivered."
)
MAX_LOST = 100_000  # leaders owed that apology, remembered by this process only


class ConversationService:
    def __init__(
        self,
        store: UserStore,
        content: Content,
        clock: Clock,
        *,
        listeners: Sequence[EffectListener] = (),
        answerers: Mapping[type, CommandAnswerer] | None = None,
        effect_answerers: Sequence[EffectAnswerer] = (),
        exporters: Sequence[ExportSource] = (),
        weeks: WeekSource | None = None,
    ) -> None:
        self.store = store
        self.content = content
        self.clock = clock
        self.listeners = list(listeners)
        self.answerers = dict(answerers or {})
        self.effect_answerers = list(effect_answerers)
        self.exporters = list(exporters)  # schedules, coaching links, deliveries
        self.weeks = weeks  # None: every leader works Monday to Friday
        self.notices: NoticeSender | None = None  # set once deliveries exist (wiring)
        self.locks = KeyedLocks()
        self.turn_stats = TurnStats()
        self._lost: set[UserKey] = set()  # their last reply never reached them

    @contextlib.contextmanager
    def timing(self, channel: str) -> Iterator[None]:
        """Count a leader's turn in a channel and how long it took, reply sent included."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.turn_stats.observe(channel, time.perf_counter() - started)

    async def handle(
        self,
        key: UserKey,
        event: Event,
        platform: PlatformInfo | None = None,
        *,
        claim: EventClaim | None = None,
    ) -> Reply:
        """Run one event for one leader; storage failures become a polite reply. With
        `claim`, the event runs once: a repeat does nothing and answers `Reply(repeat=True)`."""
        started = time.perf_counter()
        try:
            reply = await self._handle(key, event, platform, claim)
        except AlreadyHandledError:  # the channel says so in its log
            return Reply(repeat=True)
        except StorageError as exc:
            log(
                logger,
                "turn.failed",
                level=logging.ERROR,
                user=key.hashed,
                channel=key.channel,
                error=type(exc).__name__,
                file_error=isinstance(exc, CorruptDataError),
            )
            away = isinstance(exc, StorageUnreachableError)
            return Reply((Say(CANT_SAVE_NOW if away else SORRY),), failed=True)
        if key in self._lost and isinstance(event, UserText | CommandGiven | ChoiceMade):
            self._lost.discard(key)
            reply = replace(reply, messages=(Say(LAST_REPLY_LOST), *reply.messages))
        log(
            logger,
            "turn",
            user=key.hashed,
            channel=key.channel,
            kind=type(event).__name__,
            out=len(reply.messages),
            ms=round((time.perf_counter() - started) * 1000, 2),
        )
        return reply

    def reply_lost(self, key: UserKey, reply: Reply) -> None:
        """A turn's reply never reached the leader, not even an apology: their next turn
        begins by saying so. Not after a "sorry" (nothing was saved) or `forget me`."""
        if reply.failed or any(isinstance(e, ForgetConfirmed) for e in reply.effects):
            return
        if len(self._lost) >= MAX_LOST:
            self._lost.clear()
        self._lost.add(key)
        log(logger, "reply.owed_apology", user=key.hashed)

    async def _handle(
        self, key: UserKey, event: Event, platform: PlatformInfo | None, claim: EventClaim | None
    ) -> Reply:
        from_leader = isinstance(event, UserText | CommandGiven | ChoiceMade)
        week = await self.weeks.week_of(key, event.at) if self.weeks else DEFAULT_WEEK
        command = _may_be_service_command(event)
        # A command another service answers writes elsewhere too: its id is taken first.
        claims = await take_or_fold(self.store, claim, key, fold=not command)
        async with self.locks.hold(key):
            if command:
                saved, service, turn = await self._command_turn(key, event, platform, week)
            else:  # the common case, nudges included: one read, one write, one thread hop
                decide = partial(self._decide, event=event, platform=platform, week=week)
                if claims is not None:  # the id is taken in the turn's own write
                    saved, turn = await claims.transact(key, decide, claim=claim)
                else:
                    saved, turn = await self.store.transact(key, decide)
                service = ServiceReply()
            followed = await self._answer_effects(key, saved, turn.effects, event.at)
            await self._tell_listeners(key, saved, turn.effects, from_leader=from_leader)
        await self._send_notices((*service.notices, *followed.notices))
        attachments = await self._attachments(key, saved, turn.effects) if saved else ()
        extra = (Say(texts.EXPORT_STARTED),) if attachments else ()
        said = retracted(turn.messages, followed.retractions)
        # The export's line before the question it goes back to, not after it.
        messages = service.messages + followed.messages + extra + said
        return Reply(messages, attachments, effects=turn.effects)

    async def _answer_effects(
        self, key: UserKey, state: UserState | None, effects: Sequence[Effect], at: datetime
    ) -> ServiceReply:
        if not effects or not self.effect_answerers:
            return ServiceReply()
        replies = [await a.on_effects(key, state, effects, at) for a in self.effect_answerers]
        return ServiceReply(
            tuple(m for r in replies for m in r.messages),
            notices=tuple(n for r in replies for n in r.notices),
            retractions=tuple(t for r in replies for t in r.retractions),
        )

    async def send_notices(self, notices: Sequence[Notice]) -> None:
        """For channels acting outside a turn (a form submitted): tell the others."""
        await self._send_notices(notices)

    async def _send_notices(self, notices: Sequence[Notice]) -> None:
        """After this leader's lock is released: notices take other leaders' locks."""
        if self.notices is None:
            return
        for notice in notices:
            await self.notices.notice(notice)

    async def update_platform(self, key: UserKey, platform: PlatformInfo) -> None:
        """The platform reports a change (Slack `user_change`): keep it, send nothing."""

        def decide(stored: UserState | None) -> tuple[Change, tuple[Effect, ...]]:
            if stored is None:
                return "keep", ()
            updated = with_platform(stored, platform)
            if updated == stored:
                return "keep", ()
            moved = updated.profile.timezone != stored.profile.timezone
            return updated, (PreferencesChanged(),) if moved else ()

        async with self.locks.hold(key):
            saved, effects = await self.store.transact(key, decide)
            if effects:
                await self._tell_listeners(key, saved, effects, from_leader=False)

    async def state_of(self, key: UserKey) -> UserState | None:
        return await self.store.load(key)

    def _decide(
        self,
        stored: UserState | None,
        event: Event,
        platform: PlatformInfo | None,
        week: WorkingWeek,
    ) -> tuple[Change, Turn]:
        """Pure: the engine's turn and what to store (runs in the store's thread)."""
        state = with_platform(stored or UserState(), platform)
        return _change_for(stored, state, step(state, event, self.content, week))

    async def _command_turn(
        self, key: UserKey, event: Event, platform: PlatformInfo | None, week: WorkingWeek
    ) -> tuple[UserState | None, ServiceReply, Turn]:
        """A command another service answers (e.g. `schedule`), then the engine's way back
        (or the service's own question)."""
        assert isinstance(event, UserText | CommandGiven)
        stored = await self.store.load(key)
        state = with_platform(stored or UserState(), platform)
        # A newcomer's first message: the welcome, then the command, then set-up offered.
        greeting = greet(state, self.content, event.at)
        current = greeting.state if greeting else state
        command = service_command(current, event.text, slash=isinstance(event, CommandGiven))
        answerer = self.answerers.get(type(command)) if command else None
        if answerer is None:
            service, turn = ServiceReply(), step(state, event, self.content, week)
        else:
            service = await answerer.answer(key, current, command, event.at)
            if service.profile is not None:  # e.g. `avoid`: kept on the leader's own state
                current = replace(current, profile=service.profile)
            if service.question:
                turn = step(current, service.question, self.content, week)
            elif greeting:
                turn = after_first_command(current, self.content, event.at)
            else:
                turn = answered(current, self.content, event.at)
            if greeting:
                service = replace(service, messages=greeting.messages + service.messages)
        change, turn = _change_for(stored, state, turn)
        if change == "delete":
            await self.store.delete(key)
            return None, service, turn
        if change == "keep":
            return stored, service, turn
        saved = await self.store.save(key, change, expected_version=state.version)
        return saved, service, turn

    async def _attachments(
        self, key: UserKey, state: UserState, effects: Sequence[Effect]
    ) -> tuple[Attachment, ...]:
        if not any(isinstance(e, ExportRequested) for e in effects):
            return ()
        return (await self._export(key, state),)

    async def export(self, key: UserKey) -> Attachment | None:
        """Everything stored about a leader, as a JSON file (e.g. once Teams allows a file)."""
        state = await self.store.load(key)
        return await self._export(key, state) if state is not None else None

    async def _export(self, key: UserKey, state: UserState) -> Attachment:
        at = self.clock.now()
        extra: dict[str, Any] = {}
        for source in self.exporters:
            part = source.export_of(str(key))
            extra.update(part if isinstance(part, dict) else await part)
        document = export_document(key, state, at, extra)
        return Attachment(f"peercoach-export-{at:%Y%m%d-%H%M%S}.json", export_bytes(document))

    async def _tell_listeners(
        self,
        key: UserKey,
        state: UserState | None,
        effects: Sequence[Effect],
        *,
        from_leader: bool,
    ) -> None:
        for listener in self.listeners:
            await listener.after_turn(key, state, effects, from_leader=from_leader)


def retracted(
    messages: tuple[Message, ...], retractions: Sequence[Retraction]
) -> tuple[Message, ...]:
    """The engine's messages with each one a service took back replaced where it stood."""
    if not retractions:
        return messages
    kept: list[Message] = []
    for message in messages:
        text = message.text if isinstance(message, Say) else None
        found = next((r for r in retractions if text and text.startswith(r.starts)), None)
        kept.append(found.instead if found else message)
    return tuple(kept)


def _may_be_service_command(event: Event) -> bool:
    return isinstance(event, UserText | CommandGiven) and isinstance(
        parse_command(event.text), SERVICE_COMMANDS
    )


def _change_for(stored: UserState | None, state: UserState, turn: Turn) -> tuple[Change, Turn]:
    """What to store after a turn; a zone newly reported by the platform counts as a
    preference change, so schedules follow it as they follow `timezone`."""
    if stored is not None and state.profile.timezone != stored.profile.timezone:
        turn = replace(turn, effects=(*turn.effects, PreferencesChanged()))
    if any(isinstance(e, ForgetConfirmed) for e in turn.effects):
        return "delete", turn
    if turn.state == stored:
        return "keep", turn
    return turn.state, turn


def with_platform(state: UserState, platform: PlatformInfo | None) -> UserState:
    """Take name, locale and zone from the platform unless the leader chose a zone."""
    if platform is None:
        return state
    profile = state.profile
    changes: dict[str, object] = {}
    if platform.display_name and platform.display_name != profile.display_name:
        changes["display_name"] = platform.display_name
    if platform.locale and platform.locale != profile.locale:
        changes["locale"] = platform.locale
    zone = canonical_zone(platform.timezone) if platform.timezone else None
    source = "machine" if platform.timezone_guessed else "platform"
    if zone and profile.timezone_source != "leader":
        if zone != profile.timezone:
            changes["timezone"] = zone
        # Slack's "Europe/London", the default zone, still tells us it is no guess (review
        # 12h: set-up says how to change a guessed zone, and only a guessed one).
        if source != profile.timezone_source:
            changes["timezone_source"] = source
    if not changes:
        return state
    return evolve(state, profile=evolve(profile, **changes))
