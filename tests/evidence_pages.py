"""Agency pages for the evidence checks, shared by test_evidence.py and test_evidence_hostile.py:
BOOK (the link a letter asks agencies to publish), `page` (an agency's page linking to given
addresses), `serving` (an aiohttp server on a free port of 127.0.0.1 answering given routes,
each a Handler) and `recording_client` (an httpx client that never touches the network and
records what it is asked for). Both modules check pages with them, so they live here rather
than in either test module."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager

import httpx
from aiohttp import web

BOOK = "https://book365.vn"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def page(*hrefs: str, head: str = "", charset: str = "utf-8") -> str:
    links = "".join(f'<li><a href="{href}">link</a></li>' for href in hrefs)
    return (
        f'<!doctype html><html><head><meta charset="{charset}">{head}<title>Sở VHTTDL</title>'
        f"</head><body><h1>Ngày hội sách trực tuyến</h1><ul>{links}</ul></body></html>"
    )


@asynccontextmanager
async def serving(routes: dict[str, Handler]) -> AsyncIterator[str]:
    """An HTTP server on a free port of 127.0.0.1; yields its base URL."""
    app = web.Application()
    for path, handler in routes.items():
        app.router.add_get(path, handler)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


@contextmanager
def recording_client(
    answer: Callable[[httpx.Request], httpx.Response] | None = None,
) -> Iterator[tuple[httpx.AsyncClient, list[httpx.Request]]]:
    """A client that never touches the network and records every request it is asked for."""
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return answer(request) if answer else httpx.Response(500)

    yield httpx.AsyncClient(transport=httpx.MockTransport(handler)), requests
