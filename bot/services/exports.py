"""`export`: everything stored about a leader, as one readable JSON document."""

import json
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter

from bot.domain import UserKey
from dialogs.model import UserState

_STATE = TypeAdapter(UserState)
INTERNAL = ("version", "aside", "awaiting", "seq")


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
