"""The sandbox speaks the Bot API as PTB expects, and rejects what Telegram would."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import telegram
from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, Conflict

from bot.sandbox import Sandbox


def keyboard(*labels_and_data: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data)] for label, data in labels_and_data]
    )


# the bot and its token --------------------------------------------------------------------------


async def test_get_me_returns_the_bot_user(sandbox: Sandbox, bot: telegram.Bot) -> None:
    me = await bot.get_me()

    assert (me.id, me.username, me.is_bot) == (123456, "agency_sandbox_bot", True)


async def test_wrong_token_is_unauthorized(sandbox: Sandbox) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{sandbox.base_url}/bot123456:WRONG/getMe")

    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_unknown_method_is_not_found(raw: httpx.AsyncClient) -> None:
    response = await raw.post("sendTelegram")

    assert response.status_code == 404
    assert response.json()["description"] == "Not Found"


async def test_method_names_are_case_insensitive(raw: httpx.AsyncClient) -> None:
    response = await raw.get("GETME")

    assert response.json()["result"]["username"] == "agency_sandbox_bot"


async def test_json_body_is_accepted(sandbox: Sandbox, raw: httpx.AsyncClient) -> None:
    user = sandbox.add_user("Lan")

    response = await raw.post("sendMessage", json={"chat_id": user.id, "text": "xin chào"})

    assert response.json()["result"]["text"] == "xin chào"


async def test_query_string_parameters_are_accepted(
    sandbox: Sandbox, raw: httpx.AsyncClient
) -> None:
    user = sandbox.add_user("Lan")

    response = await raw.get("sendMessage", params={"chat_id": user.id, "text": "hi"})

    assert response.json()["ok"] is True


async def test_unmodelled_method_answers_true(sandbox: Sandbox, bot: telegram.Bot) -> None:
    user = sandbox.add_user("Lan")

    assert await bot.send_chat_action(user.id, "typing") is True
    assert sandbox.stats.unimplemented_calls == {"sendChatAction": 1}


# updates --------------------------------------------------------------------------------------


async def test_get_updates_delivers_command_with_entity(
    sandbox: Sandbox, bot: telegram.Bot
) -> None:
    user = sandbox.add_user("Lan")
    await user.send("/start AGENCY-42")

    (update,) = await bot.get_updates()

    assert update.message is not None
    assert update.message.text == "/start AGENCY-42"
    assert update.message.parse_entities(["bot_command"]) == {update.message.entities[0]: "/start"}


async def test_get_updates_forgets_updates_below_offset(
    sandbox: Sandbox, bot: telegram.Bot
) -> None:
    user = sandbox.add_user("Lan")
    for text in ("một", "hai", "ba"):
        await user.send(text)
    first, *_ = await bot.get_updates()

    remaining = await bot.get_updates(offset=first.update_id + 1)
    again = await bot.get_updates()

    assert [u.message.text for u in remaining if u.message] == ["hai", "ba"]
    assert [u.update_id for u in again] == [u.update_id for u in remaining]


async def test_get_updates_negative_offset_keeps_only_the_last(
    sandbox: Sandbox, bot: telegram.Bot
) -> None:
    user = sandbox.add_user("Lan")
    for text in ("một", "hai", "ba"):
        await user.send(text)

    last = await bot.get_updates(offset=-1)
    after = await bot.get_updates()

    assert [u.message.text for u in last if u.message] == ["ba"]
    assert [u.update_id for u in after] == [u.update_id for u in last]


async def test_get_updates_respects_limit(sandbox: Sandbox, bot: telegram.Bot) -> None:
    user = sandbox.add_user("Lan")
    for text in ("một", "hai", "ba"):
        await user.send(text)

    updates = await bot.get_updates(limit=2)

    assert len(updates) == 2


async def test_long_poll_wakes_when_user_sends(sandbox: Sandbox, bot: telegram.Bot) -> None:
    user = sandbox.add_user("Lan")
    poll = asyncio.create_task(bot.get_updates(timeout=30, read_timeout=40))
    await sandbox.wait_until(lambda: sandbox.polling, what="a waiting long poll")

    await user.send("xin chào")
    updates = await asyncio.wait_for(poll, timeout=5)

    assert [u.message.text for u in updates if u.message] == ["xin chào"]


async def test_stop_ends_waiting_long_polls() -> None:
    sandbox = Sandbox()
    await sandbox.start()
    async with httpx.AsyncClient() as client:
        poll = asyncio.create_task(
            client.get(f"{sandbox.base_url}/bot{sandbox.token}/getUpdates?timeout=30", timeout=40)
        )
        await sandbox.wait_until(lambda: sandbox.polling, what="a waiting long poll")
        await asyncio.wait_for(sandbox.stop(), timeout=5)
        response = await asyncio.wait_for(poll, timeout=5)

    assert response.json() == {"ok": True, "result": []}


async def test_second_poller_terminates_the_first(
    sandbox: Sandbox, bot: telegram.Bot, raw: httpx.AsyncClient
) -> None:
    first = asyncio.create_task(raw.get("getUpdates", params={"timeout": 30}, timeout=40))
    await sandbox.wait_until(lambda: sandbox.polling, what="a waiting long poll")

    await bot.get_updates()
    response = await asyncio.wait_for(first, timeout=5)

    assert response.status_code == 409
    assert "terminated by other getUpdates request" in response.json()["description"]


# webhooks -------------------------------------------------------------------------------------


@dataclass
class Delivery:
    secret: str | None
    update: dict[str, Any]
    status: int


@dataclass
class Receiver:
    """A webhook endpoint that answers the scripted statuses (then 200) and queues deliveries."""

    url: str = ""
    statuses: list[int] = field(default_factory=list)
    deliveries: asyncio.Queue[Delivery] = field(default_factory=asyncio.Queue)

    async def handle(self, request: web.Request) -> web.Response:
        status = self.statuses.pop(0) if self.statuses else 200
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        await self.deliveries.put(Delivery(secret, await request.json(), status))
        return web.Response(status=status)

    async def next(self) -> Delivery:
        return await asyncio.wait_for(self.deliveries.get(), timeout=5)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    receiver.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        yield receiver
    finally:
        await runner.cleanup()


async def test_webhook_pushes_updates_in_order_with_secret_header(
    sandbox: Sandbox, bot: telegram.Bot, receiver: Receiver
) -> None:
    user = sandbox.add_user("Lan")
    await bot.set_webhook(receiver.url, secret_token="s3cret-TOKEN_1")

    await user.send("một")
    await user.send("hai")
    first, second = await receiver.next(), await receiver.next()

    assert (first.secret, second.secret) == ("s3cret-TOKEN_1", "s3cret-TOKEN_1")
    assert [d.update["message"]["text"] for d in (first, second)] == ["một", "hai"]


async def test_webhook_retries_until_the_receiver_accepts(
    sandbox: Sandbox, bot: telegram.Bot, receiver: Receiver
) -> None:
    receiver.statuses.extend([500, 503])
    user = sandbox.add_user("Lan")
    await bot.set_webhook(receiver.url)

    await user.send("một")
    attempts = [await receiver.next() for _ in range(3)]
    await sandbox.wait_until(lambda: not sandbox.pending_updates, what="delivery")

    assert [a.status for a in attempts] == [500, 503, 200]
    assert len({a.update["update_id"] for a in attempts}) == 1
    assert (await bot.get_webhook_info()).last_error_message is not None


async def test_get_updates_conflicts_while_webhook_is_set(
    bot: telegram.Bot, receiver: Receiver
) -> None:
    await bot.set_webhook(receiver.url)

    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()


async def test_delete_webhook_can_drop_pending_updates(sandbox: Sandbox, bot: telegram.Bot) -> None:
    user = sandbox.add_user("Lan")
    await user.send("cũ")

    await bot.delete_webhook(drop_pending_updates=True)

    assert await bot.get_updates() == ()


async def test_webhook_info_reports_url_and_pending_count(
    sandbox: Sandbox, bot: telegram.Bot
) -> None:
    await bot.set_webhook("http://127.0.0.1:9/unreachable")
    info = await bot.get_webhook_info()

    assert (info.url, info.pending_update_count) == ("http://127.0.0.1:9/unreachable", 0)


async def test_webhook_to_a_public_address_is_refused(bot: telegram.Bot) -> None:
    with pytest.raises(BadRequest, match="loopback or private"):
        await bot.set_webhook("https://bot.example.gov.vn/hook")


# sendMessage validation -----------------------------------------------------------------------


async def test_send_message_without_chat_id_is_rejected(raw: httpx.AsyncClient) -> None:
    response = await raw.post("sendMessage", data={"text": "hi"})

    assert response.status_code == 400
    assert response.json()["description"] == "Bad Request: chat_id is empty"


async def test_text_of_4097_characters_is_rejected(sandbox: Sandbox, bot: telegram.Bot) -> None:
    user = sandbox.add_user("Lan")

    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(user.id, "ă" * 4097)


async def test_text_of_4096_characters_is_accepted(sandbox: Sandbox, bot: telegram.Bot) -> None:
    user = sandbox.add_user("Lan")

    message = await bot.send_message(user.id, "ă" * 4096)

    assert message.text == "ă" * 4096


async def test_malformed_html_cannot_be_parsed(sandbox: Sandbox, bot: telegram.Bot) -> None:
    user = sandbox.add_user("Lan")

    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(user.id, "<b>Công văn <i>số 12</b></i>", parse_mode="HTML")


async def test_bare_ampersand_is_rejected_in_html(sandbox: Sandbox, bot: telegram.Bot) -> None:
    user = sandbox.add_user("Lan")

    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(user.id, "Sở Tài nguyên & Môi trường", parse_mode="HTML")


async def test_escaped_html_text_is_accepted(sandbox: Sandbox, bot: telegram.Bot) -> None:
    user = sandbox.add_user("Lan")

    message = await bot.send_message(
        user.id, "<b>Sở</b> Tài nguyên &amp; Môi trường &lt;TN&gt;", parse_mode="HTML"
    )

    assert message.text == "Sở Tài nguyên & Môi trường <TN>"
    assert sandbox.messages_to(user.id)[0].html == (
        "<b>Sở</b> Tài nguyên &amp; Môi trường &lt;TN&gt;"
    )


async def test_callback_data_of_65_bytes_is_rejected(sandbox: Sandbox, bot: telegram.Bot) -> None:
    user = sandbox.add_user("Lan")

    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(user.id, "hi", reply_markup=keyboard(("Đã nhận", "x" * 65)))


async def test_send_to_unknown_chat_is_chat_not_found(bot: telegram.Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(999, "hi")


async def test_reply_to_missing_message_is_rejected(sandbox: Sandbox, bot: telegram.Bot) -> None:
    user = sandbox.add_user("Lan")

    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(user.id, "hi", reply_to_message_id=77)


async def test_message_ids_increase_per_chat(sandbox: Sandbox, bot: telegram.Bot) -> None:
    lan, minh = sandbox.add_user("Lan"), sandbox.add_user("Minh")
    await lan.send("hi")

    ids = [(await bot.send_message(chat, "x")).message_id for chat in (lan.id, lan.id, minh.id)]

    assert ids == [2, 3, 1]


# documents ------------------------------------------------------------------------------------


async def test_send_document_keeps_vietnamese_file_name(
    sandbox: Sandbox, bot: telegram.Bot
) -> None:
    user = sandbox.add_user("Lan")

    message = await bot.send_document(
        user.id, InputFile(b"%PDF-1.4 cv", filename="Công văn số 12 “khẩn”.pdf")
    )

    assert message.document is not None
    assert message.document.file_name == "Công văn số 12 “khẩn”.pdf"
    assert message.document.mime_type == "application/pdf"
    assert user.inbox[0].document == message.document.to_dict()


async def test_document_is_resent_by_file_id(sandbox: Sandbox, bot: telegram.Bot) -> None:
    lan, minh = sandbox.add_user("Lan"), sandbox.add_user("Minh")
    first = await bot.send_document(lan.id, InputFile(b"%PDF", filename="cv.pdf"))
    assert first.document is not None

    again = await bot.send_document(
        minh.id, first.document.file_id, caption="<b>CV</b>", parse_mode="HTML"
    )

    assert again.document == first.document
    assert again.caption == "CV"


async def test_unknown_file_id_is_rejected(sandbox: Sandbox, bot: telegram.Bot) -> None:
    user = sandbox.add_user("Lan")

    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_document(user.id, "no-such-file-id")


async def test_get_file_downloads_the_uploaded_bytes(sandbox: Sandbox, bot: telegram.Bot) -> None:
    user = sandbox.add_user("Lan")
    content = bytes(range(256)) * 100
    message = await bot.send_document(user.id, InputFile(content, filename="dữ liệu.bin"))
    assert message.document is not None

    file = await bot.get_file(message.document.file_id)

    assert file.file_size == len(content)
    assert bytes(await file.download_as_bytearray()) == content


async def test_media_group_sends_one_message_per_document(
    sandbox: Sandbox, bot: telegram.Bot
) -> None:
    user = sandbox.add_user("Lan")
    media = [telegram.InputMediaDocument(b"%PDF", filename=f"phụ lục {i}.pdf") for i in (1, 2)]

    messages = await bot.send_media_group(user.id, media)

    assert [m.document.file_name for m in messages if m.document] == [
        "phụ lục 1.pdf",
        "phụ lục 2.pdf",
    ]
    assert sandbox.stats.sent_messages == 2


# editing --------------------------------------------------------------------------------------


async def test_edit_message_text_is_applied_to_the_inbox(
    sandbox: Sandbox, bot: telegram.Bot
) -> None:
    user = sandbox.add_user("Lan")
    sent = await bot.send_message(user.id, "Chưa nhận")

    await bot.edit_message_text("<b>Đã nhận</b>", user.id, sent.message_id, parse_mode="HTML")

    (shown,) = user.inbox
    assert (shown.text, shown.edited, shown.entities[0]["type"]) == ("Đã nhận", True, "bold")


async def test_edit_with_same_content_is_not_modified(sandbox: Sandbox, bot: telegram.Bot) -> None:
    user = sandbox.add_user("Lan")
    markup = keyboard(("Đã nhận", "ack:1"))
    sent = await bot.send_message(user.id, "Công văn", reply_markup=markup)

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Công văn", user.id, sent.message_id, reply_markup=markup)


async def test_edit_text_without_markup_drops_the_keyboard(
    sandbox: Sandbox, bot: telegram.Bot
) -> None:
    user = sandbox.add_user("Lan")
    sent = await bot.send_message(user.id, "Công văn", reply_markup=keyboard(("Đã nhận", "a")))

    await bot.edit_message_text("Công văn (đã nhận)", user.id, sent.message_id)

    assert user.inbox[0].buttons() == []


async def test_edit_reply_markup_replaces_the_keyboard(sandbox: Sandbox, bot: telegram.Bot) -> None:
    user = sandbox.add_user("Lan")
    sent = await bot.send_message(user.id, "Công văn", reply_markup=keyboard(("Đã nhận", "a")))

    await bot.edit_message_reply_markup(
        user.id, sent.message_id, reply_markup=keyboard(("Báo cáo", "b"))
    )

    assert [b["text"] for b in user.inbox[0].buttons()] == ["Báo cáo"]


async def test_edit_reply_markup_with_same_keyboard_is_not_modified(
    sandbox: Sandbox, bot: telegram.Bot
) -> None:
    user = sandbox.add_user("Lan")
    markup = keyboard(("Đã nhận", "a"))
    sent = await bot.send_message(user.id, "Công văn", reply_markup=markup)

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(user.id, sent.message_id, reply_markup=markup)


async def test_edit_of_unknown_message_is_not_found(sandbox: Sandbox, bot: telegram.Bot) -> None:
    user = sandbox.add_user("Lan")

    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", user.id, 41)


async def test_deleted_message_leaves_the_inbox(sandbox: Sandbox, bot: telegram.Bot) -> None:
    user = sandbox.add_user("Lan")
    sent = await bot.send_message(user.id, "nhầm")

    await bot.delete_message(user.id, sent.message_id)

    assert user.inbox == []


# commands -------------------------------------------------------------------------------------


async def test_set_my_commands_is_stored_per_chat_scope(
    sandbox: Sandbox, bot: telegram.Bot
) -> None:
    staff = sandbox.add_user("Hà")
    await bot.set_my_commands([("start", "Bắt đầu")])
    await bot.set_my_commands(
        [("send", "Gửi công văn"), ("status", "Tình hình")],
        scope=telegram.BotCommandScopeChat(staff.id),
    )

    staff_commands = await bot.get_my_commands(scope=telegram.BotCommandScopeChat(staff.id))

    assert [c.command for c in staff_commands] == ["send", "status"]
    assert sandbox.commands(f"chat:{staff.id}") == [
        {"command": "send", "description": "Gửi công văn"},
        {"command": "status", "description": "Tình hình"},
    ]
    assert [c["command"] for c in sandbox.commands()] == ["start"]


async def test_invalid_command_name_is_rejected(bot: telegram.Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([("Gửi", "Gửi công văn")])


# recording ------------------------------------------------------------------------------------


async def test_calls_record_coerced_params_and_status(
    sandbox: Sandbox, raw: httpx.AsyncClient
) -> None:
    user = sandbox.add_user("Lan")
    markup = {"inline_keyboard": [[{"text": "Đã nhận", "callback_data": "ack:1"}]]}

    await raw.post(
        "sendMessage",
        data={"chat_id": str(user.id), "text": "hi", "reply_markup": json.dumps(markup)},
    )

    (call,) = sandbox.calls
    assert (call.method, call.status, call.params["chat_id"]) == ("sendMessage", 200, user.id)
    assert call.params["reply_markup"] == markup
