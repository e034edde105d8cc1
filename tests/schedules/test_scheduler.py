"""The scheduler end to end with real storage and ledger, a fake clock and a recording
notifier: local times across DST, leader controls, catch-up after downtime, crash recovery,
fan-out and failures."""

import asyncio
import collections
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.metrics import build_registry, render
from bot.ports import DeliveryError
from bot.schedules.keys import DeliveryKey
from bot.schedules.scheduler import SPREAD, _spread
from bot.schedules.trigger import LocalTimeTrigger
from dialogs.recurrence import Rule, parse_days, parse_hhmm
from tests.conftest import FakeClock
from tests.schedules.world import RecordingNotifier, World, open_world

ALICE = "console:alice"
BOB = "console:bob"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def local_times(world: World, zone: str) -> list[str]:
    return [f"{s.at.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M}" for s in world.notifier.sent]


@pytest.fixture
async def world(tmp_path: Path) -> World:
    opened = await open_world(tmp_path, FakeClock(utc("2026-03-26T12:00")))
    yield opened  # type: ignore[misc]
    await opened.close()


# ------------------------------------------------------------------ time zones and DST


@pytest.mark.parametrize(
    ("zone", "start"),
    [
        ("Europe/London", "2026-03-26T12:00"),
        ("Europe/London", "2026-10-22T12:00"),
        ("America/New_York", "2026-03-05T12:00"),
        ("America/New_York", "2026-10-29T12:00"),
        ("Asia/Kolkata", "2026-03-26T12:00"),
        ("Australia/Lord_Howe", "2026-10-01T12:00"),
        ("Australia/Lord_Howe", "2026-04-02T12:00"),
        ("Pacific/Chatham", "2026-09-24T12:00"),
        ("Pacific/Chatham", "2026-04-02T12:00"),
    ],
)
async def test_0830_is_delivered_at_0830_local_every_day_across_a_change(
    tmp_path: Path, zone: str, start: str
) -> None:
    world = await open_world(tmp_path, FakeClock(utc(start)))
    await world.add(ALICE, "daily", "08:30", zone, "influence")
    await world.run_until(utc(start) + timedelta(days=6))
    await world.close()
    times = local_times(world, zone)
    assert len(times) == 6
    assert all(t.endswith("08:30") for t in times), times
    assert len({t[:10] for t in times}) == 6


@pytest.mark.parametrize(
    ("zone", "start", "at", "expected_local"),
    [
        ("Europe/London", "2026-03-28T12:00", "01:30", "2026-03-29 02:00"),
        ("America/New_York", "2026-03-07T12:00", "02:30", "2026-03-08 03:00"),
        ("Australia/Lord_Howe", "2026-10-03T00:00", "02:15", "2026-10-04 02:30"),
        ("Pacific/Chatham", "2026-09-26T00:00", "03:00", "2026-09-27 03:45"),
    ],
)
async def test_a_skipped_local_time_is_delivered_at_the_first_valid_minute(
    tmp_path: Path, zone: str, start: str, at: str, expected_local: str
) -> None:
    world = await open_world(tmp_path, FakeClock(utc(start)))
    await world.add(ALICE, "daily", at, zone, "influence")
    await world.run_until(utc(start) + timedelta(hours=30))
    await world.close()
    assert local_times(world, zone)[0] == expected_local


@pytest.mark.parametrize(
    ("zone", "start", "at"),
    [
        ("Europe/London", "2026-10-24T12:00", "01:30"),
        ("America/New_York", "2026-10-31T12:00", "01:30"),
        ("Australia/Lord_Howe", "2026-04-04T00:00", "01:45"),
        ("Pacific/Chatham", "2026-04-04T00:00", "03:00"),
    ],
)
async def test_a_repeated_local_time_in_autumn_is_delivered_once(
    tmp_path: Path, zone: str, start: str, at: str
) -> None:
    world = await open_world(tmp_path, FakeClock(utc(start)))
    await world.add(ALICE, "daily", at, zone, "influence")
    await world.run_until(utc(start) + timedelta(hours=36))
    await world.close()
    dates = [t[:10] for t in local_times(world, zone)]
    assert len(dates) == len(set(dates))


async def test_a_second_firing_on_the_same_local_date_is_refused(world: World) -> None:
    schedule = await world.add(ALICE, "daily", "01:30", "Europe/London", "influence")
    first = utc("2026-10-25T00:30")  # 01:30 BST
    second = utc("2026-10-25T01:30")  # 01:30 GMT, the same wall time an hour later
    world.clock.at = first
    assert await world.app.deliveries.nudge(schedule, first) == "sent"
    world.clock.at = second
    assert await world.app.deliveries.nudge(schedule, second) == "skipped"
    assert len(world.notifier.sent) == 1
    assert world.app.deliveries.stats.skipped["second firing on one local date"] == 1


async def test_jobs_use_a_grace_window_set_on_purpose(world: World) -> None:
    await world.add(ALICE, "weekdays", "08:30", "Europe/London")
    defaults = world.scheduler.aps._job_defaults
    assert defaults["misfire_grace_time"] == 3600
    assert defaults["coalesce"] is True
    assert len([j for j in world.scheduler.aps.get_jobs() if j.id.startswith("nudge:")]) == 1


async def test_jobs_follow_the_store_live(world: World) -> None:
    schedule = await world.add(ALICE, "weekdays", "08:30", "Europe/London")
    assert world.scheduler.aps.get_job(f"nudge:{schedule.id}") is not None
    await world.app.schedules.remove_schedules(schedule.id)
    assert world.scheduler.aps.get_job(f"nudge:{schedule.id}") is None


# ------------------------------------------------------------------ leader controls


async def test_schedule_commands_add_list_and_remove(world: World) -> None:
    await world.say(ALICE, "hello")
    await world.say(ALICE, "Skip for now")
    added = await world.say(ALICE, "schedule mon,wed,fri 07:45 resilience")
    assert "First nudge: Fri 27 Mar at 07:45" in added
    listing = await world.say(ALICE, "schedule")
    schedule_id = world.app.schedules.schedules_of(ALICE)[0].id
    # Review 12h: "• 4szpdt weekdays at 07:30 UTC, crossroads". Themes by title; the id
    # only where it is typed, in words that say what typing it does.
    assert "mon,wed,fri at 07:45 UK time, on “Resilience and energy”" in listing
    assert f"To remove it, type `schedule remove {schedule_id}`" in listing
    assert listing.count(schedule_id) == 1
    assert ", resilience" not in listing
    removed = await world.say(ALICE, f"schedule remove {schedule_id}")
    assert "Removed" in removed
    assert world.app.schedules.schedules_of(ALICE) == []


@pytest.mark.parametrize(
    ("typed", "fragment"),
    [
        ("schedule someday 08:30", "couldn't read 'someday' as days"),
        ("schedule weekdays 8.30", "not a time of day"),
        ("schedule weekdays 08:30 leadership", "'leadership' is not a theme"),
        ("schedule daily 08:30 until 2020-01-01", "would not send a single nudge"),
        ("schedule remove nosuch", "You have no schedule 'nosuch'"),
    ],
)
async def test_bad_schedules_get_a_reason_and_an_example(
    world: World, typed: str, fragment: str
) -> None:
    await world.say(ALICE, "hello")
    answer = await world.say(ALICE, typed)
    assert fragment in answer
    assert "For example: `schedule" in answer
    assert world.app.schedules.schedules_of(ALICE) == []


async def test_onboarding_creates_the_first_schedule(world: World) -> None:
    for text in ("hello", "Set up now", "Resilience and energy", "That's enough", "07:50"):
        await world.say(ALICE, text)
    (schedule,) = world.app.schedules.schedules_of(ALICE)
    assert schedule.origin == "onboarding"
    assert schedule.themes == ("resilience",)
    assert f"{schedule.at:%H:%M}" == "07:50"


async def test_timezone_moves_every_schedule_of_the_leader(world: World) -> None:
    await world.say(ALICE, "hello")
    await world.say(ALICE, "schedule weekdays 08:30 influence")
    await world.say(ALICE, "schedule weekends 10:00 resilience")
    await world.say(ALICE, "timezone Asia/Kolkata")
    assert {s.timezone for s in world.app.schedules.schedules_of(ALICE)} == {"Asia/Kolkata"}
    await world.run_until(utc("2026-03-27T12:00"))
    assert local_times(world, "Asia/Kolkata") == ["2026-03-27 08:30"]


async def test_pause_until_a_date_skips_and_resume_restarts(world: World) -> None:
    await world.say(ALICE, "hello")
    await world.say(ALICE, "schedule daily 08:30 influence")
    await world.say(ALICE, "pause until 2026-03-29")
    await world.run_until(utc("2026-03-30T12:00"))
    assert local_times(world, "Europe/London") == ["2026-03-29 08:30", "2026-03-30 08:30"]
    assert world.app.deliveries.stats.skipped["paused"] == 2
    await world.say(ALICE, "pause")
    await world.run_until(utc("2026-03-31T12:00"))
    assert len(world.notifier.sent) == 2
    await world.say(ALICE, "resume")
    await world.run_until(utc("2026-04-01T12:00"))
    assert len(world.notifier.sent) == 3


async def test_quiet_hours_hold_a_nudge_until_they_end(world: World) -> None:
    await world.say(ALICE, "hello")
    await world.say(ALICE, "schedule daily 06:30 influence")
    await world.say(ALICE, "quiet 22:00-07:15")
    await world.run_until(utc("2026-03-27T12:00"))
    assert local_times(world, "Europe/London") == ["2026-03-27 07:15"]
    key = world.notifier.sent[0].delivery
    assert key.endswith("@2026-03-27T06:30Z")  # the same delivery, just held back
    assert world.app.deliveries.stats.deferred == 1


async def test_snooze_for_an_hour_sends_the_same_nudge_again(world: World) -> None:
    await world.say(ALICE, "hello")
    await world.say(ALICE, "schedule daily 08:30 influence")
    await world.run_until(utc("2026-03-27T08:31"))
    first = world.notifier.sent[0]
    await world.say(ALICE, "Snooze")
    await world.say(ALICE, "An hour from now")
    await world.run_until(utc("2026-03-27T12:00"))
    again = world.notifier.sent[1]
    assert again.at == utc("2026-03-27T09:31")
    assert again.text == first.text


async def test_a_commitment_gets_its_follow_up_on_the_due_day(world: World) -> None:
    for text in ("hello", "Set up now", "Resilience and energy", "That's enough", "08:15"):
        await world.say(ALICE, text)
    await world.say(ALICE, "start energy")
    state = await world.app.users.load(__import__("bot.domain").domain.UserKey.parse(ALICE))
    while state is not None and state.dialogue is not None:
        awaiting = state.awaiting
        assert awaiting is not None
        await world.say(ALICE, "1" if awaiting.choices else "ask Sam to cover Friday's huddle")
        state = await world.app.users.load(__import__("bot.domain").domain.UserKey.parse(ALICE))
    assert state is not None
    due_on = state.commitments[-1].due_on
    await world.run_until(utc("2026-04-10T12:00"))
    follow_ups = [s for s in world.notifier.sent if s.delivery.startswith("follow_up:")]
    assert len(follow_ups) == 1
    local = follow_ups[0].at.astimezone(ZoneInfo("Europe/London"))
    assert (local.date(), f"{local:%H:%M}") == (due_on, "08:15")
    assert "How did it go?" in follow_ups[0].text


async def test_no_nudge_repeats_until_the_theme_is_used_up(world: World) -> None:
    await world.add(ALICE, "daily", "08:30", "Europe/London", "challenging-behaviour")
    pool = len(world.app.content.nudges_for("challenging-behaviour"))
    await world.run_until(utc("2026-03-26T12:00") + timedelta(days=pool))
    texts = [s.text for s in world.notifier.sent]
    assert len(texts) == pool
    assert len(set(texts)) == pool


# ------------------------------------------------------------------ downtime and crashes


async def restart(world: World, tmp_path: Path, at: datetime, **kwargs: object) -> World:
    await world.close()
    notifier = world.notifier
    notifier.clock.at = at
    return await open_world(tmp_path, notifier.clock, notifier, **kwargs)  # type: ignore[arg-type]


async def test_a_nudge_missed_by_ten_minutes_is_delivered_once(
    world: World, tmp_path: Path
) -> None:
    await world.add(ALICE, "daily", "08:30", "Europe/London", "influence")
    await world.run_until(utc("2026-03-27T08:00"))  # the last heartbeat before going down
    back = await restart(world, tmp_path, utc("2026-03-27T08:40"))
    assert [s.at for s in back.notifier.sent] == [utc("2026-03-27T08:40")]
    again = await restart(back, tmp_path, utc("2026-03-27T08:45"))
    assert len(again.notifier.sent) == 1
    await again.close()


async def test_a_nudge_missed_by_three_hours_is_skipped_and_recorded(
    world: World, tmp_path: Path
) -> None:
    schedule = await world.add(ALICE, "daily", "08:30", "Europe/London", "influence")
    await world.run_until(utc("2026-03-27T08:00"))
    back = await restart(world, tmp_path, utc("2026-03-27T11:30"))
    assert back.notifier.sent == []
    key = str(DeliveryKey.for_nudge(schedule, utc("2026-03-27T08:30")))
    assert back.app.ledger.status(key) == "skipped"
    assert back.app.deliveries.stats.skipped["missed while down, past grace"] == 1
    await back.close()


async def test_several_missed_runs_collapse_into_one(world: World, tmp_path: Path) -> None:
    await world.add(ALICE, "daily", "08:30", "Europe/London", "influence")
    await world.run_until(utc("2026-03-27T08:00"))
    back = await restart(world, tmp_path, utc("2026-03-30T07:40"), grace_minutes=24 * 60)
    # 27, 28, 29 and 30 Mar (08:30 BST is 07:30 UTC) were missed: only the latest goes.
    assert [s.at for s in back.notifier.sent] == [utc("2026-03-30T07:40")]
    assert back.app.deliveries.stats.skipped["missed while down"] == 3
    await back.close()


async def test_a_pending_key_the_notifier_delivered_is_not_sent_again(
    world: World, tmp_path: Path
) -> None:
    key, due = await _left_pending(world, arrived=True)
    back = await restart(world, tmp_path, due + timedelta(minutes=2))
    assert len(back.notifier.sent) == 1
    assert back.app.ledger.status(key) == "sent"
    await back.close()


async def test_a_pending_key_the_notifier_never_got_is_sent_once(
    world: World, tmp_path: Path
) -> None:
    key, due = await _left_pending(world, arrived=False)
    back = await restart(world, tmp_path, due + timedelta(minutes=2))
    assert [s.delivery for s in back.notifier.sent] == [key]
    await back.close()


async def test_a_pending_key_on_a_channel_that_cannot_tell_is_skipped_and_counted(
    world: World, tmp_path: Path
) -> None:
    _, due = await _left_pending(world, arrived=True)
    world.notifier.knows = False
    back = await restart(world, tmp_path, due + timedelta(minutes=2))
    assert len(back.notifier.sent) == 1
    assert back.app.deliveries.stats.skipped["unknown after restart"] == 1
    await back.close()


async def _left_pending(world: World, *, arrived: bool) -> tuple[str, datetime]:
    """A nudge sent at 08:30, then its ledger rewound to "pending", as if the process died
    between the send and "sent"; `arrived=False`: the send itself never happened either."""
    schedule = await world.add(ALICE, "daily", "08:30", "Europe/London", "influence")
    due = utc("2026-03-27T08:30")
    world.clock.at = due
    await world.app.deliveries.nudge(schedule, due)
    sent = world.notifier.sent
    key = sent[0].delivery if arrived else sent.pop().delivery
    await _rewrite_as_pending(world, key)
    return key, due


async def _rewrite_as_pending(world: World, key: str) -> None:
    path = world.app.ledger.path
    await world.app.ledger.close()
    lines = [
        line
        for line in path.read_text().splitlines()
        if f'"{key}"' not in line or '"s":"pending"' in line
    ]
    path.write_text("\n".join(lines) + "\n")


# ------------------------------------------------------------------ fan-out and failures


async def test_a_fan_out_is_bounded_and_one_failure_delays_nobody(tmp_path: Path) -> None:
    clock = FakeClock(utc("2026-03-27T08:00"))
    notifier = RecordingNotifier(clock, pause=0.002)
    world = await open_world(tmp_path, clock, notifier)
    world.app.deliveries.slots = asyncio.Semaphore(8)
    users = [f"console:leader{i}" for i in range(120)]
    for user in users:
        await world.add(user, "daily", "08:30", "Europe/London", "influence")
    gone = users[0]
    notifier.failures[gone] = [DeliveryError("user_not_found", permanent=True)]
    await world.run_until(utc("2026-03-27T08:31"))
    delivered = {s.user for s in notifier.sent}
    assert delivered == set(users[1:])
    assert notifier.most_in_flight <= 8
    (paused,) = world.app.schedules.schedules_of(gone)
    assert paused.paused
    assert paused.paused_reason == "unreachable: user_not_found"
    assert world.app.deliveries.stats.failed["permanent"] == 1
    page = render(build_registry(world.app)).decode()  # what /metrics shows
    assert 'peercoach_nudges_total{outcome="delivered"} 119.0' in page
    assert 'peercoach_nudges_total{outcome="failed"} 1.0' in page
    assert "peercoach_inactive_leaders 1.0" in page
    assert "peercoach_delivery_lag_seconds_count 119.0" in page
    await world.run_until(utc("2026-03-28T08:31"))
    assert gone not in {s.user for s in notifier.sent}
    await world.close()


async def test_transient_failures_are_retried_honouring_retry_after(world: World) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    world.app.deliveries.sleep = sleep
    await world.add(ALICE, "daily", "08:30", "Europe/London", "influence")
    world.notifier.failures[ALICE] = [
        DeliveryError("rate_limited", permanent=False, retry_after=7),
        DeliveryError("server error 503", permanent=False),
    ]
    await world.run_until(utc("2026-03-27T08:31"))
    assert len(world.notifier.sent) == 1
    assert waits == [7, 2.0]
    assert world.app.deliveries.stats.retried == 2


async def test_a_leader_who_writes_again_is_active_again(world: World) -> None:
    await world.say(ALICE, "hello")
    await world.say(ALICE, "schedule daily 08:30 influence")
    world.notifier.failures[ALICE] = [DeliveryError("account_inactive", permanent=True)]
    await world.run_until(utc("2026-03-27T08:31"))
    (schedule,) = world.app.schedules.schedules_of(ALICE)
    assert schedule.paused_reason == "unreachable: account_inactive"
    await world.say(ALICE, "hello again")
    (schedule,) = world.app.schedules.schedules_of(ALICE)
    assert not schedule.paused


async def test_an_unexpected_error_in_one_send_leaves_it_pending_and_the_rest_go_out(
    world: World,
) -> None:
    await world.add(ALICE, "daily", "08:30", "Europe/London", "influence")
    await world.add(BOB, "daily", "08:30", "Europe/London", "influence")
    world.notifier.failures[ALICE] = [RuntimeError("Session is closed")]
    await world.run_until(utc("2026-03-27T08:31"))
    assert [s.user for s in world.notifier.sent] == [BOB]
    (pending,) = world.app.ledger.pending()  # a restart asks the channel whether it arrived
    assert pending.user == ALICE


# ------------------------------------------------------------------ many at one minute


def test_schedules_sharing_a_minute_fire_spread_over_half_a_minute_after_it() -> None:
    rule = Rule(days=parse_days("daily"), at=parse_hhmm("08:30"), timezone="Europe/London")
    offsets = [_spread(f"s{i}", SPREAD) for i in range(10_000)]
    assert min(offsets) == timedelta(0)
    assert max(offsets) == timedelta(seconds=29)
    per_second = collections.Counter(offsets)
    assert max(per_second.values()) < 10_000 / 30 * 1.3  # evenly: no second takes a crowd
    trigger = LocalTimeTrigger(rule, timedelta(seconds=15))
    start = utc("2026-03-27T08:30:10")  # after the minute, before this schedule's moment
    first = trigger.get_next_fire_time(None, start)
    assert first == utc("2026-03-27T08:30:15")
    assert trigger.get_next_fire_time(first, first) == utc("2026-03-28T08:30:15")
    assert trigger.get_next_fire_time(None, utc("2026-03-27T08:30:20")) == utc(
        "2026-03-28T08:30:15"
    )  # missed while down: catch-up sends it, not the timer
