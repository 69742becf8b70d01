"""The dashboard's pages: the letters, a letter (counts, chart, roll-up, agencies), its
event log, and the roster. Reading needs no JavaScript; only the live counts poll."""

from __future__ import annotations

import html
import re
from dataclasses import asdict, replace
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from bot.reports.journal import actor, describe
from bot.reports.rollup import load_rollup
from bot.web.dashboard.auth import Viewer, staff_page, viewer_of
from bot.web.dashboard.login import HOME
from bot.web.dashboard.render import page
from bot.web.dashboard.state import DASHBOARD
from bot.web.keys import DEPS
from db.models import DeliveryStatus
from db.queries import dashboard as queries
from db.queries.summary import directive_head, events

PAGE_SIZE = 100
LOG_LIMIT = 2000
STATUSES = tuple(DeliveryStatus)


def _number(raw: str | None, default: int = 0) -> int:
    try:
        return max(0, int(raw or default))
    except ValueError:
        return default


def table_query(request: web.Request) -> queries.TableQuery:
    q = request.query
    sort = q.get("sort", "code")
    return queries.TableQuery(
        status=q.get("status", "") if q.get("status", "") in STATUSES else "",
        group=q.get("group", "")[:32],
        under=q.get("under", "")[:64].strip(),
        search=q.get("q", "")[:100],
        sort=sort if sort in queries.SORTS else "code",
        descending=q.get("dir") == "desc",
        page=_number(q.get("page")),
    )


def query_link(query: queries.TableQuery, **changes: Any) -> str:
    """The table's address with some of its settings changed (a sort, a page)."""
    shown = replace(query, **changes)
    params = {
        "status": shown.status,
        "group": shown.group,
        "under": shown.under,
        "q": shown.search,
        "sort": shown.sort if shown.sort != "code" else "",
        "dir": "desc" if shown.descending else "",
        "page": str(shown.page) if shown.page else "",
    }
    return "?" + urlencode({k: v for k, v in params.items() if v})


def letter_id(request: web.Request) -> int:
    try:
        return int(request.match_info["id"])
    except ValueError:
        raise web.HTTPNotFound() from None


def _note(request: web.Request) -> str:
    """What the last action did (after its redirect), as plain text: the address is anyone's
    to write, so nothing of it is shown as markup."""
    raw = request.query.get("note", "")[:600]
    return html.unescape(re.sub(r"<[^>]*>", "", raw))


def _page(request: web.Request, viewer: Viewer, name: str, **context: Any) -> web.Response:
    deps = request.app[DEPS]
    context.setdefault("note", _note(request))
    return page(
        request.app[DASHBOARD].templates,
        name,
        lang=viewer.lang,
        tz=deps.settings.reminders.timezone,
        viewer=viewer,
        csrf=viewer.csrf_token,
        group_name=deps.settings.group_name,
        refresh=request.app[DASHBOARD].refresh,
        **context,
    )


async def home(request: web.Request) -> web.StreamResponse:
    """GET /app: the letters for staff; for anyone else the sign-in page, which signs a
    Mini App in by its init data (a browser is told to ask /web in Telegram)."""
    viewer = await viewer_of(request)
    if viewer is None:
        deps = request.app[DEPS]
        return page(
            request.app[DASHBOARD].templates,
            "sign_in.html",
            lang="vi",
            tz=deps.settings.reminders.timezone,
        )
    return await letters_page(request, viewer)


async def letters_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    deps = request.app[DEPS]
    today = deps.clock().astimezone(deps.settings.reminders.timezone).date()
    async with deps.sessionmaker() as session:
        lines = await queries.letters(session, today)
    return _page(request, viewer, "letters.html", letters=lines)


@staff_page
async def letter_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    deps = request.app[DEPS]
    directive_id = letter_id(request)
    query = table_query(request)
    now = deps.clock()
    tz = deps.settings.reminders.timezone
    async with deps.sessionmaker() as session:
        head = await directive_head(session, directive_id)
        if head is None:
            raise web.HTTPNotFound()
        table = await queries.agency_table(session, directive_id, query, page_size=PAGE_SIZE)
        groups = await queries.letter_groups(session, directive_id)
        rollup = await load_rollup(session, directive_id, now, tz)
    counts = await live_counts(request, directive_id)
    pages = max(1, (table.total + PAGE_SIZE - 1) // PAGE_SIZE)
    return _page(
        request,
        viewer,
        "letter.html",
        letter=head,
        counts=counts,
        table=table,
        query=query,
        link=lambda **changes: query_link(query, **changes),
        pages=pages,
        groups=groups,
        statuses=STATUSES,
        rollup=None if rollup.empty else rollup,
        sorts=tuple(queries.SORTS),
    )


async def live_counts(request: web.Request, directive_id: int) -> queries.LiveCounts:
    """The letter's counts, from the cache shared by every browser watching it."""
    deps = request.app[DEPS]
    today = deps.clock().astimezone(deps.settings.reminders.timezone).date()

    async def load() -> queries.LiveCounts:
        async with deps.sessionmaker() as session:
            return await queries.live_counts(session, directive_id, today)

    return await request.app[DASHBOARD].live.get(directive_id, load)


@staff_page
async def live(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /app/letters/{id}/live: the counts as JSON, for the page's few lines of JS."""
    counts = await live_counts(request, letter_id(request))
    return web.json_response(asdict(counts), headers={"Cache-Control": "no-store"})


@staff_page
async def log_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    deps = request.app[DEPS]
    directive_id = letter_id(request)
    async with deps.sessionmaker() as session:
        head = await directive_head(session, directive_id)
        if head is None:
            raise web.HTTPNotFound()
        rows = await events(session, directive_id=directive_id, limit=LOG_LIMIT)
    lines = [(row.at, actor(row, viewer.lang), describe(row, viewer.lang), row) for row in rows]
    return _page(request, viewer, "events.html", letter=head, lines=lines)


@staff_page
async def roster(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    deps = request.app[DEPS]
    search = request.query.get("q", "")[:100]
    async with deps.sessionmaker() as session:
        total, shown, lines = await queries.roster_page(
            session, search=search, page=_number(request.query.get("page")), page_size=PAGE_SIZE
        )
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    return _page(
        request,
        viewer,
        "roster.html",
        lines=lines,
        total=total,
        page=shown,
        pages=pages,
        search=search,
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get(HOME, home)
    app.router.add_get("/app/letters/{id}", letter_page)
    app.router.add_get("/app/letters/{id}/live", live)
    app.router.add_get("/app/letters/{id}/events", log_page)
    app.router.add_get("/app/roster", roster)
