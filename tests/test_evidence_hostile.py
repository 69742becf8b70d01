"""Evidence fetching as a weapon (issue 12): bombs, stalling pages, rebinding, ports, proxies.

Pages come from local aiohttp servers; names are resolved by a stand-in for the one resolver
of a check (bot.evidence.addresses.resolve_host), so that a name can answer a public address
to the first lookup and a private one to the next, as a rebinding DNS server would.
"""

from __future__ import annotations

import gzip
import tracemalloc
from collections.abc import AsyncIterator
from ipaddress import ip_address

import httpx
import pytest
from aiohttp import web

from bot.evidence import addresses
from bot.evidence.addresses import IPAddress
from bot.evidence.pages import page_links, verify_page
from tests.evidence_pages import BOOK, Handler, page, recording_client, serving

MB = 1_000_000
BOMB = gzip.compress(b"\0" * (50 * MB), compresslevel=9)  # about 50 KB
PAGE = page(BOOK).encode()


def _raw(body: bytes, **headers: str) -> web.Response:
    return web.Response(body=body, headers={"Content-Type": "text/html", **headers})


async def _bomb(request: web.Request) -> web.StreamResponse:
    return _raw(BOMB, **{"Content-Encoding": "gzip"})


async def _stacked(request: web.Request) -> web.StreamResponse:
    return _raw(gzip.compress(gzip.compress(PAGE)), **{"Content-Encoding": "gzip, gzip"})


async def _brotli(request: web.Request) -> web.StreamResponse:
    return _raw(b"\x1b\x00", **{"Content-Encoding": "br"})


async def _gzipped(request: web.Request) -> web.StreamResponse:
    return _raw(gzip.compress(PAGE), **{"Content-Encoding": "gzip"})


async def _comments(request: web.Request) -> web.StreamResponse:
    return _raw(b"<!--" * 100_000 + f'<a href="{BOOK}">x</a>'.encode())


async def _echo_headers(request: web.Request) -> web.StreamResponse:
    encoding, host = request.headers.get("Accept-Encoding"), request.host
    return _raw(
        page(f"https://seen.example/ae/{encoding}", f"https://seen.example/host/{host}").encode()
    )


async def _to_loopback(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("http://127.0.0.1:9/admin")


@pytest.fixture
async def hostile() -> AsyncIterator[str]:
    routes: dict[str, Handler] = {
        "/bomb": _bomb,
        "/stacked": _stacked,
        "/br": _brotli,
        "/gzipped": _gzipped,
        "/comments": _comments,
        "/echo": _echo_headers,
        "/to-loopback": _to_loopback,
    }
    async with serving(routes) as url:
        yield url


def resolving(monkeypatch: pytest.MonkeyPatch, *answers: list[str]) -> list[str]:
    """Names resolve to `answers`, one per lookup (the last one repeats); returns the log."""
    asked: list[str] = []

    async def resolve(host: str, port: int) -> list[IPAddress]:
        try:
            return [ip_address(host)]
        except ValueError:
            pass
        asked.append(host)
        return [ip_address(a) for a in answers[min(len(asked), len(answers)) - 1]]

    monkeypatch.setattr(addresses, "resolve_host", resolve)
    return asked


async def test_a_gzip_bomb_stops_at_the_cap_with_bounded_memory(hostile: str) -> None:
    tracemalloc.start()
    try:
        result = await verify_page(hostile + "/bomb", [BOOK], allow_private=True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (result.verdict, result.reason) == ("unverified", "too large")
    # 50 MB of zeros behind 50 KB: never decompressed beyond the 2 MB cap (and its copies).
    assert peak < 12 * MB


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/stacked", "refused: compressed as gzip, gzip"),
        ("/br", "refused: compressed as br"),
    ],
)
async def test_stacked_or_unknown_encodings_are_refused(
    hostile: str, path: str, reason: str
) -> None:
    result = await verify_page(hostile + path, [BOOK], allow_private=True)
    assert (result.verdict, result.reason) == ("unverified", reason)


async def test_a_gzip_page_is_read(hostile: str) -> None:
    result = await verify_page(hostile + "/gzipped", [BOOK], allow_private=True)
    assert (result.verdict, result.reason) == ("verified", "ok")


async def test_pages_are_asked_for_uncompressed(hostile: str) -> None:
    result = await verify_page(
        hostile + "/echo", ["https://seen.example/ae/identity"], allow_private=True
    )
    assert (result.verdict, result.reason) == ("verified", "ok")


async def test_a_page_of_100k_unterminated_comments_is_read_to_its_end(hostile: str) -> None:
    # html.parser rescanned from every "<!--": minutes of a worker thread. Everything after
    # the first unterminated comment is inside it, as in a browser.
    result = await verify_page(hostile + "/comments", [BOOK], allow_private=True)
    assert (result.verdict, result.missing) == ("unverified", (BOOK,))


@pytest.mark.parametrize(
    "html",
    ["<!--" * 100_000, "<a " * 100_000, "<" * 200_000, "<script '" * 50_000, '<a href="' * 50_000],
)
def test_crafted_pages_are_scanned_whole(html: str) -> None:
    # Whatever the scan makes of it, it gets to the end: at most one link (or a piece).
    assert len(page_links(html + '<a href="/end">', "https://so.gov.vn/")) <= 1


def test_links_in_comments_and_scripts_do_not_count() -> None:
    html = (
        '<!-- <a href="/c"> --><script>x = "<a href=/s>"</script><style>a{}</style>'
        '<A HREF="/ok?a=1&amp;b=2" title="a>b">x</A><a data-href="/d" href=\'/e\'>'
    )
    assert page_links(html, "https://so.gov.vn/") == [
        "https://so.gov.vn/ok?a=1&b=2",
        "https://so.gov.vn/e",
    ]


async def test_a_name_resolving_to_a_private_address_is_refused_before_any_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    resolving(monkeypatch, ["10.0.0.5"])
    with recording_client() as (client, requests):
        async with client:
            result = await verify_page("http://tin.agency.example/", [BOOK], client=client)
    assert (result.verdict, result.reason) == ("unverified", "refused: private address 10.0.0.5")
    assert requests == []


async def test_a_name_with_one_private_address_among_public_ones_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    resolving(monkeypatch, ["93.184.216.34", "192.168.1.1"])
    result = await verify_page("http://tin.agency.example/", [BOOK])
    assert result.reason == "refused: private address 192.168.1.1"


async def test_a_name_that_rebinds_to_loopback_is_refused_at_the_connection(
    monkeypatch: pytest.MonkeyPatch, hostile: str
) -> None:
    # Public for the check, loopback for the connection: the connection vets it again.
    asked = resolving(monkeypatch, ["93.184.216.34"], ["127.0.0.1"])
    port = httpx.URL(hostile).port
    result = await verify_page(f"http://tin.agency.example:{port}/echo", [BOOK], allowed_ports=None)
    assert (result.verdict, result.reason) == ("unverified", "refused: loopback address 127.0.0.1")
    assert asked == ["tin.agency.example", "tin.agency.example"]


async def test_the_connection_goes_to_the_vetted_address_under_the_pages_own_name(
    monkeypatch: pytest.MonkeyPatch, hostile: str
) -> None:
    resolving(monkeypatch, ["127.0.0.1"])  # allowed here: the test's server is local
    port = httpx.URL(hostile).port
    url = f"http://tin.agency.example:{port}/echo"
    result = await verify_page(
        url, [f"https://seen.example/host/tin.agency.example:{port}"], allow_private=True
    )
    assert (result.verdict, result.reason) == ("verified", "ok")


async def test_a_redirect_to_loopback_is_refused(
    monkeypatch: pytest.MonkeyPatch, hostile: str
) -> None:
    # The test's server plays a public site: its name resolves to loopback, which the
    # stand-in calls public once (the first hop); the redirect names 127.0.0.1 itself.
    resolving(monkeypatch, ["93.184.216.34"], ["127.0.0.1"], ["93.184.216.34"])
    monkeypatch.setattr(addresses, "blocked_kind", _loopback_only_by_literal)
    port = httpx.URL(hostile).port
    result = await verify_page(
        f"http://tin.agency.example:{port}/to-loopback", [BOOK], allowed_ports=None
    )
    assert (result.verdict, result.reason) == ("unverified", "refused: loopback address 127.0.0.1")
    assert result.final_url == "http://127.0.0.1:9/admin"


_REAL_BLOCKED_KIND = addresses.blocked_kind
_PLAYED: set[str] = set()


def _loopback_only_by_literal(ip: IPAddress) -> str | None:
    """The real rule, except that the first connection to the local server is let through."""
    if str(ip) == "127.0.0.1" and "first" not in _PLAYED:
        _PLAYED.add("first")
        return None
    return _REAL_BLOCKED_KIND(ip)


@pytest.mark.parametrize("url", ["http://93.184.216.34:8080/", "https://93.184.216.34:22/"])
async def test_ports_other_than_80_and_443_are_refused_without_connecting(url: str) -> None:
    with recording_client() as (client, requests):
        async with client:
            result = await verify_page(url, [BOOK], client=client)
    port = httpx.URL(url).port
    assert (result.verdict, result.reason) == ("unverified", f"refused: port {port}")
    assert requests == []


async def test_a_configured_port_is_fetched() -> None:
    with recording_client(lambda r: httpx.Response(200, html=page(BOOK))) as (client, requests):
        async with client:
            result = await verify_page(
                "http://93.184.216.34:8080/", [BOOK], client=client, allowed_ports=(80, 443, 8080)
            )
    assert (result.verdict, len(requests)) == ("verified", 1)


async def test_proxies_from_the_environment_are_not_used(
    monkeypatch: pytest.MonkeyPatch, hostile: str
) -> None:
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    result = await verify_page(hostile + "/gzipped", [BOOK], allow_private=True)
    assert (result.verdict, result.reason) == ("verified", "ok")
