"""`export` in Teams: the file-consent flow, the one way Teams shows a bot's file.

The leader accepted: Teams gave an upload URL in their OneDrive; we put the JSON there and
send the file card. Declined: we say so. The export is built fresh at that moment."""

import ipaddress
import logging
from typing import Any
from urllib.parse import urlparse

import aiohttp
from microsoft_agents.activity import Activity, Attachment, TurnContextProtocol

from bot.domain import UserKey
from bot.logs import log

logger = logging.getLogger("peercoach.teams")
Context = TurnContextProtocol[Any]  # what the SDK hands each handler
FILE_INFO = "application/vnd.microsoft.teams.card.file.info"
DECLINED = "No file was sent. Type **export** whenever you want a copy."
FAILED = "Sorry, I couldn't upload your file just now. Please type **export** to try again."
TIMEOUT = aiohttp.ClientTimeout(total=30)


async def complete_upload(deps: Any, key: UserKey, turn_context: Context) -> None:
    raw = turn_context.activity.value
    value: dict[str, Any] = raw if isinstance(raw, dict) else {}
    if value.get("action") != "accept":
        await turn_context.send_activity(DECLINED)
        return
    info = value.get("uploadInfo") or {}
    url = str(info.get("uploadUrl") or "")
    attachment = await deps.conversations.export(key)
    if attachment is None or not _allowed(url, local=deps.local_trial):
        await turn_context.send_activity(FAILED)
        return
    size = len(attachment.data)
    headers = {"Content-Length": str(size), "Content-Range": f"bytes 0-{size - 1}/{size}"}
    try:
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT) as http,
            http.put(url, data=attachment.data, headers=headers) as response,
        ):
            response.raise_for_status()
    except (aiohttp.ClientError, TimeoutError) as error:
        log(
            logger,
            "teams.upload_failed",
            level=logging.WARNING,
            user=key.hashed,
            error=type(error).__name__,
        )
        await turn_context.send_activity(FAILED)
        return
    card = Attachment(
        content_type=FILE_INFO,
        content_url=info.get("contentUrl"),
        name=info.get("name"),
        content={"uniqueId": info.get("uniqueId"), "fileType": info.get("fileType")},
    )
    await turn_context.send_activity(Activity(type="message", attachments=[card]))


def _allowed(url: str, *, local: bool) -> bool:
    """Production: https only. Local trial: loopback only (anyone may post activities)."""
    parsed = urlparse(url)
    if not parsed.hostname:
        return False
    if local:
        return is_loopback(parsed.hostname)
    return parsed.scheme == "https"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
