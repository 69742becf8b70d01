"""The summary report's files, as /report sends them: the chart, the workbook and the
official report (DOCX)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import OrganizationSettings
from bot.reports.chart import build_chart
from bot.reports.official import build_official_report
from bot.reports.summary import Report
from bot.reports.workbook import build_workbook


@dataclass(frozen=True)
class ReportFiles:
    workbook: bytes
    workbook_name: str
    chart: bytes
    chart_name: str
    official: bytes
    official_name: str


def file_stem(directive_id: int) -> str:
    return f"bao-cao-cong-van-{directive_id}"


def report_files(
    report: Report, organization: OrganizationSettings, lang: str = "vi"
) -> ReportFiles:
    """The three files, CPU-bound: call it in a worker thread from the bot. The workbook and
    the chart speak the reader's language; the official report is the Vietnamese document
    the department files upward."""
    stem = file_stem(report.directive.id)
    return ReportFiles(
        build_workbook(report, lang),
        f"{stem}.xlsx",
        build_chart(report, lang),
        f"{stem}.png",
        build_official_report(report, organization),
        f"{stem}.docx",
    )
