"""Reading who and what out of Slack's payloads: pure functions, no Web API."""

from typing import Any

from bot.domain import PlatformInfo, UserKey


def actor(body: dict[str, Any]) -> UserKey:
    """The user who pressed, submitted or opened something (interactivity payloads)."""
    user = body.get("user") or {}
    team = (body.get("team") or {}).get("id") or user.get("team_id") or ""
    return UserKey("slack", str(team), str(user.get("id") or ""))


def value_and_label(action: dict[str, Any]) -> tuple[str | None, str]:
    """A button's or a select's value, and the label the leader saw."""
    if "selected_option" in action:
        option = action["selected_option"] or {}
        return option.get("value"), str((option.get("text") or {}).get("text") or "")
    return action.get("value"), str((action.get("text") or {}).get("text") or "")


def platform_of(user: dict[str, Any]) -> PlatformInfo:
    """Name, zone and locale from a users.info or user_change user object."""
    profile = user.get("profile") or {}
    name = profile.get("display_name") or user.get("real_name") or profile.get("real_name")
    return PlatformInfo(
        display_name=name or None,
        timezone=user.get("tz") or None,
        locale=user.get("locale") or None,
    )
