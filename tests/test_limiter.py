"""The shared send limiter: Telegram's limits hold even when the event loop stutters."""

from __future__ import annotations

import asyncio
import itertools
import random
import time

from bot.telegram.limiter import SendLimiter


async def _stutter(stop: asyncio.Event) -> None:
    """Block the loop now and then, as a busy bot does, so timers fire late."""
    rng = random.Random(7)
    while not stop.is_set():
        time.sleep(rng.uniform(0.0, 0.03))  # noqa: ASYNC251 - blocking the loop is the point
        await asyncio.sleep(rng.uniform(0.0, 0.05))


async def _released_times(limiter: SendLimiter, chats: list[int | None]) -> list[float]:
    times: list[float] = []

    async def send(chat: int | None) -> None:
        await limiter.acquire(chat)
        times.append(time.monotonic())
        if chat is not None:
            limiter.finished(chat)  # answered at once

    stop = asyncio.Event()
    stutter = asyncio.create_task(_stutter(stop))
    await asyncio.gather(*(send(chat) for chat in chats))
    stop.set()
    await stutter
    return sorted(times)


def _busiest_window(times: list[float], window: float = 1.0) -> int:
    return max(sum(1 for u in times if t <= u < t + window) for t in times)


async def test_never_more_than_the_rate_in_any_second() -> None:
    times = await _released_times(SendLimiter(40), list(range(100)))
    assert len(times) == 100
    assert _busiest_window(times) <= 40


async def test_one_chat_gets_at_most_one_message_per_interval() -> None:
    limiter = SendLimiter(1000, chat_interval=0.1)
    times = await _released_times(limiter, [7] * 8)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.1


async def test_a_chats_next_message_waits_for_the_previous_answer() -> None:
    """A request held up between its slot and Telegram (a loaded machine) must not let the
    chat's next one arrive within the interval: the interval runs from the answer."""
    limiter = SendLimiter(1000, chat_interval=0.05)
    await limiter.acquire(7)
    second = asyncio.create_task(limiter.acquire(7))
    other_chat = asyncio.create_task(limiter.acquire(8))
    await asyncio.wait_for(other_chat, 1)  # other chats are not held up
    done, _ = await asyncio.wait({second}, timeout=0.3)
    assert not done  # the first message to chat 7 is not answered yet
    answered = time.monotonic()
    limiter.finished(7)
    await asyncio.wait_for(second, 1)
    assert time.monotonic() - answered >= 0.05


async def test_a_slot_never_answered_holds_its_chat_only_so_long() -> None:
    clock = [0.0]  # time passes without anyone answering
    limiter = SendLimiter(1000, chat_interval=0.01, clock=lambda: clock[0])
    await limiter.acquire(7)
    clock[0] += 11.0
    await asyncio.wait_for(limiter.acquire(7), 1)


async def test_a_429_pauses_every_sender() -> None:
    limiter = SendLimiter(1000)
    limiter.pause(0.3)
    started = time.monotonic()
    times = await _released_times(limiter, [None] * 5)
    assert min(times) - started >= 0.3
