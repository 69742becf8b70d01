"""What handlers and jobs need, built once by the factory and passed in, never imported as
globals."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import CallbackContext, ExtBot

from bot.config import Settings
from bot.delivery.dispatcher import PROBE_AFTER_SECONDS, WORKERS
from bot.metrics import Metrics
from bot.resilience import DatabaseStatus, JobGuard, Supervisor
from bot.telegram.limiter import CHAT_INTERVAL_SECONDS
from bot.telegram.malformed import MalformedPresses
from bot.telegram.strangers import StrangerBudget

if TYPE_CHECKING:
    from bot.answers.acknowledge import AckBatcher
    from bot.answers.notices import Notices
    from bot.delivery.dispatcher import Dispatcher
    from bot.delivery.leadership import Leadership
    from bot.delivery.progress import ProgressReporter
    from bot.evidence.checker import EvidenceChecker
    from bot.reminders.rounds import Reminders
    from bot.telegram.prompts import Prompts

DEPS_KEY = "deps"


@dataclass(frozen=True)
class Tuning:
    """How often the bot's own loops look, and how far apart two messages to one chat go.

    Production uses the defaults (Telegram allows one message per second in a chat). Tests
    that are not about pacing shorten them, against a sandbox configured to match, so that
    a conversation does not wait a second per reply.
    """

    chat_interval: float = CHAT_INTERVAL_SECONDS
    reminder_tick: float = 1.0
    progress_interval: float = 3.0
    idle_poll: float = 1.0
    report_expiry_interval: float | None = None
    """None: a quarter of evidence.report_timeout, between 1 and 30 seconds."""
    leader_check: float = 1.0
    """How often the leader checks its lock, and a standby tries to take it."""
    lease: float = 10.0
    """A claim's lease on a message (renewed every fifth of it while the instance works)."""
    evidence_resume: float = 60.0
    """How often the leader looks for evidence checks left pending by a restart or a crash."""
    dashboard_refresh: float = 3.0
    """How often a letter's page in the dashboard looks for new counts."""
    telegram_probe: float = PROBE_AFTER_SECONDS
    """After Telegram fails in several chats, the pause before a first probe (doubling up
    to 30 s while it keeps failing)."""
    send_workers: int = WORKERS
    """Sends under way at once (each waits for its slot of the rate limiter)."""


@dataclass(frozen=True)
class Deps:
    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    clock: Callable[[], datetime]
    # Set when messages were queued: the dispatcher looks at once instead of at its next poll.
    outbox_wake: asyncio.Event
    # Đã nhận presses grouped into transactions.
    acks: AckBatcher
    notices: Notices
    prompts: Prompts
    evidence: EvidenceChecker
    reminders: Reminders
    leadership: Leadership
    dispatcher: Dispatcher
    progress: ProgressReporter
    metrics: Metrics
    # Whether the database answers: loops report to it, it logs an outage once.
    database: DatabaseStatus
    # The long-lived tasks (dispatcher, leadership, progress), restarted if one dies.
    supervisor: Supervisor
    # The periodic jobs' guards, by job name: no overlap, backoff through an outage.
    jobs: dict[str, JobGuard]
    # Button data no button carried, logged now and then per user.
    malformed: MalformedPresses
    # The few messages a stranger (neither contact nor staff) gets answered.
    strangers: StrangerBudget


Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]


def get_deps(context: Context) -> Deps:
    return get_deps_from_app(context.bot_data)


def get_deps_from_app(bot_data: dict[Any, Any]) -> Deps:
    deps = bot_data[DEPS_KEY]
    if not isinstance(deps, Deps):
        raise TypeError("the Application was not built by bot.app.build_application")
    return deps
