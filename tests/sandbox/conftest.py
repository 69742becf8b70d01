"""The sandbox's own tests: a sandbox with Telegram's limits, PTB's standard client on it,
and a raw HTTP client for what PTB would never send.

Both clients skip TLS verification: the sandbox speaks plain HTTP on 127.0.0.1, and loading
the system's certificates for each client cost more than most of these tests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import telegram
from telegram.request import HTTPXRequest

from bot.sandbox import Sandbox


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox() as sb:
        yield sb


def _request() -> HTTPXRequest:
    return HTTPXRequest(httpx_kwargs={"verify": False})


@pytest.fixture
async def bot(sandbox: Sandbox) -> AsyncIterator[telegram.Bot]:
    client = telegram.Bot(
        sandbox.token,
        base_url=f"{sandbox.base_url}/bot",
        base_file_url=f"{sandbox.base_url}/file/bot",
        request=_request(),
        get_updates_request=_request(),
    )
    async with client:
        yield client


@pytest.fixture
async def raw(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    base = f"{sandbox.base_url}/bot{sandbox.token}/"
    async with httpx.AsyncClient(base_url=base, verify=False) as client:  # noqa: S501 (plain HTTP)
        yield client
