"""/verify ID CODE: staff check an agency's evidence links again (the page may have changed)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.deps import Context, get_deps
from bot.evidence.recheck import RecheckError, request_recheck
from bot.onboarding.identity import Who
from bot.telegram.arguments import parse_id
from bot.telegram.guards import staff_only
from bot.texts import t


@staff_only
async def verify_command(update: Update, context: Context, who: Who) -> None:
    message = update.effective_message
    args = context.args or []
    if message is None:
        return
    directive_id = parse_id(args[0]) if len(args) == 2 else None
    if directive_id is None:
        await message.reply_text(t(who.lang, "verify.usage"))
        return
    code = args[1]
    deps = get_deps(context)
    try:
        recheck = await request_recheck(deps.sessionmaker, directive_id, code, who.user_id)
    except RecheckError as error:
        await message.reply_text(t(who.lang, error.key, id=directive_id, code=code))
        return
    checks = recheck.checks
    await message.reply_text(
        t(who.lang, "verify.started", id=directive_id, code=code, count=len(checks))
    )
    context.application.create_task(
        deps.evidence.check(
            chat_id=who.user_id,
            lang=who.lang,
            number=recheck.number,
            directive_id=directive_id,
            delivery_id=None,  # staff asked: the result goes to them, no extra notice
            links=recheck.links,
            checks=checks,
        ),
        update=update,
    )


HANDLERS: list[BaseHandler[Update, Context, None]] = [CommandHandler("verify", verify_command)]
