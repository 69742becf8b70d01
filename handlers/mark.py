"""/mark ID CODE acknowledged|completed REASON: staff set an agency's status by hand."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.answers.by_hand import MarkError, MarkStatus, mark_by_hand
from bot.deps import Context, get_deps
from bot.onboarding.identity import Who
from bot.texts import t
from handlers.guards import staff_only


@staff_only
async def mark_command(update: Update, context: Context, who: Who) -> None:
    message = update.effective_message
    args = context.args or []
    if message is None:
        return
    if len(args) < 4 or not args[0].isdigit() or args[2] not in set(MarkStatus):
        await message.reply_text(t(who.lang, "mark.usage"))
        return
    directive_id, code, status, reason = (
        int(args[0]),
        args[1],
        MarkStatus(args[2]),
        " ".join(args[3:]),
    )
    await mark_and_reply(update, context, who, directive_id, code, status, reason)


async def mark_and_reply(
    update: Update,
    context: Context,
    who: Who,
    directive_id: int,
    code: str,
    status: MarkStatus,
    reason: str,
) -> None:
    """Set the status by hand and say what was done (from /mark and from /pending's button)."""
    message = update.effective_message
    if message is None:
        return
    deps = get_deps(context)
    try:
        async with deps.sessionmaker.begin() as session:
            await mark_by_hand(
                session,
                directive_id=directive_id,
                agency_code=code,
                status=status,
                reason=reason,
                staff_id=who.user_id,
                now=deps.clock(),
                staff_name=update.effective_user.full_name if update.effective_user else None,
            )
    except MarkError as error:
        await message.reply_text(t(who.lang, error.key, id=directive_id, code=code))
        return
    deps.notices.check_all_acknowledged(directive_id)
    status_text = t(who.lang, f"mark.status.{status}")
    await message.reply_text(
        t(
            who.lang,
            "mark.done",
            code=code,
            id=directive_id,
            status=status_text,
            reason=reason.strip(),
        )
    )


HANDLERS: list[BaseHandler[Update, Context, None]] = [CommandHandler("mark", mark_command)]
