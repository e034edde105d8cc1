"""One HTTP request from Slack, answered the way Slack expects: refused by our own checks
(verify.py), acknowledged without bolt, or dispatched to bolt with its answer passed on.

What each documented request type gets (Slack's Events API, slash command and
interactivity documentation):

Events API (JSON)
    url_verification     the challenge, echoed (bolt)
    event_callback       an empty 200, at once; listeners run after it (bolt; a message
                         in a DM, every leader's turn, is run by the channel itself, see
                         `answer`). An inner event type we do not act on gets an empty
                         200 too, not bolt's 404
    app_rate_limited     an empty 200 and a warning log line: Slack is dropping the
                         workspace's events for the rest of that minute
Slash commands (form)
    command              an empty 200, or a pointer to the DM outside it (bolt)
    ssl_check=1          an empty 200, signed or not (Slack sends it unsigned)
Interactivity (form, payload=JSON)
    block_actions        an empty 200 (bolt)
    view_submission      {"response_action": "errors" | "update", ...} for our forms, an
                         empty 200 (closes the modal) for any other
    view_closed, shortcut, message_action, interactive_message, dialog_submission,
    dialog_cancellation, workflow_step_edit
                         an empty 200
    block_suggestion, dialog_suggestion
                         {"options": []}: we offer no external menus, and an empty body
                         would show the leader an error in the menu
Anything else correctly signed that parses (a type Slack adds one day, JSON that is not an
object): an empty 200 and a log line, nothing done.
"""

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.channels.slack import verify
from bot.logs import log

logger = logging.getLogger("peercoach.slack")
WITHOUT_BOLT = ("ssl_check", "app_rate_limited", "other")  # an empty 200, nothing else
# What Slack expects from a request no listener of ours takes (bolt would answer 404, which
# Slack counts as a failure); anything not named here gets an empty 200. (Options requests
# have a listener of their own, app.py's _no_options: bolt's 404 warning would log the text
# typed into the menu.)
NO_LISTENER: dict[str, dict[str, Any]] = {
    "block_suggestion": {"options": []},
    "dialog_suggestion": {"options": []},
}


async def answer(
    bolt: AsyncApp,
    secret: str,
    request: web.Request,
    *,
    before_bolt: Callable[[verify.Verdict], Awaitable[verify.Verdict]] | None = None,
    direct: Callable[[dict[str, Any]], bool] | None = None,
) -> web.Response:
    """`before_bolt` may turn an accepted request for bolt into a refusal (say, 503 while
    the Web API is unreachable); requests answered without bolt never reach it. `direct`
    may take an event (envelope) to run itself, after `before_bolt` and instead of bolt: it
    is acknowledged as bolt acknowledges events, with an empty 200 at once."""
    raw = await request.read()
    verdict = verify.check(secret, dict(request.headers), raw)
    if not verdict.status and before_bolt is not None and verdict.kind not in WITHOUT_BOLT:
        verdict = await before_bolt(verdict)
    if verdict.status:
        log(
            logger,
            "slack.refused",
            level=logging.WARNING,
            status=verdict.status,
            reason=verdict.reason,
        )
        return web.Response(status=verdict.status, text=verdict.reason)
    if verdict.repaired:
        log(logger, "slack.unicode_repaired", kind=verdict.kind)
    if verdict.kind in WITHOUT_BOLT:
        return _acknowledge(verdict)
    if verdict.kind == "event" and direct is not None and direct(verdict.parsed):
        return web.Response(status=200)
    # Handed over parsed: bolt would parse it again, and its json.loads keeps a lone
    # surrogate that fails later, when the text is stored or sent.
    bolt_request = AsyncBoltRequest(
        body="", query=request.query_string, headers=dict(request.headers)
    )
    bolt_request.raw_body = verdict.body
    bolt_request.body = verdict.parsed
    bolt_request.context = build_async_context(AsyncBoltContext({}), verdict.parsed)
    response = await bolt.async_dispatch(bolt_request)
    if response.status == 404:  # noqa: PLR2004 - bolt has no listener for it
        # Acknowledged all the same: Slack counts a 404 as a failed delivery and turns off
        # an app's subscriptions when most of its deliveries fail.
        kind = type_of(verdict.parsed)
        log(logger, "slack.unhandled", kind=verdict.kind, type=kind)
        expected = NO_LISTENER.get(kind)
        return web.json_response(expected) if expected else web.Response(status=200)
    return web.Response(
        status=response.status,
        body=response.body.encode(),
        headers=response.first_headers_without_set_cookie(),
    )


def _acknowledge(verdict: verify.Verdict) -> web.Response:
    """Requests with nothing for bolt to do: an empty 200."""
    if verdict.kind == "app_rate_limited":
        log(
            logger,
            "slack.events_rate_limited",
            level=logging.WARNING,
            team=str(verdict.parsed.get("team_id") or "-")[:20],
            minute=str(verdict.parsed.get("minute_rate_limited") or "-")[:20],
        )
    elif verdict.kind == "other":
        log(logger, "slack.unhandled", kind="other", type=type_of(verdict.parsed))
    return web.Response(status=200)


def type_of(body: dict[str, Any]) -> str:
    """The event or payload type, for a log line (never any text)."""
    event = body.get("event")
    kind = event.get("type") if isinstance(event, dict) else body.get("type")
    return str(kind or "-")[:40]


async def repair_socket_mode(req: Any, next: Any) -> Any:
    """Socket Mode payloads reach bolt parsed by slack_sdk's json.loads, which keeps a lone
    surrogate (HTTP bodies were repaired by verify.py): replace it, or storing or sending
    the text fails later and the leader gets an apology instead of an answer."""
    if req.mode == "socket_mode":
        req.body = verify.repaired(req.body)
    return await next()


async def no_options(ack: Any) -> None:
    await ack(options=[])


async def ignore() -> None:
    """Subscribed event types we do not act on still get 200 (a 404 counts as a failure)."""
