"""Pages from Jinja2 templates (autoescape on), in the viewer's language.

Texts come from the bot's catalogues (bot/texts): `t()` escapes its parameters, so its
result is marked safe for the template and is not escaped twice.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from aiohttp import web
from markupsafe import Markup

from bot.texts import t

HERE = Path(__file__).parent
STATIC = HERE / "static"
# What a page may load: only what the bot serves (the office network may have no internet);
# Telegram's clients frame the Mini App.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'self' https://web.telegram.org https://*.telegram.org"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def make_templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def texts_for(lang: str) -> Any:
    def text(key: str, **params: object) -> Markup:
        return Markup(t(lang, key, **params))  # noqa: S704 (t escapes every parameter)

    return text


def local_time(tz: ZoneInfo) -> Any:
    def shown(moment: datetime | None) -> str:
        return moment.astimezone(tz).strftime("%d/%m/%Y %H:%M") if moment else ""

    return shown


def page(
    templates: jinja2.Environment,
    name: str,
    *,
    lang: str,
    tz: ZoneInfo,
    status: int = 200,
    **context: Any,
) -> web.Response:
    template = templates.get_template(name)
    body = template.render(lang=lang, t=texts_for(lang), when=local_time(tz), **context)
    return web.Response(
        text=body, status=status, content_type="text/html", headers=SECURITY_HEADERS
    )
