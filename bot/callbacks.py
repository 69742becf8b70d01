"""Callback data of inline buttons: packed and parsed in exactly one place.

Telegram allows 1-64 bytes. Each kind is a small frozen dataclass with a short prefix;
anything that does not parse is None, never an exception, because callback data can be
forged by a modified client.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.texts import LANGUAGES

MAX_CALLBACK_BYTES = 64


@dataclass(frozen=True)
class SetLanguage:
    language: str
    PREFIX = "lang"


CallbackData = SetLanguage


def pack(data: CallbackData) -> str:
    packed = f"{data.PREFIX}:{data.language}"
    if len(packed.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {packed!r}")
    return packed


def parse(raw: str | None) -> CallbackData | None:
    if not raw or len(raw.encode()) > MAX_CALLBACK_BYTES:
        return None
    prefix, _, rest = raw.partition(":")
    if prefix == SetLanguage.PREFIX and rest in LANGUAGES:
        return SetLanguage(rest)
    return None
