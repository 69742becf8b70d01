"""Things done at the same moment (issue 12, item 5): evidence sent together, Gửi and Hủy
pressed together, reminders queued before /close or /remind ID pause."""

from __future__ import annotations

import asyncio
import re

import pytest
from sqlalchemy import func, select

from bot.delivery.drafts import cancel_draft, queue_broadcast
from bot.runner import RunningBot
from bot.sandbox import Sandbox
from bot.sandbox.models import SentMessage
from bot.sandbox.users import SimUser
from db.models import (
    Delivery,
    Directive,
    DirectiveStatus,
    Evidence,
    MessageKind,
    MessageStatus,
    OutboundMessage,
)
from db.queries.directives import NotADraftError, get_directive
from db.queries.reminders import still_chased
from tests.helpers import (
    ADMIN_ID,
    broadcast_to,
    compose,
    join_officers,
    letter,
)


async def test_five_photos_sent_together_are_all_kept(
    running: RunningBot, sandbox: Sandbox
) -> None:
    officer = (await join_officers(running.sessionmaker, sandbox, ["so-y-te"]))["so-y-te"][0]
    await broadcast_to(running, sandbox, ["so-y-te"])
    await officer.press(await letter(officer), "Báo cáo kết quả")
    await officer.wait_for_message("Báo cáo kết quả", where=lambda m: bool(m.buttons()))
    await asyncio.gather(*(officer.send_photo(bytes([n]) * 64) for n in range(5)))

    def answers() -> list[SentMessage]:
        return [m for m in officer.inbox if "minh chứng cho công văn" in m.shown_text]

    await sandbox.wait_until(lambda: len(answers()) == 5, timeout=15)
    found = [re.search(r"Đã nhận (\d+) minh chứng", m.shown_text) for m in answers()]
    counts = sorted(int(match.group(1)) for match in found if match)
    assert counts == [1, 2, 3, 4, 5]
    await officer.press(answers()[-1], "Xác nhận báo cáo")
    await officer.wait_for_message("Đã ghi nhận báo cáo")
    async with running.sessionmaker() as session:
        photos = await session.scalar(
            select(func.count(Evidence.id)).where(Evidence.kind == "photo")
        )
    assert photos == 5


async def _draft(running: RunningBot, admin: SimUser) -> int:
    await compose(admin, to="so-y-te")
    async with running.sessionmaker() as session:
        return int(await session.scalar(select(func.max(Directive.id))) or 0)


async def test_send_and_cancel_read_together_only_one_wins(
    running: RunningBot, sandbox: Sandbox
) -> None:
    """Both presses read the draft before either writes: the later write must not win."""
    await join_officers(running.sessionmaker, sandbox, ["so-y-te"])
    admin = sandbox.add_user("Admin", user_id=ADMIN_ID)
    directive_id = await _draft(running, admin)
    sm = running.sessionmaker
    async with sm() as sending, sm() as cancelling:
        to_send = await get_directive(sending, directive_id)
        to_cancel = await get_directive(cancelling, directive_id)
        assert to_send is not None
        assert to_cancel is not None
        assert to_cancel.status == DirectiveStatus.DRAFT
        await queue_broadcast(sending, to_send, now=running.deps.clock(), actor_id=ADMIN_ID)
        await sending.commit()
        assert not await cancel_draft(cancelling, to_cancel, ADMIN_ID)
        await cancelling.commit()
    async with sm() as session:
        directive = await get_directive(session, directive_id)
        assert directive is not None
        assert directive.status != DirectiveStatus.CANCELLED
    # And the other way round: a cancelled draft is not sent by a Gửi read before it.
    second = await _draft(running, admin)
    async with sm() as sending, sm() as cancelling:
        to_send = await get_directive(sending, second)
        to_cancel = await get_directive(cancelling, second)
        assert to_send is not None
        assert to_cancel is not None
        assert await cancel_draft(cancelling, to_cancel, ADMIN_ID)
        await cancelling.commit()
        with pytest.raises(NotADraftError):
            await queue_broadcast(sending, to_send, now=running.deps.clock(), actor_id=1)
        await sending.rollback()
    async with sm() as session:
        deliveries = await session.scalar(
            select(func.count(Delivery.id)).where(Delivery.directive_id == second)
        )
        directive = await get_directive(session, second)
    assert directive is not None
    assert directive.status == DirectiveStatus.CANCELLED
    assert deliveries == 0


async def test_send_and_cancel_pressed_together(running: RunningBot, sandbox: Sandbox) -> None:
    await join_officers(running.sessionmaker, sandbox, ["so-y-te"])
    admin = sandbox.add_user("Admin", user_id=ADMIN_ID)
    directive_id = await _draft(running, admin)
    question = await admin.wait_for_message("Bấm «Gửi»")
    send, cancel = await asyncio.gather(admin.press(question, "Gửi"), admin.press(question, "Hủy"))
    for press in (send, cancel):
        await sandbox.wait_for(
            "answerCallbackQuery", callback_query_id=press["callback_query"]["id"]
        )
    async with running.sessionmaker() as session:
        directive = await get_directive(session, directive_id)
        messages = await session.scalar(
            select(func.count(OutboundMessage.id)).where(
                OutboundMessage.kind == MessageKind.DIRECTIVE
            )
        )
    assert directive is not None
    assert (directive.status == DirectiveStatus.CANCELLED) == (messages == 0)


async def _queued_reminders(running: RunningBot) -> dict[MessageStatus, int]:
    async with running.sessionmaker() as session:
        rows = await session.execute(
            select(OutboundMessage.status, func.count(OutboundMessage.id))
            .where(OutboundMessage.kind == MessageKind.REMINDER)
            .group_by(OutboundMessage.status)
        )
        return {MessageStatus(status): count for status, count in rows.all()}


async def _reminders_waiting(running: RunningBot, sandbox: Sandbox) -> SimUser:
    """A letter delivered, then a round of reminders queued while nothing sends them."""
    officers = await join_officers(running.sessionmaker, sandbox, ["so-y-te", "so-noi-vu"])
    admin = await broadcast_to(running, sandbox, ["so-y-te", "so-noi-vu"])
    for found in officers.values():
        await letter(found[0])
    await running.dispatcher.stop()
    round_ = await running.deps.reminders.remind_now(1, ADMIN_ID)
    assert round_ is not None
    assert round_.messages == 2
    assert await _queued_reminders(running) == {MessageStatus.QUEUED: 2}
    return admin


async def test_close_cancels_reminders_already_queued(
    running: RunningBot, sandbox: Sandbox
) -> None:
    admin = await _reminders_waiting(running, sandbox)
    await admin.press(await admin.ask("/close 1", "Sau khi đóng"), "Đóng công văn")
    await admin.wait_for_message("Đã đóng công văn")
    assert await _queued_reminders(running) == {MessageStatus.CANCELLED: 2}


async def test_pause_cancels_reminders_already_queued(
    running: RunningBot, sandbox: Sandbox
) -> None:
    admin = await _reminders_waiting(running, sandbox)
    await admin.ask("/remind 1 pause", "Đã tạm dừng")
    assert await _queued_reminders(running) == {MessageStatus.CANCELLED: 2}
    # One claimed before the pause is looked at again: a scheduled round no longer goes.
    async with running.sessionmaker() as session:
        delivery_id = await session.scalar(select(func.min(Delivery.id)))
        assert delivery_id is not None
        assert not await still_chased(session, delivery_id, "ack", scheduled=True)
        assert await still_chased(session, delivery_id, "ack", scheduled=False)
