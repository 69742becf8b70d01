"""Who may call what: the one place that reads the sender and refuses non-staff.

The same guard covers commands and button presses: a refused command is answered with a
message, a refused press with an alert (so the button never spins), and both are recorded
in the event log with what was tried. Commands and buttons about one letter use
`letter_managers`: staff, or a relay's contacts on the letters their agency relayed
(bot.relay.access holds the rule).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import wraps
from typing import Any

from telegram import Update

from bot.deps import Context, get_deps
from bot.onboarding.identity import Who, who_is
from bot.relay.access import may_manage
from bot.telegram import callbacks
from bot.telegram.arguments import directive_id_arg
from bot.texts import alert, t
from db.models import StaffRole
from db.queries.events import record_event

WhoHandler = Callable[[Update, Context, Who], Coroutine[Any, Any, None]]
Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]
MAX_LOGGED = 64


def with_who(callback: WhoHandler) -> Handler:
    """Look the sender up once and pass it to the handler."""

    @wraps(callback)
    async def wrapper(update: Update, context: Context) -> None:
        user = update.effective_user
        if user is None:
            return
        deps = get_deps(context)
        async with deps.sessionmaker() as session:
            who = await who_is(session, deps.settings, user)
        await callback(update, context, who)

    return wrapper


def _attempt(update: Update) -> dict[str, Any]:
    """What a refused user tried, for the log: the command, or the button's data."""
    if update.callback_query is not None:
        return {"callback": (update.callback_query.data or "")[:MAX_LOGGED]}
    message = update.effective_message
    return {"command": (message.text or "")[:MAX_LOGGED] if message else None}


async def refuse(update: Update, context: Context, who: Who, key: str) -> None:
    """Record the refusal and answer it where it was asked: an alert or a message."""
    async with get_deps(context).sessionmaker.begin() as session:
        await record_event(
            session, "staff.refused", actor_type="user", actor_id=who.user_id, **_attempt(update)
        )
    if update.callback_query is not None:
        await update.callback_query.answer(alert(who.lang, key), show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(t(who.lang, key))


def _restricted(
    allowed: Callable[[Who], bool], refusal_key: str
) -> Callable[[WhoHandler], Handler]:
    def decorate(callback: WhoHandler) -> Handler:
        @with_who
        @wraps(callback)
        async def wrapper(update: Update, context: Context, who: Who) -> None:
            if allowed(who):
                await callback(update, context, who)
            else:
                await refuse(update, context, who, refusal_key)

        return wrapper

    return decorate


staff_only = _restricted(lambda who: who.is_staff, "staff.only")
admin_only = _restricted(lambda who: who.staff_role == StaffRole.ADMIN, "staff.admin_only")


def named_letter(update: Update, context: Context) -> int | None:
    """The letter a command or a press is about: the directive of the button's data, or the
    command's first argument; None when there is none (or it is malformed)."""
    if update.callback_query is not None:
        data = callbacks.parse(update.callback_query.data)
        directive_id = getattr(data, "directive_id", None)
        return directive_id if isinstance(directive_id, int) else None
    args = context.args or []
    return directive_id_arg(args[:1]) if args else None


def letter_managers(callback: WhoHandler) -> Handler:
    """Staff, or a relay's contact on a letter its agency relayed; anyone else
    is refused and learns nothing about the letter, not even whether it exists."""

    @with_who
    @wraps(callback)
    async def wrapper(update: Update, context: Context, who: Who) -> None:
        if not who.is_staff:
            async with get_deps(context).sessionmaker() as session:
                allowed = await may_manage(session, who, named_letter(update, context))
                # A relay's contact is told what it may see; anyone else, as before.
                relay = not allowed and await may_manage(session, who, None)
            if not allowed:
                await refuse(update, context, who, "relay.not_yours" if relay else "staff.only")
                return
        await callback(update, context, who)

    return wrapper
