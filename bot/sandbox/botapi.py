"""Bot API request checking for the sandbox: parameter types, then Telegram's semantic rules.

The method table (``botapi_methods.json``) is generated from the official Bot API 10.1 list by
``scripts/gen_botapi_table.py`` and shipped with the package, so the sandbox knows every method
and parameter without network or files outside the project. Errors carry Telegram's own
descriptions, because the bot's error handling matches on them.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from bot.sandbox.html import ApiError, parse_html, utf16_len

__all__ = [
    "BOTAPI_VERSION",
    "METHODS",
    "TYPES",
    "ApiError",
    "ParamSpec",
    "canonical_method",
    "coerce_params",
    "formatted_text",
    "validate_send",
]


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """A parameter (or object field) as the Bot API documents it."""

    types: tuple[str, ...]
    required: bool


Table = Mapping[str, Mapping[str, ParamSpec]]


def _specs(fields: Mapping[str, Any]) -> Mapping[str, ParamSpec]:
    return MappingProxyType(
        {
            name: ParamSpec(
                types=tuple(part for t in spec["types"] for part in t.split(" or ")),
                required=bool(spec["required"]),
            )
            for name, spec in fields.items()
        }
    )


def _load_table() -> tuple[str, Table, Table]:
    raw = json.loads(
        resources.files("bot.sandbox").joinpath("botapi_methods.json").read_text("utf-8")
    )
    methods = {name: _specs(fields) for name, fields in raw["methods"].items()}
    types = {name: _specs(fields) for name, fields in raw["types"].items()}
    return str(raw["version"]), MappingProxyType(methods), MappingProxyType(types)


BOTAPI_VERSION, METHODS, TYPES = _load_table()
_METHOD_NAMES = {name.lower(): name for name in METHODS}

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_ANSWER_LIMIT = 200
CALLBACK_DATA_LIMIT = 64
INLINE_BUTTON_LIMIT = 100
COMMAND_LIMIT = 100
PARSE_MODES = ("html", "markdownv2", "markdown")
INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_EDIT_METHODS = frozenset(
    {"editMessageText", "editMessageCaption", "editMessageMedia", "editMessageReplyMarkup"}
)
_INTEGER = re.compile(r"\s*[+-]?[0-9]+\s*")
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_URL_SCHEMES = ("http", "https", "tg")


def _bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


# ---------------------------------------------------------------------------------------------
# Parameter coercion


def canonical_method(method: str) -> str:
    """The documented spelling of a method name; Telegram matches names case-insensitively."""
    try:
        return _METHOD_NAMES[method.lower()]
    except KeyError:
        raise ApiError(404, "Not Found") from None


def coerce_params(method: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Turn raw request values (form strings, JSON values, uploads) into typed parameters.

    Only the method's documented parameters are kept; like Telegram, unknown ones are ignored
    and empty values count as absent.
    """
    name = canonical_method(method)
    params: dict[str, Any] = {}
    for param, spec in METHODS[name].items():
        value = raw.get(param)
        if value is None or value in ("", b""):
            if spec.required:
                raise _missing(name, param, spec)
            continue
        params[param] = _coerce(param, spec.types, value)
    return params


def _missing(method: str, param: str, spec: ParamSpec) -> ApiError:
    if param == "chat_id":
        return _bad_request("chat_id is empty")
    if param == "text" and method in ("sendMessage", "editMessageText"):
        return _bad_request("message text is empty")
    if "InputFile" in spec.types:
        return _bad_request(f"there is no {param} in the request")
    return _bad_request(f'parameter "{param}" is required')


def _coerce(name: str, types: tuple[str, ...], value: Any) -> Any:
    if "InputFile" in types:
        return value  # a file_id, URL, attach:// name or an upload: the server's business
    if isinstance(value, bytes):
        value = _decode(value)
    if len(types) == 1 and types[0] in _SCALARS:
        return _SCALARS[types[0]](name, value)
    if set(types) == {"Integer", "String"}:
        return _to_int_or_str(name, value)
    return _to_json(name, types, value)


def _decode(value: bytes) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise _bad_request("strings must be encoded in UTF-8") from None


def _invalid(name: str) -> ApiError:
    return _bad_request(f"invalid {name} specified")


def _to_int(name: str, value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INTEGER.fullmatch(value):
        return int(value)
    raise _invalid(name)


def _to_float(name: str, value: Any) -> float:
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        with contextlib.suppress(ValueError):
            number = float(value)
    if number is None or not math.isfinite(number):
        raise _invalid(name)
    return number


def _to_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | str):
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
    raise _invalid(name)


def _to_str(name: str, value: Any) -> str:
    """JSON bodies may send numbers or objects for strings; the Bot API reads them as JSON text."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float | list | dict):
        return json.dumps(value, ensure_ascii=False)
    raise _invalid(name)


def _to_int_or_str(name: str, value: Any) -> int | str:
    """chat_id and friends: a numeric id or an @username."""
    if isinstance(value, str) and not _INTEGER.fullmatch(value):
        return value
    return _to_int(name, value)


_SCALARS: dict[str, Callable[[str, Any], Any]] = {
    "Integer": _to_int,
    "Float": _to_float,
    "Float number": _to_float,
    "Boolean": _to_bool,
    "String": _to_str,
}


def _to_json(name: str, types: tuple[str, ...], value: Any) -> Any:
    """Objects and arrays arrive JSON-serialized in form bodies, or as JSON values."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise _json_error(name) from None
    expected = list if all(t.startswith("Array of ") for t in types) else dict
    if not isinstance(value, expected):
        if name == "reply_markup":
            raise _bad_request("object expected as reply markup")
        raise _json_error(name)
    return value


def _json_error(name: str) -> ApiError:
    if name == "reply_markup":
        return _bad_request("can't parse reply keyboard markup JSON object")
    if name.endswith("entities"):
        return _bad_request("can't parse entities JSON object")
    return _bad_request(f"can't parse {name} JSON object")


# ---------------------------------------------------------------------------------------------
# Semantic checks


def formatted_text(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """Text and entities as the recipient sees them; only HTML is parsed by the sandbox."""
    if parse_mode is not None and parse_mode.lower() == "html":
        return parse_html(text)
    return text, []


def validate_send(method: str, params: dict[str, Any]) -> None:
    """Reject, as Telegram would, what the bot may get wrong: text, markup and keyboards.

    ``params`` are the output of :func:`coerce_params`.
    """
    name = canonical_method(method)
    parse_mode = params.get("parse_mode")
    if parse_mode is not None and str(parse_mode).lower() not in PARSE_MODES:
        raise _bad_request("unsupported parse_mode")
    if name in _EDIT_METHODS:
        _check_edit_target(params)
    if name in ("sendMessage", "editMessageText"):
        _check_text(name, params.get("text"), parse_mode)
    if "caption" in params:
        _check_caption(name, params["caption"], parse_mode)
    if "reply_markup" in params:
        inline_only = METHODS[name]["reply_markup"].types == ("InlineKeyboardMarkup",)
        _check_reply_markup(params["reply_markup"], inline_only=inline_only)
    if name == "answerCallbackQuery":
        _check_callback_answer(params.get("text"))
    if name == "setMyCommands":
        _check_commands(params.get("commands"))


def _check_edit_target(params: Mapping[str, Any]) -> None:
    if "inline_message_id" in params:
        return
    if "chat_id" not in params:
        raise _bad_request("chat_id is empty")
    if "message_id" not in params:
        raise _bad_request("message identifier is not specified")


def _check_text(method: str, text: Any, parse_mode: Any) -> None:
    plain, _ = formatted_text(text if isinstance(text, str) else "", parse_mode)
    if not plain.strip():
        raise _bad_request("message text is empty")
    if utf16_len(plain) > TEXT_LIMIT:
        if method == "editMessageText":
            raise _bad_request("MESSAGE_TOO_LONG")
        raise _bad_request("message is too long")


def _check_caption(method: str, caption: Any, parse_mode: Any) -> None:
    plain, _ = formatted_text(str(caption), parse_mode)
    if utf16_len(plain) > CAPTION_LIMIT:
        if method == "editMessageCaption":
            raise _bad_request("MEDIA_CAPTION_TOO_LONG")
        raise _bad_request("message caption is too long")


def _check_callback_answer(text: Any) -> None:
    if isinstance(text, str) and utf16_len(text) > CALLBACK_ANSWER_LIMIT:
        raise _bad_request("MESSAGE_TOO_LONG")


def _check_commands(commands: Any) -> None:
    if not isinstance(commands, list):
        raise _bad_request("can't parse commands JSON object")
    if len(commands) > COMMAND_LIMIT:
        raise _bad_request("BOT_COMMANDS_TOO_MUCH")
    for command in commands:
        if not isinstance(command, dict):
            raise _bad_request("can't parse BotCommand: an Object expected")
        name, description = command.get("command"), command.get("description")
        if not isinstance(name, str) or _COMMAND.fullmatch(name) is None:
            raise _bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")


# ---------------------------------------------------------------------------------------------
# Keyboards


def _check_reply_markup(markup: Any, *, inline_only: bool) -> None:
    if not isinstance(markup, dict):
        raise _bad_request("object expected as reply markup")
    if "inline_keyboard" in markup:
        _check_inline_keyboard(markup["inline_keyboard"])
    elif inline_only:
        raise _bad_request("inline keyboard expected")
    elif "keyboard" in markup:
        _check_reply_keyboard(markup["keyboard"])
    elif not (markup.get("remove_keyboard") or markup.get("force_reply")):
        raise _bad_request("can't parse reply keyboard markup JSON object")


def _rows(rows: Any, field: str, markup_type: str) -> list[list[Any]]:
    """Keyboards are arrays of arrays of buttons."""
    if not isinstance(rows, list):
        raise _bad_request(f'field "{field}" of the {markup_type} must be an Array')
    if not all(isinstance(row, list) for row in rows):
        raise _bad_request(f'field "{field}" of the {markup_type} must be an Array of Arrays')
    return rows


def _check_reply_keyboard(rows: Any) -> None:
    for row in _rows(rows, "keyboard", "ReplyKeyboardMarkup"):
        for button in row:
            text = button.get("text") if isinstance(button, dict) else button
            if not isinstance(text, str) or not text:
                raise _bad_request('can\'t parse keyboard button: Field "text" must be non-empty')


def _check_inline_keyboard(rows: Any) -> None:
    buttons = [
        button for row in _rows(rows, "inline_keyboard", "InlineKeyboardMarkup") for button in row
    ]
    if len(buttons) > INLINE_BUTTON_LIMIT:
        raise _bad_request("reply markup is too long")
    for button in buttons:
        _check_inline_button(button)


def _button_error(reason: str) -> ApiError:
    return _bad_request(f"can't parse inline keyboard button: {reason}")


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise _button_error("InlineKeyboardButton must be an Object")
    text = button.get("text")
    if not isinstance(text, str):
        raise _button_error('Can\'t find field "text"')
    if not text.strip():
        raise _button_error('Field "text" must be non-empty')
    actions = [f for f in INLINE_ACTIONS if button.get(f) is not None and button[f] is not False]
    if not actions:
        raise _button_error("Text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise _button_error(f"exactly one action field must be used, found {', '.join(actions)}")
    action, value = actions[0], button[actions[0]]
    if action == "callback_data":
        _check_callback_data(value)
    elif action == "url":
        _check_button_url(value)
    elif action in ("switch_inline_query", "switch_inline_query_current_chat"):
        if not isinstance(value, str):
            raise _button_error(f'Field "{action}" must be of type String')
    elif action == "pay":
        if value is not True:
            raise _button_error('Field "pay" must be of type Boolean')
    elif not isinstance(value, dict):
        raise _button_error(f'Field "{action}" must be of type Object')


def _check_callback_data(data: Any) -> None:
    if not isinstance(data, str):
        raise _button_error('Field "callback_data" must be of type String')
    if not 1 <= len(data.encode("utf-8", "surrogatepass")) <= CALLBACK_DATA_LIMIT:
        raise _bad_request("BUTTON_DATA_INVALID")


def _check_button_url(url: Any) -> None:
    if not isinstance(url, str):
        raise _button_error('Field "url" must be of type String')
    if not _is_button_url(url):
        raise _bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def _is_button_url(url: str) -> bool:
    """http(s):// or tg:// with a host, and nothing a browser would have to guess about."""
    if not url or any(char.isspace() or ord(char) < 0x20 for char in url):
        return False
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises on a malformed port
    except ValueError:
        return False
    if parts.scheme.lower() not in _URL_SCHEMES:
        return False
    return bool(parts.netloc if parts.scheme.lower() == "tg" else parts.hostname)
