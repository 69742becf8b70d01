"""/remind ID [pause|resume]: staff chase the agencies of a letter now, or hold its reminders."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.deps import Context, get_deps
from bot.onboarding.identity import Who
from bot.reminders.wording import name_list
from bot.telegram.arguments import directive_id_arg
from bot.telegram.guards import letter_managers
from bot.texts import t

ACTIONS = {"pause": True, "resume": False}


def _actor(who: Who) -> str:
    """Staff, or a relay's contact on a letter its agency relayed (the audit log says which)."""
    return "staff" if who.is_staff else "user"


@letter_managers
async def remind_command(update: Update, context: Context, who: Who) -> None:
    message = update.effective_message
    args = context.args or []
    if message is None:
        return
    action = args[1].lower() if len(args) == 2 else None
    directive_id = directive_id_arg(args[:1])
    if directive_id is None or len(args) > 2 or (action and action not in ACTIONS):
        await message.reply_text(t(who.lang, "remind.usage"))
        return
    reminders = get_deps(context).reminders
    if action is not None:
        number = await reminders.set_paused(
            directive_id, ACTIONS[action], who.user_id, actor_type=_actor(who)
        )
        key = "remind.paused" if ACTIONS[action] else "remind.resumed"
        reply = t(
            who.lang, "remind.unknown" if number is None else key, id=directive_id, number=number
        )
        await message.reply_text(reply)
        return
    result = await reminders.remind_now(directive_id, who.user_id, actor_type=_actor(who))
    if result is None:
        await message.reply_text(t(who.lang, "remind.unknown", id=directive_id))
        return
    if result.agencies == 0 and not result.unreachable:
        await message.reply_text(t(who.lang, "remind.none", number=result.number))
        return
    lines = [
        t(
            who.lang,
            "remind.queued",
            agencies=result.agencies,
            number=result.number,
            messages=result.messages,
        )
    ]
    if result.unreachable:
        names = name_list(result.unreachable, who.lang)
        lines.append(t(who.lang, "remind.unreachable", count=len(result.unreachable), names=names))
    await message.reply_text("\n".join(lines))


HANDLERS: list[BaseHandler[Update, Context, None]] = [CommandHandler("remind", remind_command)]
