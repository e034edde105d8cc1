"""The Slack Web API client: retries opted in, one shared HTTP session, errors classified,
and the lean call every turn's reply takes (`call`)."""

import asyncio
import contextlib
from functools import cache
from typing import Any
from urllib.parse import urljoin

import aiohttp
import orjson
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryState
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
    async_default_handlers,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from slack_sdk.web.internal_utils import get_user_agent

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


async def call(
    client: AsyncWebClient,
    method: str,
    *,
    json: dict[str, Any] | None = None,
    params: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One Web API call as the client would make it (its session, token, headers, proxy and
    retry handlers; SlackApiError with Slack's answer when it says no), for the calls on
    every turn's path: chat.postMessage (a JSON body) and users.info (GET, a query). Slack's
    answer as a dict. slack_sdk's own methods rebuild the URL and headers, copy the
    arguments and consult every retry handler on each call, which cost as much CPU as the
    HTTP exchange itself; here that is done once, and the handlers are asked only about a
    failure (none of slack_sdk's retries a 200)."""
    session = client.session
    if session is None or session.closed:  # no shared session: slack_sdk's own way
        sdk_answer = await client.api_call(
            method, http_verb="POST" if json is not None else "GET", json=json, params=params
        )
        return dict(sdk_answer.data) if isinstance(sdk_answer.data, dict) else {}
    if client.default_params:  # a team_id given to the client: slack_sdk adds it
        if json is not None:
            json = client.default_params | json
        else:
            params = client.default_params | (params or {})
    verb = "POST" if json is not None else "GET"
    url = _url(client.base_url, method)
    headers = _headers(client.token or "", json is not None, tuple(client.headers.items()))
    body = orjson.dumps(json) if json is not None else None
    state, request = RetryState(), None
    while True:
        state.next_attempt_requested = False
        response: HttpResponse | None = None
        error: Exception | None = None
        try:
            async with session.request(
                verb,
                url,
                params=params,
                data=body,
                headers=headers,
                ssl=True if client.ssl is None else client.ssl,
                proxy=client.proxy,
            ) as answer:
                data = _json_object(await answer.read())
            if answer.status == 200 and data.get("ok"):  # noqa: PLR2004
                return data
            response = HttpResponse(
                status_code=answer.status, headers=dict(answer.headers), body=data
            )
        except Exception as failed:  # the handlers decide: a dropped connection is retried
            error = failed
        if request is None:
            sent: dict[str, str | list[str]] = dict(headers)
            request = HttpRequest(method=verb, url=url, headers=sent, body_params=params)
        if await _retried(client, state, request, response, error):
            continue
        if error is not None:
            raise error
        raise _refused(client, verb, url, answer, data)


async def _retried(
    client: AsyncWebClient,
    state: RetryState,
    request: HttpRequest,
    response: HttpResponse | None,
    error: Exception | None,
) -> bool:
    """slack_sdk's own rule: the first handler that can retry waits and asks for another go."""
    for handler in client.retry_handlers or ():
        if await handler.can_retry_async(
            state=state, request=request, response=response, error=error
        ):
            await handler.prepare_for_next_attempt_async(
                state=state, request=request, response=response, error=error
            )
            break
    return state.next_attempt_requested


def _refused(
    client: AsyncWebClient,
    verb: str,
    url: str,
    answer: aiohttp.ClientResponse,
    data: dict[str, Any],
) -> SlackApiError:
    """The error slack_sdk raises for the same answer (its response, status and all)."""
    response = AsyncSlackResponse(
        client=client,
        http_verb=verb,
        api_url=url,
        req_args={},
        data=data,
        headers=answer.headers,  # type: ignore[arg-type]  # case-insensitive, as slack_sdk's
        status_code=answer.status,
    )
    message = f"The request to the Slack API failed. (url: {url}, status: {answer.status})"
    return SlackApiError(message=message, response=response)  # type: ignore[no-untyped-call]


def _json_object(raw: bytes) -> dict[str, Any]:
    """Slack answers a JSON object; anything else (a proxy's error page) counts as none."""
    try:
        data = orjson.loads(raw) if raw else {}
    except orjson.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


@cache
def _url(base_url: str, method: str) -> str:
    return urljoin(base_url, method)  # as slack_sdk joins them


@cache
def _headers(token: str, has_json: bool, extra: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """The headers slack_sdk sends: its content type, the token, the client's own (its
    User-Agent among them), JSON's content type for a JSON body."""
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    headers.update(extra)
    headers.setdefault("User-Agent", get_user_agent())
    if has_json:
        headers["Content-Type"] = "application/json;charset=utf-8"
    return headers


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
