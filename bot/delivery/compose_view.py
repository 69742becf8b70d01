"""What composing a letter looks like in Telegram: the recipients question and its buttons,
the preview, the Gửi / Hủy question.

Staff's /broadcast and a relay's Chuyển tiếp (`/relay`) are the same flow on a draft; only
the draft's scope differs (bot.delivery.drafts, db.queries.directives.Scope), so both
handlers show it with these functions.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.delivery.drafts import ItemsError, UnknownTargetsError, item_audience
from bot.delivery.render import directive_content, render_directive
from bot.deps import Deps
from bot.telegram import callbacks
from bot.telegram.keyboards import directive_keyboard
from bot.texts import t
from db.models import Agency, Directive
from db.queries.directives import (
    ALL,
    Scope,
    audience,
    get_directive,
    groups_with_counts,
    set_progress_message,
)

Step = callbacks.BroadcastStep


NOTE_SHOWN = 300  # characters of a relay's note in the question (the preview has it all)


def _shortened(text: str) -> str:
    return text if len(text) <= NOTE_SHOWN else text[: NOTE_SHOWN - 1] + "…"


def _button(text: str, data: callbacks.CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=callbacks.pack(data))


def recipients_keyboard(
    directive: Directive,
    groups: list[tuple[str, int]],
    everyone: int,
    lang: str,
    group_name: Callable[[str], str] = lambda slug: slug,
) -> InlineKeyboardMarkup:
    """«Tất cả» (`everyone` agencies), one toggle per group, Tiếp tục / Hủy; a department
    letter also has the relaying toggle, a relayed letter the ✍️ (number, note, deadline)."""
    relayed = directive.relayed_by_agency_id is not None
    all_key = "relay.all_button" if relayed else "broadcast.all_button"
    rows = [[_button(t(lang, all_key, count=everyone), Step(directive.id, "all"))]]
    for group, count in groups:
        mark = "✅" if group in directive.targets else "▫️"
        # A button label is not HTML: the group's name as a clerk reads it, unescaped.
        label = t(lang, "broadcast.group_button", mark=mark, group=group_name(group), count=count)
        rows.append([_button(html.unescape(label), Step(directive.id, "group", group))])
    if relayed:
        rows.append(
            [_button(t(lang, "relay.details_button"), callbacks.RelayDetails(directive.id))]
        )
    else:
        key = (
            "broadcast.relay_on_button" if directive.relay_allowed else "broadcast.relay_off_button"
        )
        rows.append([_button(t(lang, key), callbacks.RelayToggle(directive.id))])
    rows.append(
        [
            _button(t(lang, "broadcast.next_button"), Step(directive.id, "next")),
            _button(t(lang, "broadcast.cancel_button"), Step(directive.id, "cancel")),
        ]
    )
    return InlineKeyboardMarkup(rows)


async def recipients_question(
    directive: Directive, lang: str, deps: Deps
) -> tuple[str, InlineKeyboardMarkup]:
    """The question's text and buttons, as the draft stands now."""
    scope = Scope.of(directive)
    async with deps.sessionmaker() as session:
        groups = await groups_with_counts(session, scope)
        everyone = (await audience(session, [ALL], scope)).agencies
        if scope.relay is None:
            hint = (
                "broadcast.relay_hint_on" if directive.relay_allowed else "broadcast.relay_hint_off"
            )
            text = t(
                lang,
                "broadcast.choose_recipients",
                number=directive.number,
                subject=directive.subject,
            ) + t(lang, hint)
        else:
            relay = await session.get(Agency, scope.relay)
            parent = await get_directive(session, directive.parent_directive_id or 0)
            deadline = directive.deadline.strftime("%d/%m/%Y") if directive.deadline else "—"
            text = t(
                lang,
                "relay.choose_recipients",
                original=parent.number if parent else "",
                original_id=directive.parent_directive_id or 0,
                relay=relay.name if relay else "",
                number=directive.number,
                deadline=deadline,
                note=_shortened(directive.relay_note or "—"),
            )
    return text, recipients_keyboard(directive, groups, everyone, lang, deps.settings.group_name)


async def ask_recipients(
    bot: Bot, chat_id: int, directive: Directive, lang: str, deps: Deps
) -> Message:
    """Send the recipients question; its message then shows the sending progress."""
    text, markup = await recipients_question(directive, lang, deps)
    question = await bot.send_message(chat_id, text, reply_markup=markup)
    async with deps.sessionmaker.begin() as session:
        await set_progress_message(session, directive.id, question.chat_id, question.message_id)
    return question


def send_keyboard(directive: Directive, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button(t(lang, "broadcast.send_button"), Step(directive.id, "send")),
                _button(t(lang, "broadcast.cancel_button"), Step(directive.id, "cancel")),
            ]
        ]
    )


async def item_check(
    message: Message, directive: Directive, lang: str, deps: Deps
) -> list[int] | None:
    """How many recipients each item reaches, or None (and staff told why) when an item
    names an unknown recipient or reaches none of those chosen."""
    try:
        async with deps.sessionmaker() as session:
            return await item_audience(session, directive)
    except UnknownTargetsError as error:
        unknown = ", ".join(error.targets)
        await message.chat.send_message(t(lang, "broadcast.unknown_targets", targets=unknown))
    except ItemsError as error:
        items = "; ".join(
            t(lang, "broadcast.item_named", number=number, to=", ".join(to))
            for number, to in error.nobody
        )
        await message.chat.send_message(t(lang, "broadcast.items_nobody", items=items))
    return None


async def show_preview(message: Message, directive: Directive, lang: str, deps: Deps) -> bool:
    """Show the letter exactly as its recipients will get it, then the Gửi / Hủy question;
    False when its items do not fit the recipients (nothing shown but why)."""
    scope = Scope.of(directive)
    async with deps.sessionmaker() as session:
        reach = await audience(session, directive.targets, scope)
    per_item: list[int] = []
    if reach.agencies and directive.items:
        found = await item_check(message, directive, lang, deps)
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
        await chat.send_message(t(lang, "broadcast.nobody"))
        return True
    everyone = "relay.all_targets" if scope.relay is not None else "broadcast.all_targets"
    text = t(
        lang,
        "broadcast.preview_summary",
        number=directive.number,
        targets=", ".join(
            t(lang, everyone) if target == ALL else deps.settings.group_name(target)
            for target in directive.targets
        ),
        agencies=reach.agencies,
        contacts=reach.contacts,
    )
    if reach.unreachable:
        text += t(lang, "broadcast.unreachable_note", count=reach.unreachable)
    if per_item:
        counts = "; ".join(
            t(lang, "broadcast.item_count", number=number, count=count)
            for number, count in enumerate(per_item, start=1)
        )
        text += t(lang, "broadcast.item_counts", counts=counts)
    if scope.relay is None:
        text += t(lang, "broadcast.relay_on" if directive.relay_allowed else "broadcast.relay_off")
    summary = await chat.send_message(text, reply_markup=send_keyboard(directive, lang))
    async with deps.sessionmaker.begin() as session:
        await set_progress_message(session, directive.id, summary.chat_id, summary.message_id)
    return True
