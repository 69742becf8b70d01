"""/agencies: the roster, with how many contacts each agency has."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.deps import Context, get_deps
from bot.onboarding.identity import Who
from bot.telegram.guards import staff_only
from bot.texts import t
from db.queries.agencies import list_agencies

# Keeps the answer well under Telegram's 4096 characters; the CLI lists everything.
MAX_ROWS = 40


@staff_only
async def agencies_command(update: Update, context: Context, who: Who) -> None:
    if update.effective_message is None:
        return
    async with get_deps(context).sessionmaker() as session:
        agencies = [a for a in await list_agencies(session) if a.active]
    if not agencies:
        await update.effective_message.reply_text(t(who.lang, "agencies.empty"))
        return
    lines = [t(who.lang, "agencies.header", count=len(agencies))]
    lines += [
        t(who.lang, "agencies.row", code=a.code, name=a.name, contacts=a.active_contacts)
        for a in agencies[:MAX_ROWS]
    ]
    if len(agencies) > MAX_ROWS:
        lines.append(t(who.lang, "agencies.more", count=len(agencies) - MAX_ROWS))
    await update.effective_message.reply_text("\n".join(lines))


HANDLERS: list[BaseHandler[Update, Context, None]] = [CommandHandler("agencies", agencies_command)]
