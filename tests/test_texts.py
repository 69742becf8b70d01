"""The text catalogues: same keys and placeholders in every language, parameters escaped."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from bot.sandbox.html import parse_html
from bot.telegram.callbacks import CloseStep, SetLanguage, pack, parse
from bot.texts import CATALOGUES, language_from_telegram, t


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_catalogues_have_the_same_keys_and_placeholders() -> None:
    vi, en = CATALOGUES["vi"], CATALOGUES["en"]
    assert vi.keys() == en.keys()
    for key in vi:
        assert _placeholders(vi[key]) == _placeholders(en[key]), key


def test_every_text_is_valid_telegram_html() -> None:
    for catalogue in CATALOGUES.values():
        for key, template in catalogue.items():
            params = dict.fromkeys(_placeholders(template), "x")
            parse_html(template.format(**params)), key  # raises on bad markup


@given(st.text(min_size=1))
def test_parameters_are_escaped_for_html(name: str) -> None:
    text, _ = parse_html(t("vi", "start.already_member", role="r", agency=name))
    assert name in text


def test_unknown_language_falls_back_to_vietnamese() -> None:
    assert t("fr", "lang.set") == t("vi", "lang.set")
    assert language_from_telegram("en-US") == "en"
    assert language_from_telegram(None) == "vi"
    assert language_from_telegram("ru") == "vi"


@given(st.text())
def test_callback_data_never_raises_on_garbage(raw: str) -> None:
    data = parse(raw)
    assert data is None or pack(data) == raw


def test_callback_data_round_trips() -> None:
    assert parse(pack(SetLanguage("en"))) == SetLanguage("en")
    assert parse(pack(CloseStep(7, "yes"))) == CloseStep(7, "yes")
    assert parse("cl:7:maybe") is None
    assert parse("cl:0:yes") is None
