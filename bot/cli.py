"""The `peercoach` command: console, serve, content check, backup and restore, keys."""

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from aiohttp import web

from bot.backup.commands import add_backup_commands
from bot.cli_guard import print_config_error, run_guarded
from bot.clock import SystemClock
from bot.config import Settings, check_folders
from bot.crypto.commands import add_key_commands, serve_keys, with_keys
from bot.domain import PlatformInfo, UserKey
from bot.errors import ConfigError, StorageError
from bot.event_loop import new_event_loop
from bot.heap import settle_after_start
from bot.logs import setup_logging
from bot.server import build_channels, build_web_app, check_serveable, listen_socket
from bot.storage.in_use import DataDirInUseError, running_on
from bot.storage.postgres.commands import add_db_commands, prepare_database
from bot.storage.postgres.probe import database_probes
from bot.wiring import App, Database, build_app
from dialogs.content import check_content
from dialogs.errors import ContentError
from dialogs.timezones import zone


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        return print_config_error(exc)
    return run_guarded(lambda: int(args.run(args, settings)), debug=settings.log_level == "DEBUG")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="peercoach", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    console = commands.add_parser("console", help="chat with the coach in this terminal")
    console.add_argument("--user", default=None, help="your name here (default: your login)")
    console.add_argument("--data-dir", type=Path, help="where data is kept (PEERCOACH_DATA_DIR)")
    console.add_argument("--content-dir", type=Path, help="content folder (PEERCOACH_CONTENT_DIR)")
    console.set_defaults(run=_console)

    content = commands.add_parser("content", help="work with content files")
    content_commands = content.add_subparsers(required=True, metavar="ACTION")
    check = content_commands.add_parser("check", help="validate the content folder")
    check.add_argument("directory", nargs="?", type=Path, help="default: the configured folder")
    check.set_defaults(run=_content_check)

    schedule = commands.add_parser("schedule", help="inspect nudge schedules")
    schedule_commands = schedule.add_subparsers(required=True, metavar="ACTION")
    preview = schedule_commands.add_parser("preview", help="coming deliveries of one leader")
    preview.add_argument("--user", required=True, help="user key, e.g. slack:T123:U456")
    preview.add_argument("--days", type=int, default=14, help="how far ahead (default 14)")
    preview.set_defaults(run=_schedule_preview)

    admin = commands.add_parser("admin", help="grant or remove the coach role")
    admin_commands = admin.add_subparsers(required=True, metavar="ACTION")
    for action, text in (
        ("grant-coach", "make a user a coach"),
        ("revoke-coach", "remove a user's coach role"),
    ):
        role = admin_commands.add_parser(action, help=text)
        role.add_argument("key", help="user key, e.g. slack:T123:U456 or teams:<tenant>:<id>")
        role.set_defaults(run=_admin, grant=action == "grant-coach")

    package = commands.add_parser("teams-package", help="build the Teams app package (.zip)")
    package.add_argument("--app-id", required=True, help="the Azure Bot's app (client) id")
    package.add_argument(
        "--out",
        type=Path,
        default=Path("peercoach-teams.zip"),
        help="where to write it (default ./peercoach-teams.zip)",
    )
    package.add_argument("--host", default=None, help="the public host of peercoach serve")
    package.set_defaults(run=_teams_package)

    serve = commands.add_parser("serve", help="run the Slack and Teams endpoints and scheduler")
    serve.set_defaults(run=_serve)
    add_backup_commands(commands)
    add_key_commands(commands)
    add_db_commands(commands)
    return parser


def _content_check(args: argparse.Namespace, settings: Settings) -> int:
    directory = args.directory or settings.content_dir
    content, problems = check_content(directory)
    for problem in problems:
        print(problem)
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    if errors or content is None:
        print(f"{errors} error(s), {warnings} warning(s) in {directory}: fix the errors above")
        return 1
    print(
        f"{directory}: OK, {len(content.themes)} themes, {len(content.nudges)} nudges, "
        f"{len(content.dialogues)} dialogues, {warnings} warning(s) (version {content.version})"
    )
    return 0


def _console(args: argparse.Namespace, settings: Settings) -> int:
    setup_logging("WARNING")  # the terminal is for the conversation
    if args.data_dir:
        settings = replace(settings, data_dir=args.data_dir)
    if args.content_dir:
        settings = replace(settings, content_dir=args.content_dir)
    check_folders(settings)
    try:
        settings = with_keys(settings, "console", create=True)
    except (ConfigError, StorageError) as exc:
        print(f"peercoach console: {exc}", file=sys.stderr)
        return 2
    try:
        with running_on(settings.data_dir):  # `peercoach restore` waits for us to stop
            return _chat(settings, UserKey.console(args.user or _login_name()))
    except DataDirInUseError:
        return _being_restored("console", settings)


def _chat(settings: Settings, key: UserKey) -> int:
    try:
        asyncio.run(_open_and_chat(settings, key))
    except ContentError as exc:
        _print_content_error(exc)
        return 1
    except StorageError as exc:  # e.g. a journal that names no leader's file
        print(f"peercoach: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ncoach> Bye for now. Your conversation is saved.")
    return 0


async def _open_and_chat(settings: Settings, key: UserKey) -> None:
    """On PostgreSQL the pool is opened (and the schema brought up to date) first, on the
    loop the conversation runs on."""
    database = None
    if settings.database_url is not None:
        database = Database(settings.database_url, await prepare_database(settings.database_url))
    try:
        app = build_app(settings, SystemClock(), database)
        app.check_sole_writer("console")
        await _run_console(app, key)
    finally:
        if database is not None:
            await database.pool.close()


async def _run_console(
    app: App, key: UserKey, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout
) -> None:
    """The console is also the console user's notifier: nudges appear as they fall due. The
    scheduler starts once the opening is on screen: a check-in it catches up on is shown
    once, after the banner (review 12f: before the banner, then again by the opening)."""
    from bot.channels.console import ConsoleChannel  # noqa: PLC0415 - console-only import

    await app.open()
    try:
        await app.users.load(key)  # fail at start, naming the file, not mid-conversation
        channel = ConsoleChannel(
            app.conversations,
            key,
            _console_platform(key),
            app.exports_dir,
            stdin=stdin,
            stdout=stdout,
        )
        app.notifiers["console"] = channel
        await channel.open()
        await app.start_scheduler(wants=lambda user: user == str(key))
        await channel.chat()
    finally:
        await app.close()


def _schedule_preview(args: argparse.Namespace, settings: Settings) -> int:
    try:
        key = UserKey.parse(args.user)
    except ValueError as exc:
        print(f"peercoach: {exc}", file=sys.stderr)
        return 2
    check_folders(settings)
    try:
        settings = with_keys(settings, "schedule preview", create=False)
    except (ConfigError, StorageError) as exc:
        print(f"peercoach schedule preview: {exc}", file=sys.stderr)
        return 2
    app = build_app(settings, SystemClock())
    asyncio.run(app.schedules.load())
    state = asyncio.run(app.users.load(key))
    now = SystemClock().now()
    found = app.schedule_service.preview(
        str(key), now, args.days, state.profile if state else None
    )
    if not found:
        print(f"{key} has no deliveries in the next {args.days} days.")
        return 0
    print(f"Coming deliveries for {key} (next {args.days} days):")
    for due, schedule in found:
        local = due.astimezone(zone(schedule.timezone))
        print(
            f"  {local:%a %d %b %Y %H:%M} {schedule.timezone:<20} = {due:%Y-%m-%d %H:%M} UTC"
            f"  [{schedule.id}] {', '.join(schedule.themes) or 'all themes'}"
        )
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:  # noqa: ARG001
    setup_logging(settings.log_level)
    check_folders(settings, create=False)  # a file in the way, named before the key is read
    try:
        check_serveable(settings)
        settings = serve_keys(settings)
    except ConfigError as exc:
        print(f"peercoach serve: configuration problem: {exc}", file=sys.stderr)
        return 2
    except StorageError as exc:  # the key does not open the data: nothing was touched
        print(f"peercoach serve: {exc}", file=sys.stderr)
        return 2
    check_folders(settings)  # after the key: a refused start makes no folder
    try:
        with running_on(settings.data_dir):  # `peercoach restore` waits for us to stop
            return _run_server(settings)
    except DataDirInUseError:
        return _being_restored("serve", settings)


def _run_server(settings: Settings) -> int:
    host = "127.0.0.1" if settings.local_trial else "0.0.0.0"  # all interfaces: a server
    listening = listen_socket(host, settings.port)  # "port taken" before anything starts
    loop = new_event_loop()
    database, probes = None, None
    if settings.database_url is not None:  # migrated under a lock: instances may start at once
        try:
            pool = loop.run_until_complete(prepare_database(settings.database_url))
        except StorageError as exc:  # unreachable, refused, or a newer schema
            listening.close()
            print(f"peercoach serve: {exc}", file=sys.stderr)
            return 2
        database = Database(settings.database_url, pool)
        probes = database_probes(settings.database_url, pool)
    try:
        app = build_app(settings, SystemClock(), database)
        app.check_sole_writer("serve")
    except ContentError as exc:
        listening.close()
        _print_content_error(exc)
        return 1
    except StorageError as exc:
        listening.close()
        print(f"peercoach serve: {exc}", file=sys.stderr)
        return 1
    if settings.local_trial:
        print(
            "peercoach serve: LOCAL TRIAL - Teams requests are not authenticated; listening "
            f"on http://127.0.0.1:{settings.port} only. Never run this in production.",
            file=sys.stderr,
        )
    web_app = build_web_app(app, build_channels(app), probes=probes)
    web_app.on_startup.append(_settle_heap)  # runs after the app's own start-up
    if database is not None:
        web_app.on_cleanup.append(_closer(database))  # after the app has closed its stores
    try:
        web.run_app(web_app, sock=listening, print=None, access_log=None, loop=loop)
    finally:  # a start-up that failed (a refused file, say) leaves the socket to us
        listening.close()
    return 0


def _closer(database: Database) -> Callable[[web.Application], Awaitable[None]]:
    async def close(_: web.Application) -> None:
        await database.pool.close()

    return close


async def _settle_heap(_: web.Application) -> None:
    settle_after_start()


def _being_restored(command: str, settings: Settings) -> int:
    print(
        f"peercoach {command}: PEERCOACH_DATA_DIR={settings.data_dir} is being restored by "
        "`peercoach restore`; run this again when the restore has finished.",
        file=sys.stderr,
    )
    return 1


def _admin(args: argparse.Namespace, settings: Settings) -> int:
    """Run against the data folder (a running server reads roles at start, so for a live
    server prefer `admin coach <user>` in chat, which takes effect at once), or against
    PEERCOACH_DATABASE_URL, where running servers hear of it within seconds."""
    try:
        key = UserKey.parse(args.key)
    except ValueError as exc:
        print(f"peercoach admin: {exc}", file=sys.stderr)
        return 2
    on_database = settings.database_url is not None
    try:
        if on_database:
            asyncio.run(_change_role(settings, key, grant=args.grant))
        else:
            check_folders(settings)
            with running_on(settings.data_dir):
                asyncio.run(_change_role(settings, key, grant=args.grant))
    except DataDirInUseError:
        return _being_restored("admin", settings)
    except StorageError as exc:  # the database is unreachable, or its schema is not ours
        print(f"peercoach admin: {exc}", file=sys.stderr)
        return 2
    seen = (
        "running servers see this within seconds"
        if on_database
        else ("a running server sees this after its next start")
    )
    print(f"{key} {'is now a coach' if args.grant else 'is no longer a coach'} ({seen})")
    return 0


async def _change_role(settings: Settings, key: UserKey, *, grant: bool) -> None:
    from bot.coaching.store import CoachingStore  # noqa: PLC0415
    from bot.storage.postgres.coaching import PostgresCoachingBackend  # noqa: PLC0415
    from bot.storage.tinydb.coaching import TinyDBCoachingBackend  # noqa: PLC0415

    url, pool = settings.database_url, None
    if url is not None:
        pool = await prepare_database(url)
        store = CoachingStore(PostgresCoachingBackend(pool, url))
    else:
        store = CoachingStore(TinyDBCoachingBackend(settings.data_dir))
    try:
        await store.load()
        if grant:
            await store.grant(str(key), "command line", SystemClock().now())
        else:
            await store.revoke(str(key))
    finally:
        if pool is not None:
            await pool.close()


def _teams_package(args: argparse.Namespace, settings: Settings) -> int:  # noqa: ARG001
    from bot.channels.teams.package import build_package  # noqa: PLC0415

    try:
        path = build_package(args.app_id, args.out, host=args.host)
    except ValueError as exc:
        print(f"peercoach teams-package: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {path}: upload it in Teams (Apps > Manage your apps > Upload an app)")
    return 0


def _print_content_error(exc: ContentError) -> None:
    print(
        "peercoach cannot start: the content has errors. Fix them and run "
        "`peercoach content check` again.",
        file=sys.stderr,
    )
    for problem in exc.problems:
        if problem.severity == "error":
            print(problem, file=sys.stderr)


def _login_name() -> str:
    try:
        return getpass.getuser() or "me"
    except (KeyError, OSError):
        return "me"


def _console_platform(key: UserKey) -> PlatformInfo:
    try:
        import tzlocal  # noqa: PLC0415 - only the console asks the machine for its zone

        zone = tzlocal.get_localzone_name()
    except Exception:
        zone = None
    return PlatformInfo(display_name=key.user, timezone=zone, timezone_guessed=True)
