"""Telegram's updates in webhook mode: one route of the bot's web server.

Telegram sends the secret registered with setWebhook in the X-Telegram-Bot-Api-Secret-Token
header of every request; a request without it, or with another, is refused with 403 before
its body is even read, and changes nothing. The comparison takes constant time. An accepted
update goes into the Application's update queue, as PTB's own webhook server would put it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

from aiohttp import web
from telegram import Update

from bot.web.keys import APPLICATION, DEPS, WEBHOOK

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
MAX_UPDATE_BYTES = 1 << 20


def derived_secret(token: str) -> str:
    """The webhook secret when none is configured: an HMAC of the bot token, so that every
    instance behind the proxy computes the same one and it changes with the token. Only
    who has the token can compute it, and the token already gives everything away."""
    digest = hmac.new(token.encode(), b"agency-bot webhook secret", hashlib.sha256)
    return digest.hexdigest()


def _secret_matches(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


async def telegram_update(request: web.Request) -> web.Response:
    app = request.app
    hook = app[WEBHOOK]
    deps = app[DEPS]
    if not _secret_matches(request.headers.get(SECRET_HEADER, ""), hook.secret):
        deps.metrics.webhook_refused.inc()
        log.debug("refused a webhook request without the right secret from %s", request.remote)
        return web.Response(status=403)
    try:
        body = await request.content.read(MAX_UPDATE_BYTES + 1)
        if len(body) > MAX_UPDATE_BYTES:
            raise ValueError("too large")
        data = json.loads(body)
        if not isinstance(data, dict):
            raise ValueError("not an object")
        application = app[APPLICATION]
        update = Update.de_json(data, application.bot)
    except Exception:
        deps.metrics.webhook_refused.inc()
        return web.Response(status=400)
    await application.update_queue.put(update)
    return web.Response()


def add_routes(app: web.Application, path: str) -> None:
    app.router.add_post(path, telegram_update)
