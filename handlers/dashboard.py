"""/web and /dashboard: staff open the dashboard, in a desktop browser or inside Telegram."""

from __future__ import annotations

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Update,
    WebAppInfo,
)
from telegram.ext import BaseHandler, CommandHandler

from bot.deps import Context, get_deps
from bot.onboarding.identity import Who
from bot.telegram.guards import staff_only
from bot.texts import t
from bot.web.app import dashboard_url, web_app_of
from bot.web.dashboard.login import HOME
from bot.web.dashboard.signin import LINK_LIFETIME, create_link


@staff_only
async def web_command(update: Update, context: Context, who: Who) -> None:
    """A one-time sign-in link (5 minutes), without a preview: a preview's fetch would use it."""
    message = update.effective_message
    if message is None:
        return
    deps = get_deps(context)
    base = dashboard_url(web_app_of(context.application.bot_data), deps.settings.web.public_url)
    link = await create_link(deps.sessionmaker, who.user_id, base, deps.clock())
    minutes = int(LINK_LIFETIME.total_seconds() // 60)
    await message.reply_text(
        t(who.lang, "web.link", link=link, minutes=minutes),
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )


@staff_only
async def dashboard_command(update: Update, context: Context, who: Who) -> None:
    """A button that opens the dashboard as a Mini App (Telegram requires https for it)."""
    message = update.effective_message
    if message is None:
        return
    public = get_deps(context).settings.web.public_url
    if not public.startswith("https://"):
        await message.reply_text(t(who.lang, "web.dashboard.no_https"))
        return
    button = InlineKeyboardButton(
        t(who.lang, "web.dashboard.button"), web_app=WebAppInfo(f"{public}{HOME}")
    )
    await message.reply_text(
        t(who.lang, "web.dashboard.open"), reply_markup=InlineKeyboardMarkup([[button]])
    )


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("web", web_command),
    CommandHandler("dashboard", dashboard_command),
]
