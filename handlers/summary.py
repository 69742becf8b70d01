"""/report ID: the summary report of a directive, as a chart, an Excel workbook and the
official report (DOCX).

(`handlers/report.py` is the officer's «Báo cáo kết quả»; this is staff's "báo cáo tổng
kết".) The files are built in a worker thread: 10,000 agencies take a few seconds of CPU
that must not stall every other update.
"""

from __future__ import annotations

import asyncio

from telegram import InputFile, Update
from telegram.ext import BaseHandler, CommandHandler

from bot.deps import Context, get_deps
from bot.onboarding.identity import Who
from bot.reports.files import report_files
from bot.reports.summary import UnknownDirectiveError, load_report, record_export
from bot.telegram.arguments import directive_id_arg
from bot.telegram.guards import letter_managers
from bot.texts import t


@letter_managers
async def report_command(update: Update, context: Context, who: Who) -> None:
    message = update.effective_message
    if message is None:
        return
    directive_id = directive_id_arg(context.args or [])
    if directive_id is None:
        await message.reply_text(t(who.lang, "summary.usage"))
        return
    deps = get_deps(context)
    try:
        async with deps.sessionmaker() as session:
            report = await load_report(
                session,
                directive_id,
                deps.clock(),
                deps.settings.reminders.timezone,
                group_names=deps.settings.groups,
            )
    except UnknownDirectiveError:
        await message.reply_text(t(who.lang, "summary.unknown_directive", id=directive_id))
        return
    number = report.directive.number
    await message.reply_text(t(who.lang, "summary.building", number=number, count=len(report.rows)))
    files = await asyncio.to_thread(report_files, report, deps.settings.organization, who.lang)
    c = report.counts
    await message.reply_photo(
        InputFile(files.chart, filename=files.chart_name),
        caption=t(
            who.lang,
            "summary.chart_caption",
            number=number,
            acknowledged=c.acknowledged,
            total=c.total,
            completed=c.completed,
        ),
    )
    await message.reply_document(
        InputFile(files.workbook, filename=files.workbook_name),
        caption=t(who.lang, "summary.workbook_caption", number=number),
    )
    await message.reply_document(
        InputFile(files.official, filename=files.official_name),
        caption=t(who.lang, "summary.official_caption", number=number),
    )
    async with deps.sessionmaker.begin() as session:
        await record_export(
            session,
            directive_id,
            "telegram",
            actor_id=who.user_id,
            fmt="xlsx+png+docx",
            actor_type="staff" if who.is_staff else "user",
        )


HANDLERS: list[BaseHandler[Update, Context, None]] = [CommandHandler("report", report_command)]
