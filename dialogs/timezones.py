"""IANA time zone names: validation and friendly correction."""

import difflib
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

UTC_NAMES = ("UTC", "Etc/UTC")


@cache
def _zones() -> dict[str, str]:
    """Lower-cased name -> canonical name, for Area/Location zones and UTC only."""
    names = {
        name
        for name in available_timezones()
        if "/" in name and not name.startswith(("Etc/", "SystemV/"))
    }
    names.update(UTC_NAMES)
    return {name.lower(): name for name in names}


def canonical_zone(name: str) -> str | None:
    """The IANA name for `name` (any case), or None for abbreviations, offsets and typos."""
    return _zones().get(name.strip().lower())


def suggest_zone(name: str) -> str | None:
    """The closest real zone name, to offer when a leader mistypes one."""
    close = difflib.get_close_matches(name.strip().lower(), list(_zones()), n=1, cutoff=0.75)
    return _zones()[close[0]] if close else None


def zone(name: str) -> ZoneInfo:
    """A ZoneInfo for a name already checked by canonical_zone (falls back to London)."""
    try:
        return ZoneInfo(canonical_zone(name) or "Europe/London")
    except (ValueError, OSError):
        return ZoneInfo("Europe/London")


UK_ZONES = ("Europe/London", "Europe/Belfast", "GB")


def spoken_zone(name: str) -> str:
    """A zone as a leader says it ("UK time", "UTC", "Dublin time"); the IANA name stays
    for operators (review 12g: "08:00, Etc/UTC time")."""
    canonical = canonical_zone(name) or name.strip()
    if canonical in UK_ZONES:
        return "UK time"
    if canonical in UTC_NAMES or not canonical:
        return "UTC"
    city = canonical.rsplit("/", 1)[-1].replace("_", " ")
    return f"{city} time"
