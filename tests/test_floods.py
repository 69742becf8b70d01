"""Floods and replays (issue 12): a stranger's flood stalls nobody; edits and forwards run
nothing.

A stranger's 300 × /help held all of PTB's 256 update slots while each reply waited for its
chat's one-message-a-second slot, and the officers' Đã nhận were answered after Telegram's
window. The sandbox refuses an answer later than its callback window, here set to 2 s: every
press must be answered within it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from bot.runner import RunningBot
from bot.sandbox import Sandbox, SimUser
from bot.telegram.limiter import CHAT_INTERVAL_SECONDS
from bot.telegram.processor import PerSenderProcessor
from bot.telegram.strangers import BUDGET
from db.models import Evidence
from tests.helpers import (
    FAST,
    NUMBER,
    StartBot,
    broadcast_to,
    eventually,
    join_officers,
    letter,
    queue_letter,
    report_with_evidence,
)

FLOOD = 300
PRESS_WINDOW = 2.0


async def settled(bot: RunningBot, sandbox: Sandbox) -> None:
    """Every update sent so far has been fetched and handled (or dropped)."""
    await sandbox.wait_until(lambda: not sandbox.pending_updates, timeout=30, what="fetched")
    await asyncio.wait_for(bot.application.update_queue.join(), timeout=60)


def replies(sandbox: Sandbox, user: SimUser, text: str) -> int:
    return sum(1 for m in sandbox.messages_to(user.chat_id) if text in m.shown_text)


@pytest.mark.one_database
async def test_a_strangers_flood_delays_no_officers_press(
    start_bot: StartBot, sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    # Paced as Telegram paces, if quicker: a third of a second between two messages to a
    # chat, so that 300 replies held in the update slots would take 100 s.
    running = await start_bot(tuning=replace(FAST, chat_interval=CHAT_INTERVAL_SECONDS / 3))
    codes = ["so-y-te", "so-tai-chinh", "so-noi-vu", "dai-ptth"]
    officers = [
        found[0] for found in (await join_officers(running.sessionmaker, sandbox, codes)).values()
    ]
    await queue_letter(running, to=tuple(codes))
    letters = [await letter(officer) for officer in officers]
    sandbox.callback_ttl = PRESS_WINDOW  # later answers are refused: "query is too old"
    stranger = sandbox.add_user("Kẻ Lạ")
    with caplog.at_level(logging.WARNING, logger="bot.telegram.strangers"):
        for _ in range(FLOOD):
            await stranger.send("/help")
        presses = []
        for officer, sent in zip(officers, letters, strict=True):
            pressed = asyncio.get_running_loop().time()
            presses.append((pressed, await officer.press(sent, "Đã nhận")))
        for pressed, update in presses:
            query_id = update["callback_query"]["id"]
            [call] = await sandbox.wait_for(
                "answerCallbackQuery", callback_query_id=query_id, timeout=10
            )
            assert call.ok, call.response
            assert call.at - pressed <= PRESS_WINDOW
        await settled(running, sandbox)
    # The stranger had a few answers, then silence, logged once.
    assert replies(sandbox, stranger, "Hướng dẫn") == BUDGET
    dropped = [r for r in caplog.records if "dropping updates from user" in r.getMessage()]
    assert len(dropped) == 1


async def test_one_senders_updates_hold_one_slot() -> None:
    processor = PerSenderProcessor(running=2)
    release = asyncio.Event()
    started: list[int] = []

    async def handle(n: int) -> None:
        started.append(n)
        await release.wait()

    from telegram import Chat, Message, Update, User

    def update(n: int, chat: int) -> Update:
        user = User(chat, "U", is_bot=False)
        message = Message(n, None, Chat(chat, "private"), from_user=user)  # type: ignore[arg-type]
        return Update(n, message=message)

    tasks = [
        asyncio.create_task(processor.do_process_update(update(n, 1), handle(n))) for n in range(5)
    ]
    other = asyncio.create_task(processor.do_process_update(update(9, 2), handle(9)))
    await eventually(lambda: _copy(started), [0, 9], timeout=5)
    assert processor.waiting() == 6
    release.set()
    await asyncio.gather(*tasks, other)
    assert started == [0, 9, 1, 2, 3, 4]
    assert processor.waiting() == 0


async def _copy(values: list[int]) -> list[int]:
    return list(values)


async def test_an_edited_remind_sends_nothing(running: RunningBot, sandbox: Sandbox) -> None:
    [officer] = (await join_officers(running.sessionmaker, sandbox, ["so-y-te"]))["so-y-te"]
    admin = await broadcast_to(running, sandbox, ["so-y-te"])
    await letter(officer)
    await admin.wait_for_message("Đã gửi xong", timeout=15)  # the send is recorded
    command = await admin.send("/remind 1")
    await admin.wait_for_message("Đã xếp nhắc")
    await officer.wait_for_message("Sở nhắc", timeout=10)
    await admin.edit(command, "/remind 1")
    await admin.ask("/whoami", str(admin.id))  # handled after the edit: the edit is done
    await settled(running, sandbox)
    assert replies(sandbox, admin, "Đã xếp nhắc") == 1
    assert replies(sandbox, officer, "Sở nhắc") == 1


async def test_a_forwarded_command_is_not_run(running: RunningBot, sandbox: Sandbox) -> None:
    [officer] = (await join_officers(running.sessionmaker, sandbox, ["so-y-te"]))["so-y-te"]
    admin = await broadcast_to(running, sandbox, ["so-y-te"])
    await letter(officer)
    await admin.wait_for_message("Đã gửi xong", timeout=15)
    await admin.forward("/remind 1")
    await admin.ask("/whoami", str(admin.id))
    await settled(running, sandbox)
    assert replies(sandbox, admin, "Đã xếp nhắc") == 0
    assert replies(sandbox, officer, "Sở nhắc") == 0


async def test_an_edited_or_forwarded_url_adds_no_evidence(
    running: RunningBot, sandbox: Sandbox, website: str
) -> None:
    [officer] = (await join_officers(running.sessionmaker, sandbox, ["so-y-te"]))["so-y-te"]
    await broadcast_to(running, sandbox, ["so-y-te"])
    await report_with_evidence(officer, await letter(officer))
    first = await officer.send(f"{website}/tin-tuc/hoi-sach")
    added = await officer.wait_for_message("minh chứng cho công văn")
    before = int(added.shown_text.split()[2])
    await officer.edit(first, f"{website}/tin-tuc/khac")
    await officer.forward(f"{website}/tin-tuc/khac")
    await officer.ask("Đã đăng trên trang chủ", f"Đã nhận {before + 1} minh chứng")
    await settled(running, sandbox)
    counts = [m.shown_text for m in officer.inbox if "minh chứng cho công văn" in m.shown_text]
    assert len(counts) == 2, counts  # the URL, then the note: the edit and the forward added none
    async with running.sessionmaker() as session:
        count = await session.scalar(select(func.count(Evidence.id)))
    assert count == 0  # nothing is stored before the report is confirmed
    assert NUMBER
