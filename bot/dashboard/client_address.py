"""Which address a request came from, for slowing down bad sign-in tokens. Behind a load
balancer every request arrives from the balancer, so one person's bad links would slow every
coach down; the balancer names the real client in X-Forwarded-For. That header is believed
only when the request came from a proxy the operator listed (PEERCOACH_TRUSTED_PROXIES), and
then only up to the first address that is not one of those proxies: anything further left was
written by the client and could be anything."""

from collections.abc import Iterable
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

Network = IPv4Network | IPv6Network


def parse_networks(raw: str) -> tuple[Network, ...]:
    """`10.0.0.0/8, 192.168.1.7` → networks; ValueError names the part that is not one."""
    networks: list[Network] = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        try:
            networks.append(ip_network(part, strict=False))
        except ValueError:
            raise ValueError(part) from None
    return tuple(networks)


def client_address(
    remote: str | None, forwarded_for: Iterable[str], trusted: tuple[Network, ...]
) -> str:
    """The nearest address that is not a trusted proxy, reading X-Forwarded-For right to left."""
    current = remote or "unknown"
    if not trusted:
        return current
    hops = [h.strip() for line in forwarded_for for h in line.split(",") if h.strip()]
    while _is_trusted(current, trusted) and hops:
        current = hops.pop()
    return current


def _is_trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        parsed = ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in trusted)
