"""Đã nhận through the sandbox: first press, repeats, a second contact, forged presses."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.answers.acknowledge import AckRequest, AckResult, press_acknowledge
from bot.runner import RunningBot
from bot.sandbox import Sandbox, SentMessage, SimUser
from bot.telegram import callbacks
from db.models import Contact, Delivery, DeliveryStatus, Event, utcnow
from tests.helpers import ADMIN_ID, NUMBER, answer_to, broadcast_to, join_officers, letter


def ack_data(message: SentMessage) -> str:
    return str(next(b["callback_data"] for b in message.buttons() if "Đã nhận" in b["text"]))


async def acknowledgements(running: RunningBot) -> list[tuple[str, DeliveryStatus, str | None]]:
    async with running.sessionmaker() as session:
        rows = await session.execute(
            select(Delivery.agency_id, Delivery.status, Contact.display_name)
            .outerjoin(Contact, Contact.id == Delivery.acknowledged_by_contact_id)
            .where(Delivery.acknowledged_at.is_not(None))
        )
        return [(str(a), s, n) for a, s, n in rows.all()]


async def test_first_press_acknowledges_and_marks_the_message(
    running: RunningBot, sandbox: Sandbox
) -> None:
    officer = (await join_officers(running.sessionmaker, sandbox, ["so-y-te"]))["so-y-te"][0]
    admin = await broadcast_to(running, sandbox, ["so-y-te"])
    message = await letter(officer)
    update = await officer.press(message, "Đã nhận")
    notice = await admin.wait_for_message("đã xác nhận «Đã nhận»")
    assert "Tất cả 1 đơn vị" in notice.shown_text
    edited = await officer.wait_for_message("Đã nhận bởi")
    assert f"Đã nhận bởi {officer.first_name} lúc" in edited.shown_text
    assert NUMBER in edited.shown_text  # the letter is still there
    assert not [b for b in edited.buttons() if "Đã nhận" in b["text"]]
    assert [b for b in edited.buttons() if "Báo cáo kết quả" in b["text"]]
    assert "Đã ghi nhận" in await answer_to(sandbox, update)
    [(_, status, by)] = await acknowledgements(running)
    assert (status, by) == (DeliveryStatus.ACKNOWLEDGED, officer.first_name)


async def test_repeated_and_second_contact_presses_change_nothing(
    running: RunningBot, sandbox: Sandbox
) -> None:
    first, second = (await join_officers(running.sessionmaker, sandbox, ["so-y-te"], per_agency=2))[
        "so-y-te"
    ]
    await broadcast_to(running, sandbox, ["so-y-te"])
    mine, theirs = await letter(first), await letter(second)
    data = ack_data(mine)
    await first.press(mine, "Đã nhận")
    await first.wait_for_message("Đã nhận bởi")
    replay = await first.press_data(mine, data)
    late = await second.press(theirs, "Đã nhận")
    for update in (replay, late):
        assert f"bởi {first.first_name} lúc" in await answer_to(sandbox, update)
    assert [by for _, _, by in await acknowledgements(running)] == [first.first_name]


async def test_forged_and_garbage_presses_are_refused_politely(
    running: RunningBot, sandbox: Sandbox
) -> None:
    officers = await join_officers(running.sessionmaker, sandbox, ["so-y-te", "dai-ptth"])
    health, radio = officers["so-y-te"][0], officers["dai-ptth"][0]
    stranger = sandbox.add_user("Kẻ Lạ")
    await broadcast_to(running, sandbox, ["so-y-te", "dai-ptth"])
    health_letter, radio_letter = await letter(health), await letter(radio)
    forged = ack_data(health_letter)
    # A stranger can only press on a message of their own chat with the bot.
    stranger_message = await stranger.ask("/start", "đường link mời")

    presses = [
        (radio, await radio.press_data(radio_letter, forged), "không phải cán bộ đầu mối"),
        (
            stranger,
            await stranger.press_data(stranger_message, forged),
            "không phải cán bộ đầu mối",
        ),
        # One answer whether the delivery exists or not: ids cannot be probed.
        (radio, await radio.press_data(radio_letter, "a:999999"), "không phải cán bộ đầu mối"),
        (radio, await radio.press_data(radio_letter, "a:xyz"), "không phải cán bộ đầu mối"),
        (radio, await radio.press_data(radio_letter, "garbage"), "không còn hiệu lực"),
    ]
    for _, update, expected in presses:
        assert expected in await answer_to(sandbox, update)
    assert await acknowledgements(running) == []
    async with running.sessionmaker() as session:
        refused = (
            await session.scalars(select(Event.actor_id).where(Event.kind == "callback.refused"))
        ).all()
    assert sorted(r or 0 for r in refused) == sorted([radio.id, stranger.id])


async def test_staff_mark_by_hand_counts_as_the_answer(
    running: RunningBot, sandbox: Sandbox
) -> None:
    officer = (await join_officers(running.sessionmaker, sandbox, ["so-y-te"]))["so-y-te"][0]
    admin = await broadcast_to(running, sandbox, ["so-y-te", "dai-ptth"])
    message = await letter(officer)
    await admin.ask("/mark 1 so-y-te acknowledged", "Cách dùng")
    await admin.ask("/mark 9 so-y-te acknowledged gọi điện", "Không có công văn ID 9")
    await admin.ask("/mark 1 so-noi-vu acknowledged gọi điện", "không nằm trong nơi nhận")
    await admin.ask("/mark 1 so-y-te acknowledged đã xác nhận qua điện thoại", "Đã cập nhật")
    await officer.ask("/mark 1 dai-ptth completed tự khai", "chỉ dành cho cán bộ Sở")
    update = await officer.press(message, "Đã nhận")
    assert "cán bộ Sở (thủ công)" in await answer_to(sandbox, update)
    async with running.sessionmaker() as session:
        marked = (
            await session.execute(
                select(
                    Delivery.status, Delivery.acknowledged_by_staff_id, Delivery.manual_reason
                ).where(Delivery.acknowledged_at.is_not(None))
            )
        ).all()
    assert marked == [(DeliveryStatus.ACKNOWLEDGED, ADMIN_ID, "đã xác nhận qua điện thoại")]


async def test_presses_at_the_same_moment_count_once(running: RunningBot, sandbox: Sandbox) -> None:
    """Presses that arrive together are handled in one transaction: still one winner per
    agency, refusals recorded, and the sender told once that all have acknowledged."""
    officers = await join_officers(
        running.sessionmaker, sandbox, ["so-y-te", "dai-ptth"], per_agency=2
    )
    (first, second), (radio, _) = officers["so-y-te"], officers["dai-ptth"]
    admin = await broadcast_to(running, sandbox, ["so-y-te", "dai-ptth"])
    mine, theirs, radio_letter = await letter(first), await letter(second), await letter(radio)
    data = ack_data(mine)
    updates = await asyncio.gather(
        first.press(mine, "Đã nhận"),
        first.press_data(mine, data),
        second.press(theirs, "Đã nhận"),
        radio.press_data(radio_letter, data),
        radio.press_data(radio_letter, "a:999999"),
        radio.press(radio_letter, "Đã nhận"),
    )
    answers = [await answer_to(sandbox, update) for update in updates]
    assert sum("Đã ghi nhận" in a for a in answers[:3]) == 1
    [winner] = [u for u, a in zip((first, first, second), answers, strict=False) if "ghi" in a]
    assert all(f"bởi {winner.first_name} lúc" in a for a in answers[:3] if "ghi" not in a)
    assert "không phải cán bộ đầu mối" in answers[3]
    assert "không phải cán bộ đầu mối" in answers[4]  # no such delivery: told the same
    assert "Đã ghi nhận" in answers[5]
    assert sorted(str(by) for _, _, by in await acknowledgements(running)) == sorted(
        [winner.first_name, radio.first_name]
    )
    notice = await admin.wait_for_message("đã xác nhận «Đã nhận»")
    assert "Tất cả 2 đơn vị" in notice.shown_text
    async with running.sessionmaker() as session:
        kinds = (await session.scalars(select(Event.kind))).all()
    assert sorted(
        k for k in kinds if k.startswith(("callback.", "delivery.ack", "directive.all"))
    ) == [
        "callback.gone",
        "callback.refused",
        "delivery.acknowledged",
        "delivery.acknowledged",
        "directive.all_acknowledged",
    ]
    assert len([m for m in admin.inbox if "đã xác nhận «Đã nhận»" in m.shown_text]) == 1


async def test_one_transaction_answers_each_press_as_if_alone(
    running: RunningBot, sandbox: Sandbox
) -> None:
    """The presses of one batch, in order: a stranger's forged press first does not keep the
    agency's contacts from acknowledging; a second press and a second contact find it done."""
    officers = await join_officers(
        running.sessionmaker, sandbox, ["so-y-te", "dai-ptth"], per_agency=2
    )
    (first, second), (radio, _) = officers["so-y-te"], officers["dai-ptth"]
    await broadcast_to(running, sandbox, ["so-y-te", "dai-ptth"])
    health = callbacks.parse(ack_data(await letter(first)))
    radio_own = callbacks.parse(ack_data(await letter(radio)))
    assert isinstance(health, callbacks.Acknowledge)
    assert isinstance(radio_own, callbacks.Acknowledge)

    def press(user: SimUser, delivery_id: int) -> AckRequest:
        return AckRequest(delivery_id, user.id, user.first_name, "vi")

    requests = [
        press(radio, health.delivery_id),
        press(first, health.delivery_id),
        press(first, health.delivery_id),
        press(second, health.delivery_id),
        press(radio, 999_999),
        press(radio, radio_own.delivery_id),
    ]
    async with running.sessionmaker.begin() as session:
        answers = await press_acknowledge(session, requests, utcnow())
    outcomes = [a.outcome for a in answers]
    assert [o.result for o in outcomes] == [
        AckResult.REFUSED,
        AckResult.FIRST,
        AckResult.ALREADY,
        AckResult.ALREADY,
        AckResult.REFUSED,  # no such delivery: answered as any refusal
        AckResult.FIRST,
    ]
    assert [o.acknowledged_by for o in outcomes[1:4]] == [first.first_name] * 3
    assert sorted(str(by) for _, _, by in await acknowledgements(running)) == sorted(
        [first.first_name, radio.first_name]
    )
    async with running.sessionmaker() as session:
        kinds = (await session.scalars(select(Event.kind))).all()
    assert sorted(k for k in kinds if k.startswith(("callback.", "delivery.ack"))) == [
        "callback.gone",
        "callback.refused",
        "delivery.acknowledged",
        "delivery.acknowledged",
    ]
