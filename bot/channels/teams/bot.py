"""The Teams activity handler: personal-chat activities in, engine replies out. It
translates only; what to say comes from the conversation service."""

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, cast

import aiohttp
from microsoft_agents.activity import Activity, ChannelAccount, InvokeResponse, TurnContextProtocol
from microsoft_agents.activity import Attachment as CardAttachment
from microsoft_agents.hosting.core import ActivityHandler, TurnContext
from microsoft_agents.hosting.core.app.proactive import Conversation

from bot.channels.deps import ChannelDeps
from bot.channels.teams import circle_card, forms, render
from bot.channels.teams.errors import delivery_error
from bot.domain import Attachment, PlatformInfo, Reply, UserKey
from bot.logs import log
from bot.ports import DeliveryError
from bot.schedules.model import INACTIVE
from bot.services.conversations import REPLY_REFUSED
from dialogs.model import AppInstalled, Ask, ChoiceMade, Event, UserText

logger = logging.getLogger("peercoach.teams")
Context = TurnContextProtocol[Any]  # what the SDK hands each handler
CONVERSATION = "teams"  # extra: the conversation reference and the claims to reach it again
MEMORY_LIMIT = 20_000
TOO_LARGE = 413


@dataclass
class TeamsMemory:
    """What this process remembers to save storage work on every activity: each leader's
    last stored conversation reference, and the question of recent cards (to show it once
    answered; after a restart an answered card shows only the choice)."""

    conversations: dict[UserKey, dict[str, Any]] = field(default_factory=dict)
    fingerprints: dict[UserKey, tuple[object, ...]] = field(default_factory=dict)
    cards: OrderedDict[str, str] = field(default_factory=OrderedDict)

    def remember_conversation(self, key: UserKey, stored: dict[str, Any]) -> None:
        if len(self.conversations) >= MEMORY_LIMIT:
            self.conversations.clear()
            self.fingerprints.clear()
        self.conversations[key] = stored

    def remember_card(self, activity_id: str, question: str) -> None:
        self.cards[activity_id] = question
        while len(self.cards) > MEMORY_LIMIT:
            self.cards.popitem(last=False)


FILE_CONSENT = "application/vnd.microsoft.teams.card.file.consent"


@dataclass
class TeamsDeps(ChannelDeps):
    local_trial: bool = False
    memory: TeamsMemory = field(default_factory=TeamsMemory)


def key_of(activity: Activity) -> UserKey:
    """`teams:<tenant>:<Entra object id>`, or the Teams user id when Teams gives no object id."""
    sender = activity.from_property or ChannelAccount(id="")
    tenant = activity.conversation.tenant_id if activity.conversation else None
    channel_data: dict[str, Any] = (
        activity.channel_data if isinstance(activity.channel_data, dict) else {}
    )
    tenant = tenant or (channel_data.get("tenant") or {}).get("id") or ""
    return UserKey("teams", str(tenant), str(sender.aad_object_id or sender.id))


def platform_of(activity: Activity) -> PlatformInfo:
    info: dict[str, Any] = {}
    for entity in activity.entities or []:
        if entity.type == "clientInfo":
            info = dict(entity.model_extra or {})
    sender = activity.from_property
    return PlatformInfo(
        display_name=sender.name if sender else None,
        timezone=info.get("timezone") or activity.local_timezone or None,
        locale=info.get("locale") or activity.locale or None,
    )


class CoachActivityHandler(ActivityHandler):
    def __init__(self, deps: TeamsDeps) -> None:
        self.deps = deps

    async def on_message_activity(self, turn_context: Context) -> None:
        activity = turn_context.activity
        if activity.conversation is None or activity.conversation.conversation_type != "personal":
            await turn_context.send_activity(render.CHANNEL_POINTER)  # coaching stays private
            return
        async with remembering(self.deps, key_of(activity), turn_context):
            await self._on_message(turn_context, key_of(activity))

    async def _on_message(self, turn_context: Context, key: UserKey) -> None:
        activity = turn_context.activity
        now = self.deps.clock.now()
        if forms.kind_of(activity.value):
            await self._on_form(turn_context, key, now)
            return
        if activity.value is not None:
            await self._on_submit(turn_context, key, now)
            return
        text = _with_mentions(activity)
        if circle_card.wanted(self.deps.circles, self.deps.coaching.is_coach(key), text):
            assert self.deps.circles is not None
            await turn_context.send_activity(
                _card_activity(circle_card.circle_card(self.deps.circles))
            )
            return
        if text.lower() == "coach schedule" and self.deps.coaching.is_coach(key):
            card = forms.plan_card(self.deps.coaching.form_leaders(key), self.deps.themes)
            await turn_context.send_activity(_card_activity(card))
            return
        await self._turn(turn_context, key, UserText(text, now))

    async def _on_form(self, turn_context: Context, key: UserKey, now: datetime) -> None:
        """The coach's schedule card: errors shown under the fields, then a preview, then
        saved; the same card is updated at each step, so it cannot be sent twice."""
        activity = turn_context.activity
        value: dict[str, Any] = activity.value if isinstance(activity.value, dict) else {}
        coaching = self.deps.coaching
        if forms.kind_of(value) == circle_card.FORM and self.deps.circles is not None:
            card = await circle_card.submitted(self.deps.circles, key, value, now)
            await _replace_card(turn_context, card)
            return
        if forms.kind_of(value) == forms.FORM:
            form = forms.read_form(value)
            planned = await coaching.form_plan(key, form, now)
            if isinstance(planned, dict):
                card = forms.plan_card(coaching.form_leaders(key), self.deps.themes, form, planned)
            else:
                card = forms.preview_card(*await coaching.hold_plan(key, planned, now))
            await _replace_card(turn_context, card)
            return
        if value.get("choice") != "save":
            await _replace_card(turn_context, forms.done_card("Nothing was saved."))
            return
        service = await coaching.save_held(key, str(value.get("plan") or ""), now)
        summary = " ".join(getattr(m, "text", "") for m in service.messages)
        await _replace_card(turn_context, forms.done_card(summary))
        await self.deps.conversations.send_notices(service.notices)

    async def _on_submit(self, turn_context: Context, key: UserKey, now: datetime) -> None:
        activity = turn_context.activity
        parsed = render.parse_submit(activity.value, key.hashed)
        if parsed is None:  # not ours, or another leader's question (a forwarded card)
            log(logger, "teams.foreign_submit", user=key.hashed)
            return
        token, choice = parsed
        reply = await self._turn(turn_context, key, ChoiceMade(token, choice, now))
        if reply.messages and activity.reply_to_id:
            label = render.submitted_label(activity.value) or choice
            question = card_question(self.deps, activity.reply_to_id)
            card = CardAttachment.model_validate(render.chosen_card(question, label))
            done = Activity(type="message", id=activity.reply_to_id, attachments=[card])
            await turn_context.update_activity(done)  # a second submit then does nothing

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: Context
    ) -> None:
        bot_id = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        if any(m.id == bot_id for m in members_added):
            await self._installed(turn_context)

    async def on_installation_update_add(self, turn_context: Context) -> None:
        await self._installed(turn_context)

    async def on_installation_update_remove(self, turn_context: Context) -> None:
        """Uninstalled: nothing can reach the leader now; pause their schedules."""
        key = key_of(turn_context.activity)
        paused = [
            replace(s, paused=True, paused_reason=f"{INACTIVE}: app_removed")
            for s in self.deps.schedules.schedules_of(str(key))
            if not s.paused
        ]
        await self.deps.schedules.put_schedules(*paused)
        log(logger, "teams.uninstalled", user=key.hashed, schedules=len(paused))

    async def on_invoke_activity(self, turn_context: Context) -> InvokeResponse | None:
        if turn_context.activity.name == "fileConsent/invoke":
            await self._file_consent(turn_context)
            return InvokeResponse(status=200)
        return await super().on_invoke_activity(turn_context)

    async def _installed(self, turn_context: Context) -> None:
        activity = turn_context.activity
        if activity.conversation is None or activity.conversation.conversation_type != "personal":
            return
        key = key_of(activity)
        async with remembering(self.deps, key, turn_context):
            await self._turn(turn_context, key, AppInstalled(self.deps.clock.now()))

    async def _turn(self, turn_context: Context, key: UserKey, event: Event) -> Reply:
        """A reply the Bot Connector would not take while it is down is sent again in the
        background, as a proactive message: late, not lost. Teams itself does not resend."""
        with self.deps.conversations.timing("teams"):
            reply = await self.deps.conversations.handle(
                key, event, platform_of(turn_context.activity)
            )
            try:
                await send_reply(self.deps, turn_context, reply, key)
            except Exception as error:
                failure = delivery_error(error)
                retrying = not failure.permanent and self.deps.redeliver is not None
                log(
                    logger,
                    "teams.reply_failed",
                    level=logging.WARNING,
                    user=key.hashed,
                    reason=failure.reason,
                    retrying=retrying,
                )
                if self.deps.redeliver is not None and retrying:
                    self.deps.redeliver(key, reply)
                else:
                    await self._say_undelivered(turn_context, key, reply)
        return reply

    async def _say_undelivered(self, turn_context: Context, key: UserKey, reply: Reply) -> None:
        """Teams refused the reply for good (the turn is saved): say so now in plain text,
        or else at the start of the leader's next turn. Never the "couldn't save" sorry."""
        if reply.failed:
            return
        try:
            await turn_context.send_activity(REPLY_REFUSED)
        except Exception as error:
            log(logger, "teams.apology_failed", user=key.hashed, error=type(error).__name__)
            self.deps.conversations.reply_lost(key, reply)

    async def _file_consent(self, turn_context: Context) -> None:
        from bot.channels.teams.files import complete_upload  # noqa: PLC0415 - rare path

        await complete_upload(self.deps, key_of(turn_context.activity), turn_context)


async def send_reply(
    deps: TeamsDeps, turn_context: Context, reply: Reply, leader: UserKey
) -> None:
    """Each engine turn as Teams activities; remember card questions; offer files by consent."""
    questions = [m.text for m in reply.messages if isinstance(m, Ask)]
    for item in render.render_turn(reply.messages, leader.hashed):
        sent = await _send_sized(turn_context, item)
        if sent is not None and sent.id and _has_card(item) and questions:
            remember_card(deps, sent.id, questions[-1])
    for attachment in reply.attachments:
        await turn_context.send_activity(consent_request(attachment))


async def _send_sized(turn_context: Context, item: dict[str, Any]) -> Any:
    """Send one activity; if the connector says it is too large (413), send it once more
    shortened. Still too large, or nothing to shorten: a permanent failure, not retried."""
    try:
        return await turn_context.send_activity(Activity.model_validate(item))
    except aiohttp.ClientResponseError as error:
        if error.status != TOO_LARGE:
            raise
    short = render.shortened(item)
    log(logger, "teams.too_large", level=logging.WARNING, shortened=short is not None)
    if short is None:
        raise DeliveryError(
            "http 413: too large, nothing to shorten", permanent=True, leader_gone=False
        )
    try:
        return await turn_context.send_activity(Activity.model_validate(short))
    except aiohttp.ClientResponseError as error:
        if error.status != TOO_LARGE:
            raise
        raise DeliveryError(
            "http 413: too large even shortened", permanent=True, leader_gone=False
        ) from None


def _with_mentions(activity: Activity) -> str:
    """The text, with each @mention of a person replaced by their user key, so that
    `coach add @Alex` names exactly who was meant."""
    text = (activity.text or "").strip()
    tenant = key_of(activity).tenant
    bot_id = activity.recipient.id if activity.recipient else None
    for entity in activity.entities or []:
        shown = getattr(entity, "text", None)
        mentioned = getattr(entity, "mentioned", None)
        if entity.type != "mention" or not shown or not isinstance(mentioned, ChannelAccount):
            continue
        if mentioned.id == bot_id:
            text = text.replace(shown, "").strip()
            continue
        who = mentioned.aad_object_id or mentioned.id
        if who:
            text = text.replace(shown, f"teams:{tenant}:{who}")
    return text


def _card_activity(card: dict[str, Any]) -> Activity:
    return Activity(type="message", attachments=[CardAttachment.model_validate(card)])


async def _replace_card(turn_context: Context, card: dict[str, Any]) -> None:
    """Update the submitted card in place (or send anew when Teams gave no card id)."""
    card_id = turn_context.activity.reply_to_id
    if not card_id:
        await turn_context.send_activity(_card_activity(card))
        return
    updated = _card_activity(card)
    updated.id = card_id
    await turn_context.update_activity(updated)


def consent_request(attachment: Attachment) -> Activity:
    """Teams renders a real file only through the file-consent flow: ask first."""
    card = {
        "description": "A copy of everything peercoach stores about you (JSON).",
        "sizeInBytes": len(attachment.data),
        "acceptContext": {"kind": "export"},
        "declineContext": {"kind": "export"},
    }
    consent = CardAttachment(content_type=FILE_CONSENT, name=attachment.filename, content=card)
    return Activity(type="message", attachments=[consent])


def _has_card(item: dict[str, Any]) -> bool:
    return any(
        a.get("contentType") == render.CARD_CONTENT_TYPE for a in item.get("attachments") or []
    )


def _reference_fingerprint(turn_context: Context) -> tuple[object, ...]:
    """What a stored conversation reference is made of, cheaply: where, who, and the claims."""
    activity = turn_context.activity
    sender = activity.from_property
    identity = getattr(turn_context, "identity", None)
    claims = getattr(identity, "claims", None) or {}
    return (
        activity.service_url,
        activity.channel_id,
        activity.locale,
        activity.conversation.id if activity.conversation else None,
        sender.id if sender else None,
        activity.recipient.id if activity.recipient else None,
        tuple(sorted((str(k), str(v)) for k, v in dict(claims).items())),
    )


async def remember_conversation(deps: TeamsDeps, key: UserKey, turn_context: Context) -> None:
    """How to reach this leader later, with the claims of this turn (a proactive send needs
    both). Written only when it changed: the SDK puts the incoming activity's id in the
    reference, which differs every time and is not needed to reach the chat again."""
    fingerprint = _reference_fingerprint(turn_context)
    if deps.memory.fingerprints.get(key) == fingerprint and key in deps.memory.conversations:
        return  # nothing that makes up the reference has changed: no work at all
    stored = Conversation.from_turn_context(cast(TurnContext, turn_context)).store_item_to_json()
    stored.get("conversation_reference", {}).pop("activityId", None)
    if deps.memory.conversations.get(key) != stored:
        await deps.users.save_extra(key, CONVERSATION, {"conversation": stored})  # no-op if same
        deps.memory.remember_conversation(key, stored)
    deps.memory.fingerprints[key] = fingerprint


@contextlib.asynccontextmanager
async def remembering(deps: TeamsDeps, key: UserKey, turn_context: Context) -> AsyncIterator[None]:
    """Save the conversation reference while the turn runs, so that both writes share one
    durable batch (one sync) instead of waiting for two, one after the other. A reference
    that could not be saved costs no reply: the turn is done, the next one tries again."""
    saving = asyncio.ensure_future(remember_conversation(deps, key, turn_context))
    try:
        yield
    finally:
        try:
            await saving
        except Exception as error:
            log(
                logger,
                "teams.reference_not_saved",
                level=logging.WARNING,
                user=key.hashed,
                error=type(error).__name__,
                fix="check that PEERCOACH_DATA_DIR is writable and has space",
            )


def remember_card(deps: TeamsDeps, activity_id: str, question: str) -> None:
    deps.memory.remember_card(activity_id, question)


def card_question(deps: TeamsDeps, activity_id: str) -> str:
    return deps.memory.cards.get(activity_id, "")
