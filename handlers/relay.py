"""Chuyển tiếp and /relay ID: a relay's contact passes a letter on to the units under it.

Pressing Chuyển tiếp acknowledges the letter (the same path as Đã nhận) and opens the
compose flow of /broadcast on a draft limited to the relay's subtree (handlers/broadcast.py
takes the steps from there); ✍️ asks for the relay's number, note and deadline as a reply.
Every check is bot.relay.compose's: a refusal changes nothing and is recorded.
"""

from __future__ import annotations

import re
from typing import Any

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.answers.acknowledge import AckRequest, AckResult, check_press
from bot.delivery.compose_view import ask_recipients
from bot.delivery.directive_input import DirectiveInputError, RelayText, parse_relay_text
from bot.deps import Context, get_deps
from bot.onboarding.identity import Who, language_of
from bot.relay.access import may_compose, relay_contact_agency
from bot.relay.compose import (
    RelayError,
    check_deadline,
    record_refusal,
    relayable,
    set_details,
    start_relay,
)
from bot.telegram import callbacks
from bot.telegram.arguments import parse_id
from bot.telegram.guards import letter_managers, refuse, with_who
from bot.telegram.names import shown_name
from bot.telegram.stamp import stamp_acknowledged
from bot.telegram.timefmt import format_local
from bot.texts import alert, t
from db.models import DirectiveStatus
from db.queries.directives import get_directive
from db.queries.relay import RelaySource, source_by_delivery, source_of

# The kind of question whose answer (a reply) is a relay's number, note and deadline.
DETAILS = "relay_details"
# "/relay 12" then, on the same or the next lines, what parse_relay_text reads.
_ARGUMENTS = re.compile(r"^/\w+(?:@\w+)?[^\S\n]*(\S*)[^\S\n]*\n?(.*)$", re.S)


async def _acknowledge(
    update: Update, context: Context, source: RelaySource, lang: str
) -> tuple[AckResult, str | None]:
    """Relaying counts as Đã nhận: the same batched path and notices. Returns the result and,
    when this acknowledged the letter, the stamp to show under it."""
    user = update.effective_user
    deps = get_deps(context)
    if user is None:
        return AckResult.GONE, None
    answer = await deps.acks.press(
        AckRequest(source.delivery_id, user.id, shown_name(user), user.language_code)
    )
    outcome = answer.outcome
    if outcome.result != AckResult.FIRST:
        return outcome.result, None
    if outcome.directive_id is not None:
        deps.notices.check_all_acknowledged(outcome.directive_id)
    tz = str(deps.settings.reminders.timezone)
    when = format_local(outcome.acknowledged_at, tz) if outcome.acknowledged_at else ""
    return outcome.result, t(lang, "ack.stamp", name=outcome.acknowledged_by or "", at=when)


async def _open_draft(
    update: Update, context: Context, source: RelaySource, details: RelayText, lang: str
) -> None:
    """Create the relayed letter's draft and ask for its recipients."""
    user = update.effective_user
    if user is None:
        return
    deps = get_deps(context)
    async with deps.sessionmaker.begin() as session:
        source = await relayable(session, await source_by_delivery(session, source.delivery_id))
        draft = await start_relay(
            session,
            source,
            created_by=user.id,
            now=deps.clock(),
            timezone=deps.settings.reminders.timezone,
        )
        await set_details(session, draft, details)
    await ask_recipients(context.bot, user.id, draft, lang, deps)


async def relay_pressed(update: Update, context: Context) -> None:
    """Chuyển tiếp under a letter: acknowledge it, then compose the relayed letter."""
    query = update.callback_query
    if query is None:
        return
    data = callbacks.parse(query.data)
    deps = get_deps(context)
    user = query.from_user
    async with deps.sessionmaker.begin() as session:
        lang = await language_of(session, user.id, user.language_code)
        if not isinstance(data, callbacks.Relay):
            refusal: AckResult | None = AckResult.REFUSED  # malformed: as any refusal
        else:
            # Only an active contact of the delivery's agency, on an open letter (recorded).
            refusal, _ = await check_press(session, data.delivery_id, user.id, "relay")
    if refusal is not None or not isinstance(data, callbacks.Relay):
        await query.answer(alert(lang, f"relay.press_{refusal or 'gone'}"), show_alert=True)
        return
    try:
        async with deps.sessionmaker() as session:
            source = await relayable(session, await source_by_delivery(session, data.delivery_id))
    except RelayError as error:
        await record_refusal(deps.sessionmaker, user.id, data.delivery_id, error)
        await query.answer(alert(lang, error.key, **error.params), show_alert=True)
        return
    result, stamp = await _acknowledge(update, context, source, lang)
    if result not in (AckResult.FIRST, AckResult.ALREADY):
        await query.answer(alert(lang, f"relay.press_{result}"), show_alert=True)
        return
    await query.answer(alert(lang, "relay.started"))  # the spinner stops first
    if stamp is not None:
        await stamp_acknowledged(query, stamp)
    try:
        await _open_draft(update, context, source, RelayText(), lang)
    except RelayError as error:  # relayed meanwhile by another contact, say
        await context.bot.send_message(user.id, t(lang, error.key, **error.params))


@with_who
async def relay_command(update: Update, context: Context, who: Who) -> None:
    """/relay ID [Số: …, Hạn: …, note]: the same flow as the Chuyển tiếp button."""
    message = update.effective_message
    if message is None:
        return
    agency_id = relay_contact_agency(who)
    if agency_id is None:
        if who.is_staff:
            await message.reply_text(t(who.lang, "relay.staff_hint"))
        else:
            await refuse(update, context, who, "relay.contacts_only")
        return
    match = _ARGUMENTS.match(message.text or "")
    directive_id = parse_id(match.group(1)) if match else None
    if match is None or directive_id is None:
        await message.reply_text(t(who.lang, "relay.usage"))
        return
    try:
        details = parse_relay_text(match.group(2))
    except DirectiveInputError as error:
        await message.reply_text(t(who.lang, f"relay.{error.reason}"))
        return
    deps = get_deps(context)
    try:
        async with deps.sessionmaker() as session:
            source = await relayable(session, await source_of(session, directive_id, agency_id))
        check_deadline(details.deadline, source.deadline)
    except RelayError as error:
        await message.reply_text(t(who.lang, error.key, **error.params))
        return
    result, _ = await _acknowledge(update, context, source, who.lang)
    if result not in (AckResult.FIRST, AckResult.ALREADY):
        await message.reply_text(t(who.lang, f"relay.press_{result}"))
        return
    try:
        await _open_draft(update, context, source, details, who.lang)
    except RelayError as error:
        await message.reply_text(t(who.lang, error.key, **error.params))


@letter_managers
async def details_pressed(update: Update, context: Context, who: Who) -> None:
    """✍️ on a relayed letter's recipients question: ask for number, note and deadline."""
    query = update.callback_query
    if query is None:
        return
    data = callbacks.parse(query.data)
    if not isinstance(data, callbacks.RelayDetails) or not isinstance(query.message, Message):
        await query.answer(alert(who.lang, "callback.unknown"))
        return
    deps = get_deps(context)
    async with deps.sessionmaker() as session:
        draft = await get_directive(session, data.directive_id)
        parent = await get_directive(session, draft.parent_directive_id or 0) if draft else None
    if draft is None or not may_compose(who, draft):
        await query.answer(alert(who.lang, "broadcast.not_yours"), show_alert=True)
        return
    if draft.status != DirectiveStatus.DRAFT:
        await query.answer(alert(who.lang, "broadcast.already_done"), show_alert=True)
        return
    await query.answer(alert(who.lang, "pending.reply_below"))
    original = parent.deadline if parent is not None else None
    await deps.prompts.ask(
        user_id=who.user_id,
        chat_id=query.message.chat_id,
        text=t(
            who.lang,
            "relay.ask_details",
            number=draft.number,
            deadline=original.strftime("%d/%m/%Y") if original else "—",
        ),
        kind=DETAILS,
        payload={"directive_id": draft.id},
    )


async def details_replied(
    update: Update, context: Context, who: Who, asked: dict[str, Any]
) -> bool:
    """The reply to ✍️: set the draft's number, note and deadline, then ask for the
    recipients again; False (the question stays open) when it was refused."""
    message = update.effective_message
    if message is None:
        return False
    try:
        details = parse_relay_text(message.text or "")
    except DirectiveInputError as error:
        await message.reply_text(t(who.lang, f"relay.{error.reason}"))
        return False
    deps = get_deps(context)
    try:
        async with deps.sessionmaker.begin() as session:
            draft = await get_directive(session, int(asked["directive_id"]))
            allowed = draft is not None and may_compose(who, draft)
            if draft is not None and allowed and draft.status == DirectiveStatus.DRAFT:
                await set_details(session, draft, details)
    except RelayError as error:
        await message.reply_text(t(who.lang, error.key, **error.params))
        return False
    if draft is None or not allowed:
        await refuse(update, context, who, "broadcast.not_yours")
        return True
    if draft.status != DirectiveStatus.DRAFT:
        await message.reply_text(t(who.lang, "broadcast.already_done"))
        return True
    await ask_recipients(context.bot, message.chat_id, draft, who.lang, deps)
    return True


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("relay", relay_command),
    CallbackQueryHandler(relay_pressed, pattern=callbacks.Relay.pattern()),
    CallbackQueryHandler(details_pressed, pattern=callbacks.RelayDetails.pattern()),
]
