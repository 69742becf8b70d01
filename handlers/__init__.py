"""Every Telegram handler, in the order the Application tries them."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler

from bot.deps import Context
from handlers import (
    ack,
    agencies,
    broadcast,
    close,
    completion,
    contacts,
    dashboard,
    extension,
    fallback,
    help,
    invite,
    lang,
    malformed,
    mark,
    membership,
    pending,
    recall,
    rejection,
    relay,
    remind,
    replies,
    screen,
    staff,
    start,
    status,
    summary,
    verify,
    worklist,
)


def all_handlers() -> list[BaseHandler[Update, Context, None]]:
    return [
        *start.HANDLERS,
        *help.HANDLERS,
        *lang.HANDLERS,
        *invite.HANDLERS,
        *agencies.HANDLERS,
        *contacts.HANDLERS,
        *staff.HANDLERS,
        *status.HANDLERS,
        *pending.HANDLERS,
        *summary.HANDLERS,
        *broadcast.HANDLERS,
        *relay.HANDLERS,
        *ack.HANDLERS,
        *completion.HANDLERS,
        *mark.HANDLERS,
        *remind.HANDLERS,
        *close.HANDLERS,
        *verify.HANDLERS,
        *dashboard.HANDLERS,
        *worklist.HANDLERS,
        *extension.HANDLERS,
        *rejection.HANDLERS,
        *recall.HANDLERS,
        *membership.HANDLERS,
        # Text replies: answers to the bot's questions by kind; else a broadcast's recipients.
        *replies.reply_handlers(
            {
                pending.MARK_REASON: mark.reason_replied,
                extension.EXTENSION_DATE: extension.date_replied,
                extension.EXTENSION_REASON: extension.reason_replied,
                rejection.REJECTION_REASON: rejection.reason_replied,
                rejection.RETARGET_CODE: rejection.code_replied,
                relay.DETAILS: relay.details_replied,
            },
            broadcast.recipients_reply,
        ),
        *fallback.HANDLERS,  # last: answers what nothing else did
    ]


def evidence_handlers() -> list[BaseHandler[Update, Context, None]]:
    """Handlers of group 1: they see every message, after group 0 has had its turn."""
    return list(completion.EVIDENCE_HANDLERS)


def screen_handlers() -> list[BaseHandler[Update, Context, None]]:
    """Handlers of group -2: they see every update first and may stop it there."""
    return list(screen.HANDLERS)


def audit_handlers() -> list[BaseHandler[Update, Context, None]]:
    """Handlers of group -1: they see what the screen let through, and never stop it."""
    return list(malformed.HANDLERS)
