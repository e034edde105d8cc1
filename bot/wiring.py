"""Builds the application from Settings: content, storage, services and the scheduler.

Every store comes from one backend: TinyDB files under PEERCOACH_DATA_DIR, or, given an open
`Database` (PEERCOACH_DATABASE_URL), PostgreSQL tables that several instances share.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import asyncpg
from apscheduler.triggers.interval import IntervalTrigger

from bot.circles.store import CircleStore
from bot.clock import Clock
from bot.coaching.store import CoachingStore
from bot.config import Settings
from bot.crypto.keys import key_file, local_keys
from bot.crypto.sealing import Sealer, local_sealer
from bot.dashboard.access import SignIns, derive_secret
from bot.dashboard.backend import DashboardStore
from bot.errors import DataDirBusyError
from bot.ports import Notifier, SeenEventStore
from bot.schedules.ledger import DeliveryLedger
from bot.schedules.scheduler import NudgeScheduler
from bot.schedules.store import ScheduleStore
from bot.services.avoids import AvoidService
from bot.services.circle_rounds import People, RoundsService
from bot.services.circles import CircleService
from bot.services.coaching import CoachingService
from bot.services.conversations import ConversationService
from bot.services.deliveries import DeliveryService
from bot.services.exports import EXPORTS, ExportFiles
from bot.services.reminders import ReminderService
from bot.services.schedules import ScheduleService
from bot.services.weeks import ScheduleWeeks
from bot.storage.postgres.circles import PostgresCircleBackend
from bot.storage.postgres.coaching import PostgresCoachingBackend
from bot.storage.postgres.dashboard import PostgresDashboardStore
from bot.storage.postgres.ledger import PostgresDeliveryLedger
from bot.storage.postgres.schedules import PostgresScheduleBackend
from bot.storage.postgres.seen import PostgresSeenEvents
from bot.storage.postgres.url import DatabaseUrl
from bot.storage.postgres.users import PostgresUserStore
from bot.storage.tinydb.circles import TinyDBCircleBackend
from bot.storage.tinydb.coaching import TinyDBCoachingBackend
from bot.storage.tinydb.dashboard import TinyDBDashboardStore
from bot.storage.tinydb.ledger import FileDeliveryLedger
from bot.storage.tinydb.schedules import TinyDBScheduleBackend
from bot.storage.tinydb.users import TinyDBUserStore
from dialogs.commands import (
    AdminCommand,
    AvoidCommand,
    CircleCommand,
    CoachCommand,
    ScheduleCommand,
)
from dialogs.content import load_content
from dialogs.content_model import Content


@dataclass(frozen=True)
class Database:
    """An open PostgreSQL pool (migrated: see bot.storage.postgres.commands.prepare_database)
    and the URL it came from, whose password nothing prints."""

    url: DatabaseUrl
    pool: asyncpg.Pool


@dataclass
class App:
    settings: Settings
    clock: Clock
    content: Content
    users: TinyDBUserStore | PostgresUserStore
    schedules: ScheduleStore
    ledger: DeliveryLedger
    conversations: ConversationService
    schedule_service: ScheduleService
    deliveries: DeliveryService
    coaching_store: CoachingStore
    coaching: CoachingService
    circles: CircleStore
    circle_service: CircleService
    sign_ins: SignIns
    notifiers: dict[str, Notifier] = field(default_factory=dict)
    scheduler: NudgeScheduler | None = None
    database: Database | None = None  # None: TinyDB
    seen: SeenEventStore | None = None  # Slack event ids, shared by instances on PostgreSQL
    # The round runner (bot.services.circle_rounds): `circle round … now`, `circle report`
    # and next round dates; None when the content has no circle_rounds.yaml.
    rounds: RoundsService | None = None

    def check_sole_writer(self, command: str) -> None:
        """DataDirBusyError unless this process writes the data folder alone (it owns the
        leaders' journal, so it may trust what it knows of their files). On PostgreSQL any
        number of instances share the database."""
        if isinstance(self.users, TinyDBUserStore) and not self.users.writes_alone:
            raise DataDirBusyError(self.settings.data_dir, command)

    @property
    def exports_dir(self) -> Path:
        return self.settings.data_dir / EXPORTS

    async def open(self) -> None:
        """Read the schedule, coaching and circle stores (and follow other instances' changes to
        them, on PostgreSQL) and open the delivery ledger; on PostgreSQL the ledger is opened
        by whichever instance takes over the scheduler (start_scheduler), not by standbys."""
        await self.schedules.load()
        await self.coaching_store.load()
        await self.circles.load()
        await self.schedules.start_listening()
        await self.coaching_store.start_listening()
        await self.circles.start_listening()
        if self.database is None:  # on PostgreSQL only the instance that leads needs it
            await self.ledger.open()

    async def start_scheduler(
        self,
        *,
        wants: Callable[[str], bool] = lambda _user: True,
        timers: bool = True,
        background: bool = False,
    ) -> NudgeScheduler:
        if self.database is not None:  # what the last leader left, pending ones included
            await self.ledger.open()
        self.scheduler = NudgeScheduler(
            self.schedules,
            self.ledger,
            self.deliveries,
            self.clock,
            grace=timedelta(minutes=self.settings.grace_minutes),
            wants=wants,
        )
        if self.rounds is not None:  # before the start settles what a crash left pending
            await self.rounds.prepare(self.clock.now())
        await self.scheduler.start(timers=timers, background=background)
        if self.rounds is not None:
            self.rounds.start(self.scheduler.aps, wants, timers=timers)
        if timers:  # names learnt by the coaching directory, written out in batches
            self.scheduler.aps.add_job(
                self.coaching_store.flush,
                IntervalTrigger(seconds=30),
                id="flush-names",
                replace_existing=True,
            )
        return self.scheduler

    async def stop_scheduler(self) -> None:
        """No new deliveries; those in flight finish (or stay pending), replies still
        waiting for a platform stop. Call it before the channels close, so that in-flight
        sends still have their HTTP sessions."""
        if self.rounds is not None:
            self.rounds.stop()
        if self.scheduler is not None:
            await self.scheduler.stop()
        await self.deliveries.messages.close()  # replies still waiting for their platform

    async def close(self) -> None:
        await self.stop_scheduler()
        await self.coaching_store.flush()
        await self.schedules.stop_listening()
        await self.coaching_store.stop_listening()
        await self.circles.stop_listening()
        await self.ledger.close()
        self.users.close()


def build_app(settings: Settings, clock: Clock, database: Database | None = None) -> App:
    """Load and check content (ContentError if invalid) and wire the services, on TinyDB
    or, given `database`, on PostgreSQL."""
    content = load_content(settings.content_dir)
    sealer = Sealer(settings.data_keys) if settings.data_keys else None
    users: TinyDBUserStore | PostgresUserStore
    ledger: DeliveryLedger
    seen: SeenEventStore | None = None
    dashboard: DashboardStore
    if database is None:
        users = TinyDBUserStore(settings.data_dir, sealer)
        schedules = ScheduleStore(TinyDBScheduleBackend(settings.data_dir))
        coaching_store = CoachingStore(TinyDBCoachingBackend(settings.data_dir))
        circles = CircleStore(TinyDBCircleBackend(settings.data_dir))
        ledger = FileDeliveryLedger(settings.data_dir / "deliveries.log")
        dashboard = TinyDBDashboardStore(settings.data_dir)
    else:
        pool, url = database.pool, database.url
        users = PostgresUserStore(pool, sealer or local_sealer(), url)
        schedules = ScheduleStore(PostgresScheduleBackend(pool, url))
        coaching_store = CoachingStore(PostgresCoachingBackend(pool, url))
        circles = CircleStore(PostgresCircleBackend(pool, url))
        ledger = PostgresDeliveryLedger(pool, url)
        seen = PostgresSeenEvents(pool, url, clock)
        dashboard = PostgresDashboardStore(pool, url)
    schedule_service = ScheduleService(schedules, content)
    coaching = CoachingService(
        coaching_store,
        schedules=schedules,
        schedule_service=schedule_service,
        users=users,
        admins=frozenset(str(a) for a in settings.admins),
        clock=clock,
    )
    avoids = AvoidService(coaching_store, users, content)
    circle_service = CircleService(circles, coaching, users, content.circles)
    sign_ins = SignIns(
        dashboard, clock, dashboard_secret(settings), settings.public_url, port=settings.port
    )
    coaching.dashboard = sign_ins
    conversations = ConversationService(
        users,
        content,
        clock,
        listeners=[
            schedule_service,
            coaching,
            circle_service,
            ExportFiles(settings.data_dir / EXPORTS),
        ],
        answerers={
            ScheduleCommand: schedule_service,
            CoachCommand: coaching,
            AdminCommand: coaching,
            AvoidCommand: avoids,
            CircleCommand: circle_service,
        },
        effect_answerers=[coaching, circle_service, ReminderService(schedules)],
        exporters=[schedule_service, coaching_store, circle_service, ledger, avoids],
        weeks=ScheduleWeeks(schedules),
    )
    notifiers: dict[str, Notifier] = {}
    deliveries = DeliveryService(ledger, schedules, conversations, notifiers, clock)
    conversations.notices = deliveries.messages
    rounds = None
    if content.circle_rounds is not None:
        people = People(users, coaching_store, ScheduleWeeks(schedules), notifiers)
        rounds = RoundsService(circles, people, deliveries, content.circle_rounds, clock)
        conversations.effect_answerers.append(rounds)
        conversations.listeners.append(rounds)
        circle_service.rounds = rounds
    return App(
        settings,
        clock,
        content,
        users,
        schedules,
        ledger,
        conversations,
        schedule_service,
        deliveries,
        coaching_store,
        coaching,
        circles,
        circle_service,
        sign_ins,
        notifiers,
        database=database,
        seen=seen,
        rounds=rounds,
    )


def dashboard_secret(settings: Settings) -> bytes:
    """What signs dashboard sessions: PEERCOACH_DASHBOARD_SECRET, else the newest data key
    (PEERCOACH_DATA_KEY, or the local key file); changing it ends every session."""
    if settings.dashboard_secret:
        return derive_secret(settings.dashboard_secret.encode())
    ring = settings.data_keys or local_keys(key_file(os.environ))[0]
    return derive_secret(ring.newest.secret)
