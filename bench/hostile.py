#!/usr/bin/env python3
"""Hostile input benchmark (issue 12): what crafted input costs the bot, and what a flood
does to the officers' presses.

1. Crafted pages and texts, each in a fresh Python process so that its peak RSS is its own:
   the time and the peak RSS (above the process's size after imports) to find the links of
   100,000 "<!--" (html.parser, which the bot used before, on 10,000 and 20,000 for
   contrast: it is quadratic), of 2 MB of "<!--", of unterminated tags, to check a page
   that is a 50 MB gzip bomb and one compressed twice (from a local server), and to read a
   /broadcast text whose field lines are 8,000 characters long.
2. The flood: the real bot and the sandbox in one process, Telegram's limits and pacing (one
   message a second in a chat). 20 officers press «Đã nhận» 100 ms apart, once on a quiet
   bot and once while a stranger sends 300 × /help and forwards 100 commands; the latency of
   a press runs from pushing it to the sandbox recording its answerCallbackQuery. With
   `--ptb-default` the bot runs as before issue 12 (PTB's 256 slots whoever sends, no
   stranger budget) for comparison.

    python bench/hostile.py [--officers 20] [--flood 300] [--ptb-default] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import logging
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from acks import _letter, _queue_to_all, _seed_officers, _settings_mapping
from aiohttp import web

import bot.app
from bot.config import settings_from_mapping
from bot.delivery.directive_input import DirectiveInputError, parse_broadcast_text
from bot.deps import Tuning
from bot.evidence.pages import page_links, verify_page
from bot.runner import running_bot
from bot.sandbox import Sandbox
from bot.telegram.strangers import StrangerBudget

MB = 1_000_000
BOOK = "https://book365.vn"


# 1. crafted input, one process each -------------------------------------------------------


def _old_parser(html: str) -> None:
    parser = HTMLParser()
    parser.feed(html)
    parser.close()


async def _served(body: bytes, encoding: str) -> str:
    """The reason verify_page gives for a page served with this Content-Encoding."""

    async def handler(request: web.Request) -> web.Response:
        headers = {"Content-Type": "text/html", "Content-Encoding": encoding}
        return web.Response(body=body, headers=headers)

    app = web.Application()
    app.router.add_get("/", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/"
        return (await verify_page(url, [BOOK], allow_private=True)).reason
    finally:
        await runner.cleanup()


def _gzip_of_zeros(size: int) -> bytes:
    """gzip of `size` zero bytes, made a megabyte at a time (the bench must not be the one
    that holds 50 MB)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(MB)
    return b"".join(packer.compress(zeros) for _ in range(size // MB)) + packer.flush()


def _broadcast_text() -> str:
    pad = " " * 8_000
    lines = [f"Số: 12/ABC{pad}", f"Hạn: 28/11/2030{pad}", f"Nhắc lại: 2h{pad}x", "Nội dung"]
    return "V/v thử\n" + "\n".join(lines)


def _broadcast_outcome() -> str:
    try:
        return f"number {parse_broadcast_text(_broadcast_text()).number}"
    except DirectiveInputError as refused:
        return f"refused: {refused.reason}"


CASES: dict[str, Callable[[], object]] = {
    "html.parser, 10k <!--": lambda: _old_parser("<!--" * 10_000),
    "html.parser, 20k <!--": lambda: _old_parser("<!--" * 20_000),
    "links of 100k <!--": lambda: page_links("<!--" * 100_000, BOOK),
    "links of 2 MB of <!--": lambda: page_links("<!--" * 500_000, BOOK),
    "links of 2 MB of '<a '": lambda: page_links("<a " * 666_666, BOOK),
    "links of 2 MB of <a href>": lambda: page_links('<a href="/x">' * 150_000, BOOK),
    "gzip bomb, 50 MB in": lambda: asyncio.run(_served(_gzip_of_zeros(50 * MB), "gzip")),
    "gzip in gzip": lambda: asyncio.run(
        _served(gzip.compress(_gzip_of_zeros(50 * MB), 9), "gzip, gzip")
    ),
    "/broadcast, 8,000-char lines": _broadcast_outcome,
}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def run_case(name: str) -> dict[str, Any]:
    """Run one case here and now (the child process's side)."""
    before = _rss_mb()
    started = time.perf_counter()
    outcome = CASES[name]()
    seconds = time.perf_counter() - started
    return {
        "case": name,
        "seconds": round(seconds, 3),
        "peak_rss_mb": round(_rss_mb(), 1),
        "rss_growth_mb": round(_rss_mb() - before, 1),
        "outcome": outcome if isinstance(outcome, str | None) else f"{len(outcome)} links",  # type: ignore[arg-type]
    }


def crafted() -> list[dict[str, Any]]:
    rows = []
    for name in CASES:
        child = subprocess.run(  # noqa: S603 (this file, with a name of CASES)
            [sys.executable, __file__, "--case", name],
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        )
        rows.append(json.loads(child.stdout))
    return rows


# 2. the flood ----------------------------------------------------------------------------------


def _ptb_default() -> None:
    """Wire the bot as it was before issue 12: PTB's processor, no stranger budget."""
    from telegram.ext import SimpleUpdateProcessor

    setattr(bot.app, "PerSenderProcessor", lambda: SimpleUpdateProcessor(256))  # noqa: B010

    class Unlimited(StrangerBudget):
        async def admits(self, user_id: int) -> bool:
            return True

    setattr(bot.app, "StrangerBudget", Unlimited)  # noqa: B010


async def _presses(sandbox: Sandbox, officers: list[Any], n: int) -> list[float]:
    """Each officer presses «Đã nhận» on letter n, 100 ms apart; the latencies (s)."""
    pushed: list[tuple[str, float]] = []
    for officer in officers:
        at = time.monotonic()
        update = await officer.press(_letter(officer, n), "Đã nhận")
        pushed.append((str(update["callback_query"]["id"]), at))
        await asyncio.sleep(0.1)  # the officers' pace, not a synchronisation
    latencies = []
    for query_id, at in pushed:
        [call] = await sandbox.wait_for(
            "answerCallbackQuery", callback_query_id=query_id, timeout=600
        )
        latencies.append(call.at - at if call.ok else float("inf"))
    return latencies


def _summary(latencies: list[float]) -> dict[str, Any]:
    answered = [x for x in latencies if x != float("inf")]
    return {
        "presses": len(latencies),
        "refused_too_old": len(latencies) - len(answered),
        "p50_s": round(statistics.median(answered), 3) if answered else None,
        "max_s": round(max(answered), 3) if answered else None,
    }


async def flood(officers_count: int, flood_size: int) -> dict[str, Any]:
    # Late answers fail with "query is too old" in the bot's log; the table counts them.
    logging.getLogger("bot.app").setLevel(logging.CRITICAL)
    logging.getLogger("bot.telegram.strangers").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as folder:
        async with Sandbox() as sandbox:
            url = f"sqlite+aiosqlite:///{Path(folder) / 'hostile.db'}"
            mapping = _settings_mapping(sandbox, url, 30)
            settings = settings_from_mapping(mapping, "bench")
            async with running_bot(settings, tuning=Tuning()) as running:
                officers = await _seed_officers(running.sessionmaker, sandbox, officers_count)
                for n in (1, 2):
                    await _queue_to_all(running.sessionmaker, settings, n)
                running.deps.outbox_wake.set()
                for officer in officers:
                    await officer.wait_for_message("2/STTTT-ACK", timeout=120)
                quiet = await _presses(sandbox, officers, 1)
                stranger = sandbox.add_user("Kẻ Lạ")
                for _ in range(flood_size):
                    await stranger.send("/help")
                for _ in range(flood_size // 3):
                    await stranger.forward("/help")
                flooded = await _presses(sandbox, officers, 2)
                answered = len(sandbox.messages_to(stranger.chat_id))
    return {
        "quiet": _summary(quiet),
        "flood": _summary(flooded),
        "stranger_updates": flood_size + flood_size // 3,
        "stranger_answers_by_the_end": answered,
    }


# output ------------------------------------------------------------------------------------------


def render(report: dict[str, Any]) -> str:
    lines = ["Crafted input (one process each)", ""]
    lines.append(f"  {'case':34} {'time':>9} {'peak RSS':>10} {'growth':>8}  outcome")
    for row in report["crafted"]:
        lines.append(
            f"  {row['case']:34} {row['seconds']:>8.3f}s {row['peak_rss_mb']:>8.1f}MB "
            f"{row['rss_growth_mb']:>6.1f}MB  {row['outcome']}"
        )
    flood_ = report["flood"]
    wiring = "PTB's default (before issue 12)" if report["ptb_default"] else "as shipped"
    lines += ["", f"Đã nhận while a stranger floods — bot wired {wiring}", ""]
    for phase in ("quiet", "flood"):
        p = flood_[phase]
        lines.append(
            f"  {phase:6} presses {p['presses']:>3}  p50 {p['p50_s']}s  max {p['max_s']}s  "
            f"too old {p['refused_too_old']}"
        )
    lines.append(
        f"  stranger: {flood_['stranger_updates']} updates, "
        f"{flood_['stranger_answers_by_the_end']} answered by the end"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--officers", type=int, default=20)
    parser.add_argument("--flood", type=int, default=300)
    parser.add_argument("--ptb-default", action="store_true")
    parser.add_argument("--no-pages", action="store_true", help="only the flood")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case)))
        return
    if args.ptb_default:
        _ptb_default()
    report = {
        "crafted": [] if args.no_pages else crafted(),
        "flood": asyncio.run(flood(args.officers, args.flood)),
        "ptb_default": args.ptb_default,
    }
    print(json.dumps(report, indent=2) if args.json else render(report))


if __name__ == "__main__":
    main()
