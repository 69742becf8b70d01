"""The staff dashboard: pages and actions on the bot's one web server.

login (the /web link, the Mini App's init data), views (the pages), actions (the chat's
actions, through its services), downloads (the report's files), roster_invite (invite links
with QR codes); auth guards them all. Static files are served from ./static.
"""

from __future__ import annotations

from aiohttp import web

from bot.web.dashboard import actions, downloads, login, roster_invite, views
from bot.web.dashboard.live import LiveCache
from bot.web.dashboard.render import STATIC, make_templates
from bot.web.dashboard.state import DASHBOARD, Dashboard

STATIC_PREFIX = "/static/dashboard"


def add_routes(app: web.Application, *, refresh: float) -> None:
    """The dashboard's routes; a letter's page looks for new counts every `refresh` seconds
    (the counts are cached for two thirds of that, shared by every browser watching)."""
    app[DASHBOARD] = Dashboard(make_templates(), LiveCache(refresh * 2 / 3), refresh)
    login.add_routes(app)
    views.add_routes(app)
    actions.add_routes(app)
    downloads.add_routes(app)
    roster_invite.add_routes(app)
    app.router.add_static(STATIC_PREFIX, STATIC)
