"""Xin gia hạn under a letter (and in /viec): the officer gives the new date and a reason as
replies; the sender answers with Đồng ý / Từ chối. /deadline ID CODE DATE REASON: staff set
an agency's deadline themselves."""

from __future__ import annotations

from datetime import date
from typing import Any

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.answers.extension import (
    DeadlineError,
    DecisionResult,
    ExtensionOutcome,
    ExtensionResult,
    decide_extension,
    dmy,
    may_ask,
    request_extension,
    set_deadline,
)
from bot.delivery.render import subject_line
from bot.deps import Context, get_deps
from bot.onboarding.identity import Who
from bot.telegram import callbacks
from bot.telegram.arguments import is_date_shaped, parse_date, parse_id
from bot.telegram.guards import staff_only, with_who
from bot.telegram.names import shown_name
from bot.telegram.timefmt import format_local
from bot.texts import alert, plain, t

# The kinds of question whose answer (a reply) is the new date, then the reason.
EXTENSION_DATE = "extension_date"
EXTENSION_REASON = "extension_reason"
# Answers that a better reply to the same question can fix: the question stays open.
_FIXABLE_DATE = (ExtensionResult.NOT_LATER, ExtensionResult.TOO_FAR)
_FIXABLE_REASON = (ExtensionResult.NO_REASON, ExtensionResult.REASON_TOO_LONG)


def _say(outcome: ExtensionOutcome, lang: str) -> str:
    deadline = dmy(outcome.deadline) if outcome.deadline else t(lang, "extension.no_deadline")
    return t(
        lang,
        f"extension.{outcome.result}",
        number=outcome.number,
        deadline=deadline,
        new_deadline=dmy(outcome.new_deadline),
    )


@with_who
async def extension_pressed(update: Update, context: Context, who: Who) -> None:
    query = update.callback_query
    if query is None:
        return
    data = callbacks.parse(query.data)
    if not isinstance(data, callbacks.AskExtension) or not isinstance(query.message, Message):
        await query.answer(alert(who.lang, "callback.unknown"))
        return
    deps = get_deps(context)
    async with deps.sessionmaker.begin() as session:  # a refusal is recorded
        outcome = await may_ask(session, data.delivery_id, who.user_id)
    if outcome.result != ExtensionResult.ASK:
        await query.answer(plain(_say(outcome, who.lang)), show_alert=True)
        return
    await query.answer(alert(who.lang, "extension.reply_below"))
    deadline = dmy(outcome.deadline) if outcome.deadline else t(who.lang, "extension.no_deadline")
    await deps.prompts.ask(
        user_id=who.user_id,
        chat_id=query.message.chat_id,
        text=t(
            who.lang,
            "extension.ask_date",
            number=outcome.number,
            subject=subject_line(outcome.subject),
            deadline=deadline,
        ),
        kind=EXTENSION_DATE,
        payload={"delivery_id": data.delivery_id},
    )


async def date_replied(update: Update, context: Context, who: Who, asked: dict[str, Any]) -> bool:
    """The new date (and perhaps the reason after it, on the same line)."""
    message = update.effective_message
    if message is None:
        return False
    first, _, rest = (message.text or "").strip().partition(" ")
    new_deadline = parse_date(first)
    if new_deadline is None:
        await message.reply_text(t(who.lang, "extension.bad_date"))
        return False
    delivery_id = int(asked["delivery_id"])
    if rest.strip():
        outcome = await _submit(message, context, who, delivery_id, new_deadline, rest)
        return outcome not in (*_FIXABLE_DATE, *_FIXABLE_REASON)
    await get_deps(context).prompts.ask(
        user_id=who.user_id,
        chat_id=message.chat_id,
        text=t(who.lang, "extension.ask_reason", new_deadline=dmy(new_deadline)),
        kind=EXTENSION_REASON,
        payload={"delivery_id": delivery_id, "date": new_deadline.isoformat()},
    )
    return True


async def reason_replied(update: Update, context: Context, who: Who, asked: dict[str, Any]) -> bool:
    message = update.effective_message
    if message is None:
        return False
    new_deadline = date.fromisoformat(str(asked["date"]))
    outcome = await _submit(
        message, context, who, int(asked["delivery_id"]), new_deadline, message.text or ""
    )
    return outcome not in _FIXABLE_REASON


async def _submit(
    message: Message, context: Context, who: Who, delivery_id: int, new_deadline: date, reason: str
) -> ExtensionResult:
    deps = get_deps(context)
    now = deps.clock()
    async with deps.sessionmaker.begin() as session:
        outcome = await request_extension(
            session,
            delivery_id=delivery_id,
            user_id=who.user_id,
            new_deadline=new_deadline,
            reason=reason,
            now=now,
            today=now.astimezone(deps.settings.reminders.timezone).date(),
            settings=deps.settings,
        )
    if outcome.result == ExtensionResult.SENT:
        deps.outbox_wake.set()
    await message.reply_text(_say(outcome, who.lang))
    return outcome.result


@staff_only
async def decision_pressed(update: Update, context: Context, who: Who) -> None:
    """Đồng ý or Từ chối under a request: decide, tell the officer, mark the request."""
    query = update.callback_query
    if query is None:
        return
    data = callbacks.parse(query.data)
    if not isinstance(data, callbacks.DecideExtension):
        await query.answer(alert(who.lang, "callback.unknown"))
        return
    deps = get_deps(context)
    async with deps.sessionmaker.begin() as session:
        outcome = await decide_extension(
            session,
            request_id=data.request_id,
            approve=data.action == "y",
            staff_id=who.user_id,
            now=deps.clock(),
            reminders=deps.reminders,
        )
    params = {
        "agency": outcome.agency,
        "number": outcome.number,
        "new_deadline": dmy(outcome.new_deadline),
    }
    if outcome.result not in (DecisionResult.APPROVED, DecisionResult.REFUSED):
        await query.answer(
            alert(who.lang, f"extension.decision_{outcome.result}", **params), show_alert=True
        )
        return
    deps.outbox_wake.set()
    await query.answer(alert(who.lang, f"extension.decision_{outcome.result}", **params))
    message = query.message
    if isinstance(message, Message) and message.text is not None:
        stamp = t(
            who.lang,
            f"extension.stamp_{outcome.result}",
            name=shown_name(query.from_user),
            at=format_local(deps.clock(), str(deps.settings.reminders.timezone)),
        )
        try:
            await message.edit_text(f"{message.text_html}\n\n{stamp}", reply_markup=None)
        except BadRequest as error:
            if "not modified" not in error.message:
                raise


@staff_only
async def deadline_command(update: Update, context: Context, who: Who) -> None:
    message, args = update.effective_message, context.args or []
    if message is None:
        return
    directive_id = parse_id(args[0]) if args else None
    new_deadline = parse_date(args[2]) if len(args) >= 3 else None
    # 31/12/9999 is written as a date, but no letter can have it: say so, not the usage.
    if directive_id and len(args) >= 4 and new_deadline is None and is_date_shaped(args[2]):
        await message.reply_text(t(who.lang, "deadline.bad_date"))
        return
    if directive_id is None or new_deadline is None or len(args) < 4:
        await message.reply_text(t(who.lang, "deadline.usage"))
        return
    code, reason = args[1].lower(), " ".join(args[3:])
    deps = get_deps(context)
    now = deps.clock()
    try:
        async with deps.sessionmaker.begin() as session:
            result = await set_deadline(
                session,
                directive_id=directive_id,
                agency_code=code,
                new_deadline=new_deadline,
                reason=reason,
                staff_id=who.user_id,
                now=now,
                today=now.astimezone(deps.settings.reminders.timezone).date(),
                reminders=deps.reminders,
            )
    except DeadlineError as error:
        await message.reply_text(t(who.lang, error.key, id=directive_id, code=code))
        return
    deps.outbox_wake.set()
    await message.reply_text(
        t(
            who.lang,
            "deadline.done",
            agency=result.agency,
            code=code,
            number=result.number,
            deadline=dmy(new_deadline),
        )
    )


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CallbackQueryHandler(extension_pressed, pattern=callbacks.AskExtension.pattern()),
    CallbackQueryHandler(decision_pressed, pattern=callbacks.DecideExtension.pattern()),
    CommandHandler("deadline", deadline_command),
]
