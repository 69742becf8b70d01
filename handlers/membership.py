"""my_chat_member: a user blocked or unblocked the bot.

Only a private chat says so: the bot removed from a group by someone is no reason to stop
writing to that person (they may be an agency's officer who tidied a group).
"""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, ChatMemberHandler

from bot.deps import Context, get_deps
from bot.onboarding.joining import mark_blocked


async def bot_membership_changed(update: Update, context: Context) -> None:
    change = update.my_chat_member
    if change is None or change.new_chat_member.status != ChatMember.BANNED:
        return
    if change.chat.type != ChatType.PRIVATE:
        return
    async with get_deps(context).sessionmaker.begin() as session:
        await mark_blocked(session, change.from_user.id)


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    ChatMemberHandler(bot_membership_changed, ChatMemberHandler.MY_CHAT_MEMBER)
]
