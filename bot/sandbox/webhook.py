"""Push updates to the bot's webhook the way Telegram does: in order, one at a time, retrying."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

import aiohttp

from bot.sandbox.models import JSON, Stats
from bot.sandbox.updates import UpdateQueue

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
FIRST_BACKOFF = 0.05
MAX_BACKOFF = 1.0  # Telegram retries for hours; a sandbox must recover within a test's deadline
PUSH_TIMEOUT = 10.0


class WebhookPusher:
    """Delivers the head of the update queue to ``url`` until it is accepted (2xx).

    Runs as its own task so a slow or dead receiver never blocks the API. Updates are kept
    until delivered, as Telegram keeps them, with a bounded backoff between attempts.
    """

    def __init__(self, queue: UpdateQueue, stats: Stats) -> None:
        self.queue = queue
        self.stats = stats
        self.url: str | None = None
        self.secret: str | None = None
        self.allowed_updates: list[str] | None = None
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def configure(self, url: str, secret: str | None, allowed_updates: list[str] | None) -> None:
        """Start (or redirect) delivery to ``url``."""
        self.url = url
        self.secret = secret
        self.allowed_updates = allowed_updates
        self.last_error_date = None
        self.last_error_message = None
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="sandbox-webhook-pusher")

    async def remove(self) -> None:
        """Stop delivering; undelivered updates stay queued for getUpdates."""
        self.url = None
        self.secret = None
        self.allowed_updates = None
        await self._cancel()

    def info(self) -> JSON:
        """The ``WebhookInfo`` object."""
        info: JSON = {
            "url": self.url or "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.queue.pending),
        }
        if self.url:
            info["max_connections"] = 40
            if self.allowed_updates is not None:
                info["allowed_updates"] = self.allowed_updates
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message
        return info

    async def close(self) -> None:
        """Cancel the pusher and close its HTTP session (the sandbox is stopping)."""
        await self._cancel()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _cancel(self) -> None:
        task, self._task = self._task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        backoff = FIRST_BACKOFF
        while self.url is not None:
            await self.queue.wait_pending()
            if self.queue.closed or self.url is None:
                return
            update = self.queue.pending[0]
            error = await self._deliver(self.url, update)
            if error is None:
                if self.queue.pending and self.queue.pending[0] is update:
                    self.queue.pending.popleft()
                self.stats.webhook_deliveries += 1
                backoff = FIRST_BACKOFF
                continue
            self.stats.webhook_failures += 1
            self.last_error_date = int(time.time())
            self.last_error_message = error
            log.info("webhook delivery failed (%s); retrying in %.2fs", error, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)

    async def _deliver(self, url: str, update: JSON) -> str | None:
        """POST one update; the error message Telegram would report, or None on success."""
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=PUSH_TIMEOUT))
        headers = {SECRET_HEADER: self.secret} if self.secret else {}
        try:
            async with self._session.post(url, json=update, headers=headers) as resp:
                await resp.read()
                if 200 <= resp.status < 300:
                    return None
                return f"Wrong response from the webhook: {resp.status} {resp.reason}"
        except TimeoutError:
            return "Read timeout expired"
        except aiohttp.ClientError as exc:
            return f"Connection failed: {type(exc).__name__}"
