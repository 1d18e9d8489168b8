"""Refuse hosts that resolve to private, loopback or link-local addresses (server-side request forgery)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket


class PrivateHostRefused(Exception):
    """The host resolves to an address on a private network; pass --allow-private-hosts to fetch it."""


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    return not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved
        or ip.is_multicast or ip.is_unspecified
    )


async def check_public_host(host: str) -> None:
    """Raise PrivateHostRefused unless every address `host` resolves to is public."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return  # Unresolvable hosts fail at connect time with their own, clearer error.
    for info in infos:
        address = info[4][0]
        if not is_public_address(address):
            raise PrivateHostRefused(f"{host} resolves to non-public address {address}")
