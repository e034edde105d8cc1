"""Checks on every request to /slack/events before bolt sees it.

Bolt parses the body before it checks the signature, so garbage headers or bodies give 500,
and on a bad signature it logs the whole body at INFO. Here: size, signature headers, a
fresh timestamp and the HMAC first (401), then UTF-8 and a body that parses (400).
"""

import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import orjson

MAX_BODY = 1024 * 1024
MAX_AGE = 60 * 5


@dataclass(frozen=True)
class Verdict:
    """`status` 0 means accepted; otherwise the HTTP status to answer with and why (for logs)."""

    status: int
    reason: str = ""
    body: str = ""
    event_id: str | None = None
    kind: str = ""  # "event", "interactive", "command", "url_verification"


def check(
    secret: str, headers: dict[str, str], raw: bytes, *, now: float | None = None
) -> Verdict:
    if len(raw) > MAX_BODY:
        return Verdict(413, "body too large")
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


def _shape(body: str, content_type: str) -> Verdict:
    if "application/json" in content_type:
        parsed = _json(body)
        if not isinstance(parsed, dict) or "type" not in parsed:
            return Verdict(400, "JSON body is not a Slack event")
        if parsed["type"] == "url_verification":
            return Verdict(0, body=body, kind="url_verification")
        if parsed["type"] != "event_callback" or not isinstance(parsed.get("event"), dict):
            return Verdict(400, "unknown JSON body type")
        return Verdict(0, body=body, event_id=str(parsed.get("event_id") or ""), kind="event")
    form = parse_qs(body, keep_blank_values=True)
    if "payload" in form and "command" not in form:
        payload = _json(form["payload"][0])
        if not isinstance(payload, dict) or "type" not in payload:
            return Verdict(400, "interactivity payload is not a Slack payload")
        return Verdict(0, body=body, kind="interactive")
    if "command" in form:
        return Verdict(0, body=body, kind="command")
    return Verdict(400, "body is neither an event, a payload nor a command")


def _json(text: str) -> Any:
    try:
        return orjson.loads(text)  # faster than json on every request, and depth-limited
    except orjson.JSONDecodeError:
        return None
