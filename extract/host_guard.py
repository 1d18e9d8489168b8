"""Refuse hosts that resolve to private, loopback, link-local or other non-public addresses (server-side
request forgery), and connect only to the address that was checked.

Checking a name and then letting the HTTP client resolve it again leaves a gap: a DNS answer that
changes between the two (rebinding) sends the request inside. `PinnedBackend` resolves, checks and
connects in one step, to the checked address; TLS still verifies the name in the URL.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

import httpcore

# The well-known NAT64 prefix carries an IPv4 address in its last 32 bits, judged like any other.
NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Not global, though Python 3.11's `is_global` says they are: local-use NAT64, IETF protocol
# assignments (192.0.0.0/24 less two anycast services), and the newer IPv6 documentation range.
NOT_GLOBAL = tuple(ipaddress.ip_network(n) for n in ("64:ff9b:1::/48", "192.0.0.0/24", "3fff::/20"))


class PrivateHostRefused(Exception):
    """The host resolves to an address on a private network; pass --allow-private-hosts to fetch it."""


def is_public_address(address: str) -> bool:
    """A globally routable unicast address; an IPv6 address that embeds an IPv4 one is judged by it."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in NAT64 else None)
        if embedded is not None:
            return is_public_address(str(embedded))
    return (ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_private)
            and not any(ip in network for network in NOT_GLOBAL if network.version == ip.version))


async def resolve(host: str, port: int | None = None) -> list[str]:
    """Every address `host` resolves to, in the resolver's order."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [info[4][0] for info in infos]


async def check_public_host(host: str) -> None:
    """Raise PrivateHostRefused unless every address `host` resolves to is public."""
    try:
        addresses = await resolve(host)
    except socket.gaierror:
        return  # Unresolvable hosts fail at connect time with their own, clearer error.
    _refuse_private(host, addresses)


def _refuse_private(host: str, addresses: list[str]) -> None:
    for address in addresses:
        if not is_public_address(address):
            raise PrivateHostRefused(f"{host} resolves to non-public address {address}")


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, but each connection goes to an address resolved and checked here."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend, allow_private_hosts: bool) -> None:
        self._inner = inner
        self._allow_private_hosts = allow_private_hosts

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options=None) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await resolve(host, port)
        except socket.gaierror as error:
            raise httpcore.ConnectError(f"cannot resolve {host}: {error}") from error
        if not self._allow_private_hosts:
            _refuse_private(host, addresses)
        # Each checked address in the resolver's order, as a client without the pin would try them.
        failure: Exception | None = None
        for address in dict.fromkeys(addresses):
            try:
                return await self._inner.connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                                     socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
        raise failure or httpcore.ConnectError(f"{host} resolves to no address")

    async def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options=None):
        raise httpcore.ConnectError("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def pinned_transport(allow_private_hosts: bool, limits) -> "httpx.AsyncHTTPTransport":  # noqa: F821
    """httpx's own transport, with its connection pool's backend replaced by PinnedBackend."""
    import httpx

    transport = httpx.AsyncHTTPTransport(limits=limits)
    # httpx has no public hook for the network backend (httpx is pinned <0.29). Fail loudly, rather than
    # fetch unguarded, if a new httpcore keeps it elsewhere.
    pool = transport._pool
    if not isinstance(getattr(pool, "_network_backend", None), httpcore.AsyncNetworkBackend):
        raise RuntimeError("httpcore's connection pool has no _network_backend: the DNS pin cannot be installed")
    pool._network_backend = PinnedBackend(pool._network_backend, allow_private_hosts)
    return transport
