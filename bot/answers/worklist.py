"""/viec: what an agency still owes — its open letters, nearest deadline first, each with
where it stands and the buttons that apply."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.reminders.wording import quote
from bot.telegram import callbacks
from bot.texts import Html, t
from db.models import DeliveryStatus
from db.queries.officer_side import OpenLetter

MAX_SHOWN = 10
"""Letters listed in one message (each has a row of buttons); the rest are counted."""


def _deadline(letter: OpenLetter, today: date, lang: str) -> list[str]:
    if letter.deadline is None:
        return [t(lang, "worklist.no_deadline")]
    shown = letter.deadline.strftime("%d/%m/%Y")
    days = (letter.deadline - today).days
    parts = [t(lang, "worklist.deadline", date=shown)]
    if letter.own_deadline:
        parts[0] = t(lang, "worklist.extended", date=shown)
    if days > 0:
        parts.append(t(lang, "worklist.left", days=days))
    elif days == 0:
        parts.append(t(lang, "worklist.today"))
    else:
        parts.append(t(lang, "worklist.overdue", days=-days))
    return parts


def status_line(letter: OpenLetter, today: date, lang: str) -> str:
    """ "chưa nhận · hạn 30/06/2020 · quá hạn 2 ngày · đã xin gia hạn"."""
    acknowledged = letter.status == DeliveryStatus.ACKNOWLEDGED
    parts = [t(lang, "worklist.acknowledged" if acknowledged else "worklist.unacknowledged")]
    parts += _deadline(letter, today, lang)
    if letter.extension_asked:
        parts.append(t(lang, "worklist.asked"))
    return Html(" · ".join(parts))


def worklist(
    letters: Sequence[OpenLetter], total: int, agency: str, today: date, lang: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    if not letters:
        return t(lang, "worklist.none", agency=agency), None
    lines = [t(lang, "worklist.header", agency=agency, count=total)]
    rows: list[list[InlineKeyboardButton]] = []
    for index, letter in enumerate(letters, start=1):
        lines.append("")
        lines.append(
            t(
                lang,
                "worklist.letter",
                index=index,
                number=letter.number,
                subject=quote(letter.subject),
                status=status_line(letter, today, lang),
            )
        )
        rows.append(_buttons(index, letter, lang))
    if total > len(letters):
        lines += ["", t(lang, "worklist.more", count=total - len(letters))]
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def _buttons(index: int, letter: OpenLetter, lang: str) -> list[InlineKeyboardButton]:
    """Đã nhận while not acknowledged, Báo cáo kết quả, Xin gia hạn unless asked already."""
    wanted: list[tuple[str, callbacks.CallbackData]] = []
    if letter.status == DeliveryStatus.SENT:
        wanted.append(("worklist.ack_button", callbacks.WorklistAck(letter.delivery_id)))
    wanted.append(("worklist.report_button", callbacks.StartCompletion(letter.delivery_id)))
    if not letter.extension_asked:
        wanted.append(("worklist.extension_button", callbacks.AskExtension(letter.delivery_id)))
    return [
        InlineKeyboardButton(t(lang, key, index=index), callback_data=callbacks.pack(data))
        for key, data in wanted
    ]
