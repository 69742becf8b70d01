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
class RefusalBudget:
    """How many refusals a minute go to the event log. Refusals need no sign-in, so without
    a bound anyone could fill the database by asking for a page again and again; beyond
    the budget they are counted, and the count is logged once the minute is over."""

    per_minute: int = 60
    window_started: float = 0.0
    written: int = 0
    skipped: int = 0

    def admit(self, now: float) -> tuple[bool, int]:
        """Whether this refusal is written; and how many the last full minute left out."""
        left_out = 0
        if now - self.window_started >= 60.0:
            left_out, self.skipped = self.skipped, 0
            self.window_started, self.written = now, 0
        if self.written < self.per_minute:
            self.written += 1
            return True, left_out
        self.skipped += 1
        return False, left_out


@dataclass
class Dashboard:
    templates: jinja2.Environment
    live: LiveCache
    refresh: float
    """How often a letter's page in a browser asks for its live counts."""
    served_url: str = ""
    """http://host:port where the server listens, once it does (set by the runner): the
    sign-in links' base when `[web] public_url` is empty."""
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    refusals: RefusalBudget = field(default_factory=RefusalBudget)

    def background(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` after the answer (an evidence check), keeping a reference to it."""
        task = asyncio.ensure_future(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)


DASHBOARD = web.AppKey("dashboard", Dashboard)
