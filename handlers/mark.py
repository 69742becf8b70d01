"""/mark ID CODE acknowledged|completed REASON: staff set an agency's status by hand."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.answers.by_hand import MarkError, MarkStatus, mark_by_hand
from bot.deps import Context, get_deps
from bot.onboarding.identity import Who
from bot.telegram.arguments import parse_id
from bot.telegram.guards import refuse, staff_only
from bot.telegram.names import shown_name
from bot.texts import t


@staff_only
async def mark_command(update: Update, context: Context, who: Who) -> None:
    message = update.effective_message
    args = context.args or []
    if message is None:
        return
    directive_id = parse_id(args[0]) if args else None
    if directive_id is None or len(args) < 4 or args[2] not in set(MarkStatus):
        await message.reply_text(t(who.lang, "mark.usage"))
        return
    code, status, reason = args[1], MarkStatus(args[2]), " ".join(args[3:])
    await mark_and_reply(update, context, who, directive_id, code, status, reason)


async def mark_and_reply(
    update: Update,
    context: Context,
    who: Who,
    directive_id: int,
    code: str,
    status: MarkStatus,
    reason: str,
) -> bool:
    """Set the status by hand and say what was done (from /mark and from /pending's button);
    False when it was refused (and the reply says why)."""
    message = update.effective_message
    if message is None:
        return False
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
                staff_name=shown_name(update.effective_user) if update.effective_user else None,
            )
    except MarkError as error:
        await message.reply_text(t(who.lang, error.key, id=directive_id, code=code))
        return False
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
    return True


async def reason_replied(update: Update, context: Context, who: Who, asked: dict[str, Any]) -> bool:
    """The reply to /pending's "reason?" question: mark the agency it named; False (the
    question stays open) when the reason was refused."""
    message = update.effective_message
    if message is None:
        return False
    if not who.is_staff:
        await refuse(update, context, who, "staff.only")
        return False
    return await mark_and_reply(
        update,
        context,
        who,
        int(asked["directive_id"]),
        str(asked["code"]),
        MarkStatus(asked["status"]),
        message.text or "",
    )


HANDLERS: list[BaseHandler[Update, Context, None]] = [CommandHandler("mark", mark_command)]
