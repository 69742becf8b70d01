"""Read a Bot API request's parameters from any of the encodings Telegram accepts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web

from bot.sandbox.botapi import ApiError

MAX_REQUEST_BYTES = 50 * 1024 * 1024  # Telegram's upload limit for bots
TOO_LARGE = ApiError(413, "Request Entity Too Large")


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    content: bytes


async def read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Merge query string and body (form, multipart or JSON) into raw parameters.

    Uploaded files are returned separately; the parameter that carries one becomes an
    ``attach://<part>`` reference, so a direct upload and an attach:// one look the same.
    """
    raw: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.can_read_body:
        ctype = request.content_type
        if ctype == "application/json":
            raw.update(await _read_json(request))
        elif ctype == "multipart/form-data":
            await _read_multipart(request, raw, uploads)
        else:
            try:
                form = await request.post()
            except web.HTTPRequestEntityTooLarge:
                raise TOO_LARGE from None
            raw.update({k: v for k, v in form.items() if isinstance(v, str)})
    for name in uploads:
        raw.setdefault(name, f"attach://{name}")
    return raw, uploads


async def _read_json(request: web.Request) -> dict[str, Any]:
    body = await request.read()
    if len(body) > MAX_REQUEST_BYTES:
        raise TOO_LARGE
    try:
        data = json.loads(body) if body.strip() else {}
    except ValueError:
        raise ApiError(400, "Bad Request: can't parse JSON object") from None
    if not isinstance(data, dict):
        raise ApiError(400, "Bad Request: JSON object expected")
    return data


async def _read_multipart(
    request: web.Request, raw: dict[str, Any], uploads: dict[str, Upload]
) -> None:
    reader = await request.multipart()
    total = 0
    async for part in reader:
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        data = await part.read(decode=True)
        total += len(data)
        if total > MAX_REQUEST_BYTES:
            raise TOO_LARGE
        if part.filename is None:
            raw[part.name] = data.decode(part.get_charset("utf-8"), "replace")
            continue
        uploads[part.name] = Upload(
            filename=_unescape_filename(part.filename),
            content_type=part.headers.get("Content-Type"),
            content=bytes(data),
        )


def _unescape_filename(name: str) -> str:
    """HTML5 multipart encoders (httpx, browsers) percent-escape quotes and line breaks."""
    return name.replace("%22", '"').replace("%0D", "\r").replace("%0A", "\n")
