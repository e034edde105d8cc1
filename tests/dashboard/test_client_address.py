"""Bad sign-in tokens are counted per client, not per load balancer: X-Forwarded-For is read
only from the proxies PEERCOACH_TRUSTED_PROXIES lists, and never further left than the first
address that is not one of them (what a client writes there is not believed)."""

from ipaddress import ip_network
from pathlib import Path

import pytest

from bot.config import Settings
from bot.dashboard.client_address import client_address, parse_networks
from bot.errors import ConfigError
from tests.conftest import FakeClock
from tests.dashboard.conftest import COACH, open_site
from tests.dashboard.seed import sign_in_link

BALANCERS = (ip_network("10.0.0.0/24"),)


@pytest.mark.parametrize(
    ("remote", "header", "seen"),
    [
        ("203.0.113.5", ["198.51.100.1"], "203.0.113.5"),  # not from a proxy: header ignored
        ("10.0.0.7", ["198.51.100.1"], "198.51.100.1"),
        ("10.0.0.7", ["1.2.3.4, 198.51.100.1, 10.0.0.9"], "198.51.100.1"),  # client wrote 1.2.3.4
        ("10.0.0.7", ["1.2.3.4", "198.51.100.1"], "198.51.100.1"),  # two header lines
        ("10.0.0.7", [], "10.0.0.7"),
        ("10.0.0.7", ["10.0.0.8, 10.0.0.9"], "10.0.0.8"),  # all proxies: the furthest
        (None, ["198.51.100.1"], "unknown"),
    ],
)
def test_the_client_is_the_nearest_address_that_is_not_a_trusted_proxy(
    remote: str | None, header: list[str], seen: str
) -> None:
    assert client_address(remote, header, BALANCERS) == seen


def test_without_trusted_proxies_the_header_is_never_read() -> None:
    assert client_address("10.0.0.7", ["198.51.100.1"], ()) == "10.0.0.7"


def test_the_setting_is_read_and_a_bad_entry_names_the_setting_and_an_example() -> None:
    assert Settings.from_env({}).trusted_proxies == ()
    read = Settings.from_env({"PEERCOACH_TRUSTED_PROXIES": "10.0.0.0/24, 192.168.1.7,::1"})
    assert read.trusted_proxies == parse_networks("10.0.0.0/24,192.168.1.7/32,::1")
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({"PEERCOACH_TRUSTED_PROXIES": "10.0.0.0/24,balancer"})
    assert "PEERCOACH_TRUSTED_PROXIES: 'balancer' is not an IP address" in str(raised.value)
    assert "PEERCOACH_TRUSTED_PROXIES=10.0.0.0/24" in str(raised.value)


async def test_behind_a_trusted_balancer_one_clients_bad_links_slow_only_that_client(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with open_site(tmp_path, clock, trusted_proxies=parse_networks("127.0.0.1")) as site:
        for n in range(5):
            guess = await site.client.get(
                f"/dashboard/sign-in/guess{n}", headers={"X-Forwarded-For": "198.51.100.66"}
            )
            assert guess.status == 410
        await site.seed(1)
        link = await sign_in_link(site.app, COACH)
        other = await site.client.get(link, headers={"X-Forwarded-For": "198.51.100.7"})
        assert other.status == 200  # another coach behind the same balancer
        same = await site.client.get(link, headers={"X-Forwarded-For": "198.51.100.66"})
        assert same.status == 429


async def test_a_client_cannot_dodge_the_limit_by_writing_the_header_itself(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with open_site(tmp_path, clock) as site:  # no trusted proxies: 127.0.0.1 is the client
        for n in range(5):
            forged = {"X-Forwarded-For": f"198.51.100.{n}"}
            guess = await site.client.get(f"/dashboard/sign-in/g{n}", headers=forged)
            assert guess.status == 410
        await site.seed(1)
        link = await sign_in_link(site.app, COACH)
        forged = {"X-Forwarded-For": "198.51.100.99"}
        assert (await site.client.get(link, headers=forged)).status == 429
