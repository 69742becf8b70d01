"""/invite CODE: a staff member creates a one-use, seven-day invite link for an agency."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.deps import Context, get_deps
from bot.onboarding.identity import Who
from bot.onboarding.invites import UnknownAgencyError, create_invite, deep_link
from bot.telegram.guards import staff_only
from bot.telegram.timefmt import format_local
from bot.texts import t


@staff_only
async def invite_command(update: Update, context: Context, who: Who) -> None:
    message = update.effective_message
    if message is None:
        return
    if not context.args or len(context.args) != 1:
        await message.reply_text(t(who.lang, "invite.usage"))
        return
    deps = get_deps(context)
    username = deps.settings.telegram.username or context.bot.username
    code = context.args[0]
    try:
        async with deps.sessionmaker.begin() as session:
            invite = await create_invite(
                session, agency_code=code, now=deps.clock(), created_by=who.user_id
            )
    except UnknownAgencyError:
        await message.reply_text(t(who.lang, "invite.unknown_agency", code=code))
        return
    await message.reply_text(
        t(
            who.lang,
            "invite.created",
            agency=invite.agency_name,
            uses=invite.uses,
            expires_at=format_local(invite.expires_at, str(deps.settings.reminders.timezone)),
            link=deep_link(username, invite.token),
        ),
        disable_web_page_preview=True,
    )


HANDLERS: list[BaseHandler[Update, Context, None]] = [CommandHandler("invite", invite_command)]
