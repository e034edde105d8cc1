"""Review 12h: set-up says how to change the zone only when the zone is a guess; the console's
computer zone is one (see also tests/dialogs/test_review12h_setup.py)."""

from bot.domain import PlatformInfo
from bot.services.conversations import with_platform
from dialogs.model import UserState
from dialogs.records import evolve


def test_the_console_zone_is_marked_a_guess_and_a_platform_zone_is_not() -> None:
    """The console asks the computer for its zone (tzlocal), often UTC on a server; Slack and
    Teams give the leader's own, even when it is the default Europe/London."""
    state = UserState()
    guessed = with_platform(state, PlatformInfo(timezone="UTC", timezone_guessed=True))
    assert guessed.profile.timezone == "UTC"
    assert guessed.profile.timezone_source == "machine"
    slack = with_platform(guessed, PlatformInfo(timezone="Europe/London"))
    assert slack.profile.timezone_source == "platform"
    default = with_platform(state, PlatformInfo(timezone="Europe/London"))
    assert default.profile.timezone_source == "platform"
    chosen = evolve(state, profile=evolve(state.profile, timezone_source="leader"))
    assert with_platform(chosen, PlatformInfo(timezone="UTC", timezone_guessed=True)) == chosen
