"""/staff add|remove|list: administrators manage the Department's operators."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import BaseHandler, CommandHandler

from bot.deps import Context, get_deps
from bot.onboarding.identity import Who, staff_ids
from bot.onboarding.staff import RemoveResult, add_staff, remove_staff
from bot.telegram.arguments import parse_user_id
from bot.telegram.guards import admin_only
from bot.telegram.menus import publish_staff_commands
from bot.texts import t
from db.models import StaffRole
from db.queries.people import list_staff


@admin_only
async def staff_command(update: Update, context: Context, who: Who) -> None:
    message = update.effective_message
    if message is None:
        return
    args = context.args or []
    action = args[0].lower() if args else "list"
    if action == "list":
        await _list(message, context, who)
    elif action == "add" and len(args) in (2, 3):
        await _add(message, context, who, args[1], args[2] if len(args) == 3 else "operator")
    elif action == "remove" and len(args) == 2:
        await _remove(message, context, who, args[1])
    else:
        await message.reply_text(t(who.lang, "staff.usage"))


async def _add(message: Message, context: Context, who: Who, raw_id: str, raw_role: str) -> None:
    user_id = parse_user_id(raw_id)
    if user_id is None:
        await message.reply_text(t(who.lang, "staff.bad_user_id", value=raw_id))
        return
    if raw_role.lower() not in (StaffRole.OPERATOR, StaffRole.ADMIN):
        await message.reply_text(t(who.lang, "staff.bad_role", value=raw_role))
        return
    role = StaffRole(raw_role.lower())
    async with get_deps(context).sessionmaker.begin() as session:
        await add_staff(session, user_id, role, added_by=who.user_id)
    await publish_staff_commands(context.bot, user_id, role)
    await message.reply_text(
        t(who.lang, "staff.added", user_id=user_id, role=t(who.lang, f"role.{role}"))
    )


async def _remove(message: Message, context: Context, who: Who, raw_id: str) -> None:
    user_id = parse_user_id(raw_id)
    if user_id is None:
        await message.reply_text(t(who.lang, "staff.bad_user_id", value=raw_id))
        return
    deps = get_deps(context)
    async with deps.sessionmaker.begin() as session:
        result = await remove_staff(session, deps.settings, user_id, removed_by=who.user_id)
    if result == RemoveResult.REMOVED:
        await publish_staff_commands(context.bot, user_id, None)
    await message.reply_text(t(who.lang, f"staff.{result}", user_id=user_id))


async def _list(message: Message, context: Context, who: Who) -> None:
    deps = get_deps(context)
    async with deps.sessionmaker() as session:
        roles = await staff_ids(session, deps.settings)
        names = {s.telegram_user_id: s.display_name or "" for s in await list_staff(session)}
    rows = [t(who.lang, "staff.list_header")]
    for user_id, role in sorted(roles.items(), key=lambda item: (item[1], item[0])):
        role_text = t(who.lang, f"role.{role}")
        name = names.get(user_id, "")
        rows.append(t(who.lang, "staff.list_row", user_id=user_id, name=name, role=role_text))
    await message.reply_text("\n".join(rows))


HANDLERS: list[BaseHandler[Update, Context, None]] = [CommandHandler("staff", staff_command)]
