"""What staff do from a letter's page, through the same services as the chat: mark by hand
(with a reason), remind now, check evidence again, close (after a confirmation page).

Each action answers with a redirect back to the page (303), carrying a short note of what
was done; a refused one (no reason, not a recipient) changes nothing and says why.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from aiohttp import web
from multidict import MultiDictProxy

from bot.answers.by_hand import MarkError, MarkStatus, mark_by_hand
from bot.delivery.closing import close_letter
from bot.evidence.recheck import RecheckError, request_recheck
from bot.texts import t
from bot.web.dashboard.auth import Viewer, staff_action, staff_page
from bot.web.dashboard.render import page
from bot.web.dashboard.state import DASHBOARD
from bot.web.dashboard.views import letter_id
from bot.web.keys import DEPS
from db.queries.directives import OPEN_STATUSES, get_directive

SAFE_QUERY = re.compile(r"\?[\w%=&.+~-]*")


def _back(directive_id: int, note: str, back: str = "") -> web.Response:
    """303 to the letter's page (keeping its filters, when they are a plain query string),
    with `note` shown on top."""
    query = back if SAFE_QUERY.fullmatch(back) else ""
    separator = "&" if query else "?"
    location = f"/app/letters/{directive_id}{query}{separator}note={quote(note)}"
    return web.Response(status=303, headers={"Location": location})


def _field(form: MultiDictProxy[Any], name: str, limit: int = 600) -> str:
    return str(form.get(name) or "")[:limit]


@staff_action
async def mark(request: web.Request, viewer: Viewer, form: MultiDictProxy[Any]) -> web.Response:
    deps = request.app[DEPS]
    directive_id = letter_id(request)
    code = _field(form, "code", 64)
    raw_status = _field(form, "status", 16)
    if raw_status not in set(MarkStatus):  # a forged form: say so, change nothing
        return _back(directive_id, t(viewer.lang, "mark.bad_status"), _field(form, "back"))
    status = MarkStatus(raw_status)
    reason = _field(form, "reason")
    try:
        async with deps.sessionmaker.begin() as session:
            await mark_by_hand(
                session,
                directive_id=directive_id,
                agency_code=code,
                status=status,
                reason=reason,
                staff_id=viewer.user_id,
                now=deps.clock(),
                staff_name=viewer.name,
            )
    except MarkError as error:
        note = t(viewer.lang, error.key, id=directive_id, code=code)
        return _back(directive_id, note, _field(form, "back"))
    deps.notices.check_all_acknowledged(directive_id)
    request.app[DASHBOARD].live.forget(directive_id)
    note = t(
        viewer.lang,
        "mark.done",
        code=code,
        id=directive_id,
        status=t(viewer.lang, f"mark.status.{status}"),
        reason=reason.strip(),
    )
    return _back(directive_id, note, _field(form, "back"))


@staff_action
async def remind(request: web.Request, viewer: Viewer, form: MultiDictProxy[Any]) -> web.Response:
    directive_id = letter_id(request)
    result = await request.app[DEPS].reminders.remind_now(directive_id, viewer.user_id)
    if result is None:
        note = t(viewer.lang, "remind.unknown", id=directive_id)
    elif result.agencies == 0 and not result.unreachable:
        note = t(viewer.lang, "remind.none", number=result.number)
    else:
        note = t(
            viewer.lang,
            "remind.queued",
            agencies=result.agencies,
            number=result.number,
            messages=result.messages,
        )
    return _back(directive_id, note)


@staff_action
async def verify(request: web.Request, viewer: Viewer, form: MultiDictProxy[Any]) -> web.Response:
    deps = request.app[DEPS]
    directive_id = letter_id(request)
    code = _field(form, "code", 64)
    try:
        recheck = await request_recheck(deps.sessionmaker, directive_id, code, viewer.user_id)
    except RecheckError as error:
        return _back(directive_id, t(viewer.lang, error.key, id=directive_id, code=code))
    # The verdicts are recorded on the evidence (the table shows them) and sent to the
    # staff member's chat, as for /verify.
    request.app[DASHBOARD].background(
        deps.evidence.check(
            chat_id=viewer.user_id,
            lang=viewer.lang,
            number=recheck.number,
            directive_id=directive_id,
            delivery_id=None,
            links=recheck.links,
            checks=recheck.checks,
        )
    )
    note = t(viewer.lang, "verify.started", id=directive_id, code=code, count=len(recheck.checks))
    return _back(directive_id, note, _field(form, "back"))


@staff_page
async def close_question(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET …/close: the confirmation (closing cannot be undone)."""
    deps = request.app[DEPS]
    directive_id = letter_id(request)
    async with deps.sessionmaker() as session:
        directive = await get_directive(session, directive_id)
    if directive is None or directive.status not in OPEN_STATUSES:
        return _back(directive_id, t(viewer.lang, "close.unknown", id=directive_id))
    return page(
        request.app[DASHBOARD].templates,
        "close.html",
        lang=viewer.lang,
        tz=deps.settings.reminders.timezone,
        viewer=viewer,
        csrf=viewer.csrf_token,
        letter=directive,
    )


@staff_action
async def close(request: web.Request, viewer: Viewer, form: MultiDictProxy[Any]) -> web.Response:
    deps = request.app[DEPS]
    directive_id = letter_id(request)
    async with deps.sessionmaker.begin() as session:
        directive = await get_directive(session, directive_id)
        closed = await close_letter(
            session, directive_id, deps.clock(), actor_type="staff", actor_id=viewer.user_id
        )
    request.app[DASHBOARD].live.forget(directive_id)
    number = directive.number if directive is not None else directive_id
    key = "close.done" if closed else "close.unknown"
    return _back(directive_id, t(viewer.lang, key, number=number, id=directive_id))


def add_routes(app: web.Application) -> None:
    app.router.add_post("/app/letters/{id}/mark", mark)
    app.router.add_post("/app/letters/{id}/remind", remind)
    app.router.add_post("/app/letters/{id}/verify", verify)
    app.router.add_get("/app/letters/{id}/close", close_question)
    app.router.add_post("/app/letters/{id}/close", close)
