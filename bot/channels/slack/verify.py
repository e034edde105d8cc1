"""Checks on every request to /slack/events before bolt sees it.

Bolt parses the body before it checks the signature, so garbage headers or bodies give 500,
and on a bad signature it logs the whole body at INFO. Here: size, signature headers, a
fresh timestamp and the HMAC first (401), then UTF-8 and a body that parses (400). What
passes is handed on parsed, in the shape bolt would have parsed it into.

Every request type Slack documents for the three URLs that point here (Events API, slash
commands, interactivity) is accepted and given the answer Slack expects; see `Kind`.
A correctly signed body that is valid JSON is never refused: one Slack has not documented
is acknowledged (Slack counts anything but a 200 as a failed delivery), and a string that is
not valid Unicode (a lone surrogate escape such as "\\ud83d" from a broken emoji) has the
bad character replaced with U+FFFD rather than the leader going unanswered.
"""

import hashlib
import hmac
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qs

import orjson

MAX_BODY = 1024 * 1024
MAX_AGE = 60 * 5
SSL_CHECK_MAX = 1024  # "ssl_check=1&token=..." is a few dozen bytes
_SURROGATE = re.compile("[\ud800-\udfff]")

# event: an event_callback; url_verification: answered with its challenge (by bolt);
# app_rate_limited: Slack's app_rate_limited notice; interactive / command: form posts;
# ssl_check: Slack's unsigned certificate probe of a slash-command URL; other: valid and
# signed, but no type Slack documents - acknowledged, nothing done.
type Kind = Literal[
    "event", "url_verification", "app_rate_limited", "interactive", "command", "ssl_check", "other"
]


class NotJson(ValueError):
    """The text does not parse as JSON (or nests deeper than a parser recurses)."""


@dataclass(frozen=True)
class Verdict:
    """`status` 0 means accepted; otherwise the HTTP status to answer with and why (for logs).

    `parsed` is the body as bolt parses it: the JSON envelope of an event, the form fields of
    a command, the JSON payload of an interactivity request."""

    status: int
    reason: str = ""
    body: str = ""
    kind: Kind = "other"
    parsed: dict[str, Any] = field(default_factory=dict)
    repaired: bool = False  # a string in it was not valid Unicode and was repaired


def check(
    secret: str, headers: dict[str, str], raw: bytes, *, now: float | None = None
) -> Verdict:
    if len(raw) > MAX_BODY:
        return Verdict(413, "body too large")
    if _is_ssl_check(raw):
        # Sent unsigned (bolt answers it before its signature check too); answered with an
        # empty 200 and dispatched nowhere, so nothing can be smuggled in with it.
        return Verdict(0, kind="ssl_check")
    stamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not stamp.isdigit() or not signature.startswith("v0="):
        return Verdict(401, "missing or malformed signature headers")
    if abs((now or time.time()) - int(stamp)) > MAX_AGE:
        return Verdict(401, "stale timestamp")
    if not hmac.compare_digest(signature, sign(secret, stamp, raw)):
        return Verdict(401, "bad signature")
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Verdict(400, "body is not UTF-8")
    return _shape(body, headers.get("Content-Type", ""))


def sign(secret: str, stamp: str, raw: bytes) -> str:
    """Slack's v0 signature, over the raw bytes (slack_sdk's verifier decodes the body first,
    so a body that is not UTF-8 would crash it instead of failing the check)."""
    base = b"v0:" + stamp.encode() + b":" + raw
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def loads(text: str) -> tuple[Any, bool]:
    """Parse JSON; any lone surrogate in a string becomes U+FFFD. True: one was replaced.

    orjson first: fast, depth-limited, and strict about Unicode, so it refuses a lone
    surrogate. Only then the standard parser, which accepts one; its strings are repaired."""
    try:
        return orjson.loads(text), False
    except orjson.JSONDecodeError:
        pass
    if "\\u" not in text:
        raise NotJson  # no escape that could be a surrogate: orjson was right
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):
        raise NotJson from None
    return repaired(parsed), True


def repaired(value: Any) -> Any:
    """`value` with every lone surrogate in its strings (keys too) replaced by U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {repaired(k): repaired(v) for k, v in value.items()}
    if isinstance(value, list):
        return [repaired(item) for item in value]
    return value


def _is_ssl_check(raw: bytes) -> bool:
    if len(raw) > SSL_CHECK_MAX or not raw.startswith((b"ssl_check=", b"token=")):
        return False
    form = parse_qs(raw.decode("ascii", "replace"), keep_blank_values=True)
    # Exactly "1" and nothing else in the body, as Slack sends it (bolt-js and bolt-python
    # both fixed bypasses where a looser test let a payload ride along unsigned).
    return form.get("ssl_check") == ["1"] and set(form) <= {"ssl_check", "token"}


def _shape(body: str, content_type: str) -> Verdict:
    if "application/json" in content_type:
        return _envelope(body)
    form = parse_qs(body, keep_blank_values=True)  # bytes that are not UTF-8 become U+FFFD
    if "payload" in form and "command" not in form:
        try:
            payload, fixed = loads(form["payload"][0])
        except NotJson:
            return Verdict(400, "interactivity payload is not JSON")
        if not isinstance(payload, dict):
            return Verdict(0, body=body, kind="other", repaired=fixed)
        return Verdict(0, body=body, kind="interactive", parsed=payload, repaired=fixed)
    if "command" in form:
        fields = {name: values[0] for name, values in form.items()}
        return Verdict(0, body=body, kind="command", parsed=fields)
    return Verdict(400, "body is neither an event, a payload nor a command")


def _envelope(body: str) -> Verdict:
    try:
        parsed, fixed = loads(body)
    except NotJson:
        return Verdict(400, "body is not JSON")
    if not isinstance(parsed, dict):
        return Verdict(0, body=body, kind="other", repaired=fixed)
    kind: Kind = "other"
    match parsed.get("type"):
        case "url_verification":
            kind = "url_verification"
        case "app_rate_limited":
            kind = "app_rate_limited"
        case "event_callback" if isinstance(parsed.get("event"), dict):
            kind = "event"
    return Verdict(0, body=body, kind=kind, parsed=parsed, repaired=fixed)
