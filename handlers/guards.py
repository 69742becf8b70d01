"""Who may call what: the one place that reads the sender and refuses non-staff."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import wraps
from typing import Any

from telegram import Update

from bot.deps import Context, get_deps
from bot.onboarding.identity import Who, who_is
from bot.texts import t
from db.models import StaffRole
from db.queries.events import record_event

WhoHandler = Callable[[Update, Context, Who], Coroutine[Any, Any, None]]
Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]


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


def _restricted(
    allowed: Callable[[Who], bool], refusal_key: str
) -> Callable[[WhoHandler], Handler]:
    def decorate(callback: WhoHandler) -> Handler:
        @with_who
        @wraps(callback)
        async def wrapper(update: Update, context: Context, who: Who) -> None:
            if allowed(who):
                await callback(update, context, who)
                return
            deps = get_deps(context)
            async with deps.sessionmaker.begin() as session:
                await record_event(
                    session,
                    "staff.refused",
                    actor_type="user",
                    actor_id=who.user_id,
                    command=(update.effective_message.text or "")[:64]
                    if update.effective_message
                    else None,
                )
            if update.effective_message:
                await update.effective_message.reply_text(t(who.lang, refusal_key))

        return wrapper

    return decorate


staff_only = _restricted(lambda who: who.is_staff, "staff.only")
admin_only = _restricted(lambda who: who.staff_role == StaffRole.ADMIN, "staff.admin_only")


def staff_only_press(callback: WhoHandler) -> Handler:
    """For buttons: a non-staff press is answered with the refusal (no spinning button),
    recorded, and changes nothing."""

    @with_who
    @wraps(callback)
    async def wrapper(update: Update, context: Context, who: Who) -> None:
        query = update.callback_query
        if who.is_staff:
            await callback(update, context, who)
            return
        async with get_deps(context).sessionmaker.begin() as session:
            await record_event(
                session,
                "staff.refused",
                actor_type="user",
                actor_id=who.user_id,
                callback=query.data if query else None,
            )
        if query is not None:
            await query.answer(t(who.lang, "staff.only"), show_alert=True)

    return wrapper
