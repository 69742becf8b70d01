"""Items addressed to some of a letter's recipients, through the sandbox: each
agency reads its own items, and only those asked to publish the links are link-checked."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.delivery.directive_input import DirectiveItem, read_directive_file
from bot.delivery.drafts import ItemsError
from bot.runner import RunningBot
from bot.sandbox import Sandbox, SimUser
from db.models import Agency, Delivery, Directive, OutboundMessage, Verification
from tests.helpers import (
    ADMIN_ID,
    NUMBER,
    eventually,
    join_officers,
    letter,
    queue_letter,
    report_with_evidence,
)

SAMPLE = read_directive_file(Path(__file__).parent.parent / "examples" / "directive-book-day.toml")


async def deliveries(bot: RunningBot) -> dict[str, tuple[int, bool, Verification | None]]:
    """Per agency: (items_mask, check_links, evidence_verified)."""
    async with bot.sessionmaker() as session:
        rows = await session.execute(
            select(
                Agency.code, Delivery.items_mask, Delivery.check_links, Delivery.evidence_verified
            ).join(Agency, Agency.id == Delivery.agency_id)
        )
        return {code: (mask, checked, verified) for code, mask, checked, verified in rows.all()}


async def report_page(officer: SimUser, page: str) -> str:
    """The officer reports with a page and confirms; what the bot answers the confirmation."""
    prompt = await report_with_evidence(officer, await letter(officer), f"Đã đăng tại {page}")
    await officer.press(prompt, "Xác nhận báo cáo")
    return (await officer.wait_for_message("Đã ghi nhận báo cáo kết quả")).shown_text


async def test_the_samples_items_reach_their_agencies_and_only_publishers_are_checked(
    running: RunningBot, sandbox: Sandbox, website: str
) -> None:
    codes = ["bao-soc-trang", "so-gddt", "so-y-te"]
    officers = {
        code: users[0]
        for code, users in (await join_officers(running.sessionmaker, sandbox, codes)).items()
    }
    await queue_letter(running, to=("bao-dai", "so-nganh"), items=SAMPLE.items, links=SAMPLE.links)
    newspaper, education, health = [(await letter(officers[c])).shown_text for c in codes]
    assert newspaper.startswith("📌 Đơn vị thực hiện: mục 1\n")
    assert education.startswith("📌 Đơn vị thực hiện: mục 2\n")
    assert health.startswith("📌 Đơn vị thực hiện: mục 3\n")
    # Each reads its own item in full, the others on one line.
    for text, own in ((newspaper, 0), (education, 1), (health, 2)):
        for number, item in enumerate(SAMPLE.items):
            assert (item.text in text) == (number == own)
    found = await deliveries(running)
    assert {code: found[code][:2] for code in codes} == {
        "bao-soc-trang": (0b001, True),
        "so-gddt": (0b010, False),  # item 2 passes the link on: nothing to publish
        "so-y-te": (0b100, True),
    }
    assert found["dai-ptth"][:2] == (0b001, True)  # the radio-TV shares item 1

    page = f"{website}/tin-tuc/hoi-sach"
    assert "đang kiểm tra đường link" in await report_page(officers["bao-soc-trang"], page)
    assert "đang kiểm tra đường link" in await report_page(officers["so-y-te"], page)
    assert "đang kiểm tra" not in await report_page(officers["so-gddt"], page)

    async def verdicts() -> dict[str, Verification | None]:
        return {code: state[2] for code, state in (await deliveries(running)).items()}

    expected = {
        "bao-soc-trang": Verification.VERIFIED,
        "so-gddt": None,
        "so-y-te": Verification.VERIFIED,
    }

    async def of_reporters() -> dict[str, Verification | None]:
        return {code: (await verdicts())[code] for code in codes}

    await eventually(of_reporters, expected, timeout=15)
    assert not [m for m in officers["so-gddt"].inbox if "🔎" in m.shown_text]


async def test_a_letter_whose_item_reaches_no_recipient_is_refused_by_number(
    running: RunningBot, sandbox: Sandbox
) -> None:
    items = (
        DirectiveItem("Đăng tin.", ("bao-dai",)),
        DirectiveItem("Chỉ đạo các trường.", ("so-gddt",), publish_links=False),
    )
    with pytest.raises(ItemsError) as refused:
        await queue_letter(running, to=("bao-dai",), items=items)
    assert refused.value.nobody == [(2, ["so-gddt"])]
    assert str(refused.value) == "addressed to none of the letter's recipients: item 2 (so-gddt)"
    async with running.sessionmaker() as session:
        assert (await session.scalars(select(Delivery))).all() == []
        assert (await session.scalars(select(OutboundMessage))).all() == []


async def test_broadcast_item_lines_are_checked_against_the_chosen_recipients(
    running: RunningBot, sandbox: Sandbox
) -> None:
    await join_officers(running.sessionmaker, sandbox, ["bao-soc-trang", "so-gddt"])
    admin = sandbox.add_user("Admin", user_id=ADMIN_ID)
    text = (
        f"V/v hội sách\nSố: {NUMBER}\nĐề nghị các đơn vị:\n\n"
        "Mục 1 (bao-dai): Đăng đường link https://book365.vn.\n"
        "Mục 2 (so-gddt; không đăng link): Chỉ đạo các trường."
    )
    prompt = await admin.ask(f"/broadcast {text}", "Chọn nơi nhận")
    await admin.send("bao-soc-trang", reply_to=prompt.message_id)
    refusal = await admin.wait_for_message("Không có đơn vị nhận nào thuộc")
    assert "mục 2 (so-gddt)" in refusal.shown_text
    assert "Chưa có gì được gửi" in refusal.shown_text
    # Choosing recipients that every item reaches gives the preview, with the count per item.
    await admin.send("bao-soc-trang so-gddt", reply_to=prompt.message_id)
    summary = await admin.wait_for_message("Bấm «Gửi»")
    assert "Theo mục: mục 1: 1 đơn vị; mục 2: 1 đơn vị." in summary.shown_text
    preview = await admin.wait_for_message("📌 Bản xem trước")
    assert "1. (bao-dai) Đăng đường link" in preview.shown_text
    await admin.press(summary, "Gửi")
    await admin.wait_for_message("Đã gửi xong", timeout=15)
    async with running.sessionmaker() as session:
        stored = await session.scalar(select(Directive.items))
    assert stored == [
        {"text": "Đăng đường link https://book365.vn.", "to": ["bao-dai"], "publish_links": True},
        {"text": "Chỉ đạo các trường.", "to": ["so-gddt"], "publish_links": False},
    ]
    assert {code: state[:2] for code, state in (await deliveries(running)).items()} == {
        "bao-soc-trang": (0b01, True),
        "so-gddt": (0b10, False),
    }


async def test_an_unknown_recipient_in_an_item_line_is_named(
    running: RunningBot, sandbox: Sandbox
) -> None:
    admin = sandbox.add_user("Admin", user_id=ADMIN_ID)
    prompt = await admin.ask("/broadcast V/v x\nMục 1 (so-khong-co): Đăng tin.", "Chọn nơi nhận")
    await admin.press(prompt, "Tất cả")
    await admin.wait_for_message("Không có nhóm hoặc đơn vị: so-khong-co")
    # The question gets its buttons back: the recipients can be chosen again.
    question = await admin.wait_for_message(
        where=lambda m: m.message_id == prompt.message_id and bool(m.buttons())
    )
    assert any("Tất cả" in str(button.get("text")) for button in question.buttons())
    bad = await admin.ask("/broadcast V/v x\nMục 2 (bao-dai): số sai", "Dòng «Mục …»")
    assert "theo thứ tự" in bad.shown_text


async def test_an_agency_sent_the_letter_for_information_owes_no_report(
    running: RunningBot, sandbox: Sandbox
) -> None:
    officers = await join_officers(running.sessionmaker, sandbox, ["so-y-te", "so-tai-chinh"])
    admin = sandbox.add_user("Admin", user_id=ADMIN_ID)
    today = running.deps.clock().astimezone(running.settings.reminders.timezone).date()
    items = (DirectiveItem("Kiểm tra an toàn thực phẩm.", ("so-y-te",)),)
    await queue_letter(
        running, to=("so-y-te", "so-tai-chinh"), items=items, deadline=today - timedelta(days=1)
    )
    informed = officers["so-tai-chinh"][0]
    message = await letter(informed)
    assert message.shown_text.startswith("📌 Gửi để biết (không có mục nào giao cho đơn vị)\n")

    async def sent() -> bool:
        return (await deliveries(running))["so-tai-chinh"][:2] == (0, False)

    await eventually(sent, True)
    await informed.press(message, "Đã nhận")
    await informed.wait_for_message("Đã nhận bởi")
    # Acknowledged, it owes nothing more, and is not overdue past the letter's deadline.
    await informed.ask("/viec", "không còn công văn nào")
    card = await admin.ask("/status 1", "Tổng số đơn vị")
    assert "⏰ Quá hạn: 1 (50%)" in card.shown_text  # Sở Y tế only
