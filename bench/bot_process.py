#!/usr/bin/env python3
"""The bot in a process of its own, for the benchmarks: `python bench/bot_process.py JSON`.

JSON is the settings (the mapping `settings_from_mapping` reads). The bot runs as
`agency-bot run` does (`bot.runner.running_bot`, polling) until SIGTERM or SIGINT, and
reports on stdout, one line each, with `time.monotonic()` (the same clock in every process
on Linux):

    READY <t>                    receiving updates
    LAG <t> <seconds>            the event loop woke a 10 ms sleep this late
    ERROR <t> <text>             the bot's "error while handling an update" (kept off stderr)

The benchmark thus measures the bot, not the Telegram simulator beside it on one loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys
import time

from bot.config import settings_from_mapping
from bot.logs import setup_logging
from bot.runner import freeze_startup_objects, running_bot

BOT_ERROR_LOGGER = "bot.app"
LAG_PROBE_SECONDS = 0.01


def _say(*words: object) -> None:
    sys.stdout.write(" ".join(str(w) for w in words) + "\n")
    sys.stdout.flush()


class _Errors(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR:
            return True
        error = record.exc_info[1] if record.exc_info else None
        text = f"{type(error).__name__}: {error}" if error else record.getMessage()
        _say("ERROR", time.monotonic(), " ".join(text.split()))
        return False


async def _probe_lag() -> None:
    loop = asyncio.get_running_loop()
    while True:
        before = loop.time()
        await asyncio.sleep(LAG_PROBE_SECONDS)
        _say("LAG", time.monotonic(), max(0.0, loop.time() - before - LAG_PROBE_SECONDS))


async def main(raw_settings: str) -> None:
    settings = settings_from_mapping(json.loads(raw_settings), "bench")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with running_bot(settings):
        freeze_startup_objects()  # as `agency-bot run` does
        _say("READY", time.monotonic())
        probe = asyncio.create_task(_probe_lag())
        await stop.wait()
        probe.cancel()


if __name__ == "__main__":
    setup_logging(logging.WARNING)
    logging.getLogger(BOT_ERROR_LOGGER).addFilter(_Errors())
    asyncio.run(main(sys.argv[1]))
