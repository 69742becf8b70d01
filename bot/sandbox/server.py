"""The sandbox's HTTP face: the Bot API routes, and the ``Sandbox`` object tests drive.

A request goes: token → parameters → coercion and validation (botapi) → scripted fault →
method (state, limits) → latency → answer. The call is recorded just before it is answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import web

from bot.sandbox.botapi import ApiError, canonical_method, coerce_params, validate_send
from bot.sandbox.faults import Fault, FaultInjector
from bot.sandbox.limits import RateLimiter, RateLimits
from bot.sandbox.methods import BotApi
from bot.sandbox.models import JSON, ApiCall, SentMessage, Stats
from bot.sandbox.notify import Notifier
from bot.sandbox.params import MAX_REQUEST_BYTES, read_params
from bot.sandbox.state import World
from bot.sandbox.updates import UpdateQueue
from bot.sandbox.users import SimUser
from bot.sandbox.webhook import WebhookPusher

log = logging.getLogger(__name__)

UNAUTHORIZED = ApiError(401, "Unauthorized")
NOT_FOUND = ApiError(404, "Not Found")
FIRST_USER_ID = 100_000_001


class Sandbox:
    """A local Telegram: point the bot's ``base_url`` at ``{base_url}/bot`` and drive users."""

    def __init__(
        self,
        *,
        token: str = "123456:SANDBOX-TOKEN",  # noqa: S107 (the sandbox's own fake token)
        bot_username: str = "agency_sandbox_bot",
        latency: float | tuple[float, float] = 0.0,
        limits: RateLimits | None = None,
    ) -> None:
        bot_id, _, _ = token.partition(":")
        if not bot_id.isdigit():
            raise ValueError("a bot token starts with the bot's numeric id and a colon")
        self.token = token
        self.bot_user: JSON = {
            "id": int(bot_id),
            "is_bot": True,
            "first_name": "Sandbox Bot",
            "username": bot_username,
        }
        self.latency = latency
        self.calls: list[ApiCall] = []
        self.stats = Stats()
        self.faults = FaultInjector()
        self._notifier = Notifier()
        self._world = World(self.bot_user)
        self._updates = UpdateQueue(self._notifier)
        self._webhook = WebhookPusher(self._updates, self.stats)
        self._limiter = RateLimiter(limits if limits is not None else RateLimits())
        self._api = BotApi(
            self._world, self._updates, self._webhook, self._limiter, self.stats, self._notifier
        )
        self._random = random.Random()  # noqa: S311 (simulated latency, no secret)
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None
        self._next_user_id = FIRST_USER_ID

    # lifecycle -------------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on ``host:port`` (0 picks a free port; read :attr:`base_url`)."""
        if self._runner is not None:
            raise RuntimeError("the sandbox is already running")
        app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)
        # No access log: request paths carry the bot token.
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        bound_port = runner.addresses[0][1]
        self._base_url = f"http://{host}:{bound_port}"
        log.info("sandbox listening on %s", self._base_url)

    async def stop(self) -> None:
        """End long polls, hung requests and webhook pushes, then close the server."""
        self._closing.set()
        self._updates.close()
        self._notifier.notify()
        await self._webhook.close()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """``http://host:port`` of the running sandbox."""
        if self._base_url is None:
            raise RuntimeError("the sandbox is not started")
        return self._base_url

    # configuration ---------------------------------------------------------------------------

    @property
    def limits(self) -> RateLimits:
        """The flood limits in force; assign or mutate at runtime."""
        return self._limiter.limits

    @limits.setter
    def limits(self, limits: RateLimits) -> None:
        self._limiter.limits = limits

    @property
    def callback_ttl(self) -> float:
        """Seconds the bot has to answer a callback query."""
        return self._world.callback_ttl

    @callback_ttl.setter
    def callback_ttl(self, seconds: float) -> None:
        self._world.callback_ttl = seconds

    # users and what they see -----------------------------------------------------------------

    def add_user(
        self,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str = "vi",
        user_id: int | None = None,
    ) -> SimUser:
        """A new Telegram user who can write to the bot (their private chat id is their id)."""
        if user_id is None:
            while self._next_user_id in self._world.users:
                self._next_user_id += 1
            user_id = self._next_user_id
            self._next_user_id += 1
        if user_id in self._world.users or user_id == self.bot_user["id"]:
            raise ValueError(f"user id {user_id} is taken")
        user = SimUser(
            self._world,
            self._updates,
            self._notifier,
            user_id=user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        self._world.users[user_id] = user
        return user

    @property
    def users(self) -> list[SimUser]:
        """Every simulated user, in creation order."""
        return list(self._world.users.values())

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        """The bot's messages in a chat, oldest first, with edits applied."""
        return self._world.sent_to(chat_id)

    def commands(self, scope: str | JSON = "default", language_code: str = "") -> list[JSON]:
        """Commands set for a scope: "default", "all_private_chats", "chat:<id>" or a scope dict."""
        key = scope if isinstance(scope, str) else self._world.scope_key(scope)
        return [dict(c) for c in self._world.commands.get((key, language_code), [])]

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by the bot."""
        return list(self._updates.pending)

    @property
    def polling(self) -> bool:
        """Whether a getUpdates long poll is waiting right now."""
        return self._updates.waiting_polls > 0

    # waiting ---------------------------------------------------------------------------------

    async def wait_for(
        self,
        method: str,
        *,
        timeout: float = 5.0,
        count: int = 1,
        ok: bool | None = None,
        where: Callable[[ApiCall], bool] | None = None,
        **match: Any,
    ) -> list[ApiCall]:
        """Wait until ``count`` calls of ``method`` match; return the first ``count`` of them.

        ``match`` compares parameters (a callable value is a predicate on the parameter);
        ``where`` is a predicate on the whole call; ``ok`` filters by success (None: any).
        """
        try:
            wanted = canonical_method(method)
        except ApiError:
            raise ValueError(f"{method!r} is not a Bot API method") from None
        found: list[ApiCall] = []
        scanned = 0

        def accepts(call: ApiCall) -> bool:
            if call.method != wanted or (ok is not None and call.ok != ok):
                return False
            for key, expected in match.items():
                actual = call.params.get(key)
                if not (expected(actual) if callable(expected) else actual == expected):
                    return False
            return where is None or where(call)

        def probe() -> list[ApiCall] | None:
            nonlocal scanned
            calls = self.calls
            if len(calls) < scanned:  # the log was cleared between phases: rescan what is left
                scanned = 0
            found.extend(call for call in calls[scanned:] if accepts(call))
            scanned = len(calls)
            return found[:count] if len(found) >= count else None

        def describe() -> str:
            recent = "\n".join(f"  {call}" for call in self.calls[-15:]) or "  (none)"
            return (
                f"timed out after {timeout}s waiting for {count} {wanted} call(s) matching "
                f"{match or ''}{' and where' if where else ''}; got {len(found)}. "
                f"Recent calls:\n{recent}"
            )

        return await self._notifier.wait_until(probe, timeout, describe)

    async def wait_until(
        self, condition: Callable[[], bool], *, timeout: float = 5.0, what: str = "condition"
    ) -> None:
        """Wait until ``condition()`` holds, re-checking whenever the sandbox's state changes."""
        await self._notifier.wait_until(
            lambda: True if condition() else None,
            timeout,
            lambda: f"timed out after {timeout}s waiting for {what}",
        )

    # HTTP ------------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        call = _Call(method=request.match_info["method"])
        try:
            if request.match_info["token"] != self.token:
                raise UNAUTHORIZED
            call.method = canonical_method(call.method)
            raw, uploads = await read_params(request)
            call.params = raw
            call.params = coerce_params(call.method, raw)
            validate_send(call.method, call.params)
            call.fault = self._take_fault(call)
            if call.fault is not None and not call.fault.processed:
                await self._pause(call.fault.hang or 0.0)
                raise _fault_error(call.fault)
            call.response = {
                "ok": True,
                "result": await self._api.call(call.method, call.params, uploads),
            }
        except ApiError as exc:
            call.status, call.response = exc.status, exc.to_response()
        except Exception:
            log.exception("sandbox failed while handling %s", call.method)
            call.status, call.response = 500, ApiError(500, "Internal Server Error").to_response()
        if call.fault is not None and call.fault.processed:
            await self._pause(call.fault.hang or 0.0)
            if call.status == 200 and call.fault.status is not None:
                error = _fault_error(call.fault)  # carried out, yet answered with an error
                call.status, call.response = error.status, error.to_response()
        await self._pause(self._latency())
        self._record(call)
        return web.json_response(call.response, status=call.status, dumps=_dumps)

    def _take_fault(self, call: _Call) -> Fault | None:
        chat = call.params.get("chat_id")
        fault = self.faults.take(call.method, chat if isinstance(chat, int) else None)
        if fault is not None:
            self.stats.faults_injected += 1
            self._notifier.notify()
        return fault

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            error = UNAUTHORIZED
        else:
            stored = self._world.files_by_path.get(request.match_info["file_path"])
            if stored is not None:
                ctype = stored.mime_type or "application/octet-stream"
                return web.Response(body=stored.content, content_type=ctype)
            error = NOT_FOUND
        return web.json_response(error.to_response(), status=error.status)

    def _record(self, call: _Call) -> None:
        self.calls.append(
            ApiCall(call.method, call.params, call.status, call.response, time.monotonic())
        )
        self.stats.api_calls += 1
        if call.status != 200:
            self.stats.errors += 1
        if call.status == 429:
            self.stats.rate_limited += 1
        log.debug("%s -> %s", call.method, call.status)
        self._notifier.notify()

    def _latency(self) -> float:
        if isinstance(self.latency, tuple):
            low, high = self.latency
            return self._random.uniform(low, high)
        return float(self.latency)

    async def _pause(self, seconds: float) -> None:
        """Sleep that ends early when the sandbox stops, so stop() never waits on a hang."""
        if seconds <= 0 or self._closing.is_set():
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._closing.wait()


@dataclass
class _Call:
    """A request on its way through the pipeline."""

    method: str
    params: JSON = field(default_factory=dict)
    status: int = 200
    response: JSON = field(default_factory=dict)
    fault: Fault | None = None


def _fault_error(fault: Fault) -> ApiError:
    parameters = {"retry_after": fault.retry_after} if fault.error_status == 429 else None
    return ApiError(fault.error_status, fault.error_description, parameters)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
