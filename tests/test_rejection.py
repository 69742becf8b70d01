"""Không thuộc thẩm quyền through the sandbox: the agency becomes `rejected` (not waiting, not
failed), its reminders stop, the sender is told and may send the letter to another agency."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from sqlalchemy import select

from bot.delivery.directive_input import DirectiveItem
from bot.reports.summary import load_report, render_csv
from bot.runner import RunningBot
from bot.sandbox import Sandbox, SentMessage, SimUser
from db.models import Agency, Delivery, DeliveryStatus
from tests.helpers import (
    ADMIN_ID,
    NUMBER,
    Clock,
    answer_to,
    eventually,
    join_officers,
    queue_letter,
)
from tests.hourly_reminders import CADENCE as HOURLY
from tests.hourly_reminders import HOUR

# Hourly rounds as tests.hourly_reminders has them, never escalated within three.
CADENCE = {**HOURLY, "escalate_after": 3}
ITEMS = (
    DirectiveItem("Kiểm tra an toàn thực phẩm tại hội sách.", ("so-y-te",), publish_links=False),
    DirectiveItem("Đăng tải đường link https://book365.vn.", ("others",)),
)
REASON = "Việc này do Chi cục An toàn vệ sinh thực phẩm phụ trách"


async def copy(officer: SimUser) -> SentMessage:
    """The officer's copy of the letter."""
    return await officer.wait_for_message(
        NUMBER, timeout=15, where=lambda m: "Không thuộc thẩm quyền" in str(m.buttons())
    )


async def state(bot: RunningBot, code: str) -> tuple[DeliveryStatus, str | None, int, str | None]:
    """(status, reminder phase, rounds, why not ours) of the agency's delivery."""
    async with bot.sessionmaker() as session:
        row = (
            await session.execute(
                select(
                    Delivery.status,
                    Delivery.reminder_phase,
                    Delivery.reminders_sent,
                    Delivery.rejection_reason,
                )
                .join(Agency, Agency.id == Delivery.agency_id)
                .where(Agency.code == code)
            )
        ).one()
    return row[0], row[1], row[2], row[3]


async def test_not_ours_stops_reminders_tells_the_sender_and_the_letter_goes_elsewhere(
    start_bot: Callable[..., Awaitable[RunningBot]], sandbox: Sandbox, clock: Clock
) -> None:
    bot = await start_bot(reminders=CADENCE)
    admin = sandbox.add_user("Admin", user_id=ADMIN_ID)
    officers = await join_officers(
        bot.sessionmaker, sandbox, ["so-y-te", "so-tai-chinh", "cdc-soc-trang"]
    )
    rejecting, other = officers["so-y-te"][0], officers["so-tai-chinh"][0]
    await queue_letter(bot, to=("so-y-te", "so-tai-chinh"), items=ITEMS)
    letters = {code: await copy(officers[code][0]) for code in ("so-y-te", "so-tai-chinh")}
    for code in letters:
        await eventually(partial(state, bot, code), (DeliveryStatus.SENT, "ack", 0, None))

    await rejecting.press(letters["so-y-te"], "Không thuộc thẩm quyền")
    question = await rejecting.wait_for_message("bằng lý do")
    await rejecting.send(REASON, reply_to=question.message_id)
    await rejecting.wait_for_message("Đã báo Sở")
    notice = await admin.wait_for_message("không thuộc thẩm quyền")
    assert "Sở Y tế (so-y-te)" in notice.shown_text
    assert f"Lý do: {REASON}" in notice.shown_text
    assert [b["text"] for b in notice.buttons()] == ["↪️ Gửi cho đơn vị khác"]
    assert await state(bot, "so-y-te") == (DeliveryStatus.REJECTED, None, 0, REASON)

    # Said once: pressing again, or Đã nhận afterwards, changes nothing and says why.
    again = await rejecting.press(letters["so-y-te"], "Không thuộc thẩm quyền")
    assert "không thuộc thẩm quyền" in await answer_to(sandbox, again)
    acknowledged = await rejecting.press(letters["so-y-te"], "Đã nhận")
    assert "không thuộc thẩm quyền" in await answer_to(sandbox, acknowledged)
    # An officer of another agency cannot send someone else's letter back.
    async with bot.sessionmaker() as session:
        rejected_id = await session.scalar(
            select(Delivery.id).where(Delivery.status == DeliveryStatus.REJECTED)
        )
    forged = await other.press_data(letters["so-tai-chinh"], f"nj:{rejected_id}")
    assert "không phải cán bộ đầu mối" in await answer_to(sandbox, forged)
    staff_button = await other.press_data(letters["so-tai-chinh"], f"rt:{rejected_id}")
    assert "chỉ dành cho cán bộ Sở" in await answer_to(sandbox, staff_button)

    # Its reminders stop; the other agency is still chased.
    clock.advance(HOUR)
    await other.wait_for_message("Nhắc lần 1", timeout=10)
    assert not [m for m in rejecting.inbox if "Nhắc lần" in m.shown_text]
    assert await state(bot, "so-y-te") == (DeliveryStatus.REJECTED, None, 0, REASON)

    # Counted apart: not acknowledged, not failed, not waiting.
    card = await admin.ask("/status 1", "Tổng số đơn vị")
    assert "↩️ Không thuộc thẩm quyền: 1 (50%)" in card.shown_text
    assert "❌ Không gửi được: 0 (0%)" in card.shown_text
    assert card.buttons()[0]["text"] == "📋 Chưa nhận (1)"
    async with bot.sessionmaker() as session:
        report = await load_report(session, 1, clock(), bot.settings.reminders.timezone)
    rows = {line.split(",")[0]: line.split(",") for line in render_csv(report).splitlines()}
    assert rows["so-y-te"][3] == "rejected"
    assert rows["so-y-te"][10] == ""  # failure_reason is for failed agencies only
    assert report.counts.rejected == 1

    # Sent to another agency instead: it gets the first one's items.
    await admin.press(notice, "Gửi cho đơn vị khác")
    ask = await admin.wait_for_message("bằng mã đơn vị")
    await admin.send("so-khong-co", reply_to=ask.message_id)
    await admin.wait_for_message("Không có đơn vị mã so-khong-co")
    await admin.send("so-tai-chinh", reply_to=ask.message_id)
    await admin.wait_for_message("đã nằm trong nơi nhận")
    await admin.send("cdc-soc-trang", reply_to=ask.message_id)
    done = await admin.wait_for_message("Đã gửi công văn số")
    assert "Trung tâm Kiểm soát bệnh tật tỉnh Sóc Trăng" in done.shown_text
    instead = await copy(officers["cdc-soc-trang"][0])
    assert instead.shown_text.startswith("📌 Đơn vị thực hiện: mục 1\n")
    async with bot.sessionmaker() as session:
        row = (
            await session.execute(
                select(Delivery.items_mask, Delivery.check_links)
                .join(Agency, Agency.id == Delivery.agency_id)
                .where(Agency.code == "cdc-soc-trang")
            )
        ).one()
    assert tuple(row) == (0b01, False)
