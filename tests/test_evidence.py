"""Evidence pages: the page an agency reports must link to the letter's links.

Pages are served by local aiohttp servers on 127.0.0.1 (hence allow_private=True); the
refusal of internal addresses is checked with a client whose transport records any request,
so that a refused address is shown never to have been connected to.
"""

from __future__ import annotations

import asyncio
import socket
import string
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass
from ipaddress import ip_address

import httpx
import pytest
from aiohttp import web
from hypothesis import given
from hypothesis import strategies as st

from bot.evidence.pages import (
    SELF_LINK,
    USER_AGENT,
    Verdict,
    extract_urls,
    link_matches,
    page_links,
    verify_page,
)
from tests.evidence_pages import BOOK, Handler, page, recording_client, serving

_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def to_cp1258(text: str) -> bytes:
    """Encode as Vietnamese Windows does: a letter with a tone is a base and a combining mark."""
    out = bytearray()
    for char in text:
        marks = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(m for m in marks if m not in _TONE_MARKS))
        tones = "".join(m for m in marks if m in _TONE_MARKS)
        out += (base + tones).encode("cp1258")
    return bytes(out)


def html_response(text: str) -> web.Response:
    return web.Response(text=text, content_type="text/html")


@dataclass
class Site:
    base: str
    other: str  # a second server, on another port

    def url(self, path: str) -> str:
        return self.base + path


def _redirect_chain(request: web.Request) -> web.StreamResponse:
    left = int(request.match_info["left"])
    if left == 0:
        return html_response(page(BOOK))
    raise web.HTTPFound(f"/hop/{left - 1}")


async def _streamed(request: web.Request, size: int, pause: float) -> web.StreamResponse:
    """A chunked body (no Content-Length) of `size` bytes, with a pause between chunks."""
    response = web.StreamResponse(headers={"Content-Type": "text/html"})
    await response.prepare(request)
    chunk = b"<p>" + b"x" * 65_533
    sent = 0
    try:
        while sent < size:
            await response.write(chunk)
            sent += len(chunk)
            await asyncio.sleep(pause)
    except (ConnectionError, RuntimeError):  # the checker hung up, as it should
        pass
    return response


def _routes(other: str, release: asyncio.Event) -> dict[str, Handler]:
    def fixed(text: str) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            return html_response(text)

        return handler

    def raw(body: bytes, headers: dict[str, str], status: int = 200) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            return web.Response(body=body, headers=headers, status=status)

        return handler

    async def slow(request: web.Request) -> web.StreamResponse:
        await asyncio.wait_for(release.wait(), 10)
        return html_response(page(BOOK))

    async def chain(request: web.Request) -> web.StreamResponse:
        return _redirect_chain(request)

    async def to_other(request: web.Request) -> web.StreamResponse:
        raise web.HTTPMovedPermanently(f"{other}/page")

    async def huge(request: web.Request) -> web.StreamResponse:
        return await _streamed(request, 3_000_000, 0)

    async def trickle(request: web.Request) -> web.StreamResponse:
        return await _streamed(request, 3_000_000, 0.1)

    cp1258 = to_cp1258(page(f"{BOOK}/sách-hội", charset="windows-1258"))
    return {
        "/www": fixed(page("/tin-tuc", "https://www.book365.vn/")),
        "/http": fixed(page("http://book365.vn")),
        "/unlinked": fixed(page("https://sachhay.vn/", "https://book365.vn.evil.example/")),
        "/one-of-two": fixed(page(BOOK)),
        "/missing": raw(b"not here", {"Content-Type": "text/html"}, 404),
        "/broken": raw(b"oops", {"Content-Type": "text/html"}, 500),
        "/hop/{left}": chain,
        "/to-other": to_other,
        "/huge": huge,
        "/huge-declared": raw(b"x" * 3_000_000, {"Content-Type": "text/html"}),
        "/slow": slow,
        "/trickle": trickle,
        "/pdf": raw(b"%PDF-1.7 https://book365.vn", {"Content-Type": "application/pdf"}),
        "/cp1258": raw(cp1258, {"Content-Type": "text/html; charset=windows-1258"}),
        "/cp1258-meta": raw(cp1258, {"Content-Type": "text/html"}),
        "/base/page": fixed(page("abc", head='<base href="https://www.book365.vn/sach/">')),
        "/news/2024/item": fixed(page("../../target/", "./x")),
    }


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    release = asyncio.Event()

    async def other_page(request: web.Request) -> web.StreamResponse:
        return html_response(page(BOOK))

    async with (
        serving({"/page": other_page}) as other,
        serving(_routes(other, release)) as base,
    ):
        yield Site(base, other)
        release.set()


async def check(
    url: str, *links: str, timeout: float = 10.0, max_bytes: int = 2_000_000
) -> tuple[str, str, str | None]:
    result = await verify_page(url, links, allow_private=True, timeout=timeout, max_bytes=max_bytes)
    return result.verdict, result.reason, result.final_url


# reading pages -------------------------------------------------------------------------------


async def test_page_linking_to_www_with_trailing_slash_is_verified(site: Site) -> None:
    assert await check(site.url("/www"), BOOK) == ("verified", "ok", site.url("/www"))


async def test_page_linking_over_http_is_verified(site: Site) -> None:
    verdict, reason, _ = await check(site.url("/http"), "https://www.book365.vn/")
    assert (verdict, reason) == ("verified", "ok")


async def test_page_without_the_link_is_unverified_naming_it(site: Site) -> None:
    result = await verify_page(site.url("/unlinked"), [BOOK], allow_private=True)
    assert result.verdict is Verdict.UNVERIFIED
    assert result.reason == "no link to https://book365.vn"
    assert result.missing == (BOOK,)


async def test_every_link_of_the_letter_is_required(site: Site) -> None:
    letter = [BOOK, "https://sovhttdl.soctrang.gov.vn/sach"]
    result = await verify_page(site.url("/one-of-two"), letter, allow_private=True)
    assert result.verdict == "unverified"
    assert result.missing == ("https://sovhttdl.soctrang.gov.vn/sach",)


async def test_letter_without_links_is_verified_once_the_page_is_read(site: Site) -> None:
    assert await check(site.url("/unlinked")) == (
        "verified",
        "ok (the letter has no links)",
        site.url("/unlinked"),
    )


async def test_missing_page_is_not_found(site: Site) -> None:
    assert (await check(site.url("/missing"), BOOK))[:2] == ("unverified", "not found (HTTP 404)")


async def test_server_error_is_reported_with_its_status(site: Site) -> None:
    assert (await check(site.url("/broken"), BOOK))[1] == "HTTP 500"


async def test_redirect_chain_is_followed(site: Site) -> None:
    assert await check(site.url("/hop/3"), BOOK) == ("verified", "ok", site.url("/hop/0"))


async def test_five_redirects_are_followed(site: Site) -> None:
    assert (await check(site.url("/hop/5"), BOOK))[:2] == ("verified", "ok")


async def test_six_redirects_are_too_many(site: Site) -> None:
    assert (await check(site.url("/hop/6"), BOOK))[:2] == ("unverified", "too many redirects")


async def test_redirect_to_another_local_port_is_followed_when_allowed(site: Site) -> None:
    assert await check(site.url("/to-other"), BOOK) == ("verified", "ok", f"{site.other}/page")


async def test_streamed_page_over_the_limit_is_too_large(site: Site) -> None:
    assert (await check(site.url("/huge"), BOOK))[:2] == ("unverified", "too large")


async def test_declared_length_over_the_limit_is_too_large(site: Site) -> None:
    assert (await check(site.url("/huge-declared"), BOOK))[1] == "too large"


async def test_page_within_a_lower_limit_is_read_whole(site: Site) -> None:
    assert (await check(site.url("/www"), BOOK, max_bytes=100))[1] == "too large"
    assert (await check(site.url("/www"), BOOK, max_bytes=100_000))[1] == "ok"


async def test_slow_server_times_out(site: Site) -> None:
    started = asyncio.get_running_loop().time()
    assert (await check(site.url("/slow"), BOOK, timeout=0.5))[:2] == ("unverified", "timeout")
    assert asyncio.get_running_loop().time() - started < 3


async def test_trickling_server_is_cut_by_the_overall_deadline(site: Site) -> None:
    """Each byte comes within the read timeout, but the whole check is bounded too."""
    started = asyncio.get_running_loop().time()
    assert (await check(site.url("/trickle"), BOOK, timeout=0.3))[1] == "timeout"
    assert asyncio.get_running_loop().time() - started < 3


async def test_pdf_is_not_a_web_page(site: Site) -> None:
    assert (await check(site.url("/pdf"), BOOK))[:2] == (
        "unverified",
        "not a web page (application/pdf)",
    )


async def test_page_without_content_type_is_read() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=page(BOOK).encode())

    with recording_client(answer) as (client, _):
        async with client:
            result = await verify_page("http://93.184.216.34/tin", [BOOK], client=client)
    assert (result.verdict, result.reason) == ("verified", "ok")


@pytest.mark.parametrize("path", ["/cp1258", "/cp1258-meta"], ids=["header", "meta"])
async def test_windows_1258_page_is_decoded(site: Site, path: str) -> None:
    """A link with Vietnamese letters matches only if the page is decoded as windows-1258."""
    assert (await check(site.url(path), f"{BOOK}/sách-hội"))[:2] == ("verified", "ok")


async def test_base_href_resolves_relative_links(site: Site) -> None:
    assert (await check(site.url("/base/page"), f"{BOOK}/sach/abc"))[:2] == ("verified", "ok")


async def test_relative_links_resolve_against_the_page(site: Site) -> None:
    assert (await check(site.url("/news/2024/item"), site.url("/target")))[:2] == (
        "verified",
        "ok",
    )


async def test_closed_port_is_a_connection_failure() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    verdict, reason, _ = await check(f"http://127.0.0.1:{port}/", BOOK)
    assert (verdict, reason) == ("unverified", "connection failed: connection refused")


# refusing what the bot must not fetch --------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/", "refused: loopback address 127.0.0.1"),
        ("http://localhost:8080/admin", "refused: loopback address 127.0.0.1"),
        ("http://10.0.0.1/", "refused: private address 10.0.0.1"),
        ("https://192.168.1.1/", "refused: private address 192.168.1.1"),
        ("http://169.254.169.254/latest/meta-data/", "refused: link-local address 169.254.169.254"),
        ("http://[::1]/", "refused: loopback address ::1"),
        ("http://[fd00::1]/", "refused: private address fd00::1"),
        # Python 3.11 spells the mapped address ::ffff:a00:1, 3.13 ::ffff:10.0.0.1
        ("http://[::ffff:10.0.0.1]/", f"refused: private address {ip_address('::ffff:10.0.0.1')}"),
        ("http://100.64.0.1/", "refused: carrier-grade NAT address 100.64.0.1"),
        ("http://0.0.0.0/", "refused: unspecified address 0.0.0.0"),
        ("http://224.0.0.1/", "refused: multicast address 224.0.0.1"),
        ("http://2130706433/", "refused: loopback address 127.0.0.1"),
        ("ftp://book365.vn/sach", "refused: not http(s)"),
        ("file:///etc/passwd", "refused: not http(s)"),
        ("https://user:secret@sovhttdl.gov.vn/", "refused: user name or password in the address"),
    ],
)
async def test_forbidden_address_is_refused_without_connecting(url: str, reason: str) -> None:
    with recording_client() as (client, requests):
        async with client:
            started = asyncio.get_running_loop().time()
            result = await verify_page(url, [BOOK], client=client)
    assert (result.verdict, result.reason) == ("unverified", reason)
    assert requests == []
    assert asyncio.get_running_loop().time() - started < 1


async def test_redirect_to_an_internal_address_is_refused() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "http://169.254.169.254/latest"})

    with recording_client(answer) as (client, requests):
        async with client:
            result = await verify_page("http://93.184.216.34/tin", [BOOK], client=client)
    assert result.reason == "refused: link-local address 169.254.169.254"
    assert result.final_url == "http://169.254.169.254/latest"
    assert [str(r.url) for r in requests] == ["http://93.184.216.34/tin"]


async def test_public_address_is_fetched_with_the_bots_user_agent() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, html=page(BOOK))

    with recording_client(answer) as (client, requests):
        async with client:
            result = await verify_page("http://93.184.216.34/tin", [BOOK], client=client)
    assert (result.verdict, result.reason) == ("verified", "ok")
    assert requests[0].headers["user-agent"] == USER_AGENT


@pytest.mark.parametrize(
    "evidence", ["https://book365.vn", "http://www.book365.vn/", "https://book365.vn/sach/abc"]
)
async def test_the_letters_own_link_is_not_evidence(evidence: str) -> None:
    with recording_client() as (client, requests):
        async with client:
            result = await verify_page(evidence, [BOOK], client=client)
    assert (result.verdict, result.reason) == ("unverified", SELF_LINK)
    assert requests == []


async def test_redirect_to_the_letters_own_link_is_not_evidence() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(301, headers={"Location": "https://www.book365.vn/"})

    with recording_client(answer) as (client, _):
        async with client:
            result = await verify_page("http://93.184.216.34/r", [BOOK], client=client)
    assert result.reason == SELF_LINK


# the matching rule -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("candidate", "required", "expected"),
    [
        ("http://www.book365.vn/sach/abc", "https://book365.vn/sach", True),
        ("https://book365.vn/sach", "https://book365.vn/sach/", True),
        ("https://book365.vn/sachxyz", "https://book365.vn/sach", False),
        ("https://book365.vn/", "https://book365.vn/sach", False),
        ("https://BOOK365.VN/sach?utm=x#top", "https://book365.vn/sach", True),
        ("https://book365.vn:443/sach", "http://book365.vn:80/sach", True),
        ("https://book365.vn:8443/", "https://book365.vn/", False),
        ("https://book365.vn.evil.example/", "https://book365.vn/", False),
        ("https://evil.example/book365.vn", "https://book365.vn/", False),
        ("https://m.book365.vn/", "https://book365.vn/", False),
        ("https://xn--s-lym.vn/tin", "https://sở.vn/", True),
        ("https://book365.vn/s%C3%A1ch", "https://book365.vn/sách", True),
        ("https://book365.vn/Sach", "https://book365.vn/sach", False),
        ("https://youtube.com/watch?v=abc&t=3", "https://www.youtube.com/watch?v=abc", True),
        ("https://youtube.com/watch?v=other", "https://www.youtube.com/watch?v=abc", False),
        ("mailto:sach@book365.vn", "https://book365.vn/", False),
        ("javascript:void(0)", "https://book365.vn/", False),
        ("//book365.vn/sach", "book365.vn/sach", True),
    ],
)
def test_link_matches_examples(candidate: str, required: str, expected: bool) -> None:
    assert link_matches(candidate, required) is expected


_label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
_host = (
    st.lists(_label, min_size=1, max_size=3)
    .map(lambda labels: ".".join([*labels, "vn"]))
    .filter(lambda host: not host.startswith("www."))
)
_segment = st.text(string.ascii_letters + string.digits + "-_~ăâđêôơưáàạếờ", min_size=1, max_size=8)
_path = st.lists(_segment, max_size=3).map(lambda segments: "".join("/" + s for s in segments))
_variant = st.tuples(st.sampled_from(["http", "https"]), st.booleans(), st.booleans())


def _spell(host: str, path: str, variant: tuple[str, bool, bool]) -> str:
    scheme, www, slash = variant
    return f"{scheme}://{'www.' if www else ''}{host}{path}{'/' if slash else ''}"


@given(_host, _path, _path, _variant, _variant)
def test_link_matches_ignores_scheme_www_and_trailing_slash(
    host: str, path: str, below: str, want: tuple[str, bool, bool], have: tuple[str, bool, bool]
) -> None:
    assert link_matches(_spell(host, path + below, have), _spell(host, path, want))
    assert link_matches(_spell(host.upper(), path, have), _spell(host, path, want))


@given(_host, _host, _path, _path, _variant, _variant)
def test_link_on_a_different_host_never_matches(
    host: str,
    other: str,
    path: str,
    other_path: str,
    want: tuple[str, bool, bool],
    have: tuple[str, bool, bool],
) -> None:
    if host != other:
        assert not link_matches(_spell(other, other_path, have), _spell(host, path, want))


@given(_host, _path.filter(bool), _segment, _variant)
def test_path_prefix_holds_on_segment_boundaries_only(
    host: str, path: str, tail: str, variant: tuple[str, bool, bool]
) -> None:
    required = _spell(host, path, variant)
    assert not link_matches(f"https://{host}{path}{tail}", required)
    assert link_matches(f"https://{host}{path}/{tail}", required)


# finding URLs in what officers type ----------------------------------------------------------


def test_url_in_a_vietnamese_sentence_is_found() -> None:
    text = "Dạ, đơn vị đã đăng tại https://sovhttdl.soctrang.gov.vn/tin-tuc/123 ạ."
    assert extract_urls(text) == ["https://sovhttdl.soctrang.gov.vn/tin-tuc/123"]


def test_urls_come_back_once_in_order_with_balanced_brackets_kept() -> None:
    text = (
        "Xem (https://vi.wikipedia.org/wiki/Sóc_Trăng_(tỉnh)), “https://book365.vn/sách”… "
        "và https://book365.vn/sách; https://a.vn/?q=1! <http://b.vn> http:// https://"
    )
    assert extract_urls(text) == [
        "https://vi.wikipedia.org/wiki/Sóc_Trăng_(tỉnh)",
        "https://book365.vn/sách",
        "https://a.vn/?q=1",
        "http://b.vn",
    ]


_query = st.lists(
    st.tuples(
        st.from_regex(r"[a-z]{1,4}", fullmatch=True),
        st.from_regex(r"[0-9a-z]{1,4}", fullmatch=True),
    ),
    max_size=2,
).map(lambda pairs: "?" + "&".join(f"{k}={v}" for k, v in pairs) if pairs else "")
_url = st.builds(
    lambda scheme, host, path, paren, query: f"{scheme}://{host}{path}{paren}{query}",
    st.sampled_from(["http", "https", "HTTPS"]),
    _host,
    _path,
    st.sampled_from(["", "/Sóc_Trăng_(tỉnh)"]),
    _query,
)
_around = st.sampled_from(
    [
        ("", ""),
        ("(", ")"),
        ("[", "]"),
        ("“", "”"),
        ("‘", "’"),
        ("«", "»"),
        ('"', '"'),
        ("'", "'"),
        ("<", ">"),
    ]
)
_words = st.lists(
    st.sampled_from(["đã", "đăng", "tại", "ạ", "Sở", "Văn hóa", "xem", "trang", "link:"]),
    max_size=4,
).map(" ".join)
_mention = st.tuples(_words, _around, _url, st.text(".,;:!?…", max_size=3))


@given(st.lists(_mention, min_size=1, max_size=3, unique_by=lambda mention: mention[2]))
def test_urls_embedded_in_text_come_back_exactly(
    mentions: list[tuple[str, tuple[str, str], str, str]],
) -> None:
    text = " ".join(
        f"{words} {opening}{url}{closing}{punctuation}"
        for words, (opening, closing), url, punctuation in mentions
    )
    assert extract_urls(text) == [url for _, _, url, _ in mentions]


# the links of a page ---------------------------------------------------------------------------


def test_page_links_reads_anchors_and_areas_only() -> None:
    html = (
        '<link href="/style.css"><script src="/a.js"></script>'
        '<a href="/tin?a=1&amp;b=2">x</a><map><area href="https://book365.vn"></map><a>no</a>'
    )
    assert page_links(html, "https://so.gov.vn/p") == [
        "https://so.gov.vn/tin?a=1&b=2",
        "https://book365.vn",
    ]


def test_page_links_uses_the_first_base_wherever_it_is() -> None:
    html = '<a href="x">x</a><base href="https://cdn.vn/d/"><base href="https://other.vn/">'
    assert page_links(html, "https://so.gov.vn/p") == ["https://cdn.vn/d/x"]


def test_page_links_ignores_a_base_that_is_not_a_web_address() -> None:
    html = '<base href="javascript:alert(1)"><a href=" \n/tin\t/1 ">x</a>'
    assert page_links(html, "https://so.gov.vn/p") == ["https://so.gov.vn/tin/1"]


def test_page_links_survives_broken_html() -> None:
    html = '<a href="/a"><div <a href=/b>b</a><![if x]><a href="http://[bad/">c</a><a href='
    assert page_links(html, "https://so.gov.vn/")[0] == "https://so.gov.vn/a"


@given(st.text())
def test_page_links_never_raises(html: str) -> None:
    assert isinstance(page_links(html, "https://so.gov.vn/"), list)
