"""Simulated users: they press buttons, forge callbacks, block the bot, and wait for messages."""

from __future__ import annotations

import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, Forbidden

from bot.sandbox import Sandbox, SimUser


@pytest.fixture
def lan(sandbox: Sandbox) -> SimUser:
    return sandbox.add_user("Lan", last_name="Nguyễn", username="lan_ubnd")


ACK_KEYBOARD = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("✅ Đã nhận", callback_data="ack:7")],
        [InlineKeyboardButton("Xem văn bản", url="https://example.gov.vn/cv/7")],
    ]
)


async def test_press_by_label_sends_a_callback_query(bot: telegram.Bot, lan: SimUser) -> None:
    sent = await bot.send_message(lan.id, "Công văn số 7", reply_markup=ACK_KEYBOARD)

    await lan.press(sent.message_id, "Đã nhận")
    (update,) = await bot.get_updates()

    query = update.callback_query
    assert query is not None
    assert (query.data, query.from_user.id) == ("ack:7", lan.id)
    assert query.message is not None
    assert query.message.message_id == sent.message_id


async def test_press_of_a_missing_button_raises(bot: telegram.Bot, lan: SimUser) -> None:
    await bot.send_message(lan.id, "Công văn số 7", reply_markup=ACK_KEYBOARD)

    with pytest.raises(LookupError, match="Báo cáo"):
        await lan.press(lan.inbox[0], "Báo cáo")


async def test_url_buttons_cannot_be_pressed_as_callbacks(bot: telegram.Bot, lan: SimUser) -> None:
    await bot.send_message(lan.id, "Công văn số 7", reply_markup=ACK_KEYBOARD)

    with pytest.raises(LookupError, match="no callback button"):
        await lan.press(lan.inbox[0], "Xem văn bản")


async def test_press_data_forges_arbitrary_callback_data(bot: telegram.Bot, lan: SimUser) -> None:
    sent = await bot.send_message(lan.id, "Công văn số 7", reply_markup=ACK_KEYBOARD)

    await lan.press_data(sent.message_id, "ack:999999' OR 1=1")
    (update,) = await bot.get_updates()

    assert update.callback_query is not None
    assert update.callback_query.data == "ack:999999' OR 1=1"


async def test_answer_callback_query_is_recorded_for_the_press(
    bot: telegram.Bot, lan: SimUser
) -> None:
    sent = await bot.send_message(lan.id, "Công văn số 7", reply_markup=ACK_KEYBOARD)
    press = await lan.press(sent.message_id, "Đã nhận")
    query_id = press["callback_query"]["id"]

    await bot.answer_callback_query(query_id, "Đã ghi nhận")

    assert lan.answered(query_id) == {"callback_query_id": query_id, "text": "Đã ghi nhận"}


async def test_answering_a_callback_twice_is_rejected(bot: telegram.Bot, lan: SimUser) -> None:
    sent = await bot.send_message(lan.id, "Công văn số 7", reply_markup=ACK_KEYBOARD)
    query_id = (await lan.press(sent.message_id, "Đã nhận"))["callback_query"]["id"]
    await bot.answer_callback_query(query_id)

    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)


async def test_answering_an_unknown_callback_is_rejected(bot: telegram.Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)query ID is invalid"):
        await bot.answer_callback_query("123")


async def test_answering_an_expired_callback_is_rejected(
    sandbox: Sandbox, bot: telegram.Bot, lan: SimUser
) -> None:
    sent = await bot.send_message(lan.id, "Công văn số 7", reply_markup=ACK_KEYBOARD)
    query_id = (await lan.press(sent.message_id, "Đã nhận"))["callback_query"]["id"]
    sandbox.callback_ttl = 0.0

    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)


async def test_blocked_user_cannot_be_sent_to(bot: telegram.Bot, lan: SimUser) -> None:
    lan.block()

    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(lan.id, "Công văn số 7")


async def test_block_emits_my_chat_member_kicked(bot: telegram.Bot, lan: SimUser) -> None:
    lan.block()

    (update,) = await bot.get_updates()

    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "kicked"


async def test_unblocked_user_can_be_sent_to_again(bot: telegram.Bot, lan: SimUser) -> None:
    lan.block()
    lan.unblock()

    message = await bot.send_message(lan.id, "Công văn số 7")

    assert message.chat.id == lan.id


async def test_user_message_carries_the_user_and_private_chat(
    bot: telegram.Bot, lan: SimUser
) -> None:
    await lan.send("xin chào")

    (update,) = await bot.get_updates()

    message = update.message
    assert message is not None
    assert message.from_user is not None
    assert message.chat.type == "private"
    assert (message.from_user.username, message.from_user.last_name) == ("lan_ubnd", "Nguyễn")


async def test_user_document_can_be_downloaded_by_the_bot(bot: telegram.Bot, lan: SimUser) -> None:
    await lan.send_document("Báo cáo tháng 5.pdf", b"%PDF-report", caption="Báo cáo")

    (update,) = await bot.get_updates()
    assert update.message is not None
    assert update.message.document is not None
    file = await update.message.document.get_file()

    assert update.message.document.file_name == "Báo cáo tháng 5.pdf"
    assert bytes(await file.download_as_bytearray()) == b"%PDF-report"


async def test_user_reply_carries_the_replied_message(bot: telegram.Bot, lan: SimUser) -> None:
    sent = await bot.send_message(lan.id, "Đề nghị báo cáo")

    await lan.send("Đã hoàn thành", reply_to=sent.message_id)
    (update,) = await bot.get_updates()

    assert update.message is not None
    assert update.message.reply_to_message is not None
    assert update.message.reply_to_message.text == "Đề nghị báo cáo"


async def test_wait_for_message_returns_an_edited_message(bot: telegram.Bot, lan: SimUser) -> None:
    sent = await bot.send_message(lan.id, "Chưa nhận", reply_markup=ACK_KEYBOARD)
    await bot.edit_message_text("Đã nhận lúc 09:00", lan.id, sent.message_id)

    shown = await lan.wait_for_message("Đã nhận lúc")

    assert (shown.message_id, shown.edited) == (sent.message_id, True)


async def test_wait_for_message_times_out_listing_the_inbox(
    bot: telegram.Bot, lan: SimUser
) -> None:
    await bot.send_message(lan.id, "Công văn số 7")

    with pytest.raises(TimeoutError, match="Công văn số 7"):
        await lan.wait_for_message("Công văn số 8", timeout=0.05)


async def test_wait_for_matches_params_and_counts(
    sandbox: Sandbox, bot: telegram.Bot, lan: SimUser
) -> None:
    minh = sandbox.add_user("Minh")
    for chat in (lan.id, minh.id, lan.id):
        await bot.send_message(chat, "Công văn")

    calls = await sandbox.wait_for("sendMessage", chat_id=lan.id, count=2)

    assert [c.result["message_id"] for c in calls] == [1, 2]


async def test_wait_for_times_out_listing_recent_calls(
    sandbox: Sandbox, bot: telegram.Bot, lan: SimUser
) -> None:
    await bot.send_message(lan.id, "Công văn")

    with pytest.raises(TimeoutError, match="sendMessage"):
        await sandbox.wait_for("sendDocument", timeout=0.05)


async def test_inbox_keeps_document_and_caption(bot: telegram.Bot, lan: SimUser) -> None:
    await bot.send_document(
        lan.id, InputFile(b"%PDF", filename="cv.pdf"), caption="<i>Khẩn</i>", parse_mode="HTML"
    )

    (shown,) = lan.inbox
    assert (shown.caption, shown.html, shown.document and shown.document["file_name"]) == (
        "Khẩn",
        "<i>Khẩn</i>",
        "cv.pdf",
    )
