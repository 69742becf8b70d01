"""/start [TOKEN]: join an agency through an invite link, or learn how to."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.deps import Context, get_deps
from bot.onboarding.identity import Who
from bot.onboarding.joining import (
    Joiner,
    JoinOutcome,
    JoinResult,
    reactivate_on_start,
    redeem_invite,
)
from bot.telegram.guards import with_who
from bot.telegram.menus import publish_contact_commands, publish_staff_commands
from bot.telegram.names import shown_name
from bot.telegram.timefmt import format_local
from bot.texts import t

_REFUSAL_KEYS = {
    JoinResult.INVALID: "invite.invalid",
    JoinResult.USED_UP: "invite.used_up",
    JoinResult.EXPIRED: "invite.expired",
    JoinResult.AGENCY_INACTIVE: "invite.agency_inactive",
    JoinResult.OTHER_AGENCY: "start.other_agency",
    JoinResult.ALREADY_MEMBER: "start.already_member",
}


def _reply_for(outcome: JoinOutcome, who: Who, name: str, tz_name: str) -> str:
    lang = who.lang
    role = t(lang, f"role.{outcome.role}") if outcome.role else ""
    if outcome.result == JoinResult.JOINED:
        return t(lang, "start.welcome", name=name, role=role, agency=outcome.agency_name)
    if outcome.result == JoinResult.REJOINED:
        return t(lang, "start.welcome_back", name=name, agency=outcome.agency_name)
    expired_at = format_local(outcome.expired_at, tz_name) if outcome.expired_at else ""
    return t(
        lang,
        _REFUSAL_KEYS[outcome.result],
        agency=outcome.agency_name or "",
        role=role,
        expired_at=expired_at,
    )


@with_who
async def start(update: Update, context: Context, who: Who) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    deps = get_deps(context)
    joiner = Joiner(user.id, shown_name(user), user.username)
    tz_name = str(deps.settings.reminders.timezone)
    async with deps.sessionmaker.begin() as session:
        if context.args:
            outcome: JoinOutcome | None = await redeem_invite(
                session, context.args[0], joiner, deps.clock()
            )
        else:
            outcome = await reactivate_on_start(session, joiner, deps.clock())
    joined = outcome is not None and outcome.result in (JoinResult.JOINED, JoinResult.REJOINED)
    if joined:
        deps.outbox_wake.set()
    if outcome is not None:
        await message.reply_text(_reply_for(outcome, who, shown_name(user), tz_name))
        if joined and who.staff_role is None:  # staff keep their own menu
            await publish_contact_commands(context.bot, user.id)
    elif who.staff_role is not None:
        await publish_staff_commands(context.bot, user.id, who.staff_role)
        role = t(who.lang, f"role.{who.staff_role}")
        await message.reply_text(t(who.lang, "start.staff", name=shown_name(user), role=role))
    elif who.contact is not None:
        role = t(who.lang, f"role.{who.contact.role}")
        await message.reply_text(
            t(who.lang, "start.already_member", role=role, agency=who.contact.agency.name)
        )
    else:
        await message.reply_text(t(who.lang, "start.how_to_join"))


HANDLERS: list[BaseHandler[Update, Context, None]] = [CommandHandler("start", start)]
