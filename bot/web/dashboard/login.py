"""The two ways in: a one-time link from /web, and a Telegram Mini App's init data."""

from __future__ import annotations

import json

from aiohttp import web

from bot.onboarding.identity import role_of
from bot.web.dashboard.auth import COOKIE, Viewer, refuse, set_session_cookie, staff_action
from bot.web.dashboard.initdata import MAX_INIT_DATA, InitDataError, validate
from bot.web.dashboard.render import page
from bot.web.dashboard.signin import digest, redeem_link, start_session
from bot.web.dashboard.state import DASHBOARD
from bot.web.keys import DEPS
from db.queries.dashboard import end_session
from db.queries.events import record_event

HOME = "/app"


async def login_link(request: web.Request) -> web.StreamResponse:
    """GET /web/login?token=…: take the link (once), start a session, go to the letters.

    The answer is a page that moves on by itself rather than a redirect: a SameSite=Strict
    cookie set while arriving from another site (Telegram) is sent with the page's own next
    request, not always with a redirect's.
    """
    deps = request.app[DEPS]
    now = deps.clock()
    async with deps.sessionmaker.begin() as session:
        user_id = await redeem_link(session, request.query.get("token", ""), now)
        staff = user_id is not None and await role_of(session, deps.settings, user_id) is not None
        if user_id is not None and staff:
            new = await start_session(session, user_id, "link", now)
            await record_event(
                session, "web.signed_in", actor_type="staff", actor_id=user_id, via="link"
            )
    if user_id is None:
        return await refuse(request, "link")
    if not staff:
        return await refuse(request, "not_staff", user_id)
    response = page(
        request.app[DASHBOARD].templates,
        "signed_in.html",
        lang="vi",
        tz=deps.settings.reminders.timezone,
        home=HOME,
    )
    set_session_cookie(request, response, new)
    return response


async def mini_app_auth(request: web.Request) -> web.StreamResponse:
    """POST /app/auth {"init_data": …}: the Mini App signs its user in."""
    deps = request.app[DEPS]
    try:
        body = json.loads(await request.content.read(MAX_INIT_DATA * 2))
        init_data = str(body.get("init_data", "")) if isinstance(body, dict) else ""
    except ValueError:
        init_data = ""
    now = deps.clock()
    try:
        user = validate(init_data, deps.settings.telegram.token, now)
    except InitDataError as error:
        return await refuse(request, f"init_data_{error}")
    async with deps.sessionmaker.begin() as session:
        staff = await role_of(session, deps.settings, user.id) is not None
        if staff:
            new = await start_session(session, user.id, "miniapp", now)
            await record_event(
                session, "web.signed_in", actor_type="staff", actor_id=user.id, via="miniapp"
            )
    if not staff:
        return await refuse(request, "not_staff", user.id)
    response = web.json_response({"ok": True, "home": HOME})
    set_session_cookie(request, response, new)
    return response


@staff_action
async def logout(request: web.Request, viewer: Viewer, form: object) -> web.StreamResponse:
    deps = request.app[DEPS]
    async with deps.sessionmaker.begin() as session:
        await end_session(session, digest(request.cookies.get(COOKIE, "")))
    response = web.Response(status=303, headers={"Location": HOME})
    response.del_cookie(COOKIE, path="/")
    return response


def add_routes(app: web.Application) -> None:
    app.router.add_get("/web/login", login_link)
    app.router.add_post("/app/auth", mini_app_auth)
    app.router.add_post("/app/logout", logout)
