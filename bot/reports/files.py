"""The summary report's two files, as /report sends them: the workbook and the chart."""

from __future__ import annotations

from dataclasses import dataclass

from bot.reports.chart import build_chart
from bot.reports.summary import Report
from bot.reports.workbook import build_workbook


@dataclass(frozen=True)
class ReportFiles:
    workbook: bytes
    workbook_name: str
    chart: bytes
    chart_name: str


def file_stem(directive_id: int) -> str:
    return f"bao-cao-cong-van-{directive_id}"


def report_files(report: Report, lang: str = "vi") -> ReportFiles:
    """Both files, CPU-bound: call it in a worker thread from the bot."""
    stem = file_stem(report.directive.id)
    return ReportFiles(
        build_workbook(report, lang), f"{stem}.xlsx", build_chart(report, lang), f"{stem}.png"
    )
