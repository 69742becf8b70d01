"""Báo cáo kết quả through the sandbox: evidence, confirmation, the link check, timeouts,
two letters open at once, and presses from the wrong people."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.runner import RunningBot, running_bot
from bot.sandbox import Sandbox
from db.models import Contact, Delivery, DeliveryStatus, Evidence, Verification
from tests.helpers import (
    EXAMPLE_ROSTER,
    FAST,
    LETTER,
    answer_to,
    broadcast_to,
    compose,
    eventually,
    join_officers,
    letter,
    make_settings,
    queue_letter,
    report_with_evidence,
)


async def delivery_state(bot: RunningBot) -> tuple[DeliveryStatus, Verification | None]:
    async with bot.sessionmaker() as session:
        row = (
            await session.execute(
                select(Delivery.status, Delivery.evidence_verified).where(
                    Delivery.completed_at.is_not(None)
                )
            )
        ).one()
    return row[0], row[1]


async def test_report_with_a_page_that_links_the_letter_is_verified(
    running: RunningBot, sandbox: Sandbox, website: str
) -> None:
    officer = (await join_officers(running.sessionmaker, sandbox, ["so-y-te"]))["so-y-te"][0]
    admin = await broadcast_to(running, sandbox, ["so-y-te"])
    message = await letter(officer)
    await report_with_evidence(officer, message, f"Đã đăng tại {website}/tin-tuc/hoi-sach ạ")
    confirm = await officer.wait_for_message("2 minh chứng")
    await officer.press(confirm, "Xác nhận báo cáo")
    await officer.wait_for_message("Đã ghi nhận báo cáo")
    await officer.wait_for_message("Đã tìm thấy đường link", timeout=15)
    assert await delivery_state(running) == (DeliveryStatus.COMPLETED, Verification.VERIFIED)
    async with running.sessionmaker() as session:
        kinds = sorted((await session.scalars(select(Evidence.kind))).all())
    assert kinds == ["text", "url"]
    # Staff may check again later (the page may have changed).
    await admin.ask("/verify 1 so-y-te", "Đang kiểm tra lại 1 đường link")
    await admin.wait_for_message("Đã tìm thấy đường link", timeout=15)
    await admin.ask("/verify 1 so-noi-vu", "không nằm trong nơi nhận")
    await officer.ask("/verify 1 so-y-te", "chỉ dành cho cán bộ Sở")


async def test_unverified_and_unreachable_pages_still_complete(
    running: RunningBot, sandbox: Sandbox, website: str
) -> None:
    officer = (await join_officers(running.sessionmaker, sandbox, ["so-y-te"]))["so-y-te"][0]
    admin = await broadcast_to(running, sandbox, ["so-y-te"])
    message = await letter(officer)
    await report_with_evidence(
        officer, message, f"{website}/tin-tuc/khac", "http://127.0.0.1:9/trang"
    )
    await officer.press(await officer.wait_for_message("4 minh chứng"), "Xác nhận báo cáo")
    no_link = await officer.wait_for_message("no link to https://book365.vn", timeout=15)
    # The officer learns the page could not be reached; staff learn why.
    unreachable = await officer.wait_for_message("không truy cập được trang", timeout=15)
    assert "Chưa xác minh được" in no_link.shown_text
    assert "connection failed" not in unreachable.shown_text
    notice = await admin.wait_for_message("minh chứng chưa xác minh được", timeout=15)
    assert "Sở Y tế" in notice.shown_text
    assert "no link to https://book365.vn" in notice.shown_text
    assert "connection failed: connection refused" in notice.shown_text
    await eventually(
        lambda: delivery_state(running), (DeliveryStatus.COMPLETED, Verification.UNVERIFIED)
    )


async def test_private_addresses_are_refused_by_default(
    sandbox: Sandbox, db_url: str, website: str
) -> None:
    async with running_bot(make_settings(sandbox, db_url), tuning=FAST) as bot:
        from bot.onboarding.roster import import_roster

        await import_roster(bot.sessionmaker, EXAMPLE_ROSTER)
        officer = (await join_officers(bot.sessionmaker, sandbox, ["so-y-te"]))["so-y-te"][0]
        await broadcast_to(bot, sandbox, ["so-y-te"])
        await report_with_evidence(officer, await letter(officer), f"{website}/tin-tuc/hoi-sach")
        await officer.press(await officer.wait_for_message("2 minh chứng"), "Xác nhận báo cáo")
        refusal = await officer.wait_for_message("Chưa xác minh", timeout=15)
        assert "không truy cập được trang" in refusal.shown_text
        assert "127.0.0.1" not in refusal.shown_text.replace(website, "")
        async with bot.sessionmaker() as session:
            reason = await session.scalar(
                select(Evidence.verification_reason).where(Evidence.kind == "url")
            )
        assert reason == "refused: loopback address 127.0.0.1"


async def test_report_is_bound_to_one_of_two_open_letters(
    running: RunningBot, sandbox: Sandbox, website: str
) -> None:
    officer = (await join_officers(running.sessionmaker, sandbox, ["so-y-te"]))["so-y-te"][0]
    admin = await broadcast_to(running, sandbox, ["so-y-te"])
    first = await letter(officer)
    second_letter = LETTER.replace("123/STTTT-TTBCXB", "456/STTTT-VP")
    await compose(admin, second_letter, to="so-y-te")
    await admin.press(await admin.wait_for_message("Bấm «Gửi»"), "Gửi")
    second = await officer.wait_for_message("456/STTTT-VP", where=lambda m: bool(m.buttons()))
    await officer.press(first, "Báo cáo kết quả")
    await officer.wait_for_message("123/STTTT-TTBCXB", where=lambda m: "📝" in m.shown_text)
    await officer.press(second, "Báo cáo kết quả")
    prompt = await officer.wait_for_message("chưa xác nhận đã được bỏ")
    assert "456/STTTT-VP" in prompt.shown_text
    assert "123/STTTT-TTBCXB" in prompt.shown_text
    added = await officer.ask(f"{website}/tin-tuc/hoi-sach", "minh chứng")
    assert "456/STTTT-VP" in added.shown_text
    await officer.press(added, "Xác nhận báo cáo")
    await officer.wait_for_message(
        "Đã ghi nhận báo cáo công văn" if False else "Đã ghi nhận báo cáo"
    )
    async with running.sessionmaker() as session:
        completed = (
            await session.scalars(
                select(Delivery.directive_id).where(Delivery.status == DeliveryStatus.COMPLETED)
            )
        ).all()
    assert completed == [2]


async def test_half_done_report_times_out_and_says_so(
    sandbox: Sandbox, db_url: str, tmp_path: Path
) -> None:
    settings = make_settings(sandbox, db_url, evidence={"report_timeout": "2s"})
    async with running_bot(settings, tuning=FAST) as bot:
        from bot.onboarding.roster import import_roster

        await import_roster(bot.sessionmaker, EXAMPLE_ROSTER)
        officer = (await join_officers(bot.sessionmaker, sandbox, ["so-y-te"]))["so-y-te"][0]
        await broadcast_to(bot, sandbox, ["so-y-te"])
        message = await letter(officer)
        prompt = await report_with_evidence(
            officer, message, "https://so-y-te.soctrang.gov.vn/tin/1"
        )
        await officer.wait_for_message("hết thời gian", timeout=15)
        late = await officer.press(prompt, "Xác nhận báo cáo")
        assert "đã kết thúc" in await answer_to(sandbox, late)  # answered: nothing recorded
        async with bot.sessionmaker() as session:
            assert (await session.scalars(select(Evidence))).all() == []


async def test_reports_from_the_wrong_people_are_refused(
    running: RunningBot, sandbox: Sandbox
) -> None:
    officers = await join_officers(running.sessionmaker, sandbox, ["so-y-te", "dai-ptth"])
    health, radio = officers["so-y-te"][0], officers["dai-ptth"][0]
    await broadcast_to(running, sandbox, ["so-y-te", "dai-ptth"])
    health_letter, radio_letter = await letter(health), await letter(radio)
    forged = next(b["callback_data"] for b in health_letter.buttons() if "Báo cáo" in b["text"])
    update = await radio.press_data(radio_letter, forged)
    assert "không phải cán bộ đầu mối" in await answer_to(sandbox, update)
    update = await radio.press_data(radio_letter, "rc:1:ok")
    assert "đã kết thúc" in await answer_to(sandbox, update)


async def test_a_report_without_da_nhan_acknowledges_the_agency_too(
    running: RunningBot, sandbox: Sandbox, website: str
) -> None:
    """Reporting is a stronger answer than Đã nhận: the agency is completed and acknowledged,
    by the officer who reported, when the report is confirmed."""
    officer = (await join_officers(running.sessionmaker, sandbox, ["so-y-te"]))["so-y-te"][0]
    await queue_letter(running, to=("so-y-te",))
    message = await letter(officer)
    prompt = await report_with_evidence(officer, message, f"{website}/tin-tuc/hoi-sach")
    async with running.sessionmaker() as session:
        before = await session.scalar(select(Delivery.acknowledged_at))
    assert before is None  # evidence alone, unconfirmed, answers nothing
    await officer.press(prompt, "Xác nhận báo cáo")
    await officer.wait_for_message("Đã ghi nhận báo cáo")
    async with running.sessionmaker() as session:
        row = (
            await session.execute(
                select(Delivery.status, Delivery.acknowledged_at, Contact.display_name).join(
                    Contact, Contact.id == Delivery.acknowledged_by_contact_id
                )
            )
        ).one()
    assert row.status == DeliveryStatus.COMPLETED
    assert row.acknowledged_at is not None
    assert row.display_name == officer.first_name
