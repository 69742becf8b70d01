"""Plain logic of the officer's side of a letter: callback data, typed dates, item bits, the
digest's own deadlines and sent-back letters, /viec's status line, the recall commands."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.answers.worklist import status_line, worklist
from bot.reminders.wording import digest_messages
from bot.telegram.arguments import parse_date
from bot.telegram.callbacks import (
    AskExtension,
    DecideExtension,
    RecallStep,
    Reject,
    Retarget,
    WorklistAck,
    pack,
    parse,
)
from db.models import DeliveryStatus
from db.queries.items import item_numbers
from db.queries.officer_side import OpenLetter
from db.queries.reminders import DigestLine
from handlers.recall import id_and_text

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    "data",
    [
        AskExtension(12),
        DecideExtension(3, "y"),
        DecideExtension(3, "n"),
        Reject(12),
        Retarget(12),
        RecallStep(7, "yes"),
        RecallStep(7, "no"),
        WorklistAck(12),
    ],
)
def test_new_callback_data_round_trips(data: object) -> None:
    assert parse(pack(data)) == data  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "raw", ["x:0", "x:12:1", "xd:3:maybe", "xd:3", "nj:", "rt:-1", "rv:7:oui", "wa:1e3", "x:١٢"]
)
def test_malformed_officer_callbacks_are_refused(raw: str) -> None:
    assert parse(raw) is None


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("15/07/2026", date(2026, 7, 15)),
        ("5/7/2026", date(2026, 7, 5)),
        ("15-07-2026", date(2026, 7, 15)),
        ("15.07.2026", date(2026, 7, 15)),
        ("2026-07-15", date(2026, 7, 15)),
        (" 15/07/2026 ", date(2026, 7, 15)),
    ],
)
def test_dates_as_people_type_them(typed: str, day: date) -> None:
    assert parse_date(typed) == day


@pytest.mark.parametrize("typed", ["31/02/2026", "15/07", "mai", "2026/07/15", "١٥/٠٧/٢٠٢٦", ""])
def test_what_is_not_a_date_is_none(typed: str) -> None:
    assert parse_date(typed) is None


@given(st.text(max_size=30))
def test_parsing_a_typed_date_never_raises(typed: str) -> None:
    parse_date(typed)


def test_item_bits_name_the_items_from_one() -> None:
    assert item_numbers(0) == []
    assert item_numbers(0b101) == [1, 3]
    assert item_numbers(1 << 19) == [20]


def _listed(message: str, heading: str) -> list[str]:
    """The agencies the digest lists under `heading` (one line a group below it)."""
    lines = message.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    names: list[str] = []
    for line in lines[start + 1 :]:
        if not line.startswith("    •"):
            break
        names += line.split(": ", 1)[1].split(", ")
    return names


def test_the_digest_follows_each_agencys_own_deadline_and_lists_letters_sent_back() -> None:
    letter = (1, "1/STTTT", "Ngày sách", date(2026, 11, 25))
    lines = [
        DigestLine(*letter, "Sở Y tế", DeliveryStatus.ACKNOWLEDGED, "so-nganh"),
        # Extended to next week: not overdue although the letter's deadline has passed.
        DigestLine(
            *letter, "Sở Tài chính", DeliveryStatus.ACKNOWLEDGED, "so-nganh", date(2026, 12, 3)
        ),
        DigestLine(*letter, "Sở Nội vụ", DeliveryStatus.REJECTED, "so-nganh"),
    ]
    [message] = digest_messages(lines, TODAY, "vi")
    assert _listed(message, "⏰ Quá hạn chưa báo cáo (1)") == ["Sở Y tế"]
    assert "Sở Tài chính" not in message
    assert _listed(message, "↩️ Không thuộc thẩm quyền (1)") == ["Sở Nội vụ"]
    # Sent for information (none of the items is its): never overdue, still listed until
    # it acknowledges.
    informed = DigestLine(
        *letter, "Sở Xây dựng", DeliveryStatus.SENT, "so-nganh", informational=True
    )
    [message] = digest_messages([*lines, informed], TODAY, "vi")
    assert _listed(message, "⏰ Quá hạn chưa báo cáo (1)") == ["Sở Y tế"]
    assert _listed(message, "🔔 Chưa xác nhận đã nhận (1)") == ["Sở Xây dựng"]
    # Extended until yesterday: overdue again.
    lines[1] = DigestLine(
        *letter, "Sở Tài chính", DeliveryStatus.SENT, "so-nganh", date(2026, 11, 25)
    )
    [message] = digest_messages(lines, TODAY, "vi")
    assert _listed(message, "⏰ Quá hạn chưa báo cáo (2)") == ["Sở Y tế", "Sở Tài chính"]


def test_the_worklist_status_line_says_where_the_letter_stands() -> None:
    def open_letter(**changes: object) -> OpenLetter:
        fields: dict[str, object] = {
            "delivery_id": 1,
            "directive_id": 1,
            "number": "1/STTTT",
            "subject": "V/v x",
            "status": DeliveryStatus.SENT,
            "deadline": date(2026, 11, 28),
            "own_deadline": False,
            "extension_asked": False,
        }
        return OpenLetter(**{**fields, **changes})  # type: ignore[arg-type]

    assert status_line(open_letter(), TODAY, "vi") == "⬜ chưa nhận · hạn 28/11/2026 · còn 2 ngày"
    assert status_line(open_letter(deadline=TODAY), TODAY, "vi").endswith("hôm nay là hạn cuối")
    late = open_letter(status=DeliveryStatus.ACKNOWLEDGED, deadline=date(2026, 11, 20))
    assert status_line(late, TODAY, "vi") == (
        "✅ đã nhận · hạn 20/11/2026 · ⏰ <b>quá hạn 6 ngày</b>"
    )
    extended = open_letter(own_deadline=True, extension_asked=True)
    assert status_line(extended, TODAY, "en") == (
        "⬜ not acknowledged · due 28/11/2026 (extended) · 2 days left · ⏳ more time asked"
    )
    text, markup = worklist([open_letter()] * 10, 12, "Sở Y tế", TODAY, "vi")
    assert "… và 2 công văn khác có hạn xa hơn." in text
    assert markup is not None
    assert len(markup.inline_keyboard) == 10


@pytest.mark.parametrize(
    ("typed", "parsed"),
    [
        ("/recall 12 gửi nhầm", (12, "gửi nhầm")),
        ("/recall@soctrang_bot 12 gửi nhầm\nnơi nhận", (12, "gửi nhầm\nnơi nhận")),
        ("/correct 12  hạn là 30/6 ", (12, "hạn là 30/6")),
        ("/recall 12", (12, "")),
        ("/recall", (None, "")),
        ("/recall abc lý do", (None, "lý do")),
        ("/recall ١٢ lý do", (None, "lý do")),
    ],
)
def test_recall_and_correct_read_the_id_then_the_text_as_typed(
    typed: str, parsed: tuple[int | None, str]
) -> None:
    assert id_and_text(typed) == parsed
