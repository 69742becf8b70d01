"""What the web routes need, under typed keys of the aiohttp application."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.deps import Deps

if TYPE_CHECKING:
    from bot.app import BotApplication


@dataclass(frozen=True)
class Webhook:
    """Where Telegram posts updates, and the secret it sends with each."""

    path: str
    secret: str


DEPS = web.AppKey("deps", Deps)
ENGINE = web.AppKey("engine", AsyncEngine)
APPLICATION: web.AppKey[BotApplication] = web.AppKey("application")
WEBHOOK = web.AppKey("webhook", Webhook)
