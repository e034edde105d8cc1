"""PEERCOACH_DATABASE_URL: checked at start, and its password never printed."""

import pytest

from bot.config import Settings
from bot.errors import ConfigError
from bot.storage.postgres.url import DatabaseUrl, DatabaseUrlError, redact

SECRET = "s3cr3t-Pa55"


def test_unset_means_tinydb() -> None:
    assert Settings.from_env({}).database_url is None


def test_a_url_is_kept_whole_for_the_driver_and_hidden_everywhere_else() -> None:
    raw = f"postgresql://coach:{SECRET}@db.example.nhs.uk:5432/peercoach?sslmode=require"
    url = Settings.from_env({"PEERCOACH_DATABASE_URL": raw}).database_url
    assert url is not None
    assert url.secret == raw
    assert url.database == "peercoach"
    for shown in (str(url), repr(url), url.redacted, repr(Settings(database_url=url))):
        assert SECRET not in shown
    assert (
        url.redacted == "postgresql://coach:***@db.example.nhs.uk:5432/peercoach?sslmode=require"
    )


def test_a_password_in_the_query_is_hidden_too() -> None:
    shown = redact(f"postgresql://db/peercoach?user=coach&password={SECRET}&sslmode=require")
    assert SECRET not in shown
    assert "password=***" in shown
    assert "sslmode=require" in shown


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("mysql://u:p@host/db", "must start with postgresql://"),
        ("postgresql://u:p@host:5432/", "names no database"),
        (f"postgresql://u:{SECRET}@host:notaport/db", "not a valid URL"),
    ],
)
def test_a_wrong_url_names_the_setting_and_an_example(raw: str, says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"PEERCOACH_DATABASE_URL": raw})
    message = str(caught.value)
    assert says in message
    assert "PEERCOACH_DATABASE_URL=postgresql://" in message  # the example
    assert SECRET not in message


def test_with_database_keeps_server_and_credentials() -> None:
    url = DatabaseUrl.parse("postgresql://u:pw@h:5433/a?sslmode=disable")
    assert url.with_database("b").secret == "postgresql://u:pw@h:5433/b?sslmode=disable"


def test_parse_rejects_garbage_without_echoing_it() -> None:
    with pytest.raises(DatabaseUrlError) as caught:
        DatabaseUrl.parse(f"postgresql://u:{SECRET}@[::1/db")
    assert SECRET not in str(caught.value)
