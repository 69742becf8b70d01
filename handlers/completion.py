"""Báo cáo kết quả: the officer sends evidence (links, text, photos, documents), confirms."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.deps import Context, get_deps
from bot.evidence.completion import (
    CompletionOutcome,
    CompletionResult,
    add_evidence,
    cancel_completion,
    confirm_completion,
    evidence_items,
    start_completion,
)
from bot.onboarding.identity import language_of
from bot.telegram import callbacks
from bot.texts import alert, t


def _completion_keyboard(delivery_id: int, lang: str) -> InlineKeyboardMarkup:
    confirm = callbacks.CompletionStep(delivery_id, "ok")
    cancel = callbacks.CompletionStep(delivery_id, "no")
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "completion.confirm_button"), callback_data=callbacks.pack(confirm)
                ),
                InlineKeyboardButton(
                    t(lang, "completion.cancel_button"), callback_data=callbacks.pack(cancel)
                ),
            ]
        ]
    )


async def completion_pressed(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None:
        return
    data = callbacks.parse(query.data)
    deps = get_deps(context)
    user = query.from_user
    async with deps.sessionmaker.begin() as session:
        lang = await language_of(session, user.id, user.language_code)
        if not isinstance(data, callbacks.StartCompletion):
            outcome = CompletionOutcome(CompletionResult.REFUSED)  # malformed: as any refusal
        else:
            outcome = await start_completion(
                session,
                data.delivery_id,
                user.id,
                deps.clock(),
                deps.settings.evidence.report_timeout,
            )
    if outcome.result != CompletionResult.STARTED or outcome.delivery_id is None:
        await query.answer(alert(lang, f"completion.{outcome.result}"), show_alert=True)
        return
    await query.answer()
    minutes = int(deps.settings.evidence.report_timeout.total_seconds() // 60) or 1
    text = t(
        lang, "completion.ask", number=outcome.number, subject=outcome.subject, minutes=minutes
    )
    if outcome.replaced:
        text = t(lang, "completion.replaced", number=outcome.replaced) + "\n\n" + text
    await context.bot.send_message(
        user.id, text, reply_markup=_completion_keyboard(outcome.delivery_id, lang)
    )


async def evidence_received(update: Update, context: Context) -> None:
    """A message from an officer with a report open becomes evidence for it."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or (message.text or "").startswith("/"):
        return
    items = _items_of(message)
    if not items:
        return
    deps = get_deps(context)
    async with deps.sessionmaker.begin() as session:
        outcome = await add_evidence(session, user.id, items, deps.clock())
        if outcome.result == CompletionResult.NO_SESSION or outcome.delivery_id is None:
            return  # most messages: no report open, so no further lookup
        lang = await language_of(session, user.id, user.language_code)
    key = "completion.added" if outcome.result == CompletionResult.ADDED else "completion.too_many"
    await message.reply_text(
        t(lang, key, count=outcome.items, number=outcome.number),
        reply_markup=_completion_keyboard(outcome.delivery_id, lang),
    )


def _items_of(message: Message) -> list[dict[str, object]]:
    text = message.text or message.caption
    if message.document is not None:
        return evidence_items(
            text, message.document.file_id, message.document.file_name, "document"
        )
    if message.photo:
        return evidence_items(text, message.photo[-1].file_id, None, "photo")
    return evidence_items(text)


async def completion_step(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None:
        return
    step = callbacks.parse(query.data)
    deps = get_deps(context)
    user = query.from_user
    async with deps.sessionmaker.begin() as session:
        lang = await language_of(session, user.id, user.language_code)
        if not isinstance(step, callbacks.CompletionStep):
            outcome = CompletionOutcome(CompletionResult.GONE)
        elif step.action == "no":
            outcome = await cancel_completion(session, user.id)
        else:
            outcome = await confirm_completion(
                session,
                user.id,
                step.delivery_id,
                deps.clock(),
                check_links=deps.settings.evidence.check_links,
            )
    if outcome.result not in (CompletionResult.DONE, CompletionResult.CANCELLED):
        await query.answer(
            alert(lang, f"completion.{outcome.result}", number=outcome.number), show_alert=True
        )
        return
    await query.answer()
    key = "completion.done_checking" if outcome.url_checks else f"completion.{outcome.result}"
    if isinstance(query.message, Message):
        await query.message.edit_text(t(lang, key, number=outcome.number, count=outcome.items))
    if outcome.directive_id is not None:
        deps.notices.check_all_acknowledged(outcome.directive_id)
    if outcome.url_checks:
        context.application.create_task(
            deps.evidence.check(
                chat_id=user.id,
                lang=lang,
                number=outcome.number,
                directive_id=outcome.directive_id,
                delivery_id=outcome.delivery_id,
                links=outcome.links,
                checks=outcome.url_checks,
            ),
            update=update,
        )


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CallbackQueryHandler(completion_pressed, pattern=callbacks.StartCompletion.pattern()),
    CallbackQueryHandler(completion_step, pattern=callbacks.CompletionStep.pattern()),
]
# In a group of its own: any private message may be evidence, whatever else handles it.
EVIDENCE_HANDLERS: list[BaseHandler[Update, Context, None]] = [
    MessageHandler(
        filters.ChatType.PRIVATE
        & (filters.TEXT | filters.PHOTO | filters.Document.ALL)
        & ~filters.COMMAND,
        evidence_received,
    )
]
