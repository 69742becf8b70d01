"""What the dashboard's routes share, under one typed key of the web application."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

import jinja2
from aiohttp import web

from bot.web.dashboard.live import LiveCache


@dataclass
class Dashboard:
    templates: jinja2.Environment
    live: LiveCache
    served_url: str = ""
    """http://host:port where the server listens, once it does (set by the runner): the
    sign-in links' base when `[web] public_url` is empty."""
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def background(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` after the answer (an evidence check), keeping a reference to it."""
        task = asyncio.ensure_future(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)


DASHBOARD = web.AppKey("dashboard", Dashboard)
