"""The text catalogues, one per language, and `t()` which fills them in safely.

Every parameter is HTML-escaped here, once, because every message goes out with
parse_mode=HTML: an agency called "Cơ sở in Quang & Minh" must never break a message.
"""

from __future__ import annotations

import html
import re
from typing import Final

from bot.texts import en, vi

CATALOGUES: Final[dict[str, dict[str, str]]] = {"vi": vi.TEXTS, "en": en.TEXTS}
LANGUAGES: Final = tuple(CATALOGUES)
DEFAULT_LANGUAGE: Final = "vi"


class Html(str):
    """A piece of text that is already valid Telegram HTML (made by `t`): not escaped again."""


def t(lang: str, key: str, **params: object) -> str:
    """The text `key` in `lang` (Vietnamese if unknown), parameters escaped for HTML.

    The result is an `Html`, so one text may be a parameter of another without being
    escaped twice.
    """
    template = CATALOGUES.get(lang, CATALOGUES[DEFAULT_LANGUAGE])[key]
    return Html(template.format(**{name: _escaped(value) for name, value in params.items()}))


# Telegram shows a callback answer (answerCallbackQuery) as plain text, up to 200 characters.
MAX_ALERT = 200
_TAG = re.compile(r"<[^>]*>")
# LRM, RLM, ALM; the embeddings and overrides LRE…RLO; the isolates LRI…PDI.
_BIDI_CONTROLS = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")


def without_bidi(text: str) -> str:
    """`text` without Unicode bidirectional controls (see bot.telegram.names)."""
    return _BIDI_CONTROLS.sub("", text)


def alert(lang: str, key: str, **params: object) -> str:
    """The text `key` as plain text for a callback answer or a button label: no tags, no
    `&amp;` (a name with "&" shows as it is), cut to Telegram's 200 characters."""
    return plain(t(lang, key, **params))


def plain(text: str) -> str:
    """A text made by `t` as plain text, at most 200 characters (see `alert`)."""
    text = html.unescape(_TAG.sub("", text))
    return text if len(text) <= MAX_ALERT else text[: MAX_ALERT - 1] + "…"


def _escaped(value: object) -> str:
    if isinstance(value, Html):
        return value
    # Names and other typed text lose their bidirectional controls (bot.telegram.names).
    return html.escape(without_bidi(str(value)))


def language_from_telegram(language_code: str | None) -> str:
    """Telegram's language_code ("en-US", "vi") to a catalogue; Vietnamese by default."""
    code = (language_code or "").split("-")[0].lower()
    return code if code in CATALOGUES else DEFAULT_LANGUAGE
