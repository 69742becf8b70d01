"""GET /metrics: the Prometheus text format (bot.metrics holds every series).

The counters are updated where things happen; only the send queue's depth and the age of
its oldest due message are read here, by one query over the queue's status index (with a
deadline: a scrape never hangs on a sick database).
"""

from __future__ import annotations

import asyncio

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.resilience import database_unavailable
from bot.web.keys import DEPS
from db.queries.outbox import queue_state

QUEUE_QUERY_TIMEOUT_SECONDS = 2.0


async def metrics(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    now = deps.clock()
    try:
        async with asyncio.timeout(QUEUE_QUERY_TIMEOUT_SECONDS), deps.sessionmaker() as session:
            state = await queue_state(session, now)
    except Exception as error:  # the counters are still worth serving
        if database_unavailable(error):
            deps.database.failed("metrics", error)
    else:
        deps.metrics.queue_depth.labels(status="queued").set(state.queued)
        deps.metrics.queue_depth.labels(status="sending").set(state.sending)
        age = 0.0 if state.oldest_due is None else (now - state.oldest_due).total_seconds()
        deps.metrics.queue_oldest_age.set(max(0.0, age))
    return web.Response(body=deps.metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/metrics", metrics)
