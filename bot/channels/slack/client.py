"""The Slack Web API client: retries opted in, one shared HTTP session, errors classified."""

import asyncio
import contextlib

import aiohttp
import orjson
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
    async_default_handlers,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.logs import quiet_logger
from bot.ports import DeliveryError

SLACK_API = "https://slack.com/api/"
TIMEOUT = aiohttp.ClientTimeout(total=15)
# The leader cannot be reached at all: pause their schedules (PRODUCT.md, issue 4).
LEADER_GONE = frozenset(
    {
        "account_inactive",
        "user_not_found",
        "channel_not_found",
        "app_uninstalled",
        "tokens_revoked",
        "user_disabled",
        "cannot_dm_bot",
        "is_archived",
        "invalid_auth",
        "not_authed",
        "team_access_not_granted",
        "missing_scope",
    }
)
TRANSIENT = frozenset(
    {"ratelimited", "service_unavailable", "internal_error", "fatal_error", "request_timeout"}
)


def make_client(
    token: str,
    api_url: str | None,
    session: aiohttp.ClientSession | None,
    *,
    retry_rate_limits: bool = True,
) -> AsyncWebClient:
    """A client whose 429s and 5xx are retried by slack_sdk (opt-in there), honouring
    Retry-After; the default connection-error retry is kept. Without `retry_rate_limits`,
    a 429 reaches the caller, for callers that pace themselves."""
    rate_limits = [AsyncRateLimitErrorRetryHandler(max_retry_count=2)] if retry_rate_limits else []
    client = AsyncWebClient(
        token=token,
        base_url=api_url or SLACK_API,
        session=session,
        # slack_sdk formats every request and response body for a DEBUG line whenever its
        # logger's own level is unset (it compares `logger.level`, 0, not the effective level):
        # a level of its own skips that work, and no body can reach a log.
        logger=quiet_logger("slack_sdk.web.peercoach"),
        retry_handlers=[
            *async_default_handlers(),
            *rate_limits,
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )
    if api_url:
        client.proxy = None  # an explicit URL (a proxy itself, or the tests' fake) is used as is
    return client


def new_session() -> aiohttp.ClientSession:
    """Shared by every call (slack_sdk otherwise opens one per call); carries the timeout,
    because slack_sdk ignores its own timeout on a session it did not create. The Web API
    authenticates by token, so no cookie jar: nothing to match against every request. Bodies
    (Block Kit on every reply) are serialised by orjson, several times faster than json."""
    return aiohttp.ClientSession(
        timeout=TIMEOUT, cookie_jar=aiohttp.DummyCookieJar(), json_serialize=_json_text
    )


def _json_text(value: object) -> str:
    return orjson.dumps(value).decode("utf-8")


def delivery_error(error: Exception) -> DeliveryError:
    """How a failed Slack call counts for a delivery."""
    if isinstance(error, SlackApiError):
        status = error.response.status_code
        code = str(error.response.get("error") or f"http {status}")
        if status == 429 or code == "ratelimited":  # noqa: PLR2004
            retry = error.response.headers.get("Retry-After") or error.response.headers.get(
                "retry-after"
            )
            return DeliveryError(code, permanent=False, retry_after=_seconds(retry))
        if status >= 500 or code in TRANSIENT:  # noqa: PLR2004
            return DeliveryError(code, permanent=False)
        return DeliveryError(code, permanent=True, leader_gone=code in LEADER_GONE)
    if isinstance(error, aiohttp.ClientError | asyncio.TimeoutError | OSError):
        return DeliveryError(f"connection: {type(error).__name__}", permanent=False)
    raise error


def _seconds(value: str | None) -> float | None:
    with contextlib.suppress(TypeError, ValueError):
        return float(value) if value is not None else None
    return None


TOKEN_REFUSED = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked"})


def down_reason(error: Exception) -> str:
    """Why the start-up check failed, for /healthz and the log: the method and Slack's error
    code or the kind of connection failure, never a token or a URL."""
    if isinstance(error, SlackApiError):
        method = str(error.response.api_url).rstrip("/").rsplit("/", 1)[-1] or "the Web API"
        code = str(error.response.get("error") or f"HTTP {error.response.status_code}")
        if code in TOKEN_REFUSED:
            token = "SLACK_APP_TOKEN" if method.startswith("apps.") else "SLACK_BOT_TOKEN"
            return f"{method} answered {code}: check {token}"
        return f"{method} answered {code}"
    return f"Slack Web API unreachable ({type(error).__name__})"
