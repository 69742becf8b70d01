"""Inline keyboards of directive messages."""

from __future__ import annotations

from urllib.parse import urlsplit

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.telegram import callbacks
from bot.texts import t

MAX_LINK_LABEL = 40


def link_label(url: str) -> str:
    """ "🔗 book365.vn": the host tells an officer where the button leads."""
    parts = urlsplit(url)
    shown = (parts.netloc.removeprefix("www.") + parts.path.rstrip("/")) or url
    if len(shown) > MAX_LINK_LABEL:
        shown = shown[: MAX_LINK_LABEL - 1] + "…"
    return f"🔗 {shown}"


def directive_keyboard(
    delivery_id: int | None, links: list[str], lang: str = "vi", relay_units: int = 0
) -> InlineKeyboardMarkup:
    """Đã nhận and Báo cáo kết quả on one row, Chuyển tiếp for a relay (`relay_units` under
    it), Xin gia hạn and Không thuộc thẩm quyền on the next, then one URL button per link.

    Without a delivery (a staff preview) the buttons look the same but do nothing.
    """
    if delivery_id is None:
        ack: callbacks.CallbackData = callbacks.PreviewButton()
        report: callbacks.CallbackData = callbacks.PreviewButton()
    else:
        ack, report = callbacks.Acknowledge(delivery_id), callbacks.StartCompletion(delivery_id)
    rows = [
        [
            InlineKeyboardButton(t(lang, "button.ack"), callback_data=callbacks.pack(ack)),
            InlineKeyboardButton(t(lang, "button.report"), callback_data=callbacks.pack(report)),
        ]
    ]
    if relay_units > 0 and delivery_id is not None:
        relay = callbacks.pack(callbacks.Relay(delivery_id))
        label = t(lang, "button.relay", count=relay_units)
        rows.append([InlineKeyboardButton(label, callback_data=relay)])
    rows.append(_officer_row(delivery_id, lang))
    rows += [[InlineKeyboardButton(link_label(url), url=url)] for url in links]
    return InlineKeyboardMarkup(rows)


def _officer_row(delivery_id: int | None, lang: str) -> list[InlineKeyboardButton]:
    """More time, and "not ours"."""
    more_time: callbacks.CallbackData = callbacks.PreviewButton()
    not_ours: callbacks.CallbackData = callbacks.PreviewButton()
    if delivery_id is not None:
        more_time, not_ours = callbacks.AskExtension(delivery_id), callbacks.Reject(delivery_id)
    return [
        InlineKeyboardButton(t(lang, "button.extension"), callback_data=callbacks.pack(more_time)),
        InlineKeyboardButton(t(lang, "button.reject"), callback_data=callbacks.pack(not_ours)),
    ]
