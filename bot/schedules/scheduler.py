"""The one scheduler: APScheduler jobs mirror the stored schedules and reminders.

TinyDB holds the truth; the AsyncIOScheduler's in-memory jobs are a cache rebuilt by
`sync()` at start and kept current by observing the store. Jobs are module-level functions
that take ids only. After downtime, a background task settles the deliveries a crash left
pending (bot/services/recovery.py) and `catch_up()` sends each schedule's latest missed
nudge once if it is within the grace window.
Tests drive time with `run_until()`, which fires jobs by the same trigger rules.
"""

import asyncio
import hashlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import Clock
from bot.logs import log
from bot.running import RunningTasks
from bot.schedules.keys import DeliveryKey
from bot.schedules.ledger import DeliveryLedger
from bot.schedules.model import NudgeSchedule, Reminder
from bot.schedules.store import ScheduleStore
from bot.schedules.trigger import LocalTimeTrigger
from bot.services.deliveries import DeliveryService
from bot.services.recovery import Recovery
from dialogs.recurrence import next_occurrence, occurrences, previous_occurrence

logger = logging.getLogger("peercoach.scheduler")

_ACTIVE: dict[str, "NudgeScheduler"] = {}
HEARTBEAT = timedelta(seconds=60)
COMPACT_EVERY = timedelta(hours=6)
DRAIN = 10.0  # seconds a stop waits for deliveries in flight
# Schedules sharing a minute (08:30 is popular) fire spread over this many seconds after it,
# each at its own fixed offset: APScheduler runs every job due at one moment in one pass of
# the event loop, and 10,000 at once stalled chat for 1.5 s. A leader's nudge stays on its
# minute (its delivery key and the lag are counted from the minute itself).
SPREAD = timedelta(seconds=30)


def _spread(schedule_id: str, spread: timedelta) -> timedelta:
    whole = int(spread.total_seconds())
    if whole <= 0:
        return timedelta(0)
    digest = hashlib.sha256(schedule_id.encode()).digest()
    return timedelta(seconds=int.from_bytes(digest[:4], "big") % whole)


def _log_failure(task: "asyncio.Task[None]", event: str = "scheduler.start_failed") -> None:
    if not task.cancelled() and task.exception() is not None:
        error = task.exception()
        log(logger, event, level=logging.ERROR, error=type(error).__name__)


async def fire_nudge(scheduler: str, schedule_id: str) -> None:
    """APScheduler job: one schedule is due."""
    await _ACTIVE[scheduler].fire(schedule_id)


async def fire_reminder(scheduler: str, reminder_id: str) -> None:
    """APScheduler job: one snooze, follow-up or held nudge is due."""
    await _ACTIVE[scheduler].fire_reminder(reminder_id)


async def heartbeat(scheduler: str) -> None:
    await _ACTIVE[scheduler].beat()


class NudgeScheduler:
    def __init__(
        self,
        store: ScheduleStore,
        ledger: DeliveryLedger,
        deliveries: DeliveryService,
        clock: Clock,
        *,
        grace: timedelta = timedelta(minutes=60),
        wants: Callable[[str], bool] = lambda _user: True,
        name: str = "default",
        spread: timedelta = SPREAD,
    ) -> None:
        self.store = store
        self.ledger = ledger
        self.deliveries = deliveries
        self.clock = clock
        self.grace = grace
        self.wants = wants
        self.name = name
        self.spread = spread
        self.aps = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={
                # On purpose: a job late by up to the grace window still runs once (coalesced);
                # APScheduler's default of 1 s silently drops runs after a stall.
                "misfire_grace_time": int(grace.total_seconds()),
                "coalesce": True,
                "max_instances": 1,
            },
        )
        self._cursor: datetime | None = None
        self._last_compaction: datetime | None = None
        self._starting: asyncio.Task[None] | None = None
        self.recovery: asyncio.Task[None] | None = None  # of what a crash left pending
        self._driven = False
        self._shut_down = False  # AsyncIOScheduler shuts down in a loop callback: ask once
        self._running = RunningTasks()
        store.observers.append(self)
        _ACTIVE[name] = self

    # ---------------------------------------------------------------- lifecycle

    async def start(self, *, timers: bool = True, background: bool = False) -> None:
        """Catch up on what was missed, build the jobs, and (with timers) start firing.

        In the background (as `serve` starts it), a long catch-up does not hold up serving:
        leaders are answered while it runs, and the timers start when it is done. Settling
        what a crash left pending runs in a task of its own either way (it may wait on a
        platform's rate limit for an hour) and holds up neither; without `background`,
        start returns once it is done too."""
        now = self.clock.now()
        if not background:
            await self._start(now, timers=timers)
            if self.recovery is not None:
                await asyncio.wait([self.recovery])
            return
        self._starting = asyncio.create_task(self._start(now, timers=timers))
        self._starting.add_done_callback(_log_failure)

    async def _start(self, now: datetime, *, timers: bool) -> None:
        self._recover()
        await self.catch_up(now)
        self.sync()
        self._cursor = now
        if timers:
            self.aps.add_job(
                heartbeat,
                IntervalTrigger(seconds=HEARTBEAT.seconds),
                args=[self.name],
                id="heartbeat",
                replace_existing=True,
            )
            self.aps.start()
        else:
            self._driven = True  # by run_until(): tests and previews keep the time
        log(
            logger,
            "scheduler.started",
            schedules=len(self._wanted()),
            reminders=len(self.store.reminders()),
            jobs=len(self.aps.get_jobs()),
        )

    @property
    def state(self) -> str:
        """ "running", "catching up" (after a start, before the timers), or "stopped"."""
        if self.aps.running or self._driven:
            return "running"
        if self._starting is not None and not self._starting.done():
            return "catching up"
        return "stopped"

    async def stop(self, *, drain: float = DRAIN) -> None:
        """Stop firing, then let deliveries in flight finish for up to `drain` seconds. Any
        still running then are cancelled: their ledger entries stay pending, and the next
        start asks the channel whether they arrived, so nothing is sent twice or lost."""
        if self.aps.running:
            self.aps.pause()
        finished, cancelled = await self._running.finish(drain, self._starting, self.recovery)
        if finished or cancelled:
            log(logger, "scheduler.drained", finished=finished, cancelled=cancelled)
        if self.aps.running and not self._shut_down:
            self._shut_down = True  # a second shutdown() would fail in that callback
            self.aps.shutdown(wait=False)
        self._driven = False
        if self in self.store.observers:
            self.store.observers.remove(self)
        _ACTIVE.pop(self.name, None)

    def sync(self) -> None:
        """Rebuild every nudge and reminder job from the store (other jobs are left alone)."""
        for job in self.aps.get_jobs():
            if job.id.startswith(("nudge:", "reminder:")):
                self.aps.remove_job(job.id)
        for schedule in self.store.schedules():
            self._job_for(schedule)
        for reminder in self.store.reminders():
            self._job_for_reminder(reminder)

    # ---------------------------------------------------------------- store observer

    def schedules_changed(self, schedules: list[NudgeSchedule]) -> None:
        for schedule in schedules:
            self._job_for(schedule)

    def schedules_removed(self, schedule_ids: list[str]) -> None:
        for schedule_id in schedule_ids:
            self._remove_job(f"nudge:{schedule_id}")

    def reminder_changed(self, reminder: Reminder) -> None:
        self._job_for_reminder(reminder)

    def reminder_removed(self, reminder_id: str) -> None:
        self._remove_job(f"reminder:{reminder_id}")

    def _job_for(self, schedule: NudgeSchedule) -> None:
        job_id = f"nudge:{schedule.id}"
        if schedule.paused or not self.wants(schedule.user):
            self._remove_job(job_id)
            return
        self.aps.add_job(
            fire_nudge,
            LocalTimeTrigger(schedule.rule, _spread(schedule.id, self.spread)),
            args=[self.name, schedule.id],
            id=job_id,
            replace_existing=True,
        )

    def _job_for_reminder(self, reminder: Reminder) -> None:
        if not self.wants(reminder.user):
            return
        self.aps.add_job(
            fire_reminder,
            DateTrigger(run_date=reminder.due_at),
            args=[self.name, reminder.id],
            id=f"reminder:{reminder.id}",
            replace_existing=True,
            misfire_grace_time=None,
        )  # late beats never

    def _remove_job(self, job_id: str) -> None:
        if self.aps.get_job(job_id) is not None:
            self.aps.remove_job(job_id)

    # ---------------------------------------------------------------- firing

    async def fire(self, schedule_id: str) -> None:
        self._running.track_current()  # stop() lets it finish
        schedule = self.store.schedule(schedule_id)
        if schedule is None or schedule.paused or not self.wants(schedule.user):
            return
        due = previous_occurrence(schedule.rule, self.clock.now(), self.grace)
        if due is not None:
            await self.deliveries.nudge(schedule, due)

    async def fire_reminder(self, reminder_id: str) -> None:
        self._running.track_current()  # stop() lets it finish
        await self._reminder_due(reminder_id)

    async def _reminder_due(self, reminder_id: str) -> None:
        reminder = self.store.reminder(reminder_id)
        if reminder is not None and self.wants(reminder.user):
            await self.deliveries.reminder(reminder)

    async def beat(self) -> None:
        """A heartbeat in the ledger; then, as the disk takes writes again, the deliveries
        it held up."""
        now = self.clock.now()
        await self.ledger.tick(now)
        if self.deliveries.stalled:
            await self.deliveries.retry_stalled(now, self.grace)
        if self._last_compaction is None or now - self._last_compaction >= COMPACT_EVERY:
            self._last_compaction = now
            await self.ledger.compact(now)

    # ---------------------------------------------------------------- after downtime

    def _recover(self) -> None:
        """Settle, in the background, the deliveries a crash left pending (recovery.py)."""
        pending = [e for e in self.ledger.pending() if e.user and self.wants(e.user)]
        if not pending:
            return
        recovery = Recovery(self.deliveries, self.deliveries.notifiers, self.clock, self.grace)

        async def run() -> None:
            await recovery.run(pending)

        self.recovery = asyncio.create_task(run())
        self.recovery.add_done_callback(lambda task: _log_failure(task, "recovery.failed"))

    async def catch_up(self, now: datetime) -> None:
        """After a start: what fell due while down. Deliveries run concurrently; the
        delivery service bounds how many are in flight."""
        since = self.ledger.last_tick
        if since is not None:
            await asyncio.gather(
                *(self._catch_up_schedule(schedule, since, now) for schedule in self._wanted())
            )
        await asyncio.gather(
            *(
                self.deliveries.reminder(reminder)
                for reminder in self.store.reminders()
                if reminder.due_at <= now and self.wants(reminder.user)
            )
        )
        await self.ledger.tick(now)

    async def _catch_up_schedule(
        self, schedule: NudgeSchedule, since: datetime, now: datetime
    ) -> None:
        missed = [
            due
            for due in occurrences(schedule.rule, since, now)
            if self.ledger.status(str(DeliveryKey.for_nudge(schedule, due))) is None
        ]
        if not missed:
            return
        *older, latest = missed
        for due in older:  # several missed runs collapse into (at most) the latest one
            await self.deliveries.skip_missed(schedule, due, "missed while down")
        if now - latest <= self.grace:
            await self.deliveries.nudge(schedule, latest)
        else:
            await self.deliveries.skip_missed(schedule, latest, "missed while down, past grace")

    # ---------------------------------------------------------------- tests and previews

    async def run_until(self, until: datetime) -> int:
        """Fire, in time order, every job due after the last call and up to `until`.

        The clock is the caller's: tests set it to each due time before calling, the way
        APScheduler would wake at that time."""
        start = self._cursor or self.clock.now()
        fired: dict[str, datetime] = {}  # per schedule, like each APScheduler job's own time
        ran = 0
        while (due := self._earliest_due(start, fired, until)) is not None:
            when, kind, ident = due
            if kind == "nudge":
                fired[ident] = when
                schedule = self.store.schedule(ident)
                if schedule is not None:
                    await self.deliveries.nudge(schedule, when)
            else:  # not fire_reminder: the caller's task is no job for stop() to wait for
                await self._reminder_due(ident)
            ran += 1
        self._cursor = until
        return ran

    def next_due(self) -> datetime | None:
        """When the next job falls due after the last `run_until` (for stepping a test clock)."""
        start = self._cursor or self.clock.now()
        due = self._earliest_due(start, {}, start + timedelta(days=366))
        return due[0] if due else None

    def _earliest_due(
        self, start: datetime, fired: dict[str, datetime], until: datetime
    ) -> tuple[datetime, str, str] | None:
        candidates: list[tuple[datetime, str, str]] = []
        for schedule in self._wanted():
            nxt = next_occurrence(schedule.rule, fired.get(schedule.id, start))
            if nxt is not None and nxt <= until:
                candidates.append((nxt, "nudge", schedule.id))
        for reminder in self.store.reminders():
            if reminder.due_at <= until and self.wants(reminder.user):
                candidates.append((max(reminder.due_at, start), "reminder", reminder.id))
        return min(candidates) if candidates else None

    def _wanted(self) -> list[NudgeSchedule]:
        return [s for s in self.store.schedules() if not s.paused and self.wants(s.user)]
