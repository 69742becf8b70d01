"""/contacts CODE: staff see an agency's officers, each with a Gỡ button to remove one who
left (bot.onboarding.revocation)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.deps import Context, get_deps
from bot.onboarding.identity import Who
from bot.onboarding.revocation import Actor, Revoked, agency_and_contacts, remove_contact_by_id
from bot.telegram import callbacks
from bot.telegram.guards import staff_only
from bot.texts import alert, t
from db.models import Agency, Contact

# Telegram allows 100 buttons a message; an agency has a handful of officers.
MAX_LISTED = 30
MAX_NAME_ON_BUTTON = 30


def _listing(
    agency: Agency, contacts: list[Contact], lang: str
) -> tuple[str, InlineKeyboardMarkup]:
    if not contacts:
        return t(lang, "contacts.none", agency=agency.name, code=agency.code), InlineKeyboardMarkup(
            []
        )
    lines = [t(lang, "contacts.header", agency=agency.name, code=agency.code)]
    buttons = []
    for contact in contacts[:MAX_LISTED]:
        lines.append(
            t(
                lang,
                "contacts.row",
                name=contact.display_name,
                user_id=contact.telegram_user_id,
                role=t(lang, f"role.{contact.role}"),
                status=t(lang, f"contacts.status.{contact.status}"),
            )
        )
        label = alert(lang, "contacts.remove_button", name=contact.display_name)
        buttons.append(
            [
                InlineKeyboardButton(
                    label[: MAX_NAME_ON_BUTTON + 8],
                    callback_data=callbacks.pack(callbacks.RemoveContact(contact.id)),
                )
            ]
        )
    return "\n".join(lines), InlineKeyboardMarkup(buttons)


@staff_only
async def contacts_command(update: Update, context: Context, who: Who) -> None:
    message = update.effective_message
    if message is None:
        return
    args = context.args or []
    if len(args) != 1:
        await message.reply_text(t(who.lang, "contacts.usage"))
        return
    async with get_deps(context).sessionmaker() as session:
        found = await agency_and_contacts(session, args[0])
    if found is None:
        await message.reply_text(t(who.lang, "contacts.unknown", code=args[0]))
        return
    text, markup = _listing(*found, who.lang)
    await message.reply_text(text, reply_markup=markup)


@staff_only
async def remove_pressed(update: Update, context: Context, who: Who) -> None:
    query = update.callback_query
    data = callbacks.parse(query.data if query else None)
    if query is None or not isinstance(data, callbacks.RemoveContact):
        return
    deps = get_deps(context)
    async with deps.sessionmaker.begin() as session:
        removal = await remove_contact_by_id(
            session, data.contact_id, deps.clock(), Actor("staff", who.user_id)
        )
    done = removal.result == Revoked.DONE
    key = "contacts.removed" if done else "contacts.already"
    await query.answer(alert(who.lang, key, name=removal.name), show_alert=not done)
    if removal.agency is not None and isinstance(query.message, Message):
        text, markup = _listing(removal.agency, list(removal.contacts), who.lang)
        await query.edit_message_text(text, reply_markup=markup)


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("contacts", contacts_command),
    CallbackQueryHandler(remove_pressed, pattern=callbacks.RemoveContact.pattern()),
]
