"""Đã nhận: the officer's acknowledgement, answered at once and shown on the message."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.answers.acknowledge import AckOutcome, AckRequest, AckResult
from bot.deps import Context, get_deps
from bot.onboarding.identity import language_of
from bot.telegram import callbacks
from bot.telegram.names import shown_name
from bot.telegram.stamp import stamp_acknowledged
from bot.telegram.timefmt import format_local
from bot.texts import alert, t


async def acknowledge_pressed(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None:
        return
    data = callbacks.parse(query.data)
    deps = get_deps(context)
    user = query.from_user
    if isinstance(data, callbacks.Acknowledge):
        answer = await deps.acks.press(
            AckRequest(data.delivery_id, user.id, shown_name(user), user.language_code)
        )
        lang, outcome = answer.lang, answer.outcome
    else:
        async with deps.sessionmaker() as session:
            lang = await language_of(session, user.id, user.language_code)
        outcome = AckOutcome(AckResult.REFUSED)  # malformed: as any refusal
    tz = str(deps.settings.reminders.timezone)
    when = format_local(outcome.acknowledged_at, tz) if outcome.acknowledged_at else ""
    who = outcome.acknowledged_by or t(lang, "ack.by_hand")
    if outcome.result == AckResult.FIRST:
        # Whether every agency has now acknowledged is checked in the background, asked for
        # before anything can fail here; the answer goes first (the officer's spinner
        # stops), then the stamp on the letter.
        if outcome.directive_id is not None:
            deps.notices.check_all_acknowledged(outcome.directive_id)
        await query.answer(alert(lang, "ack.recorded"))
        await stamp_acknowledged(query, t(lang, "ack.stamp", name=who, at=when))
    elif outcome.result == AckResult.ALREADY:
        await query.answer(alert(lang, "ack.already", name=who, at=when), show_alert=True)
    else:
        await query.answer(alert(lang, f"ack.{outcome.result}"), show_alert=True)


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CallbackQueryHandler(acknowledge_pressed, pattern=callbacks.Acknowledge.pattern()),
]
