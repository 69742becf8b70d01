"""Small leaks (issue 12, item 9): what a stranger can learn from a press, callback answers
as plain text within Telegram's limit, malformed presses in the log, user ids, plain http to
the Bot API, and bidirectional controls in names."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot.config import ConfigError, settings_from_mapping
from bot.onboarding.invites import create_invite
from bot.onboarding.joining import Joiner, redeem_invite
from bot.runner import RunningBot
from bot.sandbox import Sandbox
from bot.telegram import callbacks
from bot.texts import MAX_ALERT, alert
from db.models import Contact, Event, Staff
from tests.helpers import (
    ADMIN_ID,
    answer_to,
    broadcast_to,
    join_officers,
    letter,
)


async def test_a_stranger_cannot_tell_which_delivery_ids_exist(
    running: RunningBot, sandbox: Sandbox
) -> None:
    officer = (await join_officers(running.sessionmaker, sandbox, ["so-y-te"]))["so-y-te"][0]
    await broadcast_to(running, sandbox, ["so-y-te"])
    await letter(officer)
    stranger = sandbox.add_user("Kẻ Lạ")
    own = await stranger.ask("/start", "đường link mời")
    answers = set()
    for data in ("a:1", "a:999999", "r:1", "r:999999", "a:abc"):
        answers.add(await answer_to(sandbox, await stranger.press_data(own, data)))
    assert len(answers) == 2  # one for Đã nhận, one for Báo cáo kết quả: never "gone"
    assert all("không phải cán bộ đầu mối" in a for a in answers)


async def test_callback_answers_are_plain_text_within_200_characters(
    running: RunningBot, sandbox: Sandbox
) -> None:
    second = (await join_officers(running.sessionmaker, sandbox, ["so-y-te"]))["so-y-te"][0]
    # Telegram allows 64 characters for each of the first and last names.
    first = sandbox.add_user("Quang & Minh " + "Ng" * 25, last_name="Nguyễn Văn " * 5)
    async with running.sessionmaker.begin() as session:
        invite = await create_invite(session, agency_code="so-y-te", now=datetime.now(UTC))
        joiner = Joiner(first.id, first.first_name, None)
        await redeem_invite(session, invite.token, joiner, datetime.now(UTC))
    await broadcast_to(running, sandbox, ["so-y-te"])
    first_letter, second_letter = await letter(first), await letter(second)
    await answer_to(sandbox, await first.press(first_letter, "Đã nhận"))
    answered = await answer_to(sandbox, await second.press(second_letter, "Đã nhận"))
    assert answered.startswith("Đơn vị đã xác nhận")
    assert len(answered) <= MAX_ALERT
    assert "Quang & Minh" in answered
    assert "&amp;" not in answered
    assert "<b>" not in answered


def test_alert_unescapes_strips_tags_and_cuts() -> None:
    text = alert("vi", "contacts.removed", name="A & <B>")
    assert text.startswith("Đã gỡ A & <B>:")
    assert len(alert("vi", "contacts.removed", name="x" * 500)) == MAX_ALERT


async def test_malformed_callback_data_is_logged_once_per_user(
    running: RunningBot, sandbox: Sandbox
) -> None:
    prober, other = sandbox.add_user("Dò"), sandbox.add_user("Khác")
    own = await prober.ask("/start", "đường link mời")
    theirs = await other.ask("/start", "đường link mời")
    for data in ("a:xyz", "garbage", "a:1:2", "cg:0"):
        await answer_to(sandbox, await prober.press_data(own, data))
    await answer_to(sandbox, await other.press_data(theirs, "zz:1"))
    await answer_to(sandbox, await other.press_data(theirs, "a:1"))  # well-formed: not logged
    async with running.sessionmaker() as session:
        rows = (
            await session.execute(
                select(Event.actor_id, Event.detail).where(Event.kind == "callback.malformed")
            )
        ).all()
    assert sorted((actor, detail["data"]) for actor, detail in rows) == sorted(
        [(prober.id, "a:xyz"), (other.id, "zz:1")]
    )


@pytest.mark.parametrize("raw", ["12345678901234567890", "²", "１２３", "0123", "-5"])
async def test_staff_add_takes_only_plain_user_ids(
    raw: str, running: RunningBot, sandbox: Sandbox
) -> None:
    admin = sandbox.add_user("Admin", user_id=ADMIN_ID)
    await admin.ask(f"/staff add {raw} admin", "Mã Telegram phải là một số")
    async with running.sessionmaker() as session:
        assert await session.scalar(select(func.count(Staff.id))) == 0


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("http://api.example.com", True),
        ("http://10.0.0.5:8081", True),
        ("http://127.0.0.1:8081", False),
        ("http://[::1]:8081", False),
        ("http://localhost:8081", False),
        ("https://api.example.com", False),
    ],
)
def test_plain_http_to_the_bot_api_only_on_this_machine(url: str, refused: bool) -> None:
    data = {"telegram": {"api_base_url": url}}
    if not refused:
        assert settings_from_mapping(data).telegram.api_base_url == url
        return
    with pytest.raises(ConfigError) as raised:
        settings_from_mapping(data)
    assert "plain http:// would send the bot token unencrypted" in str(raised.value)


async def test_bidi_controls_do_not_reach_staff(running: RunningBot, sandbox: Sandbox) -> None:
    spoofer = sandbox.add_user("\u202eNgười\u2066 lạ\u200f")
    admin = sandbox.add_user("Admin", user_id=ADMIN_ID)
    link = await admin.ask("/invite so-y-te", "t.me/")
    token = link.shown_text.split("start=")[1].split()[0]
    await spoofer.ask(f"/start {token}", "Sở Y tế")
    async with running.sessionmaker() as session:
        name = await session.scalar(
            select(Contact.display_name).where(Contact.telegram_user_id == spoofer.id)
        )
    assert name == "Người lạ"
    listing = await admin.ask("/contacts so-y-te", "Cán bộ đầu mối của")
    assert "\u202e" not in listing.shown_text
    assert "Người lạ" in listing.shown_text


@pytest.mark.parametrize("raw", ["a:5\n", "cg:7\n", "b:1:group:so-nganh\n", "a:05", "cg:"])
def test_callback_data_with_a_trailing_newline_or_leading_zero_is_malformed(raw: str) -> None:
    assert callbacks.parse(raw) is None
