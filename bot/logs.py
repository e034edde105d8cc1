"""Structured logs: one event per line as key=value, user keys hashed, never message text.

Call `log(logger, "event.name", field=value)`. Values are short identifiers and numbers;
nothing a leader typed is ever passed here.
"""

import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

# Third-party loggers that log request bodies (and so message text) below WARNING.
QUIET_LOGGERS = (
    "slack_bolt",
    "slack_sdk",
    "microsoft_agents",
    "msal",
    "aiohttp.access",
    "apscheduler",
    "tzlocal",
)


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] | None = getattr(record, "fields", None)
        at = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        parts = [f"ts={at}", f"level={record.levelname.lower()}", f"logger={record.name}"]
        if fields is not None:  # one of ours: an event name and safe fields
            parts.append(f"event={record.getMessage()}")
            parts += [f"{k}={_value(v)}" for k, v in fields.items()]
        else:  # a library's own message: keep the first line only, quoted
            parts.append(f"msg={_value(record.getMessage().splitlines()[0][:200])}")
        if record.exc_info and record.exc_info[0] is not None:
            parts.append(f"error={record.exc_info[0].__name__}")
        return " ".join(parts)


def _value(value: Any) -> str:
    text = str(value)
    if not text or any(c in text for c in ' ="\n'):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'
    return text


def setup_logging(level: str = "INFO", stream: TextIO | None = None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(KeyValueFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def quiet_logger(name: str) -> logging.Logger:
    """A logger pinned at WARNING, for libraries that copy the root level onto their own
    (bolt does, when an app is built) and then log request bodies at DEBUG/INFO."""
    logger = logging.getLogger(name)
    logger.setLevel(logging.WARNING)
    return logger


def log(logger: logging.Logger, event: str, *, level: int = logging.INFO, **fields: Any) -> None:
    logger.log(level, event, extra={"fields": fields})
