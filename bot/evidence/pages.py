"""Evidence pages: does the page an agency reports link to the letter's links?

An officer answers a letter with the address of the page where the agency published the
letter's link (e.g. https://book365.vn). The bot fetches that page and records `verified`
when it links to every link of the letter, else `unverified` with a short reason for staff.

The bot fetches addresses typed by strangers, so it must not become a way into the
Department's network: every hop (the address and each redirect target) is resolved and
refused when any of its addresses is private, loopback, link-local and the like, unless the
config key `evidence.allow_private_addresses` allows it (the tests use it for a local server),
and only ports 80 and 443 are fetched unless `evidence.allowed_ports` says otherwise. The
connection goes to the address that was vetted (bot.evidence.addresses), so a DNS answer that
changes in between ("DNS rebinding") changes nothing. A page is read as sent (identity), or
gzip decompressed here under the 2 MB cap; its links are found in one linear pass.
"""

from __future__ import annotations

import asyncio
import codecs
import html
import re
import socket
import ssl
import unicodedata
import zlib
from collections.abc import Collection, Sequence
from contextlib import AsyncExitStack, suppress
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any, cast
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

import httpx

from bot.evidence.addresses import DEFAULT_PORTS, Refused, vetted_addresses, vetted_client

USER_AGENT = "agency-bot/0.1 (evidence check)"
SELF_LINK = "this is the letter's link itself, not the agency's page"
_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
_WEB_PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_DEFAULT_PORTS = frozenset(DEFAULT_PORTS)
# Pages are asked for as they are: a compressed answer is decompressed here, under the cap.
_ACCEPT_ENCODING = "identity"
_Failed = Refused


class Verdict(StrEnum):
    """The values of the `evidence.verification` column (db.models.Verification)."""

    VERIFIED = "verified"
    UNVERIFIED = "unverified"


@dataclass(frozen=True)
class Verification:
    """The outcome of one check; `missing` is filled only when the page itself was read."""

    verdict: Verdict
    reason: str
    final_url: str | None = None
    missing: tuple[str, ...] = ()


# --- URLs in what officers type ----------------------------------------------------------------

# A URL ends at white space or at characters that cannot be part of one (including the
# Vietnamese keyboard's curly quotes and guillemets); \u200b is a zero-width space.
_URL_IN_TEXT = re.compile(r"\bhttps?://[^\s<>\"“”«»\u200b]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}>\"'“”‘’«»…"
_OPENERS = {")": "(", "]": "[", "}": "{"}


def extract_urls(text: str) -> list[str]:
    """The http(s) URLs in free text, in order, without duplicates.

    Punctuation that ends a sentence or closes a bracket or quote around the URL is not part
    of it ("đã đăng tại https://a.gov.vn/tin/1 ạ." gives https://a.gov.vn/tin/1), but a closing
    bracket that balances one inside the URL is kept (…/wiki/Foo_(bar)).
    """
    urls: list[str] = []
    for match in _URL_IN_TEXT.finditer(text):
        url = _trim_trailing(match.group())
        if url not in urls and _has_host(url):
            urls.append(url)
    return urls


def _trim_trailing(url: str) -> str:
    while url and url[-1] in _TRAILING:
        opener = _OPENERS.get(url[-1])
        if opener is not None and url.count(opener) >= url.count(url[-1]):
            break
        url = url[:-1]
    return url


def _has_host(url: str) -> bool:
    try:
        return bool(urlsplit(url).hostname)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False


# --- the spec's matching rule ----------------------------------------------------------------


@dataclass(frozen=True)
class _Link:
    """What the spec compares of a link: host (no www., IDNA), port, path, query pairs."""

    host: str
    port: int | None
    path: str
    query: tuple[tuple[str, str], ...]


_OTHER_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:(?!\d)", re.IGNORECASE)


def _parse_link(url: str, hosts: frozenset[str] | None = None) -> _Link | None:
    """Normalise a link for comparison; None for what is not a web link (mailto:, ftp:…).

    With `hosts`, also None for a link to any other host: a page may have thousands of links
    and only those to the letter's hosts are worth normalising further.
    """
    url = url.strip()
    if re.match(r"^https?://", url, re.IGNORECASE):
        text = url
    elif url.startswith("//"):
        text = "http:" + url
    elif _OTHER_SCHEME.match(url):
        return None
    else:  # "book365.vn/sach": a link typed without its scheme
        text = "http://" + url
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    host = _normal_host(parts.hostname)
    if hosts is not None and host not in hosts:
        return None
    path = unicodedata.normalize("NFC", unquote(parts.path)).rstrip("/")
    query = tuple(parse_qsl(parts.query, keep_blank_values=True))
    return _Link(host, None if port in _DEFAULT_PORTS else port, path, query)


@lru_cache(maxsize=1024)  # most links of a page share a handful of hosts
def _normal_host(host: str) -> str:
    host = host.rstrip(".").lower()
    # a name that is not valid IDNA (an empty or overlong label) is compared as it is
    with suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")
    return host[4:] if host.startswith("www.") and len(host) > 4 else host


def link_matches(candidate: str, required: str) -> bool:
    """The spec's rule: the candidate link points at the required link or below it.

    Scheme, a leading `www.`, a default port and a trailing slash are ignored; hosts compare
    case-insensitively and in IDNA form (sở.vn = xn--s-lym.vn); paths compare after
    percent-decoding and Unicode NFC (a windows-1258 page spells "ấ" in two code points) and
    are case-sensitive, as servers may treat them.
    The path prefix works on whole segments: /sach matches /sach and /sach/abc but not
    /sachxyz; a required path of "" or "/" matches any path. The candidate's query and
    fragment are ignored, but a required link with a query (youtube.com/watch?v=…) needs
    every one of its parameters in the candidate: otherwise any video would do.
    """
    have, want = _parse_link(candidate), _parse_link(required)
    return have is not None and want is not None and _covers(want, have)


def _covers(want: _Link, have: _Link) -> bool:
    if (have.host, have.port) != (want.host, want.port):
        return False
    if want.path and have.path != want.path and not have.path.startswith(want.path + "/"):
        return False
    return all(pair in have.query for pair in want.query)


# --- links of a page ---------------------------------------------------------------------------


# One pass over the page, each token consumed whole: html.parser rescans an unterminated
# construct from every "<" after it (100,000 "<!--" took minutes), so a page built to stall
# it could hold a worker thread for an hour. Each alternative here matches at the first "<"
# it can and runs to its end or to the end of the page, with possessive repeats that never
# backtrack: the scan is linear whatever the page (bench/hostile.py measures it).
_TOKENS = re.compile(
    r"""
    <!--.*?(?:-->|\Z)                                     # a comment: no links inside
  | <(?P<raw>script|style)(?=[\s/>])(?:[^>"']++|"[^"]*+"?|'[^']*+'?)*+>?
      .*?(?:</(?P=raw)\s*>|\Z)                           # script or style: no tags inside
  | <(?P<tag>a|area|base)(?=[\s/>])(?P<attrs>(?:[^>"']++|"[^"]*+"?|'[^']*+'?)*+)>?
    """,
    re.IGNORECASE | re.DOTALL | re.VERBOSE,
)
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"?|'([^']*)'?|([^\s>]*)))?""")


def _href(attributes: str) -> str | None:
    """The first href of a tag's attributes, its character references decoded."""
    for match in _ATTRIBUTE.finditer(attributes):
        if match.group(1).lower() == "href":
            value = next((v for v in match.group(2, 3, 4) if v is not None), "")
            return html.unescape(value)
    return None


def _hrefs(page: str) -> tuple[list[str], str | None]:
    """The hrefs of <a> and <area>, and the first <base href>; tolerant of broken HTML."""
    hrefs: list[str] = []
    base: str | None = None
    for token in _TOKENS.finditer(page):
        tag = token.group("tag")
        if tag is None:
            continue
        href = _href(token.group("attrs"))
        if href is None:
            continue
        if tag.lower() in ("a", "area"):
            hrefs.append(href)
        elif base is None:
            base = href
    return hrefs, base


def page_links(page: str, base_url: str) -> list[str]:
    """Every <a>/<area> href of the page, made absolute against <base href> or the page URL.

    Only these two elements: a <link> or a script's URL is not something the agency
    published for readers. Hrefs that cannot be resolved are skipped, never an error.
    """
    hrefs, base_href = _hrefs(page)
    base = base_url
    if base_href is not None:
        resolved = _resolve(base_url, base_href)
        if resolved is not None and resolved.lower().startswith(("http://", "https://")):
            base = resolved
    links = (_resolve(base, href) for href in hrefs)
    return [link for link in links if link is not None]


def _resolve(base: str, href: str) -> str | None:
    # browsers strip surrounding white space and drop tabs and newlines inside a URL
    href = re.sub(r"[\t\n\r]", "", href.strip(" \t\n\r\f"))
    try:
        return urljoin(base, href)
    except ValueError:
        return None


# --- refusing internal addresses ---------------------------------------------------------------


async def _refuse_internal(url: httpx.URL) -> None:
    """Refuse an internal address before any request, with its reason. The connection itself
    is made by bot.evidence.addresses, which vets the addresses again as it connects."""
    host = url.raw_host.decode("ascii", errors="replace")
    await vetted_addresses(host, _port(url), allow_private=False)


def _port(url: httpx.URL) -> int:
    return url.port or (443 if url.scheme == "https" else 80)


# --- fetching ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Page:
    url: str
    body: bytes
    content_type: str | None


def _target(raw: str | httpx.URL) -> httpx.URL:
    """The URL to fetch, or _Failed when it is not one the bot may fetch."""
    try:
        url = httpx.URL(raw.strip() if isinstance(raw, str) else raw)
    except (httpx.InvalidURL, ValueError, TypeError):
        raise _Failed("refused: bad address") from None
    if url.scheme not in ("http", "https"):
        raise _Failed("refused: not http(s)")
    if url.userinfo:
        raise _Failed("refused: user name or password in the address")
    if not url.host:
        raise _Failed("refused: bad address")
    return url


def _status_failure(status: int) -> str | None:
    if 200 <= status < 300:
        return None
    if status in (404, 410):
        return f"not found (HTTP {status})"
    return f"HTTP {status}"


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def _decompressor(response: httpx.Response) -> Any:
    """A gzip decoder for a gzip answer, None for a plain one; anything else is refused:
    stacked encodings (gzip, gzip) multiply a few hundred bytes into gigabytes."""
    encodings = [
        value.strip().lower()
        for value in response.headers.get_list("content-encoding", split_commas=True)
        if value.strip().lower() not in ("", "identity")
    ]
    if not encodings:
        return None
    if encodings in (["gzip"], ["x-gzip"]):
        return zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    raise _Failed("refused: compressed as " + ", ".join(encodings)[:40])


async def _read_body(response: httpx.Response, max_bytes: int) -> bytes:
    """At most max_bytes of the decompressed body, counted as it arrives; a bigger page is
    refused, not cut. The raw bytes are read and decompressed here, never more than the
    cap: a gzip bomb stops at max_bytes + 1 bytes of output."""
    declared = response.headers.get("content-length", "")
    # isdigit() alone accepts "²", which int() refuses: only ASCII digits are a length.
    if declared.isascii() and declared.isdigit() and int(declared) > max_bytes:
        raise _Failed("too large")
    decoder = _decompressor(response)
    chunks: list[bytes] = []
    size = 0
    # The raw stream itself (not aiter_raw): the bytes as sent, whoever read them before.
    async for raw in cast(httpx.AsyncByteStream, response.stream):
        if decoder is None:
            chunk = raw
        else:
            try:
                # Never more output than the room left plus one byte: the +1 tells "too large".
                chunk = decoder.decompress(raw, max_bytes - size + 1)
            except zlib.error:
                raise _Failed("refused: broken compression") from None
        size += len(chunk)
        if size > max_bytes:
            raise _Failed("too large")
        chunks.append(chunk)
        if decoder is not None and decoder.eof:
            break  # what follows the gzip stream is not the page
    return b"".join(chunks)


class _Fetch:
    """One check: follows redirects itself so that every hop is vetted before connecting."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        required: tuple[str, ...],
        *,
        allow_private: bool,
        timeout: float,
        max_bytes: int,
        max_redirects: int,
        allowed_ports: frozenset[int] | None,
    ) -> None:
        self.client = client
        self.allowed_ports = allowed_ports
        self.required = required
        self.allow_private = allow_private
        self.timeout = httpx.Timeout(connect=5, read=timeout, write=5, pool=5)
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.last_url: str | None = None

    async def page(self, start: str) -> _Page:
        location: str | httpx.URL = start
        for _ in range(self.max_redirects + 1):
            result = await self._hop(location)
            if isinstance(result, _Page):
                return result
            location = result
        raise _Failed("too many redirects")

    async def _hop(self, location: str | httpx.URL) -> _Page | httpx.URL:
        """Fetch one URL: the page, or the redirect target to fetch next."""
        url = _target(location)
        self.last_url = str(url)
        if any(link_matches(str(url), link) for link in self.required):
            raise _Failed(SELF_LINK)
        if not self.allow_private:
            await _refuse_internal(url)
        if self.allowed_ports is not None and _port(url) not in self.allowed_ports:
            raise _Failed(f"refused: port {_port(url)}")
        headers = {
            "User-Agent": USER_AGENT,
            "Accept": _ACCEPT,
            "Accept-Encoding": _ACCEPT_ENCODING,
        }
        request = self.client.stream(
            "GET", url, headers=headers, follow_redirects=False, timeout=self.timeout
        )
        async with request as response:
            if response.is_redirect:
                return self._redirect_target(url, response.headers["location"])
            return await self._read(response)

    @staticmethod
    def _redirect_target(url: httpx.URL, location: str) -> httpx.URL:
        try:
            return url.join(location.strip())
        except (httpx.InvalidURL, ValueError):
            raise _Failed("refused: bad address") from None

    async def _read(self, response: httpx.Response) -> _Page:
        failure = _status_failure(response.status_code)
        if failure is not None:
            raise _Failed(failure)
        content_type = response.headers.get("content-type")
        media = _media_type(content_type)
        if media and media not in _WEB_PAGE_TYPES:
            raise _Failed(f"not a web page ({media})")
        body = await _read_body(response, self.max_bytes)
        return _Page(str(response.url), body, content_type)


_CAUSES: tuple[tuple[type[BaseException], str], ...] = (
    (ssl.SSLCertVerificationError, "bad TLS certificate"),
    (ssl.SSLError, "TLS error"),
    (ConnectionRefusedError, "connection refused"),
    (ConnectionResetError, "connection reset"),
    (socket.gaierror, "unknown host"),
)


def _connection_failure(exc: httpx.HTTPError) -> str:
    """A short reason: httpx says "All connection attempts failed", its cause says why."""
    cause: BaseException | None = exc
    while cause is not None:
        for kind, short in _CAUSES:
            if isinstance(cause, kind):
                return f"connection failed: {short}"
        cause = cause.__cause__ or cause.__context__
    text = str(exc).strip() or type(exc).__name__
    return f"connection failed: {text.splitlines()[0][:80]}"


async def verify_page(
    url: str,
    required_links: Sequence[str],
    *,
    allow_private: bool = False,
    client: httpx.AsyncClient | None = None,
    timeout: float = 10.0,
    max_bytes: int = 2_000_000,
    max_redirects: int = 5,
    allowed_ports: Collection[int] | None = DEFAULT_PORTS,
) -> Verification:
    """Fetch the evidence page and check that it links to every required link.

    `timeout` is the read timeout; the whole check, redirects and DNS included, is also cut
    at 3 × timeout, since a server trickling a byte per read timeout could hold it for hours.
    Never raises for what the page or the network does: every outcome is a Verification.
    """
    required = (required_links,) if isinstance(required_links, str) else tuple(required_links)
    async with AsyncExitStack() as stack:
        if client is None:
            client = await stack.enter_async_context(vetted_client(allow_private=allow_private))
        fetch = _Fetch(
            client,
            required,
            allow_private=allow_private,
            timeout=timeout,
            max_bytes=max_bytes,
            max_redirects=max_redirects,
            # A local server's port is whatever it is: only tests and intranets allow them.
            allowed_ports=None
            if allow_private or allowed_ports is None
            else frozenset(allowed_ports),
        )
        try:
            async with asyncio.timeout(3 * timeout):
                page = await fetch.page(url)
        except _Failed as failed:
            return Verification(Verdict.UNVERIFIED, failed.reason, fetch.last_url)
        except (TimeoutError, httpx.TimeoutException):
            return Verification(Verdict.UNVERIFIED, "timeout", fetch.last_url)
        except httpx.HTTPError as exc:
            return Verification(Verdict.UNVERIFIED, _connection_failure(exc), fetch.last_url)
    # parsing up to 2 MB of HTML in pure Python takes a while: keep the event loop free
    return await asyncio.to_thread(_judge, page, required)


# --- reading the page --------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _codec(label: str | bytes | None) -> str | None:
    if isinstance(label, bytes):
        label = label.decode("ascii", errors="replace")
    if not label:
        return None
    try:
        return codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None


def _encoding(body: bytes, content_type: str | None) -> str:
    """The page's encoding as a browser finds it: BOM, then HTTP header, then <meta>."""
    for bom, bom_codec in _BOMS:
        if body.startswith(bom):
            return bom_codec
    header = _HEADER_CHARSET.search(content_type or "")
    declared = _codec(header.group(1)) if header is not None else None
    if declared is not None:
        return declared
    meta = _META_CHARSET.search(body[:4096])
    sniffed = _codec(meta.group(1)) if meta is not None else None
    # a <meta> naming UTF-16 is a mislabel: the bytes read as ASCII to have found it
    return "utf-8" if sniffed is None or sniffed.startswith("utf-16") else sniffed


def _judge(page: _Page, required: tuple[str, ...]) -> Verification:
    text = page.body.decode(_encoding(page.body, page.content_type), errors="replace")
    wanted = {link: _parse_link(link) for link in required}
    hosts = frozenset(want.host for want in wanted.values() if want is not None)
    found = (_parse_link(link, hosts) for link in dict.fromkeys(page_links(text, page.url)))
    links = [link for link in found if link is not None]
    missing = tuple(
        link
        for link, want in wanted.items()
        if want is None or not any(_covers(want, have) for have in links)
    )
    if missing:
        reason = "no link to " + ", ".join(missing)
        return Verification(Verdict.UNVERIFIED, reason, page.url, missing)
    reason = "ok" if required else "ok (the letter has no links)"
    return Verification(Verdict.VERIFIED, reason, page.url)
