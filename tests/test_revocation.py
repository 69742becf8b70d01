"""Taking access back (issue 12, item 8): /contacts with Gỡ, `agency-bot contacts remove`,
`invite revoke`, `agencies deactivate|activate`; a group kick is not a block."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from telegram import Update

from bot.cli.commands import main
from bot.onboarding.invites import create_invite
from bot.onboarding.joining import Joiner, JoinResult, redeem_invite
from bot.onboarding.revocation import Actor, Revoked, revoke_invite, set_agency_active
from bot.runner import RunningBot
from bot.sandbox import Sandbox
from db.models import (
    Agency,
    Contact,
    ContactStatus,
    Delivery,
    Event,
    MessageKind,
    MessageStatus,
    OutboundMessage,
)
from db.session import make_engine, make_sessionmaker
from tests.helpers import (
    ADMIN_ID,
    broadcast_to,
    join_officers,
    letter,
    queue_letter,
)

ROSTER = Path(__file__).parent.parent / "examples" / "agencies.csv"


async def _events(running: RunningBot, kind: str) -> list[dict[str, object]]:
    async with running.sessionmaker() as session:
        rows = await session.scalars(select(Event.detail).where(Event.kind == kind))
        return [dict(d) for d in rows.all()]


async def _status(running: RunningBot, user_id: int) -> ContactStatus | None:
    async with running.sessionmaker() as session:
        return await session.scalar(
            select(Contact.status).where(Contact.telegram_user_id == user_id)
        )


async def test_staff_remove_a_contact_with_the_gỡ_button(
    running: RunningBot, sandbox: Sandbox
) -> None:
    officers = await join_officers(running.sessionmaker, sandbox, ["so-y-te"], per_agency=2)
    leaving, staying = officers["so-y-te"]
    admin = await broadcast_to(running, sandbox, ["so-y-te"])
    old_letter = await letter(leaving)
    listing = await admin.ask("/contacts so-y-te", "Cán bộ đầu mối của")
    assert str(leaving.id) in listing.shown_text
    assert str(staying.id) in listing.shown_text
    pressed = await admin.press(listing, f"Gỡ {leaving.first_name}")
    [answer] = await sandbox.wait_for(
        "answerCallbackQuery", callback_query_id=pressed["callback_query"]["id"]
    )
    assert str(answer.params["text"]).startswith(f"Đã gỡ {leaving.first_name}")
    assert await _status(running, leaving.id) == ContactStatus.LEFT
    assert await _status(running, staying.id) == ContactStatus.ACTIVE
    [removed] = await _events(running, "contact.removed")
    assert removed["user_id"] == leaving.id
    relisted = await admin.wait_for_message(
        where=lambda m: m.message_id == listing.message_id and str(leaving.id) not in m.shown_text
    )
    assert str(staying.id) in relisted.shown_text
    # The removed officer's presses and reports are refused, and nothing is recorded.
    for button in ("Đã nhận", "Báo cáo kết quả"):
        press = await leaving.press(old_letter, button)
        [refusal] = await sandbox.wait_for(
            "answerCallbackQuery", callback_query_id=press["callback_query"]["id"]
        )
        assert "không phải cán bộ đầu mối" in str(refusal.params["text"])
    async with running.sessionmaker() as session:
        acknowledged = await session.scalar(
            select(func.count(Delivery.id)).where(Delivery.acknowledged_at.is_not(None))
        )
    assert acknowledged == 0
    # A new letter reaches the one who stays, not the one who left.
    second = await queue_letter(running, to=("so-y-te",), number="77/STTTT-TTBCXB")
    await staying.wait_for_message("77/STTTT-TTBCXB", timeout=10)
    async with running.sessionmaker() as session:
        to_leaver = await session.scalar(
            select(func.count(OutboundMessage.id))
            .join(Contact, Contact.id == OutboundMessage.contact_id)
            .join(Delivery, Delivery.id == OutboundMessage.delivery_id)
            .where(Contact.telegram_user_id == leaving.id, Delivery.directive_id == second)
        )
    assert to_leaver == 0
    # A second press on Gỡ (an old list) changes nothing.
    again = await admin.press_data(listing, pressed["callback_query"]["data"])
    [repeated] = await sandbox.wait_for(
        "answerCallbackQuery", callback_query_id=again["callback_query"]["id"]
    )
    assert "đã được gỡ trước đó" in str(repeated.params["text"])
    assert len(await _events(running, "contact.removed")) == 1


async def test_only_staff_see_and_remove_contacts(running: RunningBot, sandbox: Sandbox) -> None:
    officers = await join_officers(running.sessionmaker, sandbox, ["so-y-te", "dai-ptth"])
    officer = officers["dai-ptth"][0]
    await officer.ask("/contacts so-y-te", "chỉ dành cho cán bộ Sở")
    message = await officer.ask("/help", "")
    async with running.sessionmaker() as session:
        contact_id = await session.scalar(
            select(Contact.id).where(Contact.telegram_user_id == officers["so-y-te"][0].id)
        )
    await officer.press_data(message, f"cg:{contact_id}")
    await officer.wait_for_message("chỉ dành cho cán bộ Sở")
    assert await _status(running, officers["so-y-te"][0].id) == ContactStatus.ACTIVE


async def test_a_revoked_invite_is_refused_like_a_bad_one(
    running: RunningBot, sandbox: Sandbox
) -> None:
    async with running.sessionmaker.begin() as session:
        invite = await create_invite(session, agency_code="so-y-te", now=datetime.now(UTC))
    async with running.sessionmaker.begin() as session:
        assert await revoke_invite(session, invite.token, Actor("staff", ADMIN_ID)) == Revoked.DONE
    bad = await sandbox.add_user("Người lạ").ask("/start " + "x" * 24, "")
    revoked = await sandbox.add_user("Người cũ").ask(f"/start {invite.token}", "")
    assert revoked.shown_text == bad.shown_text
    [event] = await _events(running, "invite.revoked")
    assert event["uses"] == 0


async def test_a_deactivated_agency_gets_no_new_letters_nor_reminders(
    running: RunningBot, sandbox: Sandbox
) -> None:
    officers = await join_officers(running.sessionmaker, sandbox, ["so-y-te", "so-noi-vu"])
    await broadcast_to(running, sandbox, ["so-y-te", "so-noi-vu"])
    for users in officers.values():
        await letter(users[0])
    await running.dispatcher.stop()
    assert await running.deps.reminders.remind_now(1, ADMIN_ID) is not None
    async with running.sessionmaker.begin() as session:
        done = await set_agency_active(session, "so-y-te", False, Actor("staff", ADMIN_ID))
    assert done == Revoked.DONE
    async with running.sessionmaker() as session:
        reminders = dict(
            (
                await session.execute(
                    select(Agency.code, OutboundMessage.status)
                    .join(Delivery, Delivery.id == OutboundMessage.delivery_id)
                    .join(Agency, Agency.id == Delivery.agency_id)
                    .where(OutboundMessage.kind == MessageKind.REMINDER)
                )
            ).all()
        )
        next_round = await session.scalar(
            select(Delivery.next_reminder_at)
            .join(Agency, Agency.id == Delivery.agency_id)
            .where(Agency.code == "so-y-te")
        )
    assert reminders == {"so-y-te": MessageStatus.CANCELLED, "so-noi-vu": MessageStatus.QUEUED}
    assert next_round is None
    # /remind passes it over too, and a new letter to its group does not reach it.
    again = await running.deps.reminders.remind_now(1, ADMIN_ID)
    assert again is not None
    assert again.agencies == 1
    second = await queue_letter(running, to=("so-y-te", "so-noi-vu"), number="78/STTTT")
    async with running.sessionmaker() as session:
        codes = (
            await session.scalars(
                select(Agency.code)
                .join(Delivery, Delivery.agency_id == Agency.id)
                .where(Delivery.directive_id == second)
            )
        ).all()
    assert codes == ["so-noi-vu"]
    assert [e["code"] for e in await _events(running, "agency.deactivated")] == ["so-y-te"]


def _member_update(update_id: int, user_id: int, chat: dict[str, object]) -> dict[str, object]:
    bot_user = {"id": 1, "is_bot": True, "first_name": "Bot", "username": "bot"}
    return {
        "update_id": update_id,
        "my_chat_member": {
            "chat": chat,
            "from": {"id": user_id, "is_bot": False, "first_name": "Cán bộ"},
            "date": int(time.time()),
            "old_chat_member": {"status": "member", "user": bot_user},
            "new_chat_member": {"status": "kicked", "user": bot_user, "until_date": 0},
        },
    }


async def test_the_bot_removed_from_a_group_is_not_a_block(
    running: RunningBot, sandbox: Sandbox
) -> None:
    officer = (await join_officers(running.sessionmaker, sandbox, ["so-y-te"]))["so-y-te"][0]
    application = running.application
    group = {"id": -100123, "type": "supergroup", "title": "Nhóm Sở Y tế"}
    await application.process_update(
        Update.de_json(_member_update(900_001, officer.id, group), application.bot)
    )
    assert await _status(running, officer.id) == ContactStatus.ACTIVE
    private = {"id": officer.id, "type": "private", "first_name": "Cán bộ"}
    await application.process_update(
        Update.de_json(_member_update(900_002, officer.id, private), application.bot)
    )
    assert await _status(running, officer.id) == ContactStatus.BLOCKED


# --- the command line --------------------------------------------------------------------------


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[telegram]\nusername = "soctrang_congvan_bot"\n'
        f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "cli.db"}"\n',
        encoding="utf-8",
    )
    return path


def _run(capsys: pytest.CaptureFixture[str], config: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["-c", str(config), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _join(config: Path, tmp_path: Path, token: str, user_id: int) -> JoinResult:
    import asyncio

    async def redeem() -> JoinResult:
        engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
        try:
            async with make_sessionmaker(engine).begin() as session:
                joiner = Joiner(user_id, "Cán bộ", None)
                return (await redeem_invite(session, token, joiner, datetime.now(UTC))).result
        finally:
            await engine.dispose()

    return asyncio.run(redeem())


def test_the_command_line_takes_access_back(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    assert _run(capsys, config, "agencies", "import", str(ROSTER))[0] == 0
    tokens = [
        json.loads(_run(capsys, config, "invite", "so-y-te", "--json")[1])["token"]
        for _ in range(2)
    ]
    # invite revoke: the token is refused afterwards, as an unknown one.
    code, out, _ = _run(capsys, config, "invite", "revoke", tokens[0])
    assert (code, out.strip()) == (0, "invite revoked: /start with it is refused")
    assert _join(config, tmp_path, tokens[0], 4242) == JoinResult.INVALID
    code, _, err = _run(capsys, config, "invite", "revoke", tokens[0])
    assert code == 1
    assert err.strip() == "agency-bot: error: no such invite (revoked already, or never created)"
    # contacts list / remove.
    assert _join(config, tmp_path, tokens[1], 4343) == JoinResult.JOINED
    listed = json.loads(_run(capsys, config, "contacts", "list", "so-y-te", "--json")[1])
    assert [(c["user_id"], c["status"]) for c in listed] == [(4343, "active")]
    code, out, _ = _run(capsys, config, "contacts", "remove", "so-y-te", "4343")
    assert code == 0
    assert "removed 4343 from so-y-te" in out
    assert json.loads(_run(capsys, config, "contacts", "list", "so-y-te", "--json")[1]) == []
    for argv, message in (
        (("contacts", "remove", "so-y-te", "4343"), "4343 is not a contact of 'so-y-te'"),
        (("contacts", "remove", "so-y-te", "²"), "not a Telegram user id: '²'"),
        (("contacts", "list", "nope"), "no agency with code 'nope'"),
    ):
        code, _, err = _run(capsys, config, *argv)
        assert code == 1, argv
        assert message in err, argv
    # agencies deactivate / activate.
    code, out, _ = _run(capsys, config, "agencies", "deactivate", "so-y-te")
    assert (code, out.strip()) == (0, "so-y-te is now inactive")
    assert "already inactive" in _run(capsys, config, "agencies", "deactivate", "so-y-te")[1]
    agencies = json.loads(_run(capsys, config, "agencies", "list", "--json")[1])
    assert [a["active"] for a in agencies if a["code"] == "so-y-te"] == [False]
    # A new import of the roster does not bring it back; `activate` does.
    assert _run(capsys, config, "agencies", "import", str(ROSTER))[0] == 0
    agencies = json.loads(_run(capsys, config, "agencies", "list", "--json")[1])
    assert [a["active"] for a in agencies if a["code"] == "so-y-te"] == [False]
    assert _run(capsys, config, "agencies", "activate", "so-y-te")[1].strip() == (
        "so-y-te is now active"
    )
    code, out, _ = _run(capsys, config, "events", "--json")
    kinds = [e["kind"] for e in json.loads(out)]
    for kind in ("invite.revoked", "contact.removed", "agency.deactivated", "agency.activated"):
        assert kind in kinds
