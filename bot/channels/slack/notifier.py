"""Nudges to Slack: the leader's DM, paced per channel, each message tagged with its
delivery key in message metadata so that after a crash we can ask whether it went out."""

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack.client import call, delivery_error
from bot.channels.slack.history import LIMITS, Pacer, pacer_for
from bot.channels.slack.render import render_turn
from bot.domain import Attachment, Reply, UserKey
from bot.ports import NOTICE_PREFIX, DeliveryError, Unconfirmed, UserStore

EVENT_TYPE = "peercoach_nudge"
MAX_REMEMBERED = 100_000
PACE_SECONDS = 1.0  # Slack allows about one message per second per channel
HISTORY_ATTEMPTS = 3  # a 429 is waited out this many times before "cannot tell"
RATE_LIMITED_WAIT = 60.0  # a 429 without Retry-After: a minute, the slowest documented rate
SKEW = timedelta(seconds=60)  # our clock and Slack's may disagree this much
# What a Web API call can raise: Slack's answer, or no answer (timeout, dropped connection).
CALL_ERRORS = (SlackApiError, aiohttp.ClientError, TimeoutError, OSError)


class ChannelPacer:
    """At most one post per channel per interval; channels do not wait for each other."""

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self.clock = clock
        self._last: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def wait(self, channel: str) -> None:
        lock = self._locks.setdefault(channel, asyncio.Lock())
        async with lock:
            gap = self._last.get(channel, -self.interval) + self.interval - self.clock()
            if gap > 0:
                await asyncio.sleep(gap)
            self._last[channel] = self.clock()
        if len(self._last) > 10_000:  # noqa: PLR2004 - forget channels idle for long
            horizon = self.clock() - self.interval
            for old in [c for c, at in self._last.items() if at < horizon]:
                self._last.pop(old, None)
                self._locks.pop(old, None)


class SlackNotifier:
    def __init__(
        self,
        client: AsyncWebClient,
        users: UserStore,
        pacer: ChannelPacer,
        *,
        history: Pacer | None = None,
        history_client: AsyncWebClient | None = None,
        history_messages: int = LIMITS["distributed"].messages,
    ) -> None:
        self.client = client
        self.users = users
        self.pacer = pacer
        self.history = history or pacer_for("distributed")
        # Without slack_sdk's own 429 retry, which would sleep on the event loop's clock:
        # the history pacer waits out a Retry-After itself.
        self.history_client = history_client or client
        self.history_messages = history_messages
        self._channels: dict[UserKey, str] = {}  # known DM channels, so a turn needs no lookup

    def remember(self, key: UserKey, channel: str) -> None:
        """The DM channel a leader wrote from. Kept in memory only: conversations.open gives
        it again at any time, so it is not worth a durable write per new leader."""
        if len(self._channels) > MAX_REMEMBERED:
            self._channels.clear()
        self._channels[key] = channel

    async def dm_channel(self, key: UserKey) -> str:
        """The leader's DM with the app: remembered, or opened (works before they wrote)."""
        if key in self._channels:
            return self._channels[key]
        try:
            opened = await self.client.conversations_open(users=key.user)
        except CALL_ERRORS as error:
            raise delivery_error(error) from None
        channel = str(opened["channel"]["id"])
        self.remember(key, channel)
        return channel

    async def deliver(self, key: UserKey, reply: Reply, delivery: str) -> None:
        """Into the leader's DM. Its id is remembered when they write; otherwise the message
        goes to their user id, which Slack posts into the DM with the app, and the answer
        tells us the DM's id. No conversations.open (rate tier 3, about 50 a minute), so a
        morning's nudges after a restart are not held up opening thousands of DMs."""
        channel = self._channels.get(key, key.user)
        await self.pacer.wait(channel)
        # Ledger deliveries are tagged so was_delivered() can find them after a crash;
        # notices (a coach's request, say) are not nudges and are not tracked that way.
        tracked = not delivery.startswith(NOTICE_PREFIX)
        metadata = {"event_type": EVENT_TYPE, "event_payload": {"delivery": delivery}}
        sent = metadata if tracked else None
        try:
            posted = await post(self.client, channel, reply, metadata=sent, leader=key)
        except DeliveryError as error:
            if channel != key.user or error.reason != "channel_not_found":
                raise
            # A workspace that will not take a user id as the channel: open the DM after all,
            # rather than count a reachable leader as gone.
            channel = await self.dm_channel(key)
            posted = await post(self.client, channel, reply, metadata=sent, leader=key)
        if posted.channel.startswith("D"):
            self.remember(key, posted.channel)

    async def post_to_group(self, members: Sequence[UserKey], reply: Reply, delivery: str) -> None:
        """A peer circle's group: conversations.open with every member (the app joins the
        group DM it opens), then the message, tagged with its delivery key."""
        users = ",".join(m.user for m in members)
        try:
            opened = await self.client.conversations_open(users=users)
        except CALL_ERRORS as error:
            raise delivery_error(error) from None
        channel = str(opened["channel"]["id"])
        await self.pacer.wait(channel)
        metadata = {"event_type": EVENT_TYPE, "event_payload": {"delivery": delivery}}
        await post(self.client, channel, reply, metadata=metadata)

    async def was_delivered(self, key: UserKey, delivery: str) -> bool | None:
        """Whether one delivery is among the leader's latest messages (no time window)."""
        answers = await self._look(key, {delivery}, None)
        return answers.get(delivery)

    async def which_delivered(
        self, key: UserKey, pending: Sequence[Unconfirmed], until: datetime
    ) -> dict[str, bool | None]:
        """One paced conversations.history call for all of a leader's pending deliveries,
        over the time they could have gone out. Not found where Slack showed every message
        of that time: not delivered. Not found where it had more to show (has_more), or no
        answer: cannot tell, so nothing is sent twice on a guess."""
        window = (min(p.since for p in pending) - SKEW, until + SKEW)
        return await self._look(key, {p.delivery for p in pending}, window)

    def history_wait(self) -> float:
        return self.history.ahead()

    async def _look(
        self, key: UserKey, wanted: set[str], window: tuple[datetime, datetime] | None
    ) -> dict[str, bool | None]:
        unknown: dict[str, bool | None] = dict.fromkeys(wanted)
        try:
            channel = await self.dm_channel(key)
        except DeliveryError:
            return unknown
        oldest = latest = None
        if window is not None:
            oldest, latest = (f"{at.timestamp():.6f}" for at in window)
        history = None
        for _attempt in range(HISTORY_ATTEMPTS):
            await self.history.take()
            try:
                history = await self.history_client.conversations_history(
                    channel=channel,
                    limit=self.history_messages,
                    include_all_metadata=True,
                    oldest=oldest,
                    latest=latest,
                    inclusive=window is not None or None,
                )
                break
            except CALL_ERRORS as error:
                failure = delivery_error(error)
                if failure.retry_after is None and failure.reason != "ratelimited":
                    return unknown  # no answer, or Slack's error: cannot tell
                self.history.hold(failure.retry_after or RATE_LIMITED_WAIT)
        if history is None:
            return unknown
        found = {
            str(((m.get("metadata") or {}).get("event_payload") or {}).get("delivery"))
            for m in history.get("messages") or []
        }
        complete = not history.get("has_more")
        return {d: True if d in found else (False if complete else None) for d in wanted}


@dataclass(frozen=True)
class Posted:
    channel: str  # where Slack put it: the DM's id even when posted to a user id
    ts: str


async def post(
    client: AsyncWebClient,
    channel: str,
    reply: Reply,
    *,
    metadata: dict[str, Any] | None = None,
    leader: UserKey | None = None,
) -> Posted:
    """One Slack message for the turn (plus any file); its buttons name `leader`."""
    posted = Posted(channel, "")
    try:
        if reply.messages:
            payload = render_turn(reply.messages, leader.hashed if leader else "")
            message = {
                "channel": channel,
                "text": payload.text,
                "blocks": payload.blocks,
                "unfurl_links": False,
                "unfurl_media": False,
            }
            if metadata is not None:
                message["metadata"] = metadata
            sent = await call(client, "chat.postMessage", json=message)
            posted = Posted(str(sent.get("channel") or channel), str(sent.get("ts") or ""))
        for attachment in reply.attachments:
            await upload(client, posted.channel, attachment)
    except CALL_ERRORS as error:
        raise delivery_error(error) from None
    return posted


async def upload(client: AsyncWebClient, channel: str, attachment: Attachment) -> None:
    await client.files_upload_v2(
        channel=channel,
        content=attachment.data,
        filename=attachment.filename,
        title="Everything peercoach stores about you",
    )
