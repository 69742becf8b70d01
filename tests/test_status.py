"""/status, /pending (pages and the by-hand button) and /report through the sandbox."""

from __future__ import annotations

import io
import struct
from zoneinfo import ZoneInfo

import docx
import httpx
import openpyxl
from sqlalchemy import select

from bot.reports.summary import acknowledged_by, load_report
from bot.runner import RunningBot
from bot.sandbox import Sandbox, SentMessage, SimUser
from db.models import Agency, Delivery, DeliveryStatus, Event, utcnow
from tests.helpers import (
    ADMIN_ID,
    EXAMPLE_ROSTER,
    NUMBER,
    answer_to,
    broadcast_to,
    eventually,
    join_officers,
    letter,
)


async def sent(running: RunningBot, sandbox: Sandbox, codes: list[str]) -> SimUser:
    """Staff broadcasts the test letter (directive 1) and waits until it has gone out."""
    admin = await broadcast_to(running, sandbox, codes)
    await admin.wait_for_message("Đã gửi xong", timeout=15)
    return admin


async def download(sandbox: Sandbox, file_id: str) -> bytes:
    """The file as a Telegram client would fetch it: getFile, then the file URL."""
    async with httpx.AsyncClient(base_url=sandbox.base_url) as client:
        found = await client.get(f"/bot{sandbox.token}/getFile", params={"file_id": file_id})
        path = found.json()["result"]["file_path"]
        return (await client.get(f"/file/bot{sandbox.token}/{path}")).content


async def acknowledged_by_hand(running: RunningBot, code: str) -> tuple[object, ...] | None:
    async with running.sessionmaker() as session:
        row = (
            await session.execute(
                select(Delivery.status, Delivery.acknowledged_by_staff_id, Delivery.manual_reason)
                .join(Agency, Agency.id == Delivery.agency_id)
                .where(Agency.code == code, Delivery.acknowledged_at.is_not(None))
            )
        ).one_or_none()
    return tuple(row) if row is not None else None


async def test_status_card_counts_and_the_recent_list_opens_it(
    running: RunningBot, sandbox: Sandbox
) -> None:
    officers = await join_officers(running.sessionmaker, sandbox, ["so-y-te", "dai-ptth"])
    admin = await sent(running, sandbox, ["so-y-te", "dai-ptth", "hoi-nong-dan"])
    health = officers["so-y-te"][0]
    await health.press(await letter(health), "Đã nhận")
    await health.wait_for_message("Đã nhận bởi")
    await letter(officers["dai-ptth"][0])

    card = await admin.ask("/status 1", "Tổng số đơn vị")
    assert f"Công văn số {NUMBER}" in card.shown_text
    assert "Tổng số đơn vị: 3" in card.shown_text
    assert "✅ Đã nhận: 1 (33%)" in card.shown_text
    assert "❌ Không gửi được: 1 (33%)" in card.shown_text
    assert "Thời gian nhận (trung vị)" in card.shown_text
    # Per group, under the names a clerk reads ([groups]), not the roster's slugs.
    assert (
        "Theo nhóm (đã nhận / số đơn vị):\n"
        "• Sở, ban, ngành: 1/2 (50%), hoàn thành 0\n"  # Hội Nông dân is in so-nganh
        "• Báo, đài: 0/1 (0%), hoàn thành 0\n\n"
    ) in card.shown_text
    assert "so-nganh" not in card.shown_text
    assert [b["text"] for b in card.buttons()] == ["📋 Chưa nhận (2)", "🔄 Cập nhật"]

    listing = await admin.ask("/status", "Công văn gần đây")
    [button] = listing.buttons()
    assert button["text"].startswith(NUMBER)
    assert "1/3 (33%)" in button["text"]
    update = await admin.press(listing, NUMBER)
    opened = await admin.wait_for_message(
        "Tổng số đơn vị", where=lambda m: m.message_id == listing.message_id
    )
    assert "✅ Đã nhận: 1 (33%)" in opened.shown_text
    assert await answer_to(sandbox, update) == "Đã cập nhật."


async def test_unknown_and_malformed_ids_get_a_clear_answer(
    running: RunningBot, sandbox: Sandbox
) -> None:
    admin = sandbox.add_user("Admin", user_id=ADMIN_ID)
    assert "Chưa có công văn" in (await admin.ask("/status", "công văn")).shown_text
    for command in ("/status 99", "/pending 99", "/report 99"):
        await admin.ask(command, "Không có công văn ID 99")
    for command, usage in (
        ("/status abc", "/status [ID]"),
        ("/status 0", "/status [ID]"),
        ("/status ²", "/status [ID]"),  # a digit to str.isdigit(), not to the bot
        ("/status ١٢", "/status [ID]"),
        ("/pending", "/pending ID"),
        ("/pending 1 2", "/pending ID"),
        ("/report -3", "/report ID"),
        ("/report 99999999999999999999999", "/report ID"),
    ):
        await admin.ask(command, usage)


async def test_non_staff_is_refused_and_told_nothing(running: RunningBot, sandbox: Sandbox) -> None:
    # An agency with no units under it: a relay's contacts may see their own relayed
    # letters (test_relay.py), an officer of any other agency nothing at all.
    code = "bao-soc-trang"
    officer = (await join_officers(running.sessionmaker, sandbox, [code]))[code][0]
    await sent(running, sandbox, [code])
    message = await letter(officer)
    for command in ("/status", "/status 1", "/pending 1", "/report 1", "/report 99"):
        refusal = await officer.ask(command, "chỉ dành cho cán bộ Sở")
        assert NUMBER not in refusal.shown_text
        assert "ID" not in refusal.shown_text
    for data in ("st:1", "pg:1:0", "pm:1:1:a"):
        update = await officer.press_data(message, data)
        assert "chỉ dành cho cán bộ Sở" in await answer_to(sandbox, update)
    assert not [m for m in officer.inbox if m.document or m.photo]
    assert await acknowledged_by_hand(running, code) is None
    async with running.sessionmaker() as session:
        refused = (
            await session.scalars(select(Event.actor_id).where(Event.kind == "staff.refused"))
        ).all()
    assert refused == [officer.id] * 8  # each attempt recorded, and only the officer's


async def page_of(admin: SimUser, listing: SentMessage, page: str) -> SentMessage:
    return await admin.wait_for_message(page, where=lambda m: m.message_id == listing.message_id)


async def test_pending_pages_through_every_agency_with_contacts(
    running: RunningBot, sandbox: Sandbox
) -> None:
    await join_officers(running.sessionmaker, sandbox, ["so-y-te"], per_agency=2)
    admin = await sent(running, sandbox, ["all"])
    listing = await admin.ask("/pending 1", "chưa nhận")
    # "all" is the top of the tree (64 agencies): units under them get it when relayed.
    assert "64 đơn vị chưa nhận (trang 1/8)" in listing.shown_text
    assert "1. Văn phòng" not in listing.shown_text  # by code: bao-soc-trang first
    labels = [b["text"] for b in listing.buttons()]
    assert labels[:2] == ["1. ✔ Đã nhận", "1. 🏁 Hoàn thành"]
    assert labels[-1] == "Sau ▶"
    assert "◀ Trước" not in labels
    assert len(labels) == 2 * 8 + 1

    await admin.press(listing, "Sau ▶")
    second = await page_of(admin, listing, "trang 2/8")
    assert "<b>9. " in (second.html or "")
    assert [b["text"] for b in second.buttons()][-2:] == ["◀ Trước", "Sau ▶"]
    await admin.press_data(second, "pg:1:999")
    last = await page_of(admin, listing, "trang 8/8")
    assert "64. " in last.shown_text
    assert "Sau ▶" not in str(last.buttons())
    lines = EXAMPLE_ROSTER.read_text().splitlines()[1:]
    codes = sorted(line.split(",")[0] for line in lines if line.endswith(","))  # no parent
    await admin.press_data(last, f"pg:1:{codes.index('so-y-te') // 8}")
    health = await page_of(admin, listing, f"trang {codes.index('so-y-te') // 8 + 1}/8")
    assert "Cán bộ so-y-te 1 — đầu mối chính" in health.shown_text
    assert "Cán bộ so-y-te 2 — đầu mối dự phòng" in health.shown_text


async def test_pending_button_marks_by_hand_with_the_replied_reason(
    running: RunningBot, sandbox: Sandbox
) -> None:
    admin = await sent(running, sandbox, ["so-y-te", "dai-ptth"])
    listing = await admin.ask("/pending 1", "chưa nhận")
    assert "1. Đài Phát thanh" in listing.shown_text or "dai-ptth" in listing.shown_text
    update = await admin.press(listing, "1. 🏁 Hoàn thành")
    assert "trả lời" in (await answer_to(sandbox, update)).lower()
    prompt = await admin.wait_for_message("Cập nhật thủ công")
    assert prompt.reply_markup == {"force_reply": True, "selective": True}
    assert "/mark 1 dai-ptth completed" in prompt.shown_text
    # An empty reason is refused and changes nothing; a real one marks the agency.
    await admin.send("   ", reply_to=prompt.message_id)
    await admin.wait_for_message("Cần ghi lý do")
    assert await acknowledged_by_hand(running, "dai-ptth") is None
    await admin.send("đã xác nhận qua điện thoại", reply_to=prompt.message_id)
    done = await admin.wait_for_message("Đã cập nhật thủ công")
    assert "dai-ptth" in done.shown_text
    assert await acknowledged_by_hand(running, "dai-ptth") == (
        DeliveryStatus.COMPLETED,
        ADMIN_ID,
        "đã xác nhận qua điện thoại",
    )
    listing = await admin.ask("/pending 1", "chưa nhận")
    assert "1 đơn vị chưa nhận" in listing.shown_text
    assert "dai-ptth" not in listing.shown_text
    async with running.sessionmaker() as session:
        report = await load_report(session, 1, utcnow(), ZoneInfo("Asia/Ho_Chi_Minh"))
    [radio] = [row for row in report.rows if row.code == "dai-ptth"]
    assert acknowledged_by(radio) == "Admin (thủ công)"


async def test_status_card_opens_the_pending_list(running: RunningBot, sandbox: Sandbox) -> None:
    admin = await sent(running, sandbox, ["so-y-te"])
    card = await admin.ask("/status 1", "Tổng số đơn vị")
    before = len(admin.inbox)
    await admin.press(card, "Chưa nhận")
    listing = await admin.wait_for_message("1 đơn vị chưa nhận")
    assert listing.message_id != card.message_id
    assert len(admin.inbox) == before + 1


async def test_report_sends_the_chart_the_workbook_and_the_official_report(
    running: RunningBot, sandbox: Sandbox
) -> None:
    officer = (await join_officers(running.sessionmaker, sandbox, ["so-y-te"]))["so-y-te"][0]
    admin = await sent(running, sandbox, ["so-y-te", "dai-ptth"])
    await officer.press(await letter(officer), "Đã nhận")
    await officer.wait_for_message("Đã nhận bởi")
    await admin.ask("/report 1", "Đang lập báo cáo")
    chart = await admin.wait_for_message(
        "đơn vị đã nhận", timeout=30, where=lambda m: bool(m.photo)
    )
    assert f"Công văn số {NUMBER}: 1/2 đơn vị đã nhận" in chart.shown_text
    workbook = await admin.wait_for_message("Excel", timeout=30, where=lambda m: bool(m.document))
    assert workbook.document is not None
    assert workbook.document["file_name"] == "bao-cao-cong-van-1.xlsx"
    png = await download(sandbox, chart.photo[-1]["file_id"] if chart.photo else "")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (1500, 500)
    book = openpyxl.load_workbook(io.BytesIO(await download(sandbox, workbook.document["file_id"])))
    rows = list(book["Đơn vị"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[3], r[5]) for r in rows] == [
        ("dai-ptth", "không gửi được", ""),
        ("so-y-te", "đã nhận", officer.first_name),
    ]
    official = await admin.wait_for_message(
        "Báo cáo kết quả triển khai", timeout=30, where=lambda m: bool(m.document)
    )
    assert official.document is not None
    assert official.document["file_name"] == "bao-cao-cong-van-1.docx"
    document = docx.Document(io.BytesIO(await download(sandbox, official.document["file_id"])))
    texts = [p.text for p in document.paragraphs]
    assert "BÁO CÁO" in texts
    assert any(text.startswith(f"Kết quả triển khai Công văn số {NUMBER}") for text in texts)

    async def exported() -> int:
        async with running.sessionmaker() as session:
            found = await session.scalars(
                select(Event.actor_id).where(Event.kind == "report.exported")
            )
            return len([a for a in found.all() if a == ADMIN_ID])

    await eventually(exported, 1)
