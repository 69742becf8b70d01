"""The bot's HTTP client for the Bot API: PTB's request interface on aiohttp.

PTB's default (HTTPXRequest) costs about 3 ms of CPU per call on this hardware, most of it
httpcore's pool scanning every connection on every request; with PTB's 256 concurrent
updates it was three quarters of the event loop's time when officers pressed Đã nhận
together (bench/acks.py). aiohttp does the same call in well under a millisecond.

Behaviour is PTB's: form-encoded parameters (each value JSON-encoded, as PTB prepares
them), multipart when files are uploaded (file names in UTF-8, escaped as HTML5 and httpx
do), the same default timeouts, timeouts raised as `TimedOut` and every other transport
failure as `NetworkError`, which is what the dispatcher and PTB's updater rely on. HTTP
statuses are left to PTB (BaseRequest turns them into BadRequest, Forbidden, RetryAfter…).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.logs import redact

# What HTML5 form encoders (httpx, browsers) escape in a multipart file name; the sandbox,
# like Telegram, reads them back.
_FILENAME_ESCAPES = str.maketrans({'"': "%22", "\r": "%0D", "\n": "%0A"})
# Told of every answered request but the long poll, whose duration is Telegram's timeout.
_UNOBSERVED = frozenset({"getUpdates"})

Observer = Callable[[str, float, int], None]
"""(Bot API method, seconds from request to answer, HTTP status)"""


class AiohttpRequest(BaseRequest):
    """A `telegram.request.BaseRequest` on one `aiohttp.ClientSession`.

    The arguments mean what they mean for PTB's HTTPXRequest, with its defaults. aiohttp
    has no separate write timeout: a request's upload is bounded by the read timeout (no
    byte back within it) and, for uploads, by `media_write_timeout` on the whole request.
    """

    __slots__ = (
        "_connect_timeout",
        "_media_write_timeout",
        "_observe",
        "_pool_size",
        "_pool_timeout",
        "_read_timeout",
        "_session",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
        observe: Observer | None = None,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._observe = observe
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=0)
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
                # No cookies, no environment proxies: the Bot API needs neither.
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=True,
            )

    async def shutdown(self) -> None:
        if self._session is None or self._session.closed:
            return
        await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data is not None and request_data.contains_files
        body = _body(request_data)
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = (
            self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        )
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        write = (
            (self._media_write_timeout if files else self._write_timeout)
            if isinstance(write_timeout, DefaultValue)
            else write_timeout
        )
        timeout = aiohttp.ClientTimeout(
            # aiohttp's `connect` covers waiting for a pooled connection and connecting.
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=read,
            # An upload must finish within its write timeout, plus the time to answer.
            total=None if not files or write is None or read is None else write + read,
        )
        started = time.monotonic()
        try:
            async with session.request(method, url, data=body, timeout=timeout) as response:
                answer = response.status, await response.read()
        except TimeoutError as error:  # aiohttp's timeouts are asyncio's TimeoutError
            raise TimedOut(f"aiohttp: timed out ({type(error).__name__})") from error
        except aiohttp.ClientError as error:
            # aiohttp's messages may carry the URL, and the URL carries the token.
            raise NetworkError(redact(f"aiohttp.{type(error).__name__}: {error}")) from error
        except OSError as error:
            raise NetworkError(redact(f"{type(error).__name__}: {error}")) from error
        if self._observe is not None:
            api_method = url.rsplit("/", 1)[-1]
            if api_method not in _UNOBSERVED:
                self._observe(api_method, time.monotonic() - started, answer[0])
        return answer


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    """PTB's parameters as httpx would send them: a form, multipart when there are files."""
    if request_data is None:
        return None
    if not request_data.contains_files:
        return request_data.json_parameters
    form = aiohttp.FormData(quote_fields=False, charset="utf-8")
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mime) in request_data.multipart_data.items():
        form.add_field(
            name, content, filename=filename.translate(_FILENAME_ESCAPES), content_type=mime
        )
    return form
