"""Flood limits, scripted faults and latency: Telegram pushing back the way the bot must handle."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
import telegram
from telegram.error import NetworkError, RetryAfter, TimedOut

from bot.sandbox import RateLimits, Sandbox
from bot.sandbox.limits import RateLimiter

# the limiter itself ---------------------------------------------------------------------------


def test_limiter_allows_a_burst_up_to_the_chat_window_capacity() -> None:
    limiter = RateLimiter(RateLimits(global_per_second=None, per_chat_per_second=1))
    for _ in range(3):
        assert limiter.retry_after(1, now=100.0) is None
        limiter.record(1, now=100.0)

    assert limiter.retry_after(1, now=100.5) == 3


def test_limiter_counts_any_sliding_second_globally() -> None:
    limiter = RateLimiter(RateLimits(global_per_second=2, per_chat_per_second=None))
    limiter.record(1, now=10.0)
    limiter.record(2, now=10.6)

    assert limiter.retry_after(3, now=10.9) == 1
    assert limiter.retry_after(3, now=11.0) is None


def test_limiter_reports_wait_for_a_group_of_messages() -> None:
    limiter = RateLimiter(RateLimits(global_per_second=3, per_chat_per_second=None))
    limiter.record(1, now=0.0)
    limiter.record(1, now=0.5)

    assert limiter.retry_after(2, now=0.7, count=2) == 1
    assert limiter.retry_after(2, now=0.7, count=1) is None


def test_limiter_ignores_disabled_limits() -> None:
    limiter = RateLimiter(RateLimits(global_per_second=None, per_chat_per_second=None))
    for _ in range(100):
        limiter.record(1, now=0.0)

    assert limiter.retry_after(1, now=0.0) is None


# 429 over HTTP --------------------------------------------------------------------------------


async def test_per_chat_limit_answers_429_with_retry_after(
    sandbox: Sandbox, bot: telegram.Bot
) -> None:
    sandbox.limits = RateLimits(per_chat_per_second=1 / 60, per_chat_window=60)
    user = sandbox.add_user("Lan")
    await bot.send_message(user.id, "một")

    with pytest.raises(RetryAfter):
        await bot.send_message(user.id, "hai")

    assert 59 <= sandbox.calls[-1].response["parameters"]["retry_after"] <= 60
    assert len(user.inbox) == 1


async def test_global_limit_answers_429_across_chats(
    sandbox: Sandbox, raw: httpx.AsyncClient
) -> None:
    sandbox.limits.global_per_second = 3
    users = [sandbox.add_user(f"U{i}") for i in range(4)]

    responses = await asyncio.gather(
        *(raw.post("sendMessage", data={"chat_id": u.id, "text": "hi"}) for u in users)
    )

    rejected = [r.json() for r in responses if r.status_code == 429]
    assert len(rejected) == 1
    assert rejected[0]["parameters"]["retry_after"] == 1
    assert rejected[0]["description"] == "Too Many Requests: retry after 1"


async def test_rate_limited_answers_are_counted(sandbox: Sandbox, bot: telegram.Bot) -> None:
    sandbox.limits = RateLimits(per_chat_per_second=3 / 60, per_chat_window=60)
    user = sandbox.add_user("Lan")
    for _ in range(3):
        await bot.send_message(user.id, "hi")

    with pytest.raises(RetryAfter):
        await bot.send_message(user.id, "hi")

    assert (sandbox.stats.rate_limited, sandbox.stats.sent_messages) == (1, 3)


async def test_refused_sends_do_not_count_against_limits(
    sandbox: Sandbox, bot: telegram.Bot
) -> None:
    sandbox.limits = RateLimits(global_per_second=1, per_chat_per_second=None)
    blocked, reachable = sandbox.add_user("Lan"), sandbox.add_user("Minh")
    blocked.block()
    with pytest.raises(telegram.error.Forbidden):
        await bot.send_message(blocked.id, "hi")

    message = await bot.send_message(reachable.id, "hi")

    assert message.chat.id == reachable.id


# faults ---------------------------------------------------------------------------------------


async def test_server_error_fault_is_answered_then_used_up(
    sandbox: Sandbox, raw: httpx.AsyncClient
) -> None:
    user = sandbox.add_user("Lan")
    sandbox.faults.add(method="sendMessage", status=500, times=2)
    data = {"chat_id": user.id, "text": "hi"}

    statuses = [(await raw.post("sendMessage", data=data)).status_code for _ in range(3)]

    assert statuses == [500, 500, 200]
    assert sandbox.calls[0].response == {
        "ok": False,
        "error_code": 500,
        "description": "Internal Server Error",
    }
    assert len(user.inbox) == 1


async def test_server_error_fault_reaches_the_bot_as_network_error(
    sandbox: Sandbox, bot: telegram.Bot
) -> None:
    user = sandbox.add_user("Lan")
    sandbox.faults.add(method="sendMessage", status=502)

    with pytest.raises(NetworkError):
        await bot.send_message(user.id, "hi")


async def test_fault_can_target_one_chat(sandbox: Sandbox, bot: telegram.Bot) -> None:
    lan, minh = sandbox.add_user("Lan"), sandbox.add_user("Minh")
    sandbox.faults.add(method="sendMessage", status=403, chat_id=minh.id)

    await bot.send_message(lan.id, "hi")
    with pytest.raises(telegram.error.Forbidden):
        await bot.send_message(minh.id, "hi")

    assert sandbox.faults.pending == []


async def test_fault_429_carries_retry_after(sandbox: Sandbox, bot: telegram.Bot) -> None:
    user = sandbox.add_user("Lan")
    sandbox.faults.add(method="sendMessage", status=429, retry_after=3)

    with pytest.raises(RetryAfter):
        await bot.send_message(user.id, "hi")

    assert sandbox.calls[-1].response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }


async def test_hang_fault_makes_the_client_time_out(sandbox: Sandbox, bot: telegram.Bot) -> None:
    user = sandbox.add_user("Lan")
    sandbox.faults.add(method="sendMessage", hang=30.0)

    with pytest.raises(TimedOut):
        await bot.send_message(user.id, "hi", read_timeout=0.2)

    assert user.inbox == []


async def test_processed_hang_delivers_before_the_client_times_out(
    sandbox: Sandbox, bot: telegram.Bot
) -> None:
    user = sandbox.add_user("Lan")
    sandbox.faults.add(method="sendMessage", hang=30.0, processed=True)

    with pytest.raises(TimedOut):
        await bot.send_message(user.id, "hi", read_timeout=0.2)

    assert [m.text for m in user.inbox] == ["hi"]


async def test_processed_fault_sends_yet_answers_an_error(
    sandbox: Sandbox, bot: telegram.Bot
) -> None:
    user = sandbox.add_user("Lan")
    sandbox.faults.add(method="sendMessage", status=502, processed=True)

    with pytest.raises(NetworkError):
        await bot.send_message(user.id, "hi")

    assert [m.text for m in user.inbox] == ["hi"]


async def test_stop_does_not_wait_for_hung_requests() -> None:
    sandbox = Sandbox()
    await sandbox.start()
    sandbox.faults.add(method="getMe", hang=60.0)
    async with httpx.AsyncClient() as client:
        request = asyncio.create_task(client.get(f"{sandbox.base_url}/bot{sandbox.token}/getMe"))
        await sandbox.wait_until(lambda: not sandbox.faults.pending, what="the hang to start")

        await asyncio.wait_for(sandbox.stop(), timeout=5)
        response = await asyncio.wait_for(request, timeout=5)

    assert response.status_code == 504


# latency --------------------------------------------------------------------------------------


async def test_latency_delays_every_answer() -> None:
    async with Sandbox(latency=(0.05, 0.1)) as sandbox, httpx.AsyncClient() as client:
        started = time.monotonic()
        await client.get(f"{sandbox.base_url}/bot{sandbox.token}/getMe")

        assert time.monotonic() - started >= 0.05
