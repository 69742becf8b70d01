"""The command menus Telegram shows (setMyCommands), one for everyone and one per staff chat."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import BadRequest, Forbidden

from bot.texts import LANGUAGES, t
from db.models import StaffRole

log = logging.getLogger(__name__)

EVERYONE = ("start", "help", "whoami", "lang")
CONTACT = ("viec", "help", "whoami", "lang")
OPERATOR = (
    "broadcast",
    "status",
    "pending",
    "report",
    "remind",
    "close",
    "recall",
    "correct",
    "mark",
    "deadline",
    "verify",
    "invite",
    "agencies",
    "dashboard",
    "web",
    "contacts",
    "help",
    "whoami",
    "lang",
)
_AFTER_AGENCIES = OPERATOR.index("contacts") + 1
ADMIN = (*OPERATOR[:_AFTER_AGENCIES], "staff", *OPERATOR[_AFTER_AGENCIES:])


def _menu(names: tuple[str, ...], lang: str) -> list[BotCommand]:
    return [BotCommand(name, t(lang, f"cmd.{name}")) for name in names]


async def publish_default_commands(bot: Bot) -> None:
    for lang in LANGUAGES:
        await bot.set_my_commands(
            _menu(EVERYONE, lang),
            scope=BotCommandScopeAllPrivateChats(),
            language_code=None if lang == "vi" else lang,
        )


async def publish_staff_commands(bot: Bot, user_id: int, role: StaffRole | None) -> bool:
    """Give a staff member their menu, or take it away (role None) when they are removed.

    Telegram knows a chat only once the user has opened it ("chat not found" before): then
    the menu is published when they first send /start, and this returns False.
    """
    try:
        await _publish_staff_commands(bot, user_id, role)
    except (BadRequest, Forbidden) as exc:
        log.info("no staff menu for %s yet: %s", user_id, exc.message)
        return False
    return True


async def publish_contact_commands(bot: Bot, user_id: int) -> bool:
    """An agency officer's own menu (/viec first), published when they join.

    Telegram keeps a chat's menu, so once is enough; False when Telegram refused it (the
    officer is told nothing: the menu is a convenience).
    """
    try:
        for lang in LANGUAGES:
            await bot.set_my_commands(
                _menu(CONTACT, lang),
                scope=BotCommandScopeChat(user_id),
                language_code=None if lang == "vi" else lang,
            )
    except (BadRequest, Forbidden) as exc:
        log.info("no contact menu for %s: %s", user_id, exc.message)
        return False
    return True


async def _publish_staff_commands(bot: Bot, user_id: int, role: StaffRole | None) -> None:
    scope = BotCommandScopeChat(user_id)
    for lang in LANGUAGES:
        language_code = None if lang == "vi" else lang
        if role is None:
            await bot.delete_my_commands(scope=scope, language_code=language_code)
        else:
            names = ADMIN if role == StaffRole.ADMIN else OPERATOR
            await bot.set_my_commands(_menu(names, lang), scope=scope, language_code=language_code)
