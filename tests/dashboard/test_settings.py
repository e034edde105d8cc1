"""PEERCOACH_PUBLIC_URL and the dashboard's secret: a bad URL names the setting and an
example; the cookie is Secure except for http://127.0.0.1; a changed secret ends sessions;
the secret never shows in the settings' repr."""

import pytest

from bot.config import Settings
from bot.dashboard.access import SignIns, derive_secret
from bot.errors import ConfigError
from bot.storage.memory.dashboard import InMemoryDashboardStore
from bot.wiring import dashboard_secret
from tests.conftest import AT, FakeClock


def test_the_public_url_is_read_and_checked() -> None:
    assert Settings.from_env(
        {"PEERCOACH_PUBLIC_URL": "https://coach.example.nhs.uk/"}
    ).public_url == ("https://coach.example.nhs.uk")
    assert Settings.from_env({}).public_url is None
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({"PEERCOACH_PUBLIC_URL": "coach.example"})
    assert "PEERCOACH_PUBLIC_URL='coach.example' is not a web address" in str(raised.value)
    assert "PEERCOACH_PUBLIC_URL=http://127.0.0.1:3978" in str(raised.value)


def test_the_dashboard_secret_is_its_own_setting_and_never_shown() -> None:
    settings = Settings.from_env({"PEERCOACH_DASHBOARD_SECRET": "s3cret-value-4471"})
    assert "s3cret-value-4471" not in repr(settings)
    assert dashboard_secret(settings) == derive_secret(b"s3cret-value-4471")
    assert dashboard_secret(settings) != dashboard_secret(Settings())


@pytest.mark.parametrize(
    ("url", "secure"),
    [("https://coach.example.nhs.uk", True), ("http://127.0.0.1:3978", False), (None, True)],
)
def test_the_cookie_is_secure_except_in_a_local_trial(url: str | None, secure: bool) -> None:
    sign_ins = SignIns(InMemoryDashboardStore(), FakeClock(), b"k", url)
    assert sign_ins.secure_cookie is secure


async def test_a_changed_secret_ends_every_session() -> None:
    store, clock = InMemoryDashboardStore(), FakeClock()
    before = SignIns(store, clock, derive_secret(b"old"), None)
    cookie = await before.start_session("slack:T1:UCOACH", AT)
    assert await before.session_of(cookie, AT) is not None
    after = SignIns(store, clock, derive_secret(b"new"), None)
    assert await after.session_of(cookie, AT) is None
    assert await before.session_of(cookie.replace(".", ".x"), AT) is None  # tampered
