"""An invite link made from the roster page, with its QR code to print and hand over."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import segno
from aiohttp import web
from markupsafe import Markup
from multidict import MultiDictProxy

from bot.onboarding.invites import UnknownAgencyError, create_invite, deep_link
from bot.texts import t
from bot.web.dashboard.auth import Viewer, staff_action
from bot.web.dashboard.render import page
from bot.web.dashboard.state import DASHBOARD
from bot.web.keys import APPLICATION, DEPS


def qr_svg(link: str) -> Markup:
    """The link as an inline SVG QR code (no file, no external service)."""
    code = segno.make(link, error="m")
    svg = code.svg_inline(scale=6, border=2, dark="#000", light="#fff")
    return Markup(svg)  # noqa: S704 (segno's own SVG markup of our link)


def bot_username(request: web.Request) -> str:
    configured = request.app[DEPS].settings.telegram.username
    return configured or request.app[APPLICATION].bot.username


@staff_action
async def invite(request: web.Request, viewer: Viewer, form: MultiDictProxy[Any]) -> web.Response:
    deps = request.app[DEPS]
    code = str(form.get("code") or "")[:64]
    try:
        async with deps.sessionmaker.begin() as session:
            created = await create_invite(
                session, agency_code=code, now=deps.clock(), created_by=viewer.user_id
            )
    except UnknownAgencyError:
        note = t(viewer.lang, "invite.unknown_agency", code=code)
        return web.Response(status=303, headers={"Location": f"/app/roster?note={quote(note)}"})
    link = deep_link(bot_username(request), created.token)
    return page(
        request.app[DASHBOARD].templates,
        "invite.html",
        lang=viewer.lang,
        tz=deps.settings.reminders.timezone,
        viewer=viewer,
        csrf=viewer.csrf_token,
        invite=created,
        link=link,
        qr=qr_svg(link),
    )


def add_routes(app: web.Application) -> None:
    app.router.add_post("/app/roster/invite", invite)
