"""GET /healthz and GET /readyz: for the process supervisor and the load balancer.

/healthz touches nothing: 200 while the process serves HTTP. /readyz is honest and cheap:
one `SELECT 1` and the schema's revision, within a deadline; 503 with the reason in one line
when the database does not answer or its schema is not the one this code expects.
"""

from __future__ import annotations

import asyncio
import functools

from aiohttp import web
from sqlalchemy import text

from bot.resilience import database_unavailable, describe
from bot.web.keys import DEPS, ENGINE
from db.migrate import head_revision, read_revision

READY_TIMEOUT_SECONDS = 2.0
_head = functools.cache(head_revision)


async def healthz(request: web.Request) -> web.Response:
    return web.Response(text="ok\n")


async def readyz(request: web.Request) -> web.Response:
    engine = request.app[ENGINE]
    deps = request.app[DEPS]
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            revision = await connection.run_sync(read_revision)
    except Exception as error:
        if database_unavailable(error):
            deps.database.failed("readyz", error)
        reason = "timed out" if isinstance(error, TimeoutError) else describe(error)
        return web.Response(status=503, text=f"database unavailable: {reason}\n")
    head = _head()
    if revision != head:
        return web.Response(
            status=503,
            text=f"database schema at {revision or 'nothing'}, this code needs {head}: "
            "run `agency-bot db upgrade`\n",
        )
    leader = "leader" if deps.leadership.is_leader else "standby"
    return web.Response(text=f"ready ({leader}, schema {revision})\n")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
