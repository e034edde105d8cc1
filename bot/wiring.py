"""Builds the application from Settings: content, storage, services and the scheduler."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import Clock
from bot.coaching.store import CoachingStore
from bot.config import Settings
from bot.crypto.sealing import Sealer
from bot.errors import DataDirBusyError
from bot.ports import Notifier
from bot.schedules.ledger import DeliveryLedger
from bot.schedules.scheduler import NudgeScheduler
from bot.schedules.store import ScheduleStore
from bot.services.coaching import CoachingService
from bot.services.conversations import ConversationService
from bot.services.deliveries import DeliveryService
from bot.services.exports import EXPORTS, ExportFiles
from bot.services.reminders import ReminderService
from bot.services.schedules import ScheduleService
from bot.storage.tinydb.ledger import FileDeliveryLedger
from bot.storage.tinydb.users import TinyDBUserStore
from dialogs.commands import AdminCommand, CoachCommand, ScheduleCommand
from dialogs.content import load_content
from dialogs.content_model import Content


@dataclass
class App:
    settings: Settings
    clock: Clock
    content: Content
    users: TinyDBUserStore
    schedules: ScheduleStore
    ledger: DeliveryLedger
    conversations: ConversationService
    schedule_service: ScheduleService
    deliveries: DeliveryService
    coaching_store: CoachingStore
    coaching: CoachingService
    notifiers: dict[str, Notifier] = field(default_factory=dict)
    scheduler: NudgeScheduler | None = None

    def check_sole_writer(self, command: str) -> None:
        """DataDirBusyError unless this process writes the data folder alone (it owns the
        leaders' journal, so it may trust what it knows of their files)."""
        if not self.users.writes_alone:
            raise DataDirBusyError(self.settings.data_dir, command)

    @property
    def exports_dir(self) -> Path:
        return self.settings.data_dir / EXPORTS

    async def open(self) -> None:
        """Read the schedule store and replay the delivery ledger."""
        await self.schedules.load()
        await self.coaching_store.load()
        await self.ledger.open()

    async def start_scheduler(
        self,
        *,
        wants: Callable[[str], bool] = lambda _user: True,
        timers: bool = True,
        background: bool = False,
    ) -> NudgeScheduler:
        self.scheduler = NudgeScheduler(
            self.schedules,
            self.ledger,
            self.deliveries,
            self.clock,
            grace=timedelta(minutes=self.settings.grace_minutes),
            wants=wants,
        )
        await self.scheduler.start(timers=timers, background=background)
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
        if self.scheduler is not None:
            await self.scheduler.stop()
        await self.deliveries.messages.close()  # replies still waiting for their platform

    async def close(self) -> None:
        await self.stop_scheduler()
        await self.coaching_store.flush()
        await self.ledger.close()
        self.users.close()


def build_app(settings: Settings, clock: Clock) -> App:
    """Load and check content (ContentError if invalid) and wire the services."""
    content = load_content(settings.content_dir)
    users = TinyDBUserStore(
        settings.data_dir, Sealer(settings.data_keys) if settings.data_keys else None
    )
    schedules = ScheduleStore(settings.data_dir)
    ledger = FileDeliveryLedger(settings.data_dir / "deliveries.log")
    schedule_service = ScheduleService(schedules, content)
    coaching_store = CoachingStore(settings.data_dir)
    coaching = CoachingService(
        coaching_store,
        schedules=schedules,
        schedule_service=schedule_service,
        users=users,
        admins=frozenset(str(a) for a in settings.admins),
        clock=clock,
    )
    conversations = ConversationService(
        users,
        content,
        clock,
        listeners=[schedule_service, coaching, ExportFiles(settings.data_dir / EXPORTS)],
        answerers={
            ScheduleCommand: schedule_service,
            CoachCommand: coaching,
            AdminCommand: coaching,
        },
        effect_answerers=[coaching, ReminderService(schedules)],
        exporters=[schedule_service, coaching_store, ledger],
    )
    notifiers: dict[str, Notifier] = {}
    deliveries = DeliveryService(ledger, schedules, conversations, notifiers, clock)
    conversations.notices = deliveries.messages
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
        notifiers,
    )
