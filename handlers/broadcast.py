"""/broadcast: compose a directive, choose its recipients, preview it, then Gửi or Hủy.

The draft lives in the database (a directive in status `draft`), so the steps are plain
callbacks and replies, and a restart in the middle loses nothing.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.delivery.directive_input import DirectiveInputError, parse_broadcast_text
from bot.delivery.drafts import (
    ItemsError,
    TelegramAttachment,
    UnknownTargetsError,
    cancel_draft,
    create_directive,
    item_audience,
    queue_broadcast,
    set_targets,
)
from bot.delivery.render import directive_content, render_directive
from bot.deps import Context, Deps, get_deps
from bot.onboarding.identity import Who
from bot.telegram import callbacks
from bot.telegram.guards import staff_only
from bot.telegram.keyboards import directive_keyboard
from bot.texts import t
from db.models import Directive, DirectiveStatus
from db.queries.directives import (
    ALL,
    audience,
    get_directive,
    groups_with_counts,
    set_progress_message,
)

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
        groups = await groups_with_counts(session)
    prompt = await message.reply_text(
        t(
            who.lang,
            "broadcast.choose_recipients",
            number=directive.number,
            subject=directive.subject,
        ),
        reply_markup=_recipients_keyboard(directive, groups, who.lang, deps.settings.group_name),
    )
    async with deps.sessionmaker.begin() as session:
        await set_progress_message(session, directive.id, prompt.chat_id, prompt.message_id)


def _recipients_keyboard(
    directive: Directive,
    groups: list[tuple[str, int]],
    lang: str,
    group_name: Callable[[str], str],
) -> InlineKeyboardMarkup:
    def button(text: str, step: Step) -> InlineKeyboardButton:
        return InlineKeyboardButton(text, callback_data=callbacks.pack(step))

    total = sum(count for _, count in groups)
    rows = [[button(t(lang, "broadcast.all_button", count=total), Step(directive.id, "all"))]]
    for group, count in groups:
        mark = "✅" if group in directive.targets else "▫️"
        # A button label is not HTML: the group's name as a clerk reads it, unescaped.
        name = group_name(group)
        label = html.unescape(t(lang, "broadcast.group_button", mark=mark, group=name, count=count))
        rows.append([button(label, Step(directive.id, "group", group))])
    rows.append(
        [
            button(t(lang, "broadcast.next_button"), Step(directive.id, "next")),
            button(t(lang, "broadcast.cancel_button"), Step(directive.id, "cancel")),
        ]
    )
    return InlineKeyboardMarkup(rows)


@staff_only
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
                groups = await groups_with_counts(session)
    except (ItemsError, UnknownTargetsError):  # the items no longer fit the recipients
        await query.answer(t(who.lang, "broadcast.items_changed"), show_alert=True)
        return
    if refusal is not None or directive is None:
        await query.answer(t(who.lang, refusal or "broadcast.already_done"), show_alert=True)
        return
    await query.answer()
    if step.action == "send":  # committed: the dispatcher may look now
        deps.outbox_wake.set()
    if outcome == "keyboard":
        await query.edit_message_reply_markup(
            _recipients_keyboard(directive, groups, who.lang, deps.settings.group_name)
        )
    elif outcome == "preview":
        await query.edit_message_reply_markup(None)
        if not await _preview(query.message, directive, who, deps):
            # Items that reach none of these recipients: choose them again.
            keyboard = _recipients_keyboard(directive, groups, who.lang, deps.settings.group_name)
            await query.edit_message_reply_markup(keyboard)
    else:
        await query.edit_message_text(outcome)


def _refusal(directive: Directive | None, step: Step, who: Who) -> str | None:
    if directive is None or directive.created_by != who.user_id:
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
        await cancel_draft(session, directive, who.user_id)
        return t(who.lang, "broadcast.cancelled", number=directive.number)
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
    """Staff may answer the recipients question with agency codes or groups, typed.

    Any other reply (an officer answering a letter) is not for this handler: no refusal.
    """
    message = update.effective_message
    if message is None or message.reply_to_message is None or not who.is_staff:
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
            await message.reply_text(t(who.lang, "broadcast.unknown_targets", targets=unknown))
            return
    await _preview(message, directive, who, deps)


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


async def _item_check(
    message: Message, directive: Directive, who: Who, deps: Deps
) -> list[int] | None:
    """How many recipients each item reaches, or None (and staff told why) when an item
    names an unknown recipient or reaches none of those chosen."""
    try:
        async with deps.sessionmaker() as session:
            return await item_audience(session, directive)
    except UnknownTargetsError as error:
        unknown = ", ".join(error.targets)
        await message.chat.send_message(t(who.lang, "broadcast.unknown_targets", targets=unknown))
    except ItemsError as error:
        items = "; ".join(
            t(who.lang, "broadcast.item_named", number=number, to=", ".join(to))
            for number, to in error.nobody
        )
        await message.chat.send_message(t(who.lang, "broadcast.items_nobody", items=items))
    return None


async def _preview(message: Message, directive: Directive, who: Who, deps: Deps) -> bool:
    """Show the directive exactly as contacts will get it, then the Gửi / Hủy question;
    False when its items do not fit the recipients (nothing shown but why)."""
    async with deps.sessionmaker() as session:
        reach = await audience(session, directive.targets)
    per_item: list[int] = []
    if reach.agencies and directive.items:
        found = await _item_check(message, directive, who, deps)
        if found is None:
            return False
        per_item = found
    chat = message.chat
    parts = render_directive(directive_content(directive))
    keyboard = directive_keyboard(None, list(directive.links))
    for index, part in enumerate(parts):
        markup = keyboard if index == len(parts) - 1 else None
        if index == 0 and directive.attachment_file_id is not None:
            await chat.send_document(
                directive.attachment_file_id, caption=part, reply_markup=markup
            )
        else:
            await chat.send_message(part, reply_markup=markup)
    if reach.agencies == 0:
        await chat.send_message(t(who.lang, "broadcast.nobody"))
        return True
    text = t(
        who.lang,
        "broadcast.preview_summary",
        number=directive.number,
        targets=", ".join(
            t(who.lang, "broadcast.all_targets")
            if target == ALL
            else deps.settings.group_name(target)
            for target in directive.targets
        ),
        agencies=reach.agencies,
        contacts=reach.contacts,
    )
    if reach.unreachable:
        text += t(who.lang, "broadcast.unreachable_note", count=reach.unreachable)
    if per_item:
        counts = "; ".join(
            t(who.lang, "broadcast.item_count", number=number, count=count)
            for number, count in enumerate(per_item, start=1)
        )
        text += t(who.lang, "broadcast.item_counts", counts=counts)
    summary = await chat.send_message(text, reply_markup=_send_keyboard(directive, who.lang))
    async with deps.sessionmaker.begin() as session:
        await set_progress_message(session, directive.id, summary.chat_id, summary.message_id)
    return True


def _send_keyboard(directive: Directive, lang: str) -> InlineKeyboardMarkup:
    send, cancel = Step(directive.id, "send"), Step(directive.id, "cancel")
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "broadcast.send_button"), callback_data=callbacks.pack(send)
                ),
                InlineKeyboardButton(
                    t(lang, "broadcast.cancel_button"), callback_data=callbacks.pack(cancel)
                ),
            ]
        ]
    )


async def preview_button(update: Update, context: Context) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(t("vi", "broadcast.preview_press"), show_alert=True)


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("broadcast", broadcast_command),
    CallbackQueryHandler(broadcast_step, pattern=Step.pattern()),
    CallbackQueryHandler(preview_button, pattern=callbacks.PreviewButton.pattern()),
]
