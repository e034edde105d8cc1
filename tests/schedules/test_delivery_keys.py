"""Delivery keys name their leader (issue 11): leaders with the same per-leader ids (the
same dialogue, the same answers, the same day) each get their own check-in, through the
scheduler and after a restart, and no two deliveries of a random many share a key."""

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain import UserKey
from bot.schedules.keys import (
    DeliveryKey,
    NotADeliveryKey,
    follow_up_reminder,
    held_reminder,
    is_current,
    snooze_reminder,
)
from bot.schedules.ledger import Entry
from bot.schedules.model import NudgeSchedule, Reminder
from bot.storage.tinydb.ledger import FileDeliveryLedger
from dialogs.recurrence import parse_days, parse_hhmm
from tests.conftest import FakeClock
from tests.schedules.world import World, open_world

ONBOARD = ("hello", "Set up now", "Resilience and energy", "08:15")
LEADERS = [f"console:leader{n}" for n in range(6)]
START = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


async def finish_role_change(world: World, user: str) -> None:
    """Onboard, then "After your role has changed", answered the same way by everyone."""
    for text in ONBOARD:
        await world.say(user, text)
    await world.say(user, "start")
    await world.say(user, "1")  # "After your role has changed"
    key = UserKey.parse(user)
    for _ in range(30):  # bounded: the dialogue has fewer steps
        state = await world.app.users.load(key)
        assert state is not None
        if state.dialogue is None:
            break
        assert state.awaiting is not None
        await world.say(user, "1" if state.awaiting.choices else "ask Sam to cover the huddle")
    state = await world.app.users.load(key)
    assert state is not None
    assert state.commitments, "the dialogue ended without a commitment"


def follow_ups(world: World) -> dict[str, int]:
    counts = {user: 0 for user in LEADERS}
    for sent in world.notifier.sent:
        if sent.delivery.startswith("follow_up:"):
            counts[sent.user] += 1
    return counts


async def test_leaders_with_the_same_commitment_id_each_get_one_check_in(
    tmp_path: Path,
) -> None:
    world = await open_world(tmp_path, FakeClock(START))
    for user in LEADERS:
        await finish_role_change(world, user)
    refs = {r.ref for r in world.app.schedules.reminders() if r.kind == "follow_up"}
    dues = {r.due_at for r in world.app.schedules.reminders() if r.kind == "follow_up"}
    assert (len(refs), len(dues)) == (1, 1)  # the same commitment id, due the same minute
    await world.run_until(START + timedelta(days=10))
    assert follow_ups(world) == dict.fromkeys(LEADERS, 1)
    assert all(
        "How did it go?" in s.text for s in world.notifier.sent if "follow_up" in s.delivery
    )
    await world.close()


async def test_each_gets_one_check_in_across_restarts_before_and_during_the_fan_out(
    tmp_path: Path,
) -> None:
    clock = FakeClock(START)
    world = await open_world(tmp_path, clock)
    for user in LEADERS:
        await finish_role_change(world, user)
    (due,) = {r.due_at for r in world.app.schedules.reminders() if r.kind == "follow_up"}
    await world.run_until(due - timedelta(hours=1))
    world = await _restart(world, tmp_path, due - timedelta(minutes=30))
    half = LEADERS[: len(LEADERS) // 2]
    for reminder in world.app.schedules.reminders():  # the fan-out stops half way
        if reminder.kind == "follow_up" and reminder.user in half:
            clock.at = due
            await world.app.deliveries.reminder(reminder)
    world = await _restart(world, tmp_path, due + timedelta(minutes=5))  # catch-up: the rest
    await world.run_until(due + timedelta(days=1))
    assert follow_ups(world) == dict.fromkeys(LEADERS, 1)
    world = await _restart(world, tmp_path, due + timedelta(days=1, minutes=5))
    await world.run_until(due + timedelta(days=2))
    assert follow_ups(world) == dict.fromkeys(LEADERS, 1)
    await world.close()


async def _restart(world: World, data_dir: Path, at: datetime) -> World:
    await world.close()
    world.notifier.clock.at = at
    return await open_world(data_dir, world.notifier.clock, world.notifier)


# ------------------------------------------------------------------ the key itself


ALICE, BOB = UserKey.console("alice"), UserKey.console("bob")
DUE = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)
OLD_NUDGE = "k3f9qa@2026-12-08T09:00Z"


def test_a_key_names_its_leader_by_pseudonym_and_reads_back_as_itself() -> None:
    key = DeliveryKey(ALICE, "follow_up", "c8", DUE)
    assert str(key) == f"follow_up:{ALICE.hashed}:c8@2026-12-09T09:00Z"
    assert "alice" not in str(key)  # safe in a log line
    assert DeliveryKey.parse(str(key), ALICE) == key
    assert str(key) != str(DeliveryKey(BOB, "follow_up", "c8", DUE))


def test_a_key_of_another_leader_or_no_key_at_all_is_refused() -> None:
    with pytest.raises(NotADeliveryKey, match="another leader"):
        DeliveryKey.parse(str(DeliveryKey(ALICE, "nudge", "k3f9qa", DUE)), BOB)
    for text in ("", "c8", "nudge:x:y", "follow_up:c8@yesterday", "gift:c8@2026-12-09T09:00Z"):
        with pytest.raises(NotADeliveryKey):
            DeliveryKey.parse(text, ALICE)


@pytest.mark.parametrize(
    ("old", "kind", "ref"),
    [
        ("k3f9qa@2026-12-09T09:00Z", "nudge", "k3f9qa"),
        ("follow_up:c8@2026-12-09T09:00Z", "follow_up", "c8"),
        (
            "snooze:k3f9qa@2026-12-08T09:00Z@2026-12-09T09:00Z",
            "snooze",
            "k3f9qa@2026-12-08T09:00Z",
        ),
    ],
)
def test_keys_written_before_they_named_a_leader_read_as_todays(
    old: str, kind: str, ref: str
) -> None:
    key = DeliveryKey.parse(old, ALICE)
    assert (key.leader, key.kind, key.ref, key.due_at) == (ALICE, kind, ref, DUE)
    assert not is_current(old)
    assert is_current(str(key))


# ------------------------------------------------------------------ property: no shared key


def _random_leader(rng: random.Random) -> UserKey:
    """Short names from a tiny alphabet, so prefixes of each other and near misses abound."""
    name = "".join(rng.choice("ab:") for _ in range(rng.randint(1, 4))).strip(":") or "a"
    if rng.random() < 0.5:
        return UserKey.console(name)
    return UserKey(rng.choice(("slack", "teams")), rng.choice(("T1", "T1a")), name)


async def test_random_leaders_kinds_and_times_never_share_a_delivery_key(tmp_path: Path) -> None:
    """Deliveries as the services make them (schedules, snoozes, follow-ups, quiet-hours
    holds) from per-leader ids drawn from one small pool: every distinct delivery has its own
    key and reminder id, and the ledger keeps each one apart across a replay."""
    rng = random.Random(11)
    ledger = FileDeliveryLedger(tmp_path / "deliveries.log")
    await ledger.open()
    by_key: dict[str, tuple[object, ...]] = {}
    reminder_ids: dict[str, tuple[object, ...]] = {}
    for _ in range(600):  # bounded; well under a second
        leader = _random_leader(rng)
        due = DUE + timedelta(minutes=rng.choice((0, 1, 60, 24 * 60)))
        ref = rng.choice(("c1", "c8", "c10", "k3f9qa", "b3kgjm"))
        key, reminder = _delivery(rng.choice(("nudge", "snooze", "follow_up")), leader, ref, due)
        identity = (leader, key.kind, key.ref, key.due_at)
        assert by_key.setdefault(str(key), identity) == identity, f"{key} shared"
        assert DeliveryKey.parse(str(key), leader) == key
        if reminder is not None:
            held = held_reminder(leader, str(key), due + timedelta(hours=2), None)
            for one in (reminder, held):
                assert reminder_ids.setdefault(one.id, (one.user, one.ref)) == (one.user, one.ref)
            assert DeliveryKey.for_reminder(held) == DeliveryKey.for_reminder(reminder)
        at = datetime(2026, 12, 1, tzinfo=UTC)
        await ledger.record(Entry(str(key), "sent", at, str(leader), due_at=due))
    await ledger.close()
    replayed = FileDeliveryLedger(tmp_path / "deliveries.log")
    await replayed.open()
    assert replayed.count("sent") == len(by_key) > 100
    await replayed.close()


def _delivery(
    kind: str, leader: UserKey, ref: str, due: datetime
) -> tuple[DeliveryKey, Reminder | None]:
    """The key (and reminder) the services would make for this leader's delivery."""
    if kind == "nudge":
        schedule = NudgeSchedule(
            ref, str(leader), (), parse_days("daily"), parse_hhmm("09:00"), "UTC", "", due
        )
        return DeliveryKey.for_nudge(schedule, due), None
    if kind == "follow_up":
        reminder = follow_up_reminder(leader, ref, due)
    else:
        snoozed = DeliveryKey(leader, "nudge", ref, due - timedelta(hours=1))
        reminder = snooze_reminder(leader, str(snoozed), due)
    return DeliveryKey.for_reminder(reminder), reminder


async def test_a_reminder_carrying_another_leaders_key_sends_nothing(tmp_path: Path) -> None:
    """A quiet-hours hold names the key it holds; one naming someone else (a damaged or
    tampered file) goes to nobody and is dropped."""
    world = await open_world(tmp_path, FakeClock(START))
    await world.say("console:bob", "hello")
    alices = DeliveryKey(ALICE, "nudge", "k3f9qa", START)
    forged = held_reminder(BOB, str(alices), START, "k3f9qa")
    await world.app.schedules.put_reminder(forged)
    assert await world.app.deliveries.reminder(forged) == "skipped"
    assert world.notifier.sent == []
    assert world.app.schedules.reminder(forged.id) is None
    await world.close()
