"""`export`: everything stored about a leader, as one readable JSON document."""

import asyncio
import contextlib
import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from bot.domain import UserKey
from dialogs.model import Effect, UserState

_STATE = TypeAdapter(UserState)
INTERNAL = ("version", "aside", "awaiting", "seq")
EXPORTS = "exports"  # where the console saves exports, in the data folder: never backed up


def export_document(
    key: UserKey, state: UserState, at: datetime, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    data = _STATE.dump_python(state, mode="json")
    for name in INTERNAL:
        data.pop(name, None)
    return {
        "peercoach_export": 1,
        "exported_at": at.isoformat(),
        "user": str(key),
        **data,
        **(extra or {}),
    }


def export_bytes(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


class ExportFiles:
    """The console's saved exports (`<data dir>/exports/<hashed key>-*.json`) are a plain copy
    of a leader's words made for them: `forget me` deletes them with everything else."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def after_turn(
        self,
        key: UserKey,
        state: UserState | None,
        effects: Sequence[Effect],  # noqa: ARG002
        *,
        from_leader: bool = False,  # noqa: ARG002
    ) -> None:
        if state is None:  # forgotten
            await asyncio.to_thread(self.remove, key)

    def remove(self, key: UserKey) -> int:
        removed = 0
        for path in self.folder.glob(f"{key.hashed}-*"):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed += 1
        return removed
