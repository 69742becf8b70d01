"""Relaying down the hierarchy, through the sandbox as the officers do it.

The example roster is the tree: Sở GD&ĐT (so-gddt) has 11 district education offices and 7
upper-secondary schools directly under it; the office of Châu Thành (pgd-chau-thanh) has 6
schools. The department's letter goes to the Sở, the Sở relays it to its units, the office
relays it to its schools: three levels, and the counts come back up to the department.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest.mock import ANY

import docx
import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.directive_input import (
    DirectiveInputError,
    RelayText,
    parse_relay_text,
    read_directive_file,
)
from bot.onboarding.roster import import_roster
from bot.onboarding.roster_file import RosterFileError
from bot.runner import RunningBot
from bot.sandbox import Sandbox, SentMessage, SimUser
from db.models import (
    Agency,
    Contact,
    ContactRole,
    Delivery,
    DeliveryStatus,
    Directive,
    DirectiveStatus,
    Event,
)
from db.queries import outbox
from db.queries.agencies import existing_parents, get_agency_by_code
from db.queries.answers import AckPress, acknowledge
from tests.helpers import (
    ADMIN_ID,
    EXAMPLE_ROSTER,
    NUMBER,
    Clock,
    StartBot,
    answer_to,
    cli,
    eventually,
    join_officers,
    queue_directive,
    queue_letter,
    report_with_evidence,
)

SCHOOLS = ["th-an-ninh-a-ct", "thcs-thuan-hoa-ct", "mn-an-hiep-ct", "th-phu-tam-b-ct"]
ALL_DAY = {
    "working_hours": "00:00-24:00",
    "working_days": "mon-sun",
    "holidays": "",
    "staff_digest_at": "",
}


def today(bot: RunningBot) -> date:
    return bot.deps.clock().astimezone(bot.settings.reminders.timezone).date()


async def delivery_of(bot: RunningBot, directive_id: int, code: str) -> Delivery:
    async with bot.sessionmaker() as session:
        found = await session.scalar(
            select(Delivery)
            .join(Agency, Agency.id == Delivery.agency_id)
            .where(Delivery.directive_id == directive_id, Agency.code == code)
        )
    assert found is not None, (directive_id, code)
    return found


async def directive(bot: RunningBot, directive_id: int) -> Directive:
    async with bot.sessionmaker() as session:
        found = await session.get(Directive, directive_id)
    assert found is not None
    return found


async def count(bot: RunningBot, model: Any, *where: Any) -> int:
    async with bot.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def letter_with(user: SimUser, number: str, timeout: float = 15) -> SentMessage:
    """The letter `number` in the user's chat, with its buttons."""
    return await user.wait_for_message(
        f"Số: {number}", timeout=timeout, where=lambda m: bool(m.buttons())
    )


def labels(message: SentMessage) -> list[str]:
    return [str(b["text"]) for b in message.buttons()]


async def recipients_question(officer: SimUser, after: int) -> SentMessage:
    return await officer.wait_for_message(
        "Chọn nơi nhận", where=lambda m: m.message_id > after and bool(m.buttons())
    )


async def relay_from(
    officer: SimUser, question: SentMessage, *, details: str | None = None, to: str | None = None
) -> SentMessage:
    """From the recipients question: optionally ✍️ and a reply, then «Tất cả» (or codes
    typed as a reply), the preview, Gửi; returns the preview's summary once all is sent."""
    if details is not None:
        await officer.press(question, "✍️")
        prompt = await officer.wait_for_message("Trả lời tin nhắn này")
        await officer.send(details, reply_to=prompt.message_id)
        question = await recipients_question(officer, prompt.message_id)
    if to is None:
        await officer.press(question, "Tất cả đơn vị trực thuộc")
    else:
        await officer.send(to, reply_to=question.message_id)
    summary = await officer.wait_for_message(
        "Bấm «Gửi»", where=lambda m: m.message_id > question.message_id
    )
    await officer.press(summary, "Gửi")
    await officer.wait_for_message(
        "Đã gửi xong", timeout=20, where=lambda m: m.message_id == summary.message_id
    )
    return summary


async def test_a_letter_goes_down_three_levels_and_the_counts_come_back_up(
    running: RunningBot, sandbox: Sandbox, website: str
) -> None:
    codes = ["so-gddt", "pgd-chau-thanh", "thpt-hoang-dieu", *SCHOOLS]
    officers = {
        code: users[0]
        for code, users in (await join_officers(running.sessionmaker, sandbox, codes)).items()
    }
    admin = sandbox.add_user("Admin", user_id=ADMIN_ID)
    deadline = today(running) + timedelta(days=10)
    await queue_letter(running, to=("so-gddt",), deadline=deadline)

    # Level 1: the Sở's contact has Chuyển tiếp with the count of units directly under it.
    so = officers["so-gddt"]
    message = await letter_with(so, NUMBER)
    assert "🔁 Chuyển tiếp (18 đơn vị)" in labels(message)
    await so.press(message, "Chuyển tiếp")
    stamped = await so.wait_for_message(
        "Đã nhận bởi", where=lambda m: m.message_id == message.message_id
    )
    assert not any(label.removeprefix("✅ ") == "Đã nhận" for label in labels(stamped))
    assert (await delivery_of(running, 1, "so-gddt")).acknowledged_at is not None
    question = await recipients_question(so, message.message_id)
    assert "Tất cả đơn vị trực thuộc (18)" in str(labels(question))
    sooner = (deadline - timedelta(days=2)).strftime("%d/%m/%Y")
    await relay_from(
        so,
        question,
        details=f"Số: 45/SGDĐT-VP\nHạn: {sooner}\nĐề nghị các đơn vị triển khai đến học sinh.",
    )
    preview = next(m for m in so.inbox if "Số: 45/SGDĐT-VP" in m.shown_text and m.buttons())
    for text in (
        "Thực hiện Công văn số 123/STTTT-TTBCXB của Sở Thông tin và Truyền thông",
        "Sở Giáo dục và Đào tạo chuyển tiếp công văn đến các đơn vị",
        "Đề nghị các đơn vị triển khai đến học sinh.",
        "Đề nghị các đơn vị đăng tải đường link https://book365.vn.",  # the original's text
        f"Hạn báo cáo: {sooner}",
    ):
        assert text in preview.shown_text, text
    relayed = await directive(running, 2)
    assert (relayed.parent_directive_id, relayed.created_by) == (1, so.id)
    assert relayed.links == ["https://book365.vn"]

    # Level 2: the office (a relay itself) and an upper-secondary school get the Sở's
    # letter; the schools under the office do not: "all" never skips a level.
    office = officers["pgd-chau-thanh"]
    second = await letter_with(office, "45/SGDĐT-VP")
    assert "🔁 Chuyển tiếp (6 đơn vị)" in labels(second)
    thpt = officers["thpt-hoang-dieu"]
    upper = await letter_with(thpt, "45/SGDĐT-VP")
    assert not [label for label in labels(upper) if "Chuyển tiếp" in label]
    assert not any(NUMBER in m.shown_text for code in SCHOOLS for m in officers[code].inbox)
    assert await count(running, Delivery, Delivery.directive_id == 2) == 18

    # The office relays with /relay and the Sở's letter's ID; level 3 reaches the schools.
    question = await office.ask("/relay 2", "Chọn nơi nhận", timeout=10)
    assert (await delivery_of(running, 2, "pgd-chau-thanh")).acknowledged_at is not None
    await relay_from(office, question)
    number = (await directive(running, 3)).number
    schools = {code: await letter_with(officers[code], number) for code in SCHOOLS}
    third = schools[SCHOOLS[0]]
    assert "Thực hiện Công văn số 45/SGDĐT-VP của Sở Giáo dục và Đào tạo" in third.shown_text
    assert "Thực hiện Công văn số 123/STTTT-TTBCXB" in third.shown_text  # quoted in turn
    assert {"url": "https://book365.vn"}.items() <= next(
        b for b in third.buttons() if "url" in b
    ).items()

    # A known set of answers: Đã nhận, a verified report, an unverified one, one silent.
    await thpt.press(upper, "Đã nhận")
    await thpt.wait_for_message("Đã nhận bởi")
    await so.wait_for_message("Tất cả 2 đơn vị nhận được công văn số 45/SGDĐT-VP")
    await officers[SCHOOLS[0]].press(third, "Đã nhận")
    await officers[SCHOOLS[0]].wait_for_message("Đã nhận bởi")
    for code, page in ((SCHOOLS[1], "/tin-tuc/hoi-sach"), (SCHOOLS[2], "/tin-tuc/khac")):
        school = officers[code]
        prompt = await report_with_evidence(school, schools[code], f"{website}{page}")
        await school.press(prompt, "Xác nhận báo cáo")
        await school.wait_for_message("🔎", timeout=15)
    # Checked against the original's link (book365.vn), told to the relay that sent it.
    verified = await delivery_of(running, 3, SCHOOLS[1])
    assert verified.evidence_verified == "verified"
    await office.wait_for_message("chưa xác minh được", timeout=15)

    card = await admin.ask("/status 1", "Chuyển tiếp", timeout=10)
    text = card.shown_text
    assert "cả cây 25 đơn vị: đã gửi tới 7, đã nhận 6 (24%), hoàn thành 2 (8%), quá hạn 0" in text
    assert re.search(
        r"↳ Sở Giáo dục và Đào tạo chuyển tiếp lúc [0-9:/ ]+ \(ID 2\): 24 đơn vị, đã nhận 5 "
        r"\(21%\), hoàn thành 2, quá hạn 0",
        text,
    ), text
    assert re.search(
        r" {4}↳ Phòng Giáo dục và Đào tạo huyện Châu Thành chuyển tiếp lúc [0-9:/ ]+ \(ID 3\): "
        r"6 đơn vị, đã nhận 3 \(50%\), hoàn thành 2, quá hạn 0",
        text,
    ), text
    # The relay sees its own relayed letter, with the level under it.
    mine = await so.ask("/status 2", "Công văn số 45/SGDĐT-VP", timeout=10)
    assert "Tổng số đơn vị: 18" in mine.shown_text
    assert "cả cây 24 đơn vị: đã gửi tới 6, đã nhận 5" in mine.shown_text
    assert "(ID 3): 6 đơn vị, đã nhận 3 (50%)" in mine.shown_text


async def test_codes_outside_the_subtree_and_a_later_deadline_are_refused(
    running: RunningBot, sandbox: Sandbox
) -> None:
    so = (await join_officers(running.sessionmaker, sandbox, ["so-gddt"]))["so-gddt"][0]
    deadline = today(running) + timedelta(days=5)
    await queue_letter(running, to=("so-gddt",), deadline=deadline)
    message = await letter_with(so, NUMBER)
    await so.press(message, "Chuyển tiếp")
    question = await recipients_question(so, message.message_id)

    # A school under a district office is in the subtree; Sở Y tế and a commune are not.
    await so.send("th-my-xuyen-a-mx so-y-te ubnd-xa-an-hiep", reply_to=question.message_id)
    refusal = await so.wait_for_message("Không thuộc các đơn vị trực thuộc")
    assert "so-y-te, ubnd-xa-an-hiep" in refusal.shown_text
    assert "th-my-xuyen-a-mx," not in refusal.shown_text
    assert (await directive(running, 2)).targets == []

    await so.press(question, "✍️")
    prompt = await so.wait_for_message("Trả lời tin nhắn này")
    later = (deadline + timedelta(days=1)).strftime("%d/%m/%Y")
    await so.send(f"Số: 9/SGDĐT\nHạn: {later}", reply_to=prompt.message_id)
    refused = await so.wait_for_message("muộn hơn hạn của công văn gốc")
    assert deadline.strftime("%d/%m/%Y") in refused.shown_text
    draft = await directive(running, 2)
    assert (draft.deadline, draft.number) == (deadline, "2/SO-GDDT")
    # The question stays open: a better answer is taken.
    await so.send("Số: 9/SGDĐT\nHạn: 01/01/2020", reply_to=prompt.message_id)
    await recipients_question(so, prompt.message_id)
    draft = await directive(running, 2)
    assert (draft.deadline, draft.number) == (date(2020, 1, 1), "9/SGDĐT")

    # /relay with a later deadline is refused before anything is created.
    code = "ubnd-chau-thanh"
    committee = (await join_officers(running.sessionmaker, sandbox, [code]))[code][0]
    await queue_letter(running, to=(code,), deadline=deadline, number="7/STTTT")
    await letter_with(committee, "7/STTTT")
    refused = await committee.ask(f"/relay 3\nHạn: {later}", "muộn hơn hạn")
    assert refused is not None
    assert await count(running, Directive, Directive.parent_directive_id == 3) == 0
    assert (await delivery_of(running, 3, code)).acknowledged_at is None
    # Only the Sở's own units could be chosen; nothing was queued for any of them.
    assert await count(running, Delivery, Delivery.directive_id == 2) == 0


async def test_a_forged_chuyen_tiep_changes_nothing(running: RunningBot, sandbox: Sandbox) -> None:
    officers = await join_officers(running.sessionmaker, sandbox, ["so-gddt", "bao-soc-trang"])
    so, paper = officers["so-gddt"][0], officers["bao-soc-trang"][0]
    await queue_letter(running, to=("so-gddt", "bao-soc-trang"))
    ours = await letter_with(paper, NUMBER)
    assert not [label for label in labels(ours) if "Chuyển tiếp" in label]
    await letter_with(so, NUMBER)
    own = (await delivery_of(running, 1, "bao-soc-trang")).id
    theirs = (await delivery_of(running, 1, "so-gddt")).id

    # A newspaper has nobody under it: its own letter cannot be relayed, even forged.
    answer = await answer_to(sandbox, await paper.press_data(ours, f"rl:{own}"))
    assert "không có đơn vị trực thuộc" in answer
    # Another agency's delivery (the Sở's): refused as not its contact.
    answer = await answer_to(sandbox, await paper.press_data(ours, f"rl:{theirs}"))
    assert "không phải cán bộ đầu mối" in answer
    for garbage in ("rl:0", "rl:x", f"rl:{own}:1"):
        await answer_to(sandbox, await paper.press_data(ours, garbage))
    assert (await delivery_of(running, 1, "bao-soc-trang")).acknowledged_at is None
    assert (await delivery_of(running, 1, "so-gddt")).acknowledged_at is None
    assert await count(running, Directive) == 1
    async with running.sessionmaker() as session:
        kinds = (await session.scalars(select(Event.kind).where(Event.actor_id == paper.id))).all()
    assert kinds.count("relay.refused") == 1
    assert kinds.count("callback.refused") == 1


async def test_a_relay_manages_its_relayed_letters_and_nothing_else(
    running: RunningBot, sandbox: Sandbox
) -> None:
    codes = ["so-gddt", "ubnd-chau-thanh", "pgd-chau-thanh", "ubnd-xa-an-hiep"]
    officers = {
        c: u[0] for c, u in (await join_officers(running.sessionmaker, sandbox, codes)).items()
    }
    so, committee = officers["so-gddt"], officers["ubnd-chau-thanh"]
    await queue_letter(running, to=("so-gddt", "ubnd-chau-thanh"))
    await queue_letter(running, to=("so-y-te",), number="99/STTTT")  # another letter
    await relay_from(so, await _chuyen_tiep(so))
    await relay_from(committee, await _chuyen_tiep(committee))
    own, other = 3, 4  # the Sở's relayed letter; the committee's, in another subtree
    assert (await directive(running, own)).created_by == so.id
    assert (await directive(running, other)).created_by == committee.id

    card = await so.ask(f"/status {own}", "Tổng số đơn vị", timeout=10)
    assert "ID" in card.shown_text
    listing = await so.ask("/status", "Công văn gần đây")
    assert [b["callback_data"] for b in listing.buttons()] == [f"st:{own}"]
    listing = await so.ask(f"/pending {own}", "chưa nhận")
    assert not [b for b in listing.buttons() if "Hoàn thành" in str(b["text"])]  # staff's
    await so.ask(f"/remind {own}", "Đã xếp nhắc")
    await so.ask(f"/report {own}", "Đang lập báo cáo")
    workbook = await so.wait_for_message(where=lambda m: m.document is not None, timeout=30)
    assert workbook.document is not None
    assert workbook.document["file_name"] == f"bao-cao-cong-van-{own}.xlsx"
    for command in (
        "/status 1",
        "/status 2",
        f"/status {other}",
        f"/pending {other}",
        "/report 1",
        "/remind 1",
        f"/close {other}",
        "/close 1",
        "/status 999",
    ):
        refusal = await so.ask(command, "chỉ xem và quản lý được")
        assert NUMBER not in refusal.shown_text
        assert "99/STTTT" not in refusal.shown_text
    for data in (
        f"st:{other}",
        f"pg:{other}:0",
        f"cl:{other}:yes",
        "cl:1:yes",
        f"b:{other}:send",
        f"rd:{other}",
        f"pm:{own}:1:a",
    ):
        answer = await answer_to(sandbox, await so.press_data(card, data))
        assert "chỉ" in answer, (data, answer)
    assert (await directive(running, other)).status != DirectiveStatus.CLOSED
    assert (await directive(running, 1)).status != DirectiveStatus.CLOSED
    # Closing its own letter works, after the confirmation.
    question = await so.ask(f"/close {own}", "Đóng công văn")
    await so.press(question, "Đóng công văn")
    await so.wait_for_message("Đã đóng công văn")
    assert (await directive(running, own)).status == DirectiveStatus.CLOSED
    # A plain officer (no units under it) is refused as before.
    commune = officers["ubnd-xa-an-hiep"]
    refusal = await commune.ask(f"/status {other}", "chỉ dành cho cán bộ Sở")
    assert "ID" not in refusal.shown_text


async def _chuyen_tiep(officer: SimUser, number: str = NUMBER) -> SentMessage:
    message = await letter_with(officer, number)
    await officer.press(message, "Chuyển tiếp")
    return await recipients_question(officer, message.message_id)


async def test_relaying_switched_off(running: RunningBot, sandbox: Sandbox) -> None:
    officers = await join_officers(running.sessionmaker, sandbox, ["so-gddt", "thpt-hoang-dieu"])
    so = officers["so-gddt"][0]
    await queue_letter(running, to=("all",), relay=False)
    message = await letter_with(so, NUMBER)
    assert not [label for label in labels(message) if "Chuyển tiếp" in label]
    # "all" without relaying is every agency, the schools included.
    await letter_with(officers["thpt-hoang-dieu"][0], NUMBER)
    assert await count(running, Delivery, Delivery.directive_id == 1) == 172
    delivery = (await delivery_of(running, 1, "so-gddt")).id
    answer = await answer_to(sandbox, await so.press_data(message, f"rl:{delivery}"))
    assert "không cho phép chuyển tiếp" in answer
    await so.ask("/relay 1", "không cho phép chuyển tiếp")
    assert await count(running, Directive) == 1
    assert (await delivery_of(running, 1, "so-gddt")).acknowledged_at is None

    # Staff turn it off in /broadcast's recipients step: "all" becomes every agency.
    admin = sandbox.add_user("Admin", user_id=ADMIN_ID)
    question = await admin.ask("/broadcast V/v thử\nSố: 2/STTTT\nNội dung.", "Chọn nơi nhận")
    assert "Tất cả đơn vị (64)" in str(labels(question))
    await admin.press(question, "Cho phép chuyển tiếp: bật")
    question = await admin.wait_for_message(
        "Chuyển tiếp đang tắt", where=lambda m: m.message_id == question.message_id
    )
    assert "Tất cả đơn vị (172)" in str(labels(question))
    await admin.press(question, "Tất cả đơn vị")
    summary = await admin.wait_for_message("Bấm «Gửi»")
    assert "Không cho phép chuyển tiếp" in summary.shown_text
    await admin.press(summary, "Gửi")
    second = await letter_with(so, "2/STTTT")
    assert not [label for label in labels(second) if "Chuyển tiếp" in label]
    assert (await directive(running, 2)).relay_allowed is False


async def test_the_relayed_letter_reminds_its_schools_with_escalation(
    start_bot: StartBot, sandbox: Sandbox, clock: Clock
) -> None:
    cadence = {"first_after": "1h", "every": "1h", "max_count": 2, "escalate_after": 1}
    bot = await start_bot(reminders={**ALL_DAY, **cadence})
    office = (await join_officers(bot.sessionmaker, sandbox, ["pgd-chau-thanh"]))["pgd-chau-thanh"][
        0
    ]
    school = "th-an-ninh-a-ct"
    primary, backup = (await join_officers(bot.sessionmaker, sandbox, [school], per_agency=2))[
        school
    ]
    await queue_letter(bot, to=("pgd-chau-thanh",))
    await relay_from(office, await _chuyen_tiep(office))
    number = (await directive(bot, 2)).number
    await letter_with(primary, number)
    await letter_with(backup, number)
    await eventually(lambda: _next_round_set(bot, 2, school), True, timeout=10)
    clock.advance(timedelta(hours=1, minutes=1))
    first = await primary.wait_for_message("Nhắc lần 1", timeout=10)
    assert number in first.shown_text
    assert any("Đã nhận" in label for label in labels(first))
    assert not [m for m in backup.inbox if "Nhắc lần" in m.shown_text]
    clock.advance(timedelta(hours=1, minutes=1))
    escalated = await backup.wait_for_message("Nhắc lần 2", timeout=10)
    assert "gửi cả lãnh đạo" in escalated.shown_text
    await primary.wait_for_message("Nhắc lần 2", timeout=10)
    # The relay may chase its schools itself.
    await office.ask("/remind 2", "Đã xếp nhắc 1 đơn vị")
    await primary.wait_for_message("Sở nhắc", timeout=10)


async def _next_round_set(bot: RunningBot, directive_id: int, code: str) -> bool:
    return (await delivery_of(bot, directive_id, code)).next_reminder_at is not None


async def test_a_relay_that_acknowledged_and_did_not_relay_is_reminded_to(
    start_bot: StartBot, sandbox: Sandbox, clock: Clock
) -> None:
    bot = await start_bot(
        reminders={**ALL_DAY, "first_after": "1h", "every": "1h", "max_count": 3},
        relay={"remind_after": "2h"},
    )
    officers = await join_officers(bot.sessionmaker, sandbox, ["so-gddt", "bao-soc-trang"])
    so, paper = officers["so-gddt"][0], officers["bao-soc-trang"][0]
    await queue_letter(bot, to=("so-gddt", "bao-soc-trang"))
    for officer in (so, paper):
        message = await letter_with(officer, NUMBER)
        await officer.press(message, "Đã nhận")
        await officer.wait_for_message("Đã nhận bởi")
    await eventually(lambda: _relay_reminder_set(bot, "so-gddt"), True, timeout=10)
    delivery = await delivery_of(bot, 1, "so-gddt")
    assert delivery.relay_remind_at is not None
    assert delivery.acknowledged_at is not None
    # [relay] remind_after, in working time (all day here)
    assert delivery.relay_remind_at - delivery.acknowledged_at == timedelta(hours=2)
    assert (await delivery_of(bot, 1, "bao-soc-trang")).relay_remind_at is None
    clock.advance(timedelta(hours=2, minutes=1))
    reminder = await so.wait_for_message("Nhắc chuyển tiếp", timeout=10)
    assert "chưa chuyển tiếp" in reminder.shown_text
    assert "🔁 Chuyển tiếp (18 đơn vị)" in labels(reminder)
    assert not [m for m in paper.inbox if "chuyển tiếp" in m.shown_text.lower()]
    # Pressing it on the reminder opens the same flow; once relayed, no more reminders.
    await so.press(reminder, "Chuyển tiếp")
    await relay_from(so, await recipients_question(so, reminder.message_id))
    # One reminder to relay, counted with the agency's reminders; nothing more once relayed.
    delivery = await delivery_of(bot, 1, "so-gddt")
    assert (delivery.relay_remind_at, delivery.reminders_sent) == (None, 1)
    assert delivery.relayed_directive_id == 2
    assert len([m for m in so.inbox if "Nhắc chuyển tiếp" in m.shown_text]) == 1


async def _relay_reminder_set(bot: RunningBot, code: str) -> bool:
    return (await delivery_of(bot, 1, code)).relay_remind_at is not None


def write_config(path: Path, bot: RunningBot) -> Path:
    path.write_text(f'[database]\nurl = "{bot.settings.database.url}"\n', encoding="utf-8")
    return path


async def test_staff_relay_on_an_agency_s_behalf_and_the_reports_show_the_tree(
    running: RunningBot, sandbox: Sandbox, tmp_path: Path
) -> None:
    codes = ["so-gddt", "pgd-chau-thanh", "thpt-hoang-dieu", SCHOOLS[0]]
    officers = {
        c: u[0] for c, u in (await join_officers(running.sessionmaker, sandbox, codes)).items()
    }
    deadline = today(running) + timedelta(days=5)
    await queue_letter(running, to=("so-gddt", "bao-soc-trang"), deadline=deadline)
    await letter_with(officers["so-gddt"], NUMBER)
    config = str(write_config(tmp_path / "config.toml", running))

    later = (deadline + timedelta(days=1)).isoformat()
    refusals = {
        ("--to", "so-y-te"): "not under the relay: so-y-te",
        ("--deadline", later): "is later than the original's",
        ("--deadline", "31/02/2020"): "--deadline: not a date",
    }
    for extra, expected in refusals.items():
        code, out, err = await cli("-c", config, "relay", "1", "--as", "so-gddt", *extra)
        assert (code, out) == (1, ""), extra
        assert expected in err
        assert err.count("\n") == 1
    code, _, err = await cli("-c", config, "relay", "1", "--as", "bao-soc-trang")
    assert "has no units under it" in err
    code, _, err = await cli("-c", config, "relay", "1", "--as", "so-y-te")
    assert "is not a recipient of directive 1" in err
    assert await count(running, Delivery) == 2

    code, out, err = await cli(
        "-c",
        config,
        "--json",
        "relay",
        "1",
        "--as",
        "so-gddt",
        "--to",
        "pgd-chau-thanh",
        "thpt-hoang-dieu",
        "--number",
        "45/SGDĐT-VP",
        "--note",
        "Triển khai.",
        "--deadline",
        deadline.isoformat(),
    )
    assert (code, err) == (0, "")
    first = json_of(out)
    assert first["agencies"] == 2
    by_so = first["directive_id"]  # refused attempts may have used ids (PostgreSQL)
    code, _, err = await cli("-c", config, "relay", "1", "--as", "so-gddt")
    assert f"already relayed directive 1 as directive {by_so}" in err
    so_delivery = await delivery_of(running, 1, "so-gddt")
    assert (so_delivery.relayed_directive_id, so_delivery.manual_reason) == (
        by_so,
        "chuyển tiếp thay đơn vị (agency-bot relay)",
    )
    await letter_with(officers["pgd-chau-thanh"], "45/SGDĐT-VP")
    code, out, _ = await cli("-c", config, "--json", "relay", str(by_so), "--as", "pgd-chau-thanh")
    second = json_of(out)
    assert second["agencies"] == 6
    by_office = second["directive_id"]
    school = officers[SCHOOLS[0]]
    message = await letter_with(school, (await directive(running, by_office)).number)
    assert "Triển khai." in (await directive(running, by_so)).body
    await school.press(message, "Đã nhận")
    await school.wait_for_message("Đã nhận bởi")

    code, out, _ = await cli("-c", config, "report", "1")
    assert "relayed down the tree: units 10  reached 4  acknowledged 3 (30%)" in out
    assert re.search(
        rf"\n  so-gddt relayed .* as 45/SGDĐT-VP \(directive {by_so}\): units 8 ", out
    ), out
    assert re.search(
        rf"\n    pgd-chau-thanh relayed .* \(directive {by_office}\): units 6  reached 1", out
    ), out
    code, out, _ = await cli("-c", config, "--json", "report", "1")
    relay = json_of(out)["relay"]
    assert (relay["units"], relay["acknowledged"]) == (10, 3)
    assert [(r["relay_code"], r["depth"], r["units"]) for r in relay["relays"]] == [
        ("so-gddt", 1, 8),
        ("pgd-chau-thanh", 2, 6),
    ]
    code, out, _ = await cli("-c", config, "report", "1", "--tree", "--format", "csv")
    header, *records = list(csv.reader(io.StringIO(out)))
    assert header[-3:] == ["failure_reason", "parent_code", "relayed_directive_id"]
    assert len(records) == 2 + 2 + 6
    rows = {record[0]: record for record in records}
    assert rows["so-gddt"][-2:] == ["", str(by_so)]
    assert rows["pgd-chau-thanh"][-2:] == ["so-gddt", str(by_office)]
    assert rows[SCHOOLS[0]][-2:] == ["pgd-chau-thanh", ""]
    assert rows[SCHOOLS[0]][3] == "acknowledged"
    code, _, err = await cli("-c", config, "report", "1", "--tree")
    assert (code, err.strip()) == (1, "agency-bot: error: --tree needs --format csv")
    target = tmp_path / "report.xlsx"
    code, _, _ = await cli("-c", config, "report", "1", "--format", "xlsx", "--output", str(target))
    sheet = openpyxl.load_workbook(target)["Chuyển tiếp"]
    table = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert table[0][:3] == ["Cấp", "Mã đơn vị", "Đơn vị chuyển tiếp"]
    assert [(r[0], r[1], r[6], r[8]) for r in table[1:]] == [
        (0, None, 10, 3),  # the whole tree: units, acknowledged
        (1, "so-gddt", 8, 2),
        (2, "pgd-chau-thanh", 6, 1),
    ]

    official = tmp_path / "report.docx"
    code, _, _ = await cli(
        "-c", config, "report", "1", "--format", "docx", "--output", str(official)
    )
    document = docx.Document(str(official))
    relay_table = next(t for t in document.tables if t.cell(0, 1).text == "Đơn vị chuyển tiếp")
    assert [[cell.text for cell in row.cells][1:] for row in relay_table.rows[1:]] == [
        ["Sở Giáo dục và Đào tạo", ANY, "8", "2", "0", "0"],  # units, acknowledged, completed
        ["– Phòng Giáo dục và Đào tạo huyện Châu Thành", ANY, "6", "1", "0", "0"],
    ]

    code, out, _ = await cli("-c", config, "agencies", "list", "--tree")
    assert re.search(r"\nso-gddt +so-nganh", out)
    assert re.search(r"\n  pgd-chau-thanh +phong-gddt", out)
    assert re.search(r"\n    th-an-ninh-a-ct +truong-hoc", out)
    code, out, _ = await cli("-c", config, "--json", "agencies", "list", "--tree")
    listed = {a["code"]: a for a in json_of(out)}
    assert (listed["th-an-ninh-a-ct"]["parent"], listed["th-an-ninh-a-ct"]["depth"]) == (
        "pgd-chau-thanh",
        2,
    )
    assert (await delivery_of(running, by_office, SCHOOLS[0])).status == DeliveryStatus.ACKNOWLEDGED


def json_of(text: str) -> Any:
    return json.loads(text)


async def test_an_import_that_would_make_a_cycle_through_the_database_is_refused(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    """The tree is checked with what is already in the database: a file that puts Sở
    GD&ĐT under one of its own district offices is refused with its line, nothing written."""
    await import_roster(sessionmaker, EXAMPLE_ROSTER)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "code,name,group,parent\n"
        "so-y-te,Sở Y tế,so-nganh,\n"
        "so-gddt,Sở Giáo dục và Đào tạo,so-nganh,pgd-chau-thanh\n",
        encoding="utf-8",
    )
    with pytest.raises(RosterFileError) as refused:
        await import_roster(sessionmaker, bad)
    assert [e.message for e in refused.value.errors] == [
        "line 3: parent cycle: so-gddt → pgd-chau-thanh → so-gddt"
    ]
    async with sessionmaker() as session:
        parents = await existing_parents(session)
    assert parents["so-gddt"] is None
    assert parents["pgd-chau-thanh"] == "so-gddt"


async def test_a_press_quicker_than_the_send_bookkeeping_still_counts_the_send(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """An officer may press Đã nhận before the dispatcher commits the send: the agency is
    reached all the same, and its schedule moves on from acknowledged (to the report or the
    relay reminder) instead of being stuck."""
    await import_roster(sessionmaker, EXAMPLE_ROSTER)
    now = datetime.now(UTC)
    async with sessionmaker.begin() as session:
        agency = await get_agency_by_code(session, "so-gddt")
        assert agency is not None
        session.add(
            Contact(
                agency_id=agency.id,
                telegram_user_id=4242,
                chat_id=4242,
                display_name="Cán bộ",
                role=ContactRole.PRIMARY,
            )
        )
    await queue_directive(sessionmaker, to=["so-gddt"], now=now, created_by=None)
    async with sessionmaker.begin() as session:
        [claimed] = await outbox.claim_due(
            session, now, 10, owner="test", lease=timedelta(seconds=10)
        )
        assert claimed.relay_units == 18
    async with sessionmaker.begin() as session:
        assert await acknowledge(session, [AckPress(claimed.delivery_id or 0, 4242)], now)
    async with sessionmaker.begin() as session:
        await outbox.mark_sent(session, claimed, ["1"], now, owner="test")
    async with sessionmaker() as session:
        delivery = await session.get(Delivery, claimed.delivery_id)
    assert delivery is not None
    assert delivery.status == DeliveryStatus.ACKNOWLEDGED
    assert delivery.sent_at is not None
    assert delivery.reminder_phase == "ack"  # the reminder clock moves it on


async def test_the_relayed_letter_carries_the_original_attachment(
    running: RunningBot, sandbox: Sandbox, tmp_path: Path
) -> None:
    officers = await join_officers(running.sessionmaker, sandbox, ["pgd-chau-thanh", SCHOOLS[0]])
    office, school = officers["pgd-chau-thanh"][0], officers[SCHOOLS[0]][0]
    pdf = tmp_path / "Công văn 123 – Hội Sách.pdf"
    pdf.write_bytes(b"%PDF-1.4 the signed letter\n%%EOF\n")
    await queue_letter(running, to=("pgd-chau-thanh",), attachment=pdf)
    await relay_from(office, await _chuyen_tiep(office))
    number = (await directive(running, 2)).number
    document = await school.wait_for_message(
        number, timeout=15, where=lambda m: m.document is not None
    )
    assert document.document is not None
    assert document.document["file_name"] == pdf.name
    original = next(m for m in office.inbox if m.document is not None)
    assert original.document is not None
    assert document.document["file_id"] == original.document["file_id"]  # uploaded once


def test_a_directive_file_may_turn_relaying_off(tmp_path: Path) -> None:
    sample = (Path(__file__).parent.parent / "examples" / "directive-book-day.toml").read_text(
        encoding="utf-8"
    )
    off = tmp_path / "off.toml"
    off.write_text("relay = false\n" + sample, encoding="utf-8")
    assert read_directive_file(off).relay is False
    bad = tmp_path / "bad.toml"
    bad.write_text('relay = "no"\n' + sample, encoding="utf-8")
    with pytest.raises(DirectiveInputError) as refused:
        read_directive_file(bad)
    assert refused.value.errors == [
        "relay = 'no': not true or false (relay = false: nobody may relay it)"
    ]
    assert (
        read_directive_file(
            Path(__file__).parent.parent / "examples" / "directive-book-day.toml"
        ).relay
        is True
    )


def test_what_a_relay_types_for_its_number_deadline_and_note() -> None:
    text = "Số: 45/SGDĐT-VP\nHạn: 25/06/2020\n\nĐề nghị các trường triển khai.\n"
    assert parse_relay_text(text) == RelayText(
        "45/SGDĐT-VP", date(2020, 6, 25), "Đề nghị các trường triển khai."
    )
    assert parse_relay_text("-") == RelayText(note="")
    assert parse_relay_text("") == RelayText()
    with pytest.raises(DirectiveInputError) as refused:
        parse_relay_text("Hạn: 31/02/2020")
    assert refused.value.reason == "bad_deadline"
    with pytest.raises(DirectiveInputError) as refused:
        parse_relay_text("x" * 4001)
    assert refused.value.reason == "note_too_long"
