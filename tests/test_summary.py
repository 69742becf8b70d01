"""The summary report on both databases: counts, the exact CSV columns, workbook and chart."""

from __future__ import annotations

import io
import struct
from datetime import datetime, timedelta
from typing import Any, cast

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.reports.chart import build_chart, date_formatter, group_bars
from bot.reports.summary import (
    CSV_COLUMNS,
    Report,
    UnknownDirectiveError,
    load_report,
    render_csv,
    render_table,
)
from bot.reports.workbook import build_workbook
from db.queries.summary import events, pending_page, recent_directives
from tests.summary_scenario import CSV, NOW, PAGE, TZ, build_campaign


@pytest.fixture
async def report(sessionmaker: async_sessionmaker[AsyncSession]) -> Report:
    directive_id = await build_campaign(sessionmaker)
    async with sessionmaker() as session:
        return await load_report(session, directive_id, NOW, TZ, group_names=Settings().groups)


async def test_counts_follow_the_status_rules(report: Report) -> None:
    c = report.counts
    assert (c.total, c.pending, c.sent, c.failed) == (4, 0, 3, 1)
    # Acknowledged counts the completed agency too.
    assert (c.acknowledged, c.completed, c.verified, c.unverified) == (2, 1, 1, 0)
    # The deadline (23/04) has passed: every agency that has not completed is overdue.
    assert c.overdue == 3
    assert c.first_sent_at is not None
    assert c.first_sent_at.astimezone(TZ).hour == 8
    # Acknowledged after 2 h and (by hand) after 25 h 30 min: the median is the mean of both.
    assert c.median_ack_seconds == pytest.approx((2 * 3600 + 25.5 * 3600) / 2, abs=1)


async def test_csv_is_exactly_the_columns_of_the_spec(report: Report) -> None:
    assert render_csv(report) == CSV
    assert render_csv(report).splitlines()[0] == ",".join(CSV_COLUMNS)


async def test_text_table_is_aligned(report: Report) -> None:
    lines = render_table(report).splitlines()
    assert lines[0].startswith("Directive ")
    assert "123/STTTT-TTBCXB" in lines[0]
    table = lines[lines.index("") + 1 :]
    assert table[0].split()[:3] == ["code", "agency", "status"]
    assert [line.split()[0] for line in table[1:]] == [
        "bao-soc-trang",
        "dai-ptth",
        "hoi-nong-dan",
        "so-y-te",
    ]
    status_column = table[0].index("status")
    assert {line[status_column:].split()[0] for line in table[1:]} == {
        "sent",
        "acknowledged",
        "failed",
        "completed",
    }


async def test_workbook_has_its_sheets_as_tables_with_real_dates(report: Report) -> None:
    book = openpyxl.load_workbook(io.BytesIO(build_workbook(report)))
    assert book.sheetnames == ["Tổng hợp", "Đơn vị", "Chuyển tiếp", "Nhật ký"]
    agencies = book["Đơn vị"]
    header = [cell.value for cell in agencies[1]]
    assert header == [
        "Mã đơn vị",
        "Tên đơn vị",
        "Nhóm",
        "Trạng thái",
        "Thời điểm nhận",
        "Người xác nhận",
        "Thời điểm hoàn thành",
        "Minh chứng",
        "Xác minh",
        "Số lần nhắc",
        "Lý do không gửi được",
        "Hạn riêng (gia hạn)",
        "Lý do không thuộc thẩm quyền",
    ]
    assert agencies.freeze_panes == "A2"
    [table] = agencies.tables.values()
    assert table.ref == "A1:M5"
    rows = {row[0]: row for row in agencies.iter_rows(min_row=2, values_only=True)}
    health = rows["so-y-te"]
    assert (health[2], health[3]) == ("Sở, ban, ngành", "hoàn thành")  # words, not slugs
    # A real date, in Sóc Trăng's time: Excel cells have no zone.
    assert health[4] == datetime(2026, 4, 20, 10, 0)  # noqa: DTZ001
    assert agencies["E5"].is_date
    assert agencies["E5"].number_format == "dd/mm/yyyy hh:mm"
    assert health[7] == f"{PAGE} | Đã đăng tin trên trang chủ"
    assert (health[8], health[9]) == ("đã xác minh", 0)
    assert rows["dai-ptth"][5] == "Nguyễn Văn An (thủ công)"
    assert rows["hoi-nong-dan"][10] == "chưa có cán bộ đầu mối đăng ký"
    assert rows["bao-soc-trang"][4] is None
    assert rows["bao-soc-trang"][9] == 2
    assert agencies.column_dimensions["B"].width > 30

    summary = {row[0]: row[1:] for row in book["Tổng hợp"].iter_rows(values_only=True) if row[0]}
    assert summary["Số công văn"][0] == "123/STTTT-TTBCXB"
    assert summary["Đã nhận (kể cả đã hoàn thành)"][:2] == (2, 0.5)
    assert summary["Quá hạn"][0] == 3

    log = book["Nhật ký"]
    assert [cell.value for cell in log[1]] == ["Thời điểm", "Sự kiện", "Người thực hiện", "Đơn vị"]
    entries = [row[1:] for row in log.iter_rows(min_row=2, values_only=True)]
    staff = "Nguyễn Văn An (cán bộ Sở)"
    assert entries == [  # the log as a clerk reads it, not event codes and JSON
        ("Tạo công văn số 123/STTTT-TTBCXB", staff, None),
        ("Không gửi được: chưa có cán bộ đầu mối đăng ký", "Hệ thống (bot)", "Hội Nông dân tỉnh"),
        ("Gửi công văn tới 4 đơn vị (3 tin nhắn; 1 đơn vị chưa có cán bộ đầu mối)", staff, None),
        ("Nhắc ngay (/remind): 2 đơn vị", staff, None),
        (
            "Đánh dấu «đã nhận» thủ công: đã xác nhận qua điện thoại",
            staff,
            "Đài Phát thanh và Truyền hình tỉnh",
        ),
        ("Nhắc ngay (/remind): 1 đơn vị", staff, None),
    ]
    assert all(isinstance(row[0], datetime) for row in log.iter_rows(min_row=2, values_only=True))


async def test_workbook_keeps_formula_like_text_as_text(report: Report) -> None:
    row = report.rows[0]
    evil = Report(
        report.directive,
        report.counts,
        [type(row)(**{**row.__dict__, "name": '=HYPERLINK("http://x")'})],
        [],
        report.now,
        report.timezone,
    )
    sheet = openpyxl.load_workbook(io.BytesIO(build_workbook(evil)))["Đơn vị"]
    assert sheet["B2"].data_type == "s"
    assert sheet["B2"].value == '=HYPERLINK("http://x")'


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def test_chart_is_a_png_of_the_expected_size(report: Report) -> None:
    assert _png_size(build_chart(report)) == (1500, 500)
    assert _png_size(build_chart(report, "en")) == (1500, 500)


async def test_chart_names_groups_as_a_clerk_reads_them(report: Report) -> None:
    assert group_bars(report) == [
        ("Sở, ban, ngành (1)", 100.0),
        ("Hội, đoàn thể (1)", 0.0),
        ("Báo, đài (2)", 50.0),  # the largest group on top
    ]
    unnamed = Report(report.directive, report.counts, report.rows, [], report.now, TZ)
    assert [label for label, _ in group_bars(unnamed)][-1] == "bao-dai (2)"


@pytest.mark.parametrize(
    ("span", "ticks", "offset"),
    [
        (timedelta(days=3), ["12:00", "03/12", "12:00", "04/12", "12:00", "05/12"], "05/12/2026"),
        (timedelta(hours=5), ["09:00", "10:00", "11:00", "12:00", "13:00", "14:00"], "02/12/2026"),
    ],
)
def test_chart_dates_are_written_the_vietnamese_way(
    span: timedelta, ticks: list[str], offset: str
) -> None:
    from matplotlib import dates as mdates

    start = datetime(2026, 12, 2, 9, 0, tzinfo=TZ)
    locator = mdates.AutoDateLocator(tz=TZ)  # type: ignore[no-untyped-call]
    locator.create_dummy_axis()
    ends = mdates.date2num([start, start + span])  # type: ignore[no-untyped-call]
    cast(Any, locator.axis).set_view_interval(*ends)
    formatter = date_formatter(locator, TZ)
    assert formatter.format_ticks(locator()) == ticks
    assert formatter.get_offset() == offset  # 02/12/2026, never 2026-Dec-02


async def test_chart_of_a_letter_nobody_answered_still_draws(report: Report) -> None:
    silent = Report(report.directive, report.counts, [], [], report.now, report.timezone)
    assert _png_size(build_chart(silent)) == (1500, 500)


async def test_unknown_and_draft_directives_have_no_report(
    sessionmaker: async_sessionmaker[AsyncSession], report: Report
) -> None:
    async with sessionmaker() as session:
        with pytest.raises(UnknownDirectiveError):
            await load_report(session, 999, NOW, TZ)


async def test_pending_pages_list_agencies_without_acknowledgement_and_their_contacts(
    sessionmaker: async_sessionmaker[AsyncSession], report: Report
) -> None:
    async with sessionmaker() as session:
        total, page, agencies = await pending_page(
            session, report.directive.id, page=0, page_size=1
        )
        assert (total, page) == (2, 0)
        [newspaper] = agencies
        assert newspaper.code == "bao-soc-trang"
        assert [(c.name, c.username, c.role) for c in newspaper.contacts] == [
            ("Cán bộ 3", "canbo3", "primary")
        ]
        total, page, [farmers] = await pending_page(
            session, report.directive.id, page=99, page_size=1
        )
        assert (total, page, farmers.code, farmers.contacts) == (2, 1, "hoi-nong-dan", [])


async def test_recent_directives_carry_their_acknowledgement_counts(
    sessionmaker: async_sessionmaker[AsyncSession], report: Report
) -> None:
    async with sessionmaker() as session:
        [recent] = await recent_directives(session)
    assert (recent.id, recent.total, recent.acknowledged) == (report.directive.id, 4, 2)


async def test_event_log_is_oldest_first_and_limited_to_the_latest(
    sessionmaker: async_sessionmaker[AsyncSession], report: Report
) -> None:
    async with sessionmaker() as session:
        everything = await events(session)
        latest = await events(session, limit=2)
    assert [e.id for e in everything] == sorted(e.id for e in everything)
    assert latest == everything[-2:]
