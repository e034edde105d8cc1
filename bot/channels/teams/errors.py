"""How a failed call to the Bot Connector counts: the leader is gone, or try again later."""

import asyncio
import contextlib
from typing import Any

import aiohttp

from bot.ports import DeliveryError

LEADER_GONE = {403: "forbidden (app removed or bot blocked)", 404: "conversation not found"}
# Retried: throttling (429, after its Retry-After), a timeout (408), Teams' 412 (a conflict
# on its side; Microsoft's status-code table for bot APIs says to retry it) and 5xx. Every
# other 4xx is permanent: 403/404 mean the leader cannot be reached, 413 is handled once by
# a shorter message (bot.send_reply) and then fails, the rest are our own mistakes.
TRANSIENT = {408, 412, 429, 500, 502, 503, 504}


def delivery_error(error: BaseException) -> DeliveryError:
    if isinstance(error, DeliveryError):
        return error
    if isinstance(error, aiohttp.ClientResponseError):
        if error.status in LEADER_GONE:
            return DeliveryError(LEADER_GONE[error.status], permanent=True)
        if error.status in TRANSIENT:
            return DeliveryError(
                f"http {error.status}", permanent=False, retry_after=_retry_after(error.headers)
            )
        return DeliveryError(f"http {error.status}", permanent=True, leader_gone=False)
    if isinstance(error, aiohttp.ClientError | asyncio.TimeoutError | OSError):
        return DeliveryError(f"connection: {type(error).__name__}", permanent=False)
    return DeliveryError(f"error: {type(error).__name__}", permanent=True, leader_gone=False)


def _retry_after(headers: Any) -> float | None:
    value = headers.get("Retry-After") if headers else None
    with contextlib.suppress(TypeError, ValueError):
        return float(value) if value is not None else None
    return None
