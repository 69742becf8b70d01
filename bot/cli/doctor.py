"""`agency-bot doctor`: is this installation ready to run? One line per check, ✓ or ✗, and
for each ✗ what to do about it.

It reads and asks, and changes nothing: no migration, no webhook set, no message sent.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from telegram import Bot, WebhookInfo
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.config import Settings
from bot.logs import redact
from bot.resilience import describe
from bot.single_process import sqlite_file
from bot.telegram.request import AiohttpRequest
from db.migrate import head_revision, read_revision
from db.session import make_engine

TELEGRAM = "https://api.telegram.org"
CHECK_TIMEOUT_SECONDS = 15.0
MIN_FREE_BYTES = 1 << 30  # the database and its WAL grow with every letter
RECENT_WEBHOOK_ERROR = timedelta(hours=1)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""

    def line(self) -> str:
        mark = "✓" if self.ok else "✗"
        fix = f" — {self.fix}" if self.fix and not self.ok else ""
        return f"{mark} {self.name}: {self.detail}{fix}"

    def as_json(self) -> dict[str, object]:
        return asdict(self)


def masked_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


async def _telegram(settings: Settings) -> tuple[Check, WebhookInfo | None]:
    token, api = settings.telegram.token, settings.telegram.api_base_url
    if not token:
        return Check(
            "token",
            False,
            "telegram.token is empty",
            "set it in the config or in AGENCY_BOT_TOKEN (from @BotFather)",
        ), None
    bot = Bot(
        token,
        base_url=f"{api}/bot",
        request=AiohttpRequest(connection_pool_size=2),
        get_updates_request=AiohttpRequest(connection_pool_size=1),
    )
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS), bot:
            me = bot.bot
            info = await bot.get_webhook_info()
    except InvalidToken:
        return Check(
            "token",
            False,
            f"{api} refused the token (unauthorized)",
            "check telegram.token or AGENCY_BOT_TOKEN; @BotFather's /token gives the current one",
        ), None
    except (NetworkError, TimeoutError) as error:
        reason = "timed out" if isinstance(error, TimeoutError) else redact(describe(error))
        return Check(
            "token",
            False,
            f"cannot reach {api} ({reason})",
            "check outbound HTTPS from this server (firewall, proxy) and telegram.api_base_url",
        ), None
    except TelegramError as error:
        return Check("token", False, redact(describe(error)), "see Telegram's answer"), None
    return Check("token", True, f"@{me.username} (id {me.id}) at {api}"), info


def _webhook(settings: Settings, info: WebhookInfo | None) -> Check:
    if info is None:
        return Check("webhook", False, "not checked: the token check failed", "fix the token")
    telegram = settings.telegram
    have = info.url or ""
    if telegram.mode == "polling":
        if not have:
            return Check("webhook", True, "none set (polling mode)")
        return Check(
            "webhook",
            False,
            f"Telegram posts updates to {have} but the config polls",
            "if another deployment uses this bot, give it a bot of its own; "
            "otherwise `agency-bot run` removes the webhook when it starts",
        )
    want = telegram.webhook.url
    if want.startswith("http://") and telegram.api_base_url == TELEGRAM:
        return Check(
            "webhook",
            False,
            f"{want} is not https",
            "Telegram posts only to https URLs: put the bot behind an HTTPS proxy (README)",
        )
    if not have:
        return Check(
            "webhook",
            False,
            "Telegram has no webhook yet",
            f"start the bot: `agency-bot run` registers {want}",
        )
    if have != want:
        return Check(
            "webhook",
            False,
            f"Telegram posts to {have}, the config says {want}",
            "restart the bot to register the configured URL (or correct telegram.webhook.url)",
        )
    error_at = info.last_error_date
    if info.last_error_message and error_at is not None:
        when = error_at if error_at.tzinfo else error_at.replace(tzinfo=UTC)
        if datetime.now(UTC) - when < RECENT_WEBHOOK_ERROR:
            return Check(
                "webhook",
                False,
                f"Telegram's last post to {have} failed: {info.last_error_message}",
                f"check that the proxy forwards {have} to {settings.web.listen}:"
                f"{settings.web.port} and that the bot runs",
            )
    return Check(
        "webhook", True, f"Telegram posts to {have} ({info.pending_update_count} update(s) waiting)"
    )


async def _database(settings: Settings) -> Check:
    url = settings.database.url
    path = sqlite_file(url)
    if path is not None and not path.exists():
        return Check(
            "database",
            False,
            f"no database file at {path}",
            "run `agency-bot db upgrade` to create it (check database.url if it should exist)",
        )
    engine = make_engine(url)
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            revision = await connection.run_sync(read_revision)
    except Exception as error:
        reason = "timed out" if isinstance(error, TimeoutError) else describe(error)
        return Check(
            "database",
            False,
            f"cannot reach {masked_url(url)} ({reason})",
            "check database.url, that the server runs, and that it accepts this host and user",
        )
    finally:
        await engine.dispose()
    head = head_revision()
    where = masked_url(url)
    if revision != head:
        return Check(
            "database",
            False,
            f"{where}: schema at {revision or 'nothing (empty)'}, this version needs {head}",
            "run `agency-bot db upgrade` (`agency-bot run` also does it)",
        )
    return Check("database", True, f"{where}, schema {revision} (current)")


def _calendar(settings: Settings, now: datetime) -> Check:
    reminders = settings.reminders
    local = now.astimezone(reminders.timezone)
    clock = f"time zone {reminders.timezone}: now {local:%H:%M %d/%m/%Y}"
    if not reminders.holidays:
        return Check("calendar", True, f"{clock}; no public holidays (reminders.holidays is empty)")
    import holidays

    years = (local.year, local.year + 1)
    calendar = holidays.country_holidays(reminders.holidays, years=years)
    missing = [year for year in years if not any(day.year == year for day in calendar)]
    if missing:
        return Check(
            "calendar",
            False,
            f"{clock}; the holidays package knows no {reminders.holidays} holidays for "
            f"{', '.join(map(str, missing))}",
            "upgrade it: pip install --upgrade holidays",
        )
    upcoming = sorted(day for day in calendar if day > local.date())
    nxt = f", next {upcoming[0]:%d/%m/%Y} ({calendar.get(upcoming[0])})" if upcoming else ""
    count = sum(1 for day in calendar if day.year == local.year)
    return Check(
        "calendar", True, f"{clock}; {reminders.holidays} holidays: {count} in {local.year}{nxt}"
    )


def _disk(settings: Settings, free: Callable[[Path], int]) -> Check | None:
    path = sqlite_file(settings.database.url)
    if path is None:
        return None  # PostgreSQL keeps its own files, on its own server
    folder = path.resolve().parent
    if not folder.is_dir():
        return Check("disk", False, f"no folder {folder}", "create it, or correct database.url")
    available = free(folder)
    shown = f"{available / 2**30:.1f} GB free beside {path}"
    if available < MIN_FREE_BYTES:
        return Check("disk", False, shown, "free space: the database and its WAL grow")
    return Check("disk", True, shown)


def _free_bytes(folder: Path) -> int:
    return shutil.disk_usage(folder).free


async def run_checks(
    settings: Settings,
    config_line: str,
    *,
    now: datetime | None = None,
    free: Callable[[Path], int] = _free_bytes,
) -> list[Check]:
    """Every check in order; the config already loaded (its failure stops before this)."""
    checks = [Check("config", True, config_line)]
    token, info = await _telegram(settings)
    checks += [token, await _database(settings), _webhook(settings, info)]
    checks.append(_calendar(settings, now or datetime.now(UTC)))
    disk = _disk(settings, free)
    if disk is not None:
        checks.append(disk)
    return checks
