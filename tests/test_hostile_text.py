"""Text that used to break the bot: a "$" in a chart label, an 8,000-character field line."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.delivery.directive_input import DirectiveInputError, parse_broadcast_text
from bot.reports.chart import build_chart
from bot.reports.summary import load_report
from db.models import Agency, Directive
from tests.summary_scenario import NOW, TZ, build_campaign

LONG = 8_000


@pytest.mark.parametrize("number", ["12/$\\frac$-STTTT", "A$^$B", "$x_$"])
async def test_a_number_or_group_with_dollars_is_drawn_as_plain_text(
    sessionmaker: async_sessionmaker[AsyncSession], number: str
) -> None:
    directive_id = await build_campaign(sessionmaker)
    async with sessionmaker.begin() as session:
        await session.execute(
            update(Directive).where(Directive.id == directive_id).values(number=number)
        )
        await session.execute(update(Agency).values(group="$\\sqrt$"))
    async with sessionmaker() as session:
        report = await load_report(session, directive_id, NOW, TZ, group_names=Settings().groups)
    assert build_chart(report)[:8] == b"\x89PNG\r\n\x1a\n"


def test_field_lines_padded_to_8000_characters_are_still_read() -> None:
    pad = " " * LONG
    draft = parse_broadcast_text(
        f"V/v thử\nSố: 12/STTTT{pad}\nHạn: 28/11/2030{pad}\n"
        f"Nhắc lại: mỗi 2h{pad}\nĐộ khẩn: Khẩn{pad}\nNội dung"
    )
    assert (draft.number, draft.deadline) == ("12/STTTT", date(2030, 11, 28))
    assert draft.reminders.every == timedelta(hours=2)
    assert draft.urgency.value == "khan"
    assert draft.body == "Nội dung"


@pytest.mark.parametrize(
    ("field", "reason"),
    [("Hạn: a", "bad_deadline"), ("Nhắc lại: a", "bad_every"), ("Độ khẩn: a", "bad_urgency")],
)
def test_a_field_line_of_8000_characters_is_refused(field: str, reason: str) -> None:
    # The shape that was quadratic: a value, thousands of blanks, then more text.
    with pytest.raises(DirectiveInputError) as refused:
        parse_broadcast_text(f"V/v thử\n{field}{' ' * LONG}b\nNội dung")
    assert refused.value.reason == reason


def test_a_number_line_of_8000_characters_stays_in_the_body() -> None:
    line = "Số: a" + " " * LONG + "b"
    draft = parse_broadcast_text(f"V/v thử\n{line}\nNội dung")
    assert draft.number is None
    assert line in draft.body


def test_a_body_of_blank_lines_and_long_words_is_read() -> None:
    body = "\n".join(["x" * LONG, " " * LONG, "Số" + ":" * LONG])
    draft = parse_broadcast_text(f"V/v thử\n{body}")
    assert draft.body.startswith("x" * LONG)
