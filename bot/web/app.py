"""The bot's web server: one aiohttp application per bot, built by the bot's factory.

Routes come from one module each (health, metrics, the Telegram webhook); what they need is
under typed keys (bot.web.keys). `bot.runner` serves it on `[web] listen:port`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.deps import Deps
from bot.web import dashboard, health, metrics, telegram
from bot.web.dashboard.state import DASHBOARD
from bot.web.keys import APPLICATION, DEPS, ENGINE, WEBHOOK, Webhook

if TYPE_CHECKING:
    from bot.app import BotApplication

WEB_APP_KEY = "web_app"


def webhook_of(deps: Deps) -> Webhook | None:
    """Where and with which secret Telegram posts updates (None in polling mode)."""
    hook = deps.settings.telegram.webhook
    if deps.settings.telegram.mode != "webhook":
        return None
    path = urlsplit(hook.url).path or "/"
    secret = hook.secret_token or telegram.derived_secret(deps.settings.telegram.token)
    return Webhook(path, secret)


def build_web_app(
    application: BotApplication, deps: Deps, engine: AsyncEngine, *, dashboard_refresh: float
) -> web.Application:
    app = web.Application(client_max_size=telegram.MAX_UPDATE_BYTES)
    app[DEPS] = deps
    app[ENGINE] = engine
    app[APPLICATION] = application
    health.add_routes(app)
    metrics.add_routes(app)
    dashboard.add_routes(app, refresh=dashboard_refresh)
    hook = webhook_of(deps)
    if hook is not None:
        app[WEBHOOK] = hook
        telegram.add_routes(app, hook.path)
    return app


def dashboard_url(app: web.Application, settings_public_url: str) -> str:
    """Where browsers reach the dashboard: `[web] public_url`, else where it listens."""
    return settings_public_url or app[DASHBOARD].served_url


def web_app_of(bot_data: dict[Any, Any]) -> web.Application:
    app = bot_data[WEB_APP_KEY]
    if not isinstance(app, web.Application):
        raise TypeError("the Application was not built by bot.app.build_application")
    return app
