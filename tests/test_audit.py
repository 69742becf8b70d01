"""The audit trail: every send, failure, acknowledgement, report, evidence check
and staff action is recorded with its actor, its time and the agency it concerns."""

from __future__ import annotations

from sqlalchemy import select

from bot.runner import RunningBot
from bot.sandbox import Sandbox
from db.models import Agency, Event
from tests.helpers import (
    ADMIN_ID,
    broadcast_to,
    eventually,
    join_officers,
    letter,
    report_with_evidence,
)


async def trail(running: RunningBot) -> set[tuple[str, str, int | None, str | None]]:
    async with running.sessionmaker() as session:
        rows = await session.execute(
            select(Event.kind, Event.actor_type, Event.actor_id, Agency.code, Event.at)
            .outerjoin(Agency, Agency.id == Event.agency_id)
            .where(Event.directive_id == 1)
        )
        found = rows.all()
    assert all(at is not None and at.tzinfo is not None for *_, at in found)
    return {(kind, actor, actor_id, code) for kind, actor, actor_id, code, _ in found}


async def test_every_step_of_a_campaign_is_in_the_log(
    running: RunningBot,
    sandbox: Sandbox,
    website: str,
) -> None:
    officer = (await join_officers(running.sessionmaker, sandbox, ["so-y-te"]))["so-y-te"][0]
    admin = await broadcast_to(running, sandbox, ["so-y-te", "hoi-nong-dan", "dai-ptth"])
    message = await letter(officer)
    await officer.press(message, "Đã nhận")
    await officer.wait_for_message("Đã nhận bởi")
    await report_with_evidence(officer, message, f"{website}/tin-tuc/hoi-sach")
    await officer.press(await officer.wait_for_message("2 minh chứng"), "Xác nhận báo cáo")
    await officer.wait_for_message("Đã tìm thấy đường link", timeout=15)
    await admin.ask("/verify 1 so-y-te", "Đang kiểm tra lại")
    await admin.ask("/mark 1 dai-ptth acknowledged gọi điện xác nhận", "Đã cập nhật")
    await admin.ask("/report 1", "Đang lập báo cáo")
    await admin.wait_for_message("Excel", timeout=30, where=lambda m: bool(m.document))

    expected = {
        ("directive.created", "staff", ADMIN_ID, None),
        ("directive.queued", "staff", ADMIN_ID, None),
        ("delivery.failed", "bot", None, "hoi-nong-dan"),
        ("delivery.failed", "bot", None, "dai-ptth"),
        ("message.sent", "bot", None, "so-y-te"),
        ("delivery.acknowledged", "user", officer.id, "so-y-te"),
        ("delivery.completed", "user", officer.id, "so-y-te"),
        ("evidence.checked", "bot", None, "so-y-te"),
        ("evidence.recheck_requested", "staff", ADMIN_ID, "so-y-te"),
        ("delivery.marked", "staff", ADMIN_ID, "dai-ptth"),
        ("report.exported", "staff", ADMIN_ID, None),
    }

    async def missing() -> set[tuple[str, str, int | None, str | None]]:
        return expected - await trail(running)

    await eventually(missing, set(), timeout=15)
