"""A letter's files, as `agency-bot report --format …` and /report build them: CSV, XLSX,
the PNG chart and the official report (DOCX). Each download is in the audit trail."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.config import Settings
from bot.reports.files import file_stem
from bot.reports.summary import (
    Report,
    UnknownDirectiveError,
    load_report,
    record_export,
    render_csv,
)
from bot.web.dashboard.auth import Viewer, staff_page
from bot.web.dashboard.views import letter_id
from bot.web.keys import DEPS

TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def build(report: Report, settings: Settings, fmt: str, lang: str) -> bytes:
    """CPU-bound (the chart, the document): called in a worker thread."""
    if fmt == "csv":
        return render_csv(report).encode()
    if fmt == "xlsx":
        from bot.reports.workbook import build_workbook

        return build_workbook(report, lang)
    if fmt == "png":
        from bot.reports.chart import build_chart

        return build_chart(report, lang)
    from bot.reports.official import build_official_report

    return build_official_report(report, settings.organization)


async def _file(request: web.Request, viewer: Viewer, fmt: str, *, record: bool) -> web.Response:
    deps = request.app[DEPS]
    directive_id = letter_id(request)
    tz = deps.settings.reminders.timezone
    try:
        async with deps.sessionmaker() as session:
            report = await load_report(
                session, directive_id, deps.clock(), tz, group_names=deps.settings.groups
            )
    except UnknownDirectiveError:
        raise web.HTTPNotFound() from None
    content = await asyncio.to_thread(build, report, deps.settings, fmt, viewer.lang)
    headers = {"Cache-Control": "no-store"}
    if record:
        async with deps.sessionmaker.begin() as session:
            await record_export(session, directive_id, "web", actor_id=viewer.user_id, fmt=fmt)
        headers["Content-Disposition"] = f'attachment; filename="{file_stem(directive_id)}.{fmt}"'
    return web.Response(body=content, headers={**headers, "Content-Type": TYPES[fmt]})


@staff_page
async def download(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    fmt = request.match_info["fmt"]
    if fmt not in TYPES:
        raise web.HTTPNotFound()
    return await _file(request, viewer, fmt, record=True)


@staff_page
async def chart(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """The chart shown on the letter's page (not a download: not in the audit trail)."""
    return await _file(request, viewer, "png", record=False)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/app/letters/{id}/download/{fmt}", download)
    app.router.add_get("/app/letters/{id}/chart.png", chart)
