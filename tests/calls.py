"""Watching a real function while it keeps working: which calls a test caused."""

from collections.abc import Callable
from typing import Any

import pytest


def record_calls(
    monkeypatch: pytest.MonkeyPatch, owner: object, name: str, pick: Callable[..., Any]
) -> list[Any]:
    """Replace `owner.name` with a wrapper that appends `pick(*args)` to the returned list
    and then calls the original, so the code under test behaves as it would."""
    calls: list[Any] = []
    original = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls.append(pick(*args, **kwargs))
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapper)
    return calls
