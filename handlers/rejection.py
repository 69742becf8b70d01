"""Không thuộc thẩm quyền under a letter: the officer gives the reason as a reply; the sender
is told, with a button to send the letter to another agency instead (its code as a reply)."""

from __future__ import annotations

from typing import Any

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.answers.rejection import (
    RejectResult,
    RetargetError,
    may_reject,
    reject,
    retarget,
    retarget_facts,
)
from bot.delivery.render import subject_line
from bot.deps import Context, get_deps
from bot.onboarding.identity import Who
from bot.telegram import callbacks
from bot.telegram.guards import refuse, staff_only, with_who
from bot.texts import alert, t

# The kinds of question whose answer (a reply) is the reason, and the other agency's code.
REJECTION_REASON = "rejection_reason"
RETARGET_CODE = "retarget_code"


@with_who
async def reject_pressed(update: Update, context: Context, who: Who) -> None:
    query = update.callback_query
    if query is None:
        return
    data = callbacks.parse(query.data)
    if not isinstance(data, callbacks.Reject) or not isinstance(query.message, Message):
        await query.answer(alert(who.lang, "callback.unknown"))
        return
    deps = get_deps(context)
    async with deps.sessionmaker.begin() as session:  # a refusal is recorded
        outcome = await may_reject(session, data.delivery_id, who.user_id)
    if outcome.result != RejectResult.ASK:
        await query.answer(
            alert(who.lang, f"reject.{outcome.result}", number=outcome.number), show_alert=True
        )
        return
    await query.answer(alert(who.lang, "reject.reply_below"))
    await deps.prompts.ask(
        user_id=who.user_id,
        chat_id=query.message.chat_id,
        text=t(
            who.lang,
            "reject.ask",
            number=outcome.number,
            subject=subject_line(outcome.subject),
        ),
        kind=REJECTION_REASON,
        payload={"delivery_id": data.delivery_id},
    )


async def reason_replied(update: Update, context: Context, who: Who, asked: dict[str, Any]) -> bool:
    """The reason: the agency sends the letter back; False (the question stays open) when the
    reason was refused."""
    message = update.effective_message
    if message is None:
        return False
    deps = get_deps(context)
    async with deps.sessionmaker.begin() as session:
        outcome = await reject(
            session,
            delivery_id=int(asked["delivery_id"]),
            user_id=who.user_id,
            reason=message.text or "",
            now=deps.clock(),
            settings=deps.settings,
        )
    if outcome.result == RejectResult.DONE:
        deps.outbox_wake.set()
        if outcome.directive_id is not None:  # the last agency answering may complete it
            deps.notices.check_all_acknowledged(outcome.directive_id)
    await message.reply_text(t(who.lang, f"reject.{outcome.result}", number=outcome.number))
    return outcome.result not in (RejectResult.NO_REASON, RejectResult.REASON_TOO_LONG)


@staff_only
async def retarget_pressed(update: Update, context: Context, who: Who) -> None:
    query = update.callback_query
    if query is None:
        return
    data = callbacks.parse(query.data)
    if not isinstance(data, callbacks.Retarget) or not isinstance(query.message, Message):
        await query.answer(alert(who.lang, "callback.unknown"))
        return
    deps = get_deps(context)
    try:
        async with deps.sessionmaker() as session:
            facts = await retarget_facts(session, data.delivery_id)
    except RetargetError as error:
        await query.answer(alert(who.lang, error.key, code=""), show_alert=True)
        return
    await query.answer(alert(who.lang, "retarget.reply_below"))
    await deps.prompts.ask(
        user_id=who.user_id,
        chat_id=query.message.chat_id,
        text=t(who.lang, "retarget.ask", number=facts.number, agency=facts.agency_name),
        kind=RETARGET_CODE,
        payload={"delivery_id": data.delivery_id},
    )


async def code_replied(update: Update, context: Context, who: Who, asked: dict[str, Any]) -> bool:
    """The other agency's code: send it the letter; False (the question stays open) for a
    code that can be corrected."""
    message = update.effective_message
    if message is None:
        return False
    if not who.is_staff:
        await refuse(update, context, who, "staff.only")
        return False
    code = (message.text or "").strip().lower()
    deps = get_deps(context)
    try:
        async with deps.sessionmaker.begin() as session:
            done = await retarget(
                session,
                delivery_id=int(asked["delivery_id"]),
                agency_code=code,
                staff_id=who.user_id,
                now=deps.clock(),
            )
    except RetargetError as error:
        await message.reply_text(t(who.lang, error.key, code=code))
        return error.key in ("retarget.gone", "retarget.closed")
    deps.outbox_wake.set()
    key = "retarget.done" if done.messages else "retarget.no_contact"
    await message.reply_text(
        t(
            who.lang,
            key,
            number=done.number,
            agency=done.agency,
            instead=done.rejected_by,
            messages=done.messages,
        )
    )
    return True


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CallbackQueryHandler(reject_pressed, pattern=callbacks.Reject.pattern()),
    CallbackQueryHandler(retarget_pressed, pattern=callbacks.Retarget.pattern()),
]
