"""The bot's aiohttp request class sends what PTB's httpx one sends, and fails the same way."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import BodyPartReader, web
from telegram import InputFile
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.telegram.request import AiohttpRequest

FILENAME = 'Công văn "số" 12\\2026.pdf'


async def _echo(request: web.Request) -> web.Response:
    """What a server reads from the request: fields, and files with name, type and bytes."""
    if request.match_info["method"] == "slow":
        await asyncio.sleep(2)
    if request.match_info["method"] == "bad":
        return web.json_response(
            {"ok": False, "error_code": 400, "description": "Bad Request: nope"}, status=400
        )
    fields: dict[str, Any] = {}
    if request.content_type == "multipart/form-data":
        async for part in await request.multipart():
            assert isinstance(part, BodyPartReader)
            data = await part.read(decode=True)
            if part.filename is None:
                fields[str(part.name)] = data.decode()
            else:
                content_type = part.headers.get("Content-Type")
                fields[str(part.name)] = [part.filename, content_type, bytes(data).hex()]
    else:
        fields = dict(await request.post())
    return web.json_response(
        {"ok": True, "result": {"fields": fields, "agent": request.headers.get("User-Agent")}}
    )


@pytest.fixture
async def server() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_post("/{method}", _echo)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


def _data(**params: object) -> RequestData:
    return RequestData([RequestParameter.from_input(k, v) for k, v in params.items()])


async def _post(request: BaseRequest, url: str, data: RequestData) -> Any:
    async with request:
        return await request.post(url, data)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"chat_id": 42, "text": "Đã nhận bởi <b>A & B</b>", "reply_markup": {"k": [1, "x"]}},
        {
            "chat_id": 42,
            "caption": "Công văn",
            "document": InputFile(b"%PDF-1.4 \x00\xff", filename=FILENAME),
        },
    ],
    ids=["empty", "form", "multipart"],
)
async def test_sends_what_httpx_sends(server: str, params: dict[str, object]) -> None:
    ours = await _post(AiohttpRequest(), f"{server}/send", _data(**params))
    theirs = await _post(HTTPXRequest(), f"{server}/send", _data(**params))
    assert ours == theirs
    if "document" in params:
        # Quotes escaped as HTML5 forms do; the sandbox (like Telegram) reads them back.
        assert ours["fields"]["document"][0].replace("%22", '"') == FILENAME


async def test_http_errors_are_left_to_ptb(server: str) -> None:
    with pytest.raises(BadRequest, match=r"(?i)nope"):
        await _post(AiohttpRequest(), f"{server}/bad", _data(chat_id=1))


async def test_a_slow_answer_times_out(server: str) -> None:
    request = AiohttpRequest()
    async with request:
        with pytest.raises(TimedOut):
            await request.post(f"{server}/slow", _data(), read_timeout=0.2)
        # The default read timeout (5 s) waits it out, as getUpdates' long poll needs.
        answer = await request.post(f"{server}/slow", _data())
        assert isinstance(answer, dict)
        assert "fields" in answer


async def test_a_refused_connection_is_a_network_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(NetworkError) as error:
        await _post(AiohttpRequest(), f"http://127.0.0.1:{port}/send", _data())
    assert not isinstance(error.value, TimedOut)


async def test_not_initialized_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="not initialized"):
        await AiohttpRequest().do_request("http://127.0.0.1:1/x", "POST")
