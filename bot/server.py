"""The one aiohttp application of `peercoach serve`: Slack, Teams, health, metrics, and the
scheduler. With TinyDB one process does it all; on PostgreSQL several may serve, and the one
that leads (`probes.leadership`) runs the scheduler."""

import asyncio
import errno
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from bot.channels.deps import ChannelDeps
from bot.channels.slack.app import SlackChannel
from bot.channels.slack.notifier import PACE_SECONDS
from bot.channels.status import Sleep
from bot.channels.teams.bot import TeamsDeps
from bot.channels.teams.channel import TeamsChannel
from bot.config import DEFAULT_PORT, Settings
from bot.dashboard.limiter import BadTokenLimiter
from bot.dashboard.pages import Dashboard
from bot.dashboard.web import mount as mount_dashboard
from bot.errors import ConfigError
from bot.health import check as health_check
from bot.logs import log
from bot.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from bot.metrics import build_registry
from bot.metrics import render as render_metrics
from bot.probes import Probes
from bot.wiring import App

logger = logging.getLogger("peercoach.server")
MAX_BODY = 1024 * 1024  # larger requests get 413 from aiohttp, and the server keeps serving


@dataclass
class Channels:
    slack: SlackChannel | None = None
    teams: TeamsChannel | None = None


def check_serveable(settings: Settings) -> None:
    """Refuse to start with nothing to serve, naming the settings that would fix it."""
    if settings.slack is None and settings.teams is None and not settings.local_trial:
        raise ConfigError(
            "nothing to serve: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET for Slack, or "
            "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID and ...__CLIENTSECRET (or "
            "MicrosoftAppId and MicrosoftAppPassword) for Teams; to try it on this machine "
            "without either, set PEERCOACH_LOCAL_TRIAL=1"
        )


def listen_socket(host: str, port: int) -> socket.socket:
    """Bound before anything starts, so a port in use is one sentence naming PORT and the
    process exits before it opens storage or reaches Slack."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp does
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise ConfigError(_bind_problem(host, port, error)) from None
    sock.set_inheritable(False)
    return sock


def _bind_problem(host: str, port: int, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return (
            f"PORT={port} is already in use on {host} by another program (or another peercoach "
            "serve); stop it, or set PORT to a free port"
        )
    if error.errno == errno.EACCES:
        return (
            f"PORT={port} needs privileges this user does not have (ports below 1024 usually "
            f"do); set PORT to a port above 1023, like PORT={DEFAULT_PORT}"
        )
    return f"cannot listen on {host}:{port} ({error.strerror or error}); set PORT to another port"


def build_channels(
    app: App, *, slack_pace: float = PACE_SECONDS, retry_sleep: Sleep = asyncio.sleep
) -> Channels:
    settings = app.settings
    common = ChannelDeps(
        app.conversations,
        app.users,
        app.schedules,
        app.clock,
        app.coaching,
        circles=app.circle_service,
        themes=tuple((t.id, t.title) for t in app.content.themes),
        redeliver=app.deliveries.messages.redeliver,
    )
    slack = None
    if settings.slack is not None:
        slack = SlackChannel(
            settings.slack, common, pace=slack_pace, retry_sleep=retry_sleep, seen=app.seen
        )
    teams = None
    if settings.teams is not None or settings.local_trial:
        deps = TeamsDeps(**vars(common), local_trial=settings.teams is None)
        teams = TeamsChannel(settings.teams, deps)
    return Channels(slack=slack, teams=teams)


def build_web_app(
    app: App, channels: Channels, *, timers: bool = True, probes: Probes | None = None
) -> web.Application:
    """`probes`: who leads the scheduler, the database and its pool (default: one process on
    TinyDB, which always leads)."""
    probes = probes or Probes()
    web_app = web.Application(client_max_size=MAX_BODY)
    web_app.router.add_get("/healthz", _health(app, channels, probes))
    web_app.router.add_get("/metrics", _metrics(app, channels, probes))
    if channels.slack is not None:
        web_app.router.add_post("/slack/events", channels.slack.handle_http)
    if channels.teams is not None:
        channels.teams.mount(web_app)
    mount_dashboard(web_app, dashboard_of(app))

    async def lifecycle(_: web.Application) -> AsyncIterator[None]:
        await app.open()
        if channels.slack is not None:
            await channels.slack.start()
            assert channels.slack.notifier is not None
            app.notifiers["slack"] = channels.slack.notifier
        if channels.teams is not None:
            app.notifiers["teams"] = channels.teams.notifier
            if channels.teams.settings is None:
                log(
                    logger,
                    "serve.local_trial",
                    level=logging.WARNING,
                    warning="Teams WITHOUT authentication: anyone who can reach this port can "
                    "post activities; listening on 127.0.0.1 only; never use in production",
                )

        async def lead() -> None:
            await app.start_scheduler(timers=timers, background=timers)  # serve meanwhile

        async def stand_by() -> None:  # deliveries in flight finish, or stay pending
            if app.scheduler is not None:
                await app.scheduler.stop()

        await probes.leadership.start(lead, stand_by)
        if app.settings.public_url is None:
            log(
                logger,
                "serve.no_public_url",
                level=logging.WARNING,
                warning="`coach dashboard` cannot send links until PEERCOACH_PUBLIC_URL is set "
                "to the address this server is reached at (on this machine: "
                f"PEERCOACH_PUBLIC_URL={app.sign_ins.local_url})",
            )
        log(
            logger,
            "serve.started",
            channels=",".join(_names(channels)) or "none",
            local_trial=app.settings.local_trial,
        )
        yield
        log(logger, "serve.stopping")
        await probes.leadership.stop()  # first: deliveries in flight still need the channels
        await app.stop_scheduler()
        if channels.slack is not None:
            await channels.slack.close()
        await app.close()

    web_app.cleanup_ctx.append(lifecycle)
    return web_app


def dashboard_of(app: App) -> Dashboard:
    return Dashboard(
        app.coaching,
        app.users,
        app.conversations,
        app.sign_ins,
        BadTokenLimiter(app.clock),
        themes=tuple((t.id, t.title) for t in app.content.themes),
        secure_cookie=app.sign_ins.secure_cookie,
        circles=app.circles,
        trusted_proxies=app.settings.trusted_proxies,
    )


def _names(channels: Channels) -> list[str]:
    return [name for name in ("slack", "teams") if getattr(channels, name) is not None]


def _statuses(channels: Channels) -> dict[str, str]:
    found = (channels.slack, channels.teams)
    return {c.status.name: c.status.describe() for c in found if c is not None}


def _health(
    app: App, channels: Channels, probes: Probes
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def health(_: web.Request) -> web.Response:
        found = await health_check(app, _statuses(channels), probes)
        if not found.ok:
            log(logger, "serve.unhealthy", level=logging.WARNING, problems=len(found.problems))
        return web.json_response(found.as_json(), status=found.http_status)

    return health


def _metrics(
    app: App, channels: Channels, probes: Probes
) -> Callable[[web.Request], Awaitable[web.Response]]:
    def channels_up() -> dict[str, bool]:
        return {name: status == "ok" for name, status in _statuses(channels).items()}

    registry = build_registry(app, channels_up, probes)

    async def metrics(_: web.Request) -> web.Response:
        response = web.Response(body=render_metrics(registry))
        response.headers["Content-Type"] = METRICS_CONTENT_TYPE
        return response

    return metrics
