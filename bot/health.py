"""`GET /healthz`: can this process do its job right now? Each check says what failed and
what to look at, so an operator (or a load balancer) can act on the answer.

503 means this instance cannot do its job (storage, scheduler): replacing or fixing it
helps. A platform that cannot be reached (Slack down, a refused token) is 200 with status
`degraded` and the channel's `down: <why>`: taking the instance out of a load balancer would
also stop the other channel and the scheduler, and a restart would not bring Slack back.
The channel keeps trying by itself; alert on `degraded`, do not route away from it.

With several instances on one PostgreSQL database, one runs the scheduler (`scheduler:
active`) and the others stand by (`standby`): a standby is healthy, since it takes over by
itself. A database that does not answer is 503 on every instance: no leader's turn can be
saved there."""

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.probes import Probes
from bot.schedules.leadership import Role
from bot.storage.atomic import write_temp
from bot.wiring import App

NOT_USED = "not used"  # TinyDB: the data folder is the storage


@dataclass(frozen=True)
class Health:
    storage_writable: bool
    scheduler_running: bool
    channels: Mapping[str, str]  # name -> "ok" or "down: <why>"
    content_version: str
    problems: tuple[str, ...] = field(default=())
    database: str = NOT_USED  # "ok", "unreachable" or "not used"
    scheduler: Role = "active"

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def degraded(self) -> bool:
        return any(status != "ok" for status in self.channels.values())

    @property
    def http_status(self) -> int:
        return 200 if self.ok else 503

    def as_json(self) -> dict[str, object]:
        status = "unhealthy" if not self.ok else "degraded" if self.degraded else "ok"
        return {
            "status": status,
            "storage_writable": self.storage_writable,
            "scheduler_running": self.scheduler_running,
            "scheduler": self.scheduler,
            "database": self.database,
            "channels": dict(self.channels),
            "content_version": self.content_version,
            "problems": list(self.problems),
        }


async def check(app: App, channels: Mapping[str, str], probes: Probes | None = None) -> Health:
    """`probes` None: one process on TinyDB, which always leads (tests of the App alone)."""
    problems: list[str] = []
    database = NOT_USED
    db = probes.database if probes is not None else None
    if db is not None:
        reason = await db.check()
        database = "ok" if reason is None else "unreachable"
        if reason is not None:
            problems.append(
                f"database: cannot reach {db.name} ({reason}), so no leader's turn can be "
                "saved; check that the server is up and PEERCOACH_DATABASE_URL"
            )
    # With a database the data folder keeps only exports; with TinyDB, leaders' files.
    folder = app.settings.data_dir if db is not None else app.settings.data_dir / "users"
    storage_error = await asyncio.to_thread(_write_probe, folder)
    if storage_error is not None:
        problems.append(
            f"storage: cannot write to {app.settings.data_dir} ({storage_error}); check free "
            "space and permissions of PEERCOACH_DATA_DIR"
        )
    scheduler = app.scheduler
    running = scheduler is not None and scheduler.state != "stopped"
    role: Role = probes.leadership.role if probes is not None else "active"
    if role == "active" and not running:
        problems.append("scheduler: not running, so no nudges go out; see the startup log")
    if not channels:
        problems.append("channels: none configured; set the Slack or Teams settings")
    return Health(
        storage_writable=storage_error is None,
        scheduler_running=running,
        channels=channels,
        content_version=app.content.version,
        problems=tuple(problems),
        database=database,
        scheduler=role,
    )


def _write_probe(folder: Path) -> str | None:
    """Write, sync and remove a small file where leaders' files go: a full or read-only
    disk fails here as it would for a leader's next message. None when all is well."""
    try:
        write_temp(folder / "health", b"ok" * 512, sync=True).unlink()
    except OSError as error:
        return error.strerror or type(error).__name__
    return None
