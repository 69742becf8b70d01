"""Bot API parameter coercion and Telegram's semantic checks in the sandbox."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.sandbox.botapi import (
    BOTAPI_VERSION,
    METHODS,
    TYPES,
    ApiError,
    ParamSpec,
    canonical_method,
    coerce_params,
    validate_send,
)


def api_error(method: str, params: dict[str, Any], *, coerce: bool = False) -> ApiError:
    check = coerce_params if coerce else validate_send
    with pytest.raises(ApiError) as excinfo:
        check(method, params)
    return excinfo.value


def rejection(method: str, params: dict[str, Any]) -> str:
    error = api_error(method, params)
    assert error.status == 400
    return error.description


def keyboard(*rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"inline_keyboard": list(rows)}


def send(text: str | bytes = "x", **extra: Any) -> dict[str, Any]:
    return {"chat_id": 1, "text": text, **extra}


# --- table ------------------------------------------------------------------------------------


def test_table_is_bot_api_10_1() -> None:
    assert BOTAPI_VERSION == "Bot API 10.1"
    assert len(METHODS) > 150


def test_table_knows_send_message_parameters() -> None:
    params = METHODS["sendMessage"]
    assert params["chat_id"] == ParamSpec(types=("Integer", "String"), required=True)
    assert params["text"] == ParamSpec(types=("String",), required=True)
    assert params["disable_notification"].required is False


def test_table_knows_keyboard_types() -> None:
    assert "callback_data" in TYPES["InlineKeyboardButton"]
    assert TYPES["InlineKeyboardMarkup"]["inline_keyboard"].required


# --- coercion ---------------------------------------------------------------------------------


def test_form_strings_are_coerced_to_declared_types() -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Đã nhận", callback_data="ack:1")]])
    params = coerce_params(
        "sendMessage",
        {
            "chat_id": "-1001234",
            "text": "hi",
            "disable_notification": "true",
            "protect_content": "0",
            "message_thread_id": "7",
            "reply_markup": markup.to_json(),
        },
    )
    assert params == {
        "chat_id": -1001234,
        "text": "hi",
        "disable_notification": True,
        "protect_content": False,
        "message_thread_id": 7,
        "reply_markup": {"inline_keyboard": [[{"text": "Đã nhận", "callback_data": "ack:1"}]]},
    }


def test_json_body_values_are_kept() -> None:
    params = coerce_params(
        "sendMessage",
        {"chat_id": 5, "text": "hi", "disable_notification": False, "reply_markup": keyboard()},
    )
    assert params == {
        "chat_id": 5,
        "text": "hi",
        "disable_notification": False,
        "reply_markup": {"inline_keyboard": []},
    }


def test_username_chat_id_stays_a_string() -> None:
    assert coerce_params("sendMessage", send(chat_id="@so_noi_vu"))["chat_id"] == "@so_noi_vu"


def test_float_parameters_are_parsed() -> None:
    params = coerce_params("sendLocation", {"chat_id": "1", "latitude": "21.03", "longitude": 105})
    assert params == {"chat_id": 1, "latitude": 21.03, "longitude": 105.0}


def test_bytes_are_decoded_as_utf8() -> None:
    assert coerce_params("sendMessage", send("Đã nhận".encode()))["text"] == "Đã nhận"


def test_invalid_utf8_is_rejected() -> None:
    error = api_error("sendMessage", send(b"\xff"), coerce=True)
    assert error.description == "Bad Request: strings must be encoded in UTF-8"


def test_unknown_parameters_are_ignored() -> None:
    assert coerce_params("sendMessage", send(colour="red")) == {"chat_id": 1, "text": "x"}


def test_method_names_match_case_insensitively() -> None:
    assert canonical_method("SENDMESSAGE") == "sendMessage"
    assert coerce_params("sendmessage", send()) == {"chat_id": 1, "text": "x"}


def test_unknown_method_is_not_found() -> None:
    error = api_error("sendTelegram", {}, coerce=True)
    assert (error.status, error.description) == (404, "Not Found")


def test_uploads_are_passed_through_untouched() -> None:
    upload = object()
    params = coerce_params("sendDocument", {"chat_id": "1", "document": upload})
    assert params["document"] is upload


@pytest.mark.parametrize(
    ("method", "params", "description"),
    [
        ("sendMessage", {"text": "x"}, "Bad Request: chat_id is empty"),
        ("sendMessage", {"chat_id": "1"}, "Bad Request: message text is empty"),
        ("sendMessage", {"chat_id": "1", "text": ""}, "Bad Request: message text is empty"),
        ("sendDocument", {"chat_id": "1"}, "Bad Request: there is no document in the request"),
        ("answerCallbackQuery", {}, 'Bad Request: parameter "callback_query_id" is required'),
    ],
)
def test_missing_required_parameter_is_rejected(
    method: str, params: dict[str, Any], description: str
) -> None:
    error = api_error(method, params, coerce=True)
    assert (error.status, error.description) == (400, description)


@pytest.mark.parametrize(
    ("params", "description"),
    [
        (send(message_thread_id="seven"), "Bad Request: invalid message_thread_id specified"),
        (send(message_thread_id=True), "Bad Request: invalid message_thread_id specified"),
        (send(disable_notification="yes"), "Bad Request: invalid disable_notification specified"),
        (send(chat_id=1.5), "Bad Request: invalid chat_id specified"),
        (
            send(reply_markup="{not json"),
            "Bad Request: can't parse reply keyboard markup JSON object",
        ),
        (send(reply_markup="[]"), "Bad Request: object expected as reply markup"),
        (send(entities="{}"), "Bad Request: can't parse entities JSON object"),
        (
            send(link_preview_options="nope"),
            "Bad Request: can't parse link_preview_options JSON object",
        ),
    ],
)
def test_malformed_values_are_rejected(params: dict[str, Any], description: str) -> None:
    assert api_error("sendMessage", params, coerce=True).description == description


def test_api_error_renders_telegram_response() -> None:
    error = ApiError(429, "Too Many Requests: retry after 3", {"retry_after": 3})
    assert error.to_response() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }


# --- text and captions ------------------------------------------------------------------------


def test_text_at_limit_is_accepted() -> None:
    validate_send("sendMessage", send("a" * 4096))


def test_text_over_limit_is_rejected() -> None:
    assert rejection("sendMessage", send("a" * 4097)) == "Bad Request: message is too long"


def test_text_length_is_measured_in_utf16_units() -> None:
    validate_send("sendMessage", send("😀" * 2048))
    assert rejection("sendMessage", send("😀" * 2049)) == "Bad Request: message is too long"


def test_html_markup_does_not_count_towards_the_limit() -> None:
    validate_send("sendMessage", send("<b>" + "a" * 4096 + "</b>", parse_mode="HTML"))
    validate_send("sendMessage", send("&amp;" * 4096, parse_mode="HTML"))


def test_edited_text_over_limit_is_rejected() -> None:
    params = {"chat_id": 1, "message_id": 2, "text": "a" * 4097}
    assert rejection("editMessageText", params) == "Bad Request: MESSAGE_TOO_LONG"


def test_edit_needs_a_message_identifier() -> None:
    params = {"chat_id": 1, "text": "x"}
    assert (
        rejection("editMessageText", params) == "Bad Request: message identifier is not specified"
    )


def test_blank_text_is_empty() -> None:
    assert rejection("sendMessage", send("<b> \n</b>", parse_mode="HTML")) == (
        "Bad Request: message text is empty"
    )


def test_broken_html_is_rejected() -> None:
    assert rejection("sendMessage", send("a < b", parse_mode="HTML")) == (
        'Bad Request: can\'t parse entities: Unsupported start tag "" at byte offset 2'
    )


def test_html_is_not_parsed_without_parse_mode() -> None:
    validate_send("sendMessage", send("a < b"))


@pytest.mark.parametrize("mode", ["HTML", "html", "MarkdownV2", "Markdown"])
def test_known_parse_modes_are_accepted(mode: str) -> None:
    validate_send("sendMessage", send("*x*", parse_mode=mode))


def test_unknown_parse_mode_is_rejected() -> None:
    assert (
        rejection("sendMessage", send(parse_mode="BBCode")) == "Bad Request: unsupported parse_mode"
    )


def test_caption_over_limit_is_rejected() -> None:
    params = {"chat_id": 1, "document": "file-id", "caption": "<i>" + "a" * 1025 + "</i>"}
    params["parse_mode"] = "HTML"
    assert rejection("sendDocument", params) == "Bad Request: message caption is too long"


def test_caption_at_limit_is_accepted() -> None:
    validate_send("sendPhoto", {"chat_id": 1, "photo": "file-id", "caption": "a" * 1024})


def test_edited_caption_over_limit_is_rejected() -> None:
    params = {"chat_id": 1, "message_id": 2, "caption": "a" * 1025}
    assert rejection("editMessageCaption", params) == "Bad Request: MEDIA_CAPTION_TOO_LONG"


def test_caption_html_is_parsed() -> None:
    params = {"chat_id": 1, "document": "f", "caption": "<b>x", "parse_mode": "HTML"}
    assert rejection("sendDocument", params).startswith("Bad Request: can't parse entities: ")


# --- keyboards --------------------------------------------------------------------------------


def test_directive_keyboard_is_accepted() -> None:
    markup = keyboard(
        [
            {"text": "✅ Đã nhận", "callback_data": "ack:123"},
            {"text": "📝 Báo cáo kết quả", "callback_data": "report:123"},
        ],
        [{"text": "Văn bản gốc", "url": "https://vanban.example.gov.vn/cv/12?x=1"}],
        [{"text": "Bot", "url": "tg://resolve?domain=so_noi_vu_bot"}],
    )
    validate_send("sendMessage", send(reply_markup=markup))


@pytest.mark.parametrize("data", ["", "a" * 65, "Đ" * 33])
def test_callback_data_outside_1_to_64_bytes_is_rejected(data: str) -> None:
    markup = keyboard([{"text": "x", "callback_data": data}])
    assert rejection("sendMessage", send(reply_markup=markup)) == "Bad Request: BUTTON_DATA_INVALID"


@given(st.text(max_size=70))
def test_callback_data_is_accepted_iff_1_to_64_utf8_bytes(data: str) -> None:
    markup = keyboard([{"text": "x", "callback_data": data}])
    if 1 <= len(data.encode()) <= 64:
        validate_send("sendMessage", send(reply_markup=markup))
    else:
        assert rejection("sendMessage", send(reply_markup=markup)) == (
            "Bad Request: BUTTON_DATA_INVALID"
        )


def test_button_without_action_is_rejected() -> None:
    markup = keyboard([{"text": "x"}])
    assert rejection("sendMessage", send(reply_markup=markup)) == (
        "Bad Request: can't parse inline keyboard button: "
        "Text buttons are unallowed in the inline keyboard"
    )


def test_button_with_two_actions_is_rejected() -> None:
    markup = keyboard([{"text": "x", "callback_data": "a", "url": "https://a.vn"}])
    assert rejection("sendMessage", send(reply_markup=markup)).startswith(
        "Bad Request: can't parse inline keyboard button: "
    )


def test_button_without_text_is_rejected() -> None:
    markup = keyboard([{"callback_data": "a"}])
    assert rejection("sendMessage", send(reply_markup=markup)) == (
        "Bad Request: can't parse inline keyboard button: Can't find field \"text\""
    )


@pytest.mark.parametrize(
    "url", ["vanban.gov.vn/cv", "ftp://a.vn/x", "https://", "http://a b.vn", "javascript:alert(1)"]
)
def test_button_url_must_be_http_or_tg_with_host(url: str) -> None:
    markup = keyboard([{"text": "x", "url": url}])
    assert rejection("sendMessage", send(reply_markup=markup)) == (
        f"Bad Request: inline keyboard button URL '{url}' is invalid: Wrong HTTP URL"
    )


def test_keyboard_rows_must_be_arrays() -> None:
    markup = {"inline_keyboard": [{"text": "x", "callback_data": "a"}]}
    assert rejection("sendMessage", send(reply_markup=markup)) == (
        'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup '
        "must be an Array of Arrays"
    )


def test_more_than_100_buttons_are_rejected() -> None:
    row = [{"text": str(i), "callback_data": str(i)} for i in range(8)]
    validate_send("sendMessage", send(reply_markup=keyboard(*[row] * 12, row[:4])))
    markup = keyboard(*[row] * 12, row[:5])
    assert rejection("sendMessage", send(reply_markup=markup)) == (
        "Bad Request: reply markup is too long"
    )


@pytest.mark.parametrize(
    "markup",
    [
        {"keyboard": [["Đã nhận"], [{"text": "Báo cáo", "request_contact": True}]]},
        {"remove_keyboard": True},
        {"force_reply": True, "input_field_placeholder": "Nội dung"},
    ],
)
def test_reply_keyboards_are_accepted_for_send_message(markup: dict[str, Any]) -> None:
    validate_send("sendMessage", send(reply_markup=markup))


def test_edit_accepts_only_inline_keyboards() -> None:
    params = {"chat_id": 1, "message_id": 2, "reply_markup": {"remove_keyboard": True}}
    assert rejection("editMessageReplyMarkup", params) == "Bad Request: inline keyboard expected"


def test_markup_from_form_body_is_validated_after_coercion() -> None:
    raw = send(reply_markup=json.dumps(keyboard([{"text": "x", "callback_data": "a" * 65}])))
    params = coerce_params("sendMessage", {k: str(v) for k, v in raw.items()})
    assert rejection("sendMessage", params) == "Bad Request: BUTTON_DATA_INVALID"


# --- callback answers and commands ------------------------------------------------------------


def test_callback_answer_text_over_200_is_rejected() -> None:
    validate_send("answerCallbackQuery", {"callback_query_id": "1", "text": "a" * 200})
    params = {"callback_query_id": "1", "text": "a" * 201}
    assert rejection("answerCallbackQuery", params) == "Bad Request: MESSAGE_TOO_LONG"


def test_valid_commands_are_accepted() -> None:
    commands = [{"command": "status_2", "description": "Tình hình tiếp nhận"}]
    validate_send("setMyCommands", {"commands": commands})


@pytest.mark.parametrize("command", ["Status", "", "a" * 33, "trạng_thái", "/start"])
def test_invalid_command_is_rejected(command: str) -> None:
    params = {"commands": [{"command": command, "description": "x"}]}
    assert rejection("setMyCommands", params) == "Bad Request: BOT_COMMAND_INVALID"


@pytest.mark.parametrize("description", ["", " ", "a" * 257])
def test_invalid_command_description_is_rejected(description: str) -> None:
    params = {"commands": [{"command": "start", "description": description}]}
    assert rejection("setMyCommands", params) == "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"


def test_more_than_100_commands_are_rejected() -> None:
    commands = [{"command": f"c{i}", "description": "x"} for i in range(101)]
    assert rejection("setMyCommands", {"commands": commands}) == (
        "Bad Request: BOT_COMMANDS_TOO_MUCH"
    )
