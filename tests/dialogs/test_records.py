"""evolve() must build exactly what dataclasses.replace() builds, or defer to it."""

import dataclasses
from datetime import UTC, datetime

import pytest

from dialogs.model import Awaiting, Choice, Profile, UserState
from dialogs.records import evolve

AT = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("record", "changes"),
    [
        (UserState(), {"seq": 3}),
        (UserState(seq=2), {"awaiting": Awaiting("q3", (Choice("a", "A"),), AT), "seq": 3}),
        (Profile(display_name="Ann"), {"timezone": "Asia/Kolkata", "timezone_source": "leader"}),
        (UserState(profile=Profile(themes=("influence",))), {}),
    ],
)
def test_evolve_builds_what_replace_builds(record: object, changes: dict[str, object]) -> None:
    evolved = evolve(record, **changes)
    expected = dataclasses.replace(record, **changes)  # type: ignore[type-var]
    assert evolved == expected
    assert vars(evolved) == vars(expected)
    assert type(evolved) is type(record)
    assert evolved is not record


def test_the_original_is_left_as_it_was() -> None:
    before = UserState(seq=1)
    evolve(before, seq=2)
    assert before.seq == 1


def test_the_copy_is_frozen_and_hashes_by_its_fields() -> None:
    copy = evolve(Profile(), display_name="Ann")
    with pytest.raises(dataclasses.FrozenInstanceError):
        copy.display_name = "Bob"  # type: ignore[misc]
    assert hash(copy) == hash(Profile(display_name="Ann"))


def test_an_unknown_field_is_refused_as_replace_refuses_it() -> None:
    with pytest.raises(TypeError, match="nickname"):
        evolve(Profile(), nickname="Ann")


@dataclasses.dataclass(frozen=True)
class Checked:
    low: int
    high: int

    def __post_init__(self) -> None:
        if self.low > self.high:
            raise ValueError("low above high")


@dataclasses.dataclass(frozen=True)
class Derived:
    value: int
    doubled: int = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "doubled", self.value * 2)


def test_a_record_with_its_own_checks_goes_through_replace() -> None:
    with pytest.raises(ValueError, match="low above high"):
        evolve(Checked(1, 2), low=3)
    assert evolve(Derived(2), value=5).doubled == 10
