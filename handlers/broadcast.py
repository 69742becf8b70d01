"""/broadcast: compose a directive, choose its recipients, preview it, then Gửi or Hủy.

The draft lives in the database (a directive in status `draft`), so the steps are plain
callbacks and replies, and a restart in the middle loses nothing. A relay's relayed letter
(handlers/relay.py starts it) is a draft too and goes through the same steps, limited to
the relay's subtree; only its author may take them.
"""

from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.delivery.compose_view import ask_recipients, recipients_question, show_preview
from bot.delivery.directive_input import DirectiveInputError, parse_broadcast_text
from bot.delivery.drafts import (
    ItemsError,
    OutsideSubtreeError,
    TelegramAttachment,
    UnknownTargetsError,
    cancel_draft,
    create_directive,
    queue_broadcast,
    set_targets,
)
from bot.deps import Context, Deps, get_deps
from bot.onboarding.identity import Who
from bot.relay.access import may_compose
from bot.relay.compose import RelayError, queue_relay
from bot.telegram import callbacks
from bot.telegram.guards import letter_managers, staff_only
from bot.texts import alert, t
from db.models import Directive, DirectiveStatus
from db.queries.directives import ALL, NotADraftError, get_directive

Step = callbacks.BroadcastStep
_COMMAND = re.compile(r"^/\w+(@\w+)?")


def _source(message: Message) -> tuple[str, TelegramAttachment | None]:
    """The directive's text and attachment: after the command, or the message replied to."""
    command_text = _COMMAND.sub("", message.text or "", count=1).strip()
    original = message.reply_to_message
    if original is None:
        return command_text, None
    attachment = None
    if original.document is not None:
        attachment = TelegramAttachment(
            original.document.file_id, original.document.file_name or "cong-van.pdf"
        )
    text = original.text or original.caption or ""
    return (f"{command_text}\n{text}" if command_text else text).strip(), attachment


@staff_only
async def broadcast_command(update: Update, context: Context, who: Who) -> None:
    message = update.effective_message
    if message is None:
        return
    text, attachment = _source(message)
    try:
        draft = parse_broadcast_text(text)
    except DirectiveInputError as error:
        reason = getattr(error, "reason", "empty")
        await message.reply_text(t(who.lang, f"broadcast.{reason}"))
        return
    deps = get_deps(context)
    async with deps.sessionmaker.begin() as session:
        directive = await create_directive(
            session,
            draft,
            now=deps.clock(),
            timezone=deps.settings.reminders.timezone,
            created_by=who.user_id,
            status=DirectiveStatus.DRAFT,
            telegram_attachment=attachment,
        )
    await ask_recipients(context.bot, message.chat_id, directive, who.lang, deps)


@letter_managers
async def broadcast_step(update: Update, context: Context, who: Who) -> None:
    query = update.callback_query
    step = callbacks.parse(query.data if query else None)
    if query is None or not isinstance(step, Step) or not isinstance(query.message, Message):
        return
    deps = get_deps(context)
    # The decision and the state change commit first; Telegram is called afterwards, so no
    # database transaction waits on the network.
    try:
        async with deps.sessionmaker.begin() as session:
            directive = await get_directive(session, step.directive_id)
            refusal = _refusal(directive, step, who)
            if refusal is None and directive is not None:
                outcome = await _apply(session, directive, step, who, deps)
    except NotADraftError:  # Gửi and Hủy pressed together: the other press won
        await query.answer(alert(who.lang, "broadcast.already_done"), show_alert=True)
        return
    except (ItemsError, UnknownTargetsError):  # the items no longer fit the recipients
        await query.answer(alert(who.lang, "broadcast.items_changed"), show_alert=True)
        return
    except RelayError as error:  # a relayed letter that may not go (nothing was written)
        await query.answer(alert(who.lang, error.key, **error.params), show_alert=True)
        return
    if refusal is not None or directive is None:
        await query.answer(alert(who.lang, refusal or "broadcast.already_done"), show_alert=True)
        return
    await query.answer()
    if step.action == "send":  # committed: the dispatcher may look now
        deps.outbox_wake.set()
    if outcome == "keyboard":
        _, markup = await recipients_question(directive, who.lang, deps)
        await query.edit_message_reply_markup(markup)
    elif outcome == "preview":
        await query.edit_message_reply_markup(None)
        if not await show_preview(query.message, directive, who.lang, deps):
            # Items that reach none of these recipients: choose them again.
            _, markup = await recipients_question(directive, who.lang, deps)
            await query.edit_message_reply_markup(markup)
    else:
        await query.edit_message_text(outcome)


def _refusal(directive: Directive | None, step: Step, who: Who) -> str | None:
    if directive is None or not may_compose(who, directive):
        return "broadcast.not_yours"
    if directive.status != DirectiveStatus.DRAFT:
        return "broadcast.already_done"
    if step.action == "next" and not directive.targets:
        return "broadcast.no_group"
    return None


async def _apply(
    session: AsyncSession, directive: Directive, step: Step, who: Who, deps: Deps
) -> str:
    """Change the draft as the button asks; returns "keyboard", "preview" or a text to show."""
    if step.action == "cancel":
        if not await cancel_draft(session, directive, who.user_id):
            raise NotADraftError(directive.id)
        return t(who.lang, "broadcast.cancelled", number=directive.number)
    if step.action == "send" and directive.relayed_by_agency_id is not None:
        result = await queue_relay(
            session, directive, now=deps.clock(), actor_type="user", actor_id=who.user_id
        )
        return t(
            who.lang,
            "relay.queued",
            number=directive.number,
            agencies=result.agencies,
            messages=result.messages,
        )
    if step.action == "send":
        result = await queue_broadcast(session, directive, now=deps.clock(), actor_id=who.user_id)
        return t(
            who.lang,
            "broadcast.queued",
            number=directive.number,
            agencies=result.agencies,
            messages=result.messages,
        )
    if step.action == "group":
        targets = [g for g in directive.targets if g not in (step.group, ALL)]
        if len(targets) == len([g for g in directive.targets if g != ALL]):
            targets.append(step.group)
        directive.targets = targets
        return "keyboard"
    if step.action == "all":
        directive.targets = [ALL]
    return "preview"


async def recipients_reply(update: Update, context: Context, who: Who) -> None:
    """The author of a draft may answer the recipients question with agency codes or groups,
    typed (a relay: codes anywhere in its subtree).

    Any other reply (an officer answering a letter) is not for this handler: no refusal.
    """
    message = update.effective_message
    if message is None or message.reply_to_message is None:
        return
    directive_id = _draft_asked_in(message.reply_to_message)
    if directive_id is None:
        return
    deps = get_deps(context)
    targets = (message.text or "").replace(",", " ").split()
    async with deps.sessionmaker.begin() as session:
        directive = await get_directive(session, directive_id)
        if directive is None or _refusal(directive, Step(directive_id, "all"), who) or not targets:
            return
        try:
            await set_targets(session, directive, targets)
        except UnknownTargetsError as error:
            unknown = ", ".join(error.targets)
            key = "relay.outside" if isinstance(error, OutsideSubtreeError) else None
            await message.reply_text(
                t(who.lang, key or "broadcast.unknown_targets", targets=unknown)
            )
            return
    await show_preview(message, directive, who.lang, deps)


def _draft_asked_in(question: Message) -> int | None:
    """The draft a recipients question belongs to, read from its own buttons.

    The buttons carry the directive id, so a quick reply cannot race the bot storing the
    question's message id.
    """
    if question.reply_markup is None:
        return None
    for row in question.reply_markup.inline_keyboard:
        for button in row:
            step = callbacks.parse(str(button.callback_data or ""))
            if isinstance(step, Step):
                return step.directive_id
    return None


@staff_only
async def relay_toggled(update: Update, context: Context, who: Who) -> None:
    """🔁 on /broadcast's recipients question: relays may pass the letter on, or not."""
    query = update.callback_query
    data = callbacks.parse(query.data if query else None)
    if query is None or not isinstance(data, callbacks.RelayToggle):
        return
    deps = get_deps(context)
    async with deps.sessionmaker.begin() as session:
        directive = await get_directive(session, data.directive_id)
        refusal = _refusal(directive, Step(data.directive_id, "all"), who)
        if refusal is None and directive is not None:
            if directive.relayed_by_agency_id is not None:
                refusal = "broadcast.not_yours"
            else:
                directive.relay_allowed = not directive.relay_allowed
    if refusal is not None or directive is None:
        await query.answer(alert(who.lang, refusal or "broadcast.already_done"), show_alert=True)
        return
    key = "broadcast.relay_turned_on" if directive.relay_allowed else "broadcast.relay_turned_off"
    await query.answer(alert(who.lang, key))
    text, markup = await recipients_question(directive, who.lang, deps)
    await query.edit_message_text(text, reply_markup=markup)


async def preview_button(update: Update, context: Context) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(alert("vi", "broadcast.preview_press"), show_alert=True)


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("broadcast", broadcast_command),
    CallbackQueryHandler(broadcast_step, pattern=Step.pattern()),
    CallbackQueryHandler(preview_button, pattern=callbacks.PreviewButton.pattern()),
    CallbackQueryHandler(relay_toggled, pattern=callbacks.RelayToggle.pattern()),
]
