"""What every chat channel needs from the application: the services it translates for."""

from collections.abc import Callable
from dataclasses import dataclass

from bot.clock import Clock
from bot.domain import Reply, UserKey
from bot.ports import UserStore
from bot.schedules.store import ScheduleStore
from bot.services.circles import CircleService
from bot.services.coaching import CoachingService
from bot.services.conversations import ConversationService


@dataclass
class ChannelDeps:
    conversations: ConversationService
    users: UserStore
    schedules: ScheduleStore
    clock: Clock
    coaching: CoachingService
    circles: CircleService | None = None  # the coach's `circle new` form
    themes: tuple[tuple[str, str], ...] = ()  # (id, title) for the coach's form
    redeliver: Callable[[UserKey, Reply], None] | None = None  # a reply the platform refused
