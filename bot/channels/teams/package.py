"""The Teams app package: manifest.json and two icons, zipped for upload to Teams admin.

Icons are drawn here with zlib and struct so building a package needs no image library.
The manifest follows schema 1.22, the newest version the Teams documentation calls current.
"""

import json
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

MANIFEST_VERSION = "1.22"
MANIFEST_SCHEMA = (
    f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}"
    "/MicrosoftTeams.schema.json"
)
ACCENT = (0x00, 0x5E, 0xB8)  # NHS Blue
WHITE = (255, 255, 255)
COLOR_SIZE, OUTLINE_SIZE = 192, 32
NAME_LIMIT, DEVELOPER_NAME_LIMIT = 30, 32  # the manifest schema's maxLength
BOT_FRAMEWORK_DOMAIN = "token.botframework.com"
SHORT_DESCRIPTION = "Three-minute peer coaching conversations and nudges for NHS leaders."
FULL_DESCRIPTION = (
    "peercoach is a coaching companion for health-service leaders. In a private chat it offers "
    "short, structured coaching conversations on influence, resilience, growing others and "
    "more, sends an occasional reflective nudge at a time you choose, and keeps a journal of "
    "your reflections and commitments. Coaching happens only in your personal chat with the "
    "app. Type help to see everything it can do, export for a copy of what it stores about "
    "you, and forget me to delete it. Never share patient details."
)
# Teams shows at most ten commands in a list, and a bot has one list per scope: this one is
# personal only. `prep` is in and `timezone` is out, as Teams sends the leader's zone with
# every message (it is set without them); `timezone` still works when typed and in `help`.
COMMAND_LIMIT = 10
COMMANDS = (
    ("help", "Everything you can type"),
    ("start", "Pick a three-minute coaching conversation"),
    ("prep", "Two questions before a big meeting tomorrow"),
    ("nudge", "Get a reflective nudge now"),
    ("journal", "Your recent reflections and commitments"),
    ("schedule", "When your nudges come"),
    ("pause", "Stop nudges for a while, e.g. pause until 2027-01-05"),
    ("resume", "Start nudges again"),
    ("export", "A copy of everything stored about you"),
    ("forget me", "Delete everything stored about you"),
)
_GUID = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_DOMAIN = re.compile(r"(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so the same inputs give the same bytes

Rgba = tuple[int, int, int, int]


@dataclass(frozen=True)
class Developer:
    """Who publishes the app in the Teams store; the defaults are for the trust to replace."""

    name: str = "Your NHS trust"
    website_url: str = "https://example.org/peercoach"
    privacy_url: str = "https://example.org/peercoach/privacy"
    terms_of_use_url: str = "https://example.org/peercoach/terms"


def build_package(
    app_id: str,
    out: Path,
    *,
    name: str = "peercoach",
    host: str | None = None,
    developer: Developer | None = None,
) -> Path:
    """Write the app package zip to `out` (a .zip path, or a folder for `<name>.zip`)."""
    manifest = build_manifest(app_id, name=name, host=host, developer=developer)
    path = out if out.suffix == ".zip" else out / f"{name}.zip"
    path.parent.mkdir(parents=True, exist_ok=True)
    files = {
        "manifest.json": json.dumps(manifest, indent=2, ensure_ascii=False).encode(),
        "color.png": color_icon(),
        "outline.png": outline_icon(),
    }
    with zipfile.ZipFile(path, "w") as archive:
        for filename, data in files.items():
            info = zipfile.ZipInfo(filename, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return path


def build_manifest(
    app_id: str,
    *,
    name: str = "peercoach",
    host: str | None = None,
    developer: Developer | None = None,
) -> dict[str, Any]:
    """The manifest as a dict; raises ValueError naming any value Teams would reject."""
    _check(app_id, name, host, developer or Developer())
    return {
        "$schema": MANIFEST_SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": "1.0.0",
        "id": app_id,
        "developer": _developer(developer or Developer()),
        "name": {"short": name, "full": f"{name}: peer coaching for NHS leaders"},
        "description": {"short": SHORT_DESCRIPTION, "full": FULL_DESCRIPTION},
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
        "bots": [_bot(app_id)],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [*([host] if host else []), BOT_FRAMEWORK_DOMAIN],
    }


def read_png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's header, so tests can check icon sizes without Pillow."""
    if not data.startswith(_PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file: the signature or the IHDR header is missing")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@cache  # drawing takes most of a second; the icon never changes
def color_icon() -> bytes:
    """192x192: a rounded square in NHS Blue holding a white speech bubble."""
    return encode_png(COLOR_SIZE, COLOR_SIZE, _draw(COLOR_SIZE, _color_at, samples=2))


@cache
def outline_icon() -> bytes:
    """32x32: the speech bubble in white on transparent, with no partly transparent pixels."""
    return encode_png(OUTLINE_SIZE, OUTLINE_SIZE, _draw(OUTLINE_SIZE, _outline_at, samples=1))


def encode_png(width: int, height: int, rgba: bytes) -> bytes:
    """An 8-bit RGBA PNG, every row unfiltered: small icons need no better compression."""
    stride = width * 4
    rows = b"".join(b"\x00" + rgba[y * stride : (y + 1) * stride] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        _PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows, 9))
        + _chunk(b"IEND", b"")
    )


# ---------------------------------------------------------------- manifest parts


def _check(app_id: str, name: str, host: str | None, developer: Developer) -> None:
    if not _GUID.fullmatch(app_id):
        raise ValueError(
            f"Teams app id {app_id!r} is not a GUID: use the bot's Microsoft App ID (its Entra "
            "application client id), which looks like 1b4e28ba-2fa1-11d2-883f-0016d3cca427"
        )
    if not 0 < len(name) <= NAME_LIMIT:
        raise ValueError(f"app name {name!r} must be 1 to 30 characters for Teams")
    if host is not None and not _DOMAIN.fullmatch(host):
        raise ValueError(
            f"host {host!r} must be a bare domain such as bot.example.org, "
            "without scheme, port or path"
        )
    if len(developer.name) > DEVELOPER_NAME_LIMIT:
        raise ValueError(f"developer name {developer.name!r} must be at most 32 characters")
    for url in (developer.website_url, developer.privacy_url, developer.terms_of_use_url):
        if not url.startswith("https://"):
            raise ValueError(f"developer URL {url!r} must start with https:// for Teams")


def _developer(developer: Developer) -> dict[str, str]:
    return {
        "name": developer.name,
        "websiteUrl": developer.website_url,
        "privacyUrl": developer.privacy_url,
        "termsOfUseUrl": developer.terms_of_use_url,
    }


def _bot(app_id: str) -> dict[str, Any]:
    """Personal scope only: coaching is private, so the bot cannot be added to teams or chats."""
    commands = [{"title": title, "description": text} for title, text in COMMANDS]
    return {
        "botId": app_id,
        "scopes": ["personal"],
        "supportsFiles": True,
        "isNotificationOnly": False,
        "commandLists": [{"scopes": ["personal"], "commands": commands}],
    }


# ---------------------------------------------------------------- icons


def _draw(size: int, shade: Callable[[float, float], Rgba], *, samples: int) -> bytes:
    """Pixels from a shape function in 32-unit design space, averaged over samples² points."""
    scale = 32 / size
    pixels = bytearray()
    for y in range(size):
        for x in range(size):
            points = [
                shade((x + (i + 0.5) / samples) * scale, (y + (j + 0.5) / samples) * scale)
                for j in range(samples)
                for i in range(samples)
            ]
            pixels += bytes(_average(points))
    return bytes(pixels)


def _average(points: list[Rgba]) -> Rgba:
    """Alpha-weighted, so edges against transparency do not darken."""
    alpha = sum(p[3] for p in points)
    if not alpha:
        return (0, 0, 0, 0)
    r, g, b = (round(sum(p[c] * p[3] for p in points) / alpha) for c in range(3))
    return (r, g, b, round(alpha / len(points)))


def _color_at(x: float, y: float) -> Rgba:
    if not _in_rounded_rect(x, y, (0, 0, 32, 32), 7):
        return (0, 0, 0, 0)
    if _in_bubble(x, y) and not _in_dots(x, y):
        return (*WHITE, 255)
    return (*ACCENT, 255)


def _outline_at(x: float, y: float) -> Rgba:
    ring = _in_bubble(x, y) and not _in_rounded_rect(x, y, (7, 9, 25, 20), 2)
    return (*WHITE, 255) if ring or _in_dots(x, y) else (0, 0, 0, 0)


def _in_bubble(x: float, y: float) -> bool:
    body = _in_rounded_rect(x, y, (5, 7, 27, 22), 4)
    return body or _in_triangle(x, y, (9, 21), (15, 21), (8, 27))


def _in_dots(x: float, y: float) -> bool:
    return any((x - cx) ** 2 + (y - 15) ** 2 <= 1.5**2 for cx in (11, 16, 21))


def _in_rounded_rect(
    x: float, y: float, box: tuple[float, float, float, float], radius: float
) -> bool:
    left, top, right, bottom = box
    if not (left <= x <= right and top <= y <= bottom):
        return False
    nearest_x = min(max(x, left + radius), right - radius)
    nearest_y = min(max(y, top + radius), bottom - radius)
    return (x - nearest_x) ** 2 + (y - nearest_y) ** 2 <= radius**2


def _in_triangle(
    x: float, y: float, a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]
) -> bool:
    def side(p: tuple[float, float], q: tuple[float, float]) -> float:
        return (q[0] - p[0]) * (y - p[1]) - (q[1] - p[1]) * (x - p[0])

    signs = (side(a, b), side(b, c), side(c, a))
    return all(s >= 0 for s in signs) or all(s <= 0 for s in signs)


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)
