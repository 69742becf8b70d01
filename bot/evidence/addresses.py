"""Where an evidence check may connect: vetted addresses only, and the vetted one itself.

The bot fetches addresses typed by strangers, so it must not become a way into the
Department's network. A host name is resolved once (`resolve_host`), every address it gives
is vetted (no private, loopback, link-local, multicast or reserved address), and the
connection goes to a vetted address: httpx never resolves the name again, so a DNS answer
that changes between the check and the connection ("DNS rebinding") changes nothing. TLS
still names the host (SNI and the certificate check) and the Host header is the URL's:
httpcore hands the transport the address to connect to and keeps the origin for the rest.
"""

from __future__ import annotations

import asyncio
import functools
import socket
import ssl
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
from typing import Any

import httpcore
import httpx

IPAddress = IPv4Address | IPv6Address
DEFAULT_PORTS = (80, 443)

_CARRIER_GRADE_NAT = ip_network("100.64.0.0/10")
_NAT64 = ip_network("64:ff9b::/96")


class Refused(Exception):
    """Stops a check with the reason recorded for staff."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def blocked_kind(ip: IPAddress) -> str | None:
    """Why the bot must not connect to this address, or None for a public one."""
    if isinstance(ip, IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None and (kind := blocked_kind(embedded)) is not None:
            return kind
    checks = (
        ("loopback", ip.is_loopback),
        ("unspecified", ip.is_unspecified),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("carrier-grade NAT", isinstance(ip, IPv4Address) and ip in _CARRIER_GRADE_NAT),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved or not ip.is_global),
    )
    return next((kind for kind, hit in checks if hit), None)


def _embedded_ipv4(ip: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, NAT64), which routes to it."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


async def resolve_host(host: str, port: int) -> list[IPAddress]:
    """The addresses of a host name (an address literal is its own): the one DNS lookup of
    a check. Tests replace it to play a name that resolves to a private address."""
    try:
        return [ip_address(host)]
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise Refused(f"connection failed: unknown host {host}") from None
    return list(dict.fromkeys(ip_address(str(info[4][0]).split("%")[0]) for info in infos))


async def vetted_addresses(host: str, port: int, *, allow_private: bool) -> list[IPAddress]:
    """The host's addresses, refused as a whole when any of them is internal (a name that
    resolves to one public and one private address is a probe, not a web site)."""
    addresses = await resolve_host(host, port)
    if not addresses:
        raise Refused(f"connection failed: unknown host {host}")
    if not allow_private:
        for ip in addresses:
            kind = blocked_kind(ip)
            if kind is not None:
                raise Refused(f"refused: {kind} address {ip}")
    return addresses


class _VettingBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend that resolves and vets the host before connecting."""

    def __init__(self, *, allow_private: bool) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._allow_private = allow_private

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await vetted_addresses(host, port, allow_private=self._allow_private)
        failure: Exception = Refused(f"connection failed: unknown host {host}")
        for ip in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(ip),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
        raise failure

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.AsyncNetworkStream:
        raise Refused("refused: not http(s)")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """The TLS settings of every check, made once: loading the certificate authorities took
    about 20 ms of CPU, twice per check (httpx's transport made one it never used)."""
    return httpx.create_ssl_context(trust_env=False)


class VettedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport on a connection pool whose connections go to vetted addresses."""

    def __init__(self, *, allow_private: bool, ssl_context: ssl.SSLContext | None = None) -> None:
        context = ssl_context or shared_ssl_context()
        super().__init__(verify=context, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=context,
            max_connections=10,
            network_backend=_VettingBackend(allow_private=allow_private),
        )


def vetted_client(*, allow_private: bool) -> httpx.AsyncClient:
    """The client of one evidence check: no proxies or .netrc from the environment
    (trust_env=False), connections only to vetted addresses."""
    return httpx.AsyncClient(
        transport=VettedTransport(allow_private=allow_private), trust_env=False
    )
