"""/verify ID CODE: staff check an agency's evidence links again (the page may have changed)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.deps import Context, get_deps
from bot.onboarding.identity import Who
from bot.telegram.arguments import parse_id
from bot.telegram.guards import staff_only
from bot.texts import t
from db.queries.answers import delivery_for
from db.queries.completions import url_evidence
from db.queries.directives import get_directive
from db.queries.events import record_event


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
    async with deps.sessionmaker() as session:
        directive = await get_directive(session, directive_id)
        delivery = await delivery_for(session, directive_id, code) if directive else None
        checks = await url_evidence(session, delivery.id) if delivery else []
    if directive is None:
        await message.reply_text(t(who.lang, "mark.unknown_directive", id=directive_id))
        return
    if delivery is None:
        await message.reply_text(t(who.lang, "mark.not_a_recipient", id=directive_id, code=code))
        return
    if not checks:
        await message.reply_text(t(who.lang, "verify.none", id=directive_id, code=code))
        return
    async with deps.sessionmaker.begin() as session:
        await record_event(  # the staff action; each result is recorded as evidence.checked
            session,
            "evidence.recheck_requested",
            actor_type="staff",
            actor_id=who.user_id,
            directive_id=directive_id,
            agency_id=delivery.agency_id,
            urls=[url for _, url in checks],
        )
    await message.reply_text(
        t(who.lang, "verify.started", id=directive_id, code=code, count=len(checks))
    )
    context.application.create_task(
        deps.evidence.check(
            chat_id=who.user_id,
            lang=who.lang,
            number=directive.number,
            directive_id=directive_id,
            delivery_id=None,  # staff asked: the result goes to them, no extra notice
            links=tuple(directive.links),
            checks=checks,
        ),
        update=update,
    )


HANDLERS: list[BaseHandler[Update, Context, None]] = [CommandHandler("verify", verify_command)]
