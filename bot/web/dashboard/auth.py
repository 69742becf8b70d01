"""Who is looking at the dashboard, and the refusals.

A request is a staff member's when its session cookie names a live session and its user is
staff now (removing someone from the staff ends their dashboard at once). A state-changing
request must also carry the session's CSRF token, in the form or the X-CSRF-Token header.
Every refusal — not staff, a used or expired link, forged or stale init data, a missing or
wrong CSRF token — is a 403 with a page that says nothing more, and a line in the event log.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from bot.onboarding.identity import language_of, role_of
from bot.web.dashboard.render import page
from bot.web.dashboard.signin import NewSession, digest
from bot.web.dashboard.state import DASHBOARD
from bot.web.keys import DEPS
from db.queries.dashboard import find_session, staff_name
from db.queries.events import record_event

log = logging.getLogger(__name__)

COOKIE = "agency_bot_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf"


@dataclass(frozen=True)
class Viewer:
    user_id: int
    lang: str
    csrf_token: str
    name: str | None


async def viewer_of(request: web.Request) -> Viewer | None:
    """The signed-in staff member; None without a live session (or no longer staff: the
    caller refuses)."""
    cookie = request.cookies.get(COOKIE, "")
    if not cookie:
        return None
    deps = request.app[DEPS]
    async with deps.sessionmaker() as session:
        live = await find_session(session, digest(cookie), deps.clock())
        if live is None:
            return None
        if await role_of(session, deps.settings, live.user_id) is None:
            return None
        lang = await language_of(session, live.user_id, None)
        name = await staff_name(session, live.user_id)
    return Viewer(live.user_id, lang, live.csrf_token, name)


async def refuse(request: web.Request, reason: str, user_id: int | None = None) -> web.Response:
    """403, a page that says only that, and the refusal in the event log (up to the
    refusal budget a minute: beyond it, counted in the bot's log)."""
    deps = request.app[DEPS]
    written, left_out = request.app[DASHBOARD].refusals.admit(time.monotonic())
    if left_out:
        log.warning("dashboard: %d refusal(s) over the budget were not written", left_out)
    if written:
        async with deps.sessionmaker.begin() as session:
            await record_event(
                session,
                "web.refused",
                actor_type="user",
                actor_id=user_id,
                reason=reason,
                path=request.path[:64],
            )
    return forbidden(request)


def forbidden(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    return page(
        request.app[DASHBOARD].templates,
        "refused.html",
        lang="vi",
        tz=deps.settings.reminders.timezone,
        status=403,
    )


def set_session_cookie(request: web.Request, response: web.StreamResponse, new: NewSession) -> None:
    public = request.app[DEPS].settings.web.public_url
    response.set_cookie(
        COOKIE,
        new.cookie,
        max_age=int((new.expires_at - request.app[DEPS].clock()).total_seconds()),
        path="/",
        httponly=True,
        samesite="Strict",
        secure=public.startswith("https://"),
    )


def csrf_matches(viewer: Viewer, given: str) -> bool:
    return bool(given) and hmac.compare_digest(given.encode(), viewer.csrf_token.encode())


Page = Callable[[web.Request, Viewer], Awaitable[web.StreamResponse]]
Action = Callable[[web.Request, Viewer, MultiDictProxy[Any]], Awaitable[web.StreamResponse]]


def staff_page(handler: Page) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """A page for signed-in staff: 403 (nothing learned) for anyone else."""

    async def guarded(request: web.Request) -> web.StreamResponse:
        viewer = await viewer_of(request)
        if viewer is None:
            return forbidden(request)
        return await handler(request, viewer)

    return guarded


def staff_action(handler: Action) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """A state-changing POST: signed-in staff with the session's CSRF token, else 403, the
    refusal logged, and nothing changed."""

    async def guarded(request: web.Request) -> web.StreamResponse:
        viewer = await viewer_of(request)
        if viewer is None:
            return await refuse(request, "no_session")
        form = await request.post()
        given = request.headers.get(CSRF_HEADER) or str(form.get(CSRF_FIELD) or "")
        if not csrf_matches(viewer, given):
            return await refuse(request, "csrf", viewer.user_id)
        return await handler(request, viewer, form)

    return guarded
