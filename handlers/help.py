"""/help and /whoami: what the sender can do, and who the bot thinks they are."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.deps import Context, get_deps
from bot.onboarding.identity import Who
from bot.relay.access import may_manage
from bot.telegram.guards import with_who
from bot.texts import t
from db.models import ContactStatus


@with_who
async def help_command(update: Update, context: Context, who: Who) -> None:
    if update.effective_message is None:
        return
    if who.is_staff:
        text = t(who.lang, "help.staff")
    elif who.contact is not None and who.contact.status == ContactStatus.ACTIVE:
        text = t(who.lang, "help.contact", agency=who.contact.agency.name)
        async with get_deps(context).sessionmaker() as session:
            if await may_manage(session, who, None):  # a relay: Chuyển tiếp and its letters
                text += t(who.lang, "help.relay")
    else:
        text = t(who.lang, "help.stranger")
    await update.effective_message.reply_text(text)


@with_who
async def whoami(update: Update, context: Context, who: Who) -> None:
    if update.effective_message is None:
        return
    lines = []
    if who.staff_role is not None:
        role = t(who.lang, f"role.{who.staff_role}")
        lines.append(t(who.lang, "whoami.staff", role=role, user_id=who.user_id))
    contact = who.contact
    if contact is not None and contact.status == ContactStatus.ACTIVE:
        role = t(who.lang, f"role.{contact.role}")
        lines.append(
            t(
                who.lang,
                "whoami.contact",
                role=role,
                agency=contact.agency.name,
                code=contact.agency.code,
                user_id=who.user_id,
            )
        )
    elif contact is not None and contact.status == ContactStatus.BLOCKED:
        lines.append(t(who.lang, "whoami.contact_blocked", agency=contact.agency.name))
    if not lines:
        lines.append(t(who.lang, "whoami.stranger", user_id=who.user_id))
    await update.effective_message.reply_text("\n\n".join(lines))


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("help", help_command),
    CommandHandler("whoami", whoami),
]
