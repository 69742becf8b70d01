"""Thu hồi and đính chính through the sandbox: a recall of a half-delivered letter (what was
queued never goes, what was delivered is edited), a correction after every copy, the same
from the command line, and the refusals."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.recall import recall_directive
from bot.onboarding.roster import import_roster
from bot.reports.summary import load_report, summary_lines
from bot.runner import RunningBot
from bot.sandbox import Sandbox, SentMessage, SimUser
from db.models import (
    Agency,
    Delivery,
    DeliveryStatus,
    Directive,
    DirectiveStatus,
    Event,
    MessageKind,
    MessageStatus,
    OutboundMessage,
)
from db.queries import outbox
from tests.helpers import (
    ADMIN_ID,
    EXAMPLE_ROSTER,
    FAST,
    NUMBER,
    Clock,
    StartBot,
    answer_to,
    cli,
    directive_messages,
    eventually,
    join_officers,
    queue_directive,
    queue_letter,
)

CODES = [line.split(",")[0] for line in EXAMPLE_ROSTER.read_text().splitlines()[1:13]]
REASON = "Gửi nhầm nơi nhận"


async def unfinished(bot: RunningBot) -> int:
    """Messages still queued or being sent."""
    async with bot.sessionmaker() as session:
        count = await session.scalar(
            select(func.count(OutboundMessage.id)).where(
                OutboundMessage.status.in_([MessageStatus.QUEUED, MessageStatus.SENDING])
            )
        )
    return int(count or 0)


def is_message(message_id: int, message: SentMessage) -> bool:
    return message.message_id == message_id


def copies(officer: SimUser) -> list[SentMessage]:
    return directive_messages(officer, NUMBER)


def config_for(bot: RunningBot, tmp_path: Path) -> str:
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "{bot.settings.database.url}"\n', encoding="utf-8")
    return str(path)


async def test_recalling_a_half_delivered_letter_edits_what_went_and_cancels_the_rest(
    start_bot: StartBot, sandbox: Sandbox, clock: Clock
) -> None:
    # Five copies a second, two at a time: the recall comes while most are still to go.
    bot = await start_bot(
        tuning=replace(FAST, send_workers=2),
        broadcast={"rate_per_second": 5},
        reminders={"first_after": "1h", "working_hours": "00:00-24:00", "working_days": "mon-sun"},
    )
    officers = {c: u[0] for c, u in (await join_officers(bot.sessionmaker, sandbox, CODES)).items()}
    await queue_letter(bot, to=tuple(CODES))
    await sandbox.wait_for("sendMessage", count=3, ok=True, timeout=15)
    # Recalled as `agency-bot recall` and the confirmation button do (both tested below).
    async with bot.sessionmaker.begin() as session:
        done = await recall_directive(
            session, 1, REASON, staff_id=ADMIN_ID, now=clock(), tz_name="Asia/Ho_Chi_Minh"
        )
    bot.deps.outbox_wake.set()
    await eventually(lambda: unfinished(bot), 0, timeout=30)

    delivered = [code for code in CODES if copies(officers[code])]
    never = [code for code in CODES if not copies(officers[code])]
    assert delivered  # half-delivered: some copies went before the recall …
    assert never  # … and the rest never will
    for code in delivered:
        [copy] = copies(officers[code])
        assert copy.shown_text.startswith("🚫 ĐÃ THU HỒI\nCông văn số 123/STTTT-TTBCXB")
        assert f"Lý do: {REASON}" in copy.shown_text
        assert copy.buttons() == []
    async with bot.sessionmaker() as session:
        cancelled = await session.scalar(
            select(func.count(OutboundMessage.id)).where(
                OutboundMessage.status == MessageStatus.CANCELLED,
                OutboundMessage.kind == MessageKind.DIRECTIVE,
            )
        )
        assert cancelled == len(never)
        assert await session.scalar(select(Directive.status)) == DirectiveStatus.RECALLED
        scheduled = (await session.scalars(select(Delivery.next_reminder_at))).all()
        assert set(scheduled) == {None}
        pending = await session.scalar(
            select(func.count(Delivery.id)).where(Delivery.status == DeliveryStatus.PENDING)
        )
    assert pending == len(never)
    assert done.cancelled + done.edits >= len(CODES)
    # No reminder follows a recalled letter.
    clock.advance(timedelta(hours=3))
    await bot.deps.reminders.tick()
    assert await unfinished(bot) == 0
    assert not [m for o in officers.values() for m in o.inbox if "Nhắc" in m.shown_text]


async def test_recall_in_telegram_after_confirmation_refuses_later_presses(
    running: RunningBot, sandbox: Sandbox, clock: Clock
) -> None:
    officers = await join_officers(running.sessionmaker, sandbox, ["so-y-te", "so-tai-chinh"])
    admin = sandbox.add_user("Admin", user_id=ADMIN_ID)
    await queue_letter(running, to=("so-y-te", "so-tai-chinh"))
    letters = {
        code: await users[0].wait_for_message(NUMBER, where=lambda m: bool(m.buttons()))
        for code, users in officers.items()
    }
    question = await admin.ask(f"/recall 1 {REASON}", "Thu hồi công văn số")
    assert f"Lý do: {REASON}" in question.shown_text
    await admin.press(question, "🚫 Thu hồi")
    done = await admin.wait_for_message("Đã thu hồi công văn số")
    assert "2 bản đã gửi" in done.shown_text
    for code, users in officers.items():
        edited = await users[0].wait_for_message(
            where=lambda m, c=code: (
                m.message_id == letters[c].message_id  # type: ignore[misc]
                and "ĐÃ THU HỒI" in m.shown_text
            ),
            timeout=10,
        )
        assert edited.buttons() == []
    # A press on what an officer still has (an old button) is refused politely.
    officer = officers["so-y-te"][0]
    async with running.sessionmaker() as session:
        delivery_id = await session.scalar(
            select(Delivery.id).join(Agency).where(Agency.code == "so-y-te")
        )
    for data in (f"a:{delivery_id}", f"x:{delivery_id}", f"nj:{delivery_id}"):
        answered = await officer.press_data(letters["so-y-te"], data)
        assert "đã được Sở thu hồi" in await answer_to(sandbox, answered)
    # Staff see it: /status, the report and the log; a second recall is refused.
    card = await admin.ask("/status 1", "Tổng số đơn vị")
    assert card.shown_text.startswith("🚫 ĐÃ THU HỒI lúc ")
    assert f"Lý do: {REASON}" in card.shown_text
    await admin.ask(f"/recall 1 {REASON}", "đã được thu hồi")
    async with running.sessionmaker() as session:
        report = await load_report(session, 1, clock(), running.settings.reminders.timezone)
        kinds = (await session.scalars(select(Event.kind))).all()
    assert any(line.startswith("RECALLED ") and REASON in line for line in summary_lines(report))
    assert "directive.recalled" in kinds


async def test_a_correction_reaches_every_recipient_after_its_copy_of_the_letter(
    start_bot: StartBot, sandbox: Sandbox, tmp_path: Path
) -> None:
    bot = await start_bot(broadcast={"rate_per_second": 10})
    codes = CODES[:10]
    officers = {c: u[0] for c, u in (await join_officers(bot.sessionmaker, sandbox, codes)).items()}
    admin = sandbox.add_user("Admin", user_id=ADMIN_ID)
    await queue_letter(bot, to=tuple(codes))
    # From the command line while the letter is still being sent: each correction waits
    # for its copy.
    text = "Hạn báo cáo là ngày 30/6, không phải 30/5."
    code, out, err = await cli(
        "-c", config_for(bot, tmp_path), "correct", "1", "--text", text, "--json"
    )
    assert (code, err) == (0, "")
    assert json.loads(out) == {"directive_id": 1, "messages": len(codes)}
    for officer in officers.values():
        correction = await officer.wait_for_message("ĐÍNH CHÍNH", timeout=15)
        [letter] = [m for m in copies(officer) if "ĐÍNH CHÍNH" not in m.shown_text]
        assert correction.shown_text == (
            "📝 ĐÍNH CHÍNH công văn số 123/STTTT-TTBCXB V/v tuyên truyền cho Hội Sách trực "
            f"tuyến:\n{text}"
        )
        assert correction.reply_to is not None
        assert correction.reply_to["message_id"] == letter.message_id
    # And from Telegram.
    await admin.ask("/correct 1 Bổ sung: gửi kèm ảnh chụp trang.", "Đã xếp gửi đính chính")
    for officer in officers.values():
        await officer.wait_for_message("Bổ sung: gửi kèm ảnh chụp trang.", timeout=15)
    card = await admin.ask("/status 1", "Tổng số đơn vị")
    assert card.shown_text.startswith("📝 Đã đính chính 2 lần.")
    await admin.ask("/correct 1", "Cách dùng")
    await admin.ask("/correct 9 x", "Không có công văn ID 9")
    code, out, err = await cli("-c", config_for(bot, tmp_path), "report", "1", "--json")
    assert [c["text"] for c in json.loads(out)["corrections"]] == [
        text,
        "Bổ sung: gửi kèm ảnh chụp trang.",
    ]


async def test_recall_from_the_command_line_and_its_errors(
    running: RunningBot, sandbox: Sandbox, tmp_path: Path
) -> None:
    officers = await join_officers(running.sessionmaker, sandbox, ["so-y-te"])
    await queue_letter(running, to=("so-y-te",))
    officer = officers["so-y-te"][0]
    await officer.wait_for_message(NUMBER, where=lambda m: bool(m.buttons()))
    config = config_for(running, tmp_path)
    assert await cli("-c", config, "recall", "99", "--reason", "x") == (
        1,
        "",
        "agency-bot: error: no directive with id 99\n",
    )
    assert await cli("-c", config, "recall", "1", "--reason", "  ") == (
        1,
        "",
        "agency-bot: error: the reason is empty\n",
    )
    code, out, err = await cli("-c", config, "recall", "1", "--reason", "Sai số văn bản")
    assert (code, err) == (0, "")
    assert "directive 1 (123/STTTT-TTBCXB) recalled: 1 delivered copies to edit" in out
    edited = await officer.wait_for_message("ĐÃ THU HỒI", timeout=10)
    assert "Lý do: Sai số văn bản" in edited.shown_text
    assert await cli("-c", config, "correct", "1", "--text", "x") == (
        1,
        "",
        "agency-bot: error: directive 1 was recalled\n",
    )


async def test_only_staff_recall_and_nothing_changes_otherwise(
    running: RunningBot, sandbox: Sandbox
) -> None:
    officers = await join_officers(running.sessionmaker, sandbox, ["so-y-te"])
    await queue_letter(running, to=("so-y-te",))
    officer = officers["so-y-te"][0]
    letter = await officer.wait_for_message(NUMBER, where=lambda m: bool(m.buttons()))
    await officer.ask(f"/recall 1 {REASON}", "chỉ dành cho cán bộ Sở")
    await officer.ask("/correct 1 sửa", "chỉ dành cho cán bộ Sở")
    forged = await officer.press_data(letter, "rv:1:yes")
    assert "chỉ dành cho cán bộ Sở" in await answer_to(sandbox, forged)
    admin = sandbox.add_user("Admin", user_id=ADMIN_ID)
    await admin.ask("/recall 1", "Cách dùng")
    await admin.ask(f"/recall 9 {REASON}", "Không có công văn ID 9")
    question = await admin.ask(f"/recall 1 {REASON}", "Thu hồi công văn số")
    await admin.press(question, "Không thu hồi")
    await admin.wait_for_message("không bị thu hồi")
    async with running.sessionmaker() as session:
        assert await session.scalar(select(Directive.status)) != DirectiveStatus.RECALLED
        assert "staff.refused" in (await session.scalars(select(Event.kind))).all()
    assert letter.buttons()  # the copy keeps its buttons


@pytest.mark.postgresql_only
async def test_a_copy_sent_while_its_letter_is_recalled_restarts_no_reminders(
    sessionmaker: async_sessionmaker[AsyncSession], sandbox: Sandbox
) -> None:
    """The send's bookkeeping meets a recall not yet committed: it waits for it and leaves
    the agency unchased (reading the letter's status without waiting, PostgreSQL let the
    send schedule reminders the recall had just cleared)."""
    await import_roster(sessionmaker, EXAMPLE_ROSTER)
    await join_officers(sessionmaker, sandbox, ["so-y-te"])
    now = datetime.now(UTC)
    directive_id = await queue_directive(sessionmaker, to=["so-y-te"], now=now)
    async with sessionmaker.begin() as session:
        [copy] = await outbox.claim_due(session, now, 9, owner="me", lease=timedelta(minutes=1))

    async def send_bookkeeping() -> None:
        async with sessionmaker.begin() as session:
            written = await outbox.mark_sent(
                session, copy, ["7"], now, owner="me", first_reminder_at=now
            )
            assert written

    async with sessionmaker.begin() as recall:
        await recall_directive(
            recall, directive_id, REASON, staff_id=ADMIN_ID, now=now, tz_name="Asia/Ho_Chi_Minh"
        )
        sending = asyncio.create_task(send_bookkeeping())
        await eventually(lambda: _waiting_for_a_lock(sessionmaker), True)
    await sending
    async with sessionmaker() as session:
        delivery = (await session.execute(select(Delivery))).scalar_one()
    assert (delivery.status, delivery.next_reminder_at) == (DeliveryStatus.SENT, None)
    assert delivery.reminder_phase is None


async def _waiting_for_a_lock(sessionmaker: async_sessionmaker[AsyncSession]) -> bool:
    async with sessionmaker() as session:
        waiting = await session.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )
    return bool(waiting)
