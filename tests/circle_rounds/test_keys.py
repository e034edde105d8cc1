"""A peer circle's delivery keys name the leader, the circle and the round, and read back
to the same value (a crash's recovery parses them)."""

from datetime import UTC, datetime

import pytest

from bot.domain import UserKey
from bot.schedules.keys import DeliveryKey, NotADeliveryKey

AMARA = UserKey.parse("slack:T1:U1")
DUE = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize("kind", ["intro", "check_in", "stay"])
def test_a_circle_key_reads_back_as_itself(kind: str) -> None:
    key = DeliveryKey.for_circle(AMARA, kind, "c3f9a1", 12, DUE)  # type: ignore[arg-type]
    text = str(key)
    assert text == f"{kind}:{AMARA.hashed}:c3f9a1:12@2026-11-30T06:00Z"
    assert DeliveryKey.parse(text, AMARA) == key
    assert key.circle_round == ("c3f9a1", 12)
    assert key.is_reminder  # always worth sending late (within the round runner's window)


def test_a_group_key_names_its_group_and_a_nudge_key_no_round() -> None:
    group = DeliveryKey(AMARA, "group", "c3f9a1:2:0", DUE)
    assert DeliveryKey.parse(str(group), AMARA).circle_round == ("c3f9a1", 2)
    assert DeliveryKey(AMARA, "nudge", "s1", DUE).circle_round is None


def test_another_leaders_circle_key_is_refused() -> None:
    text = str(DeliveryKey.for_circle(AMARA, "intro", "c1", 1, DUE))
    with pytest.raises(NotADeliveryKey):
        DeliveryKey.parse(text, UserKey.parse("slack:T1:U2"))
