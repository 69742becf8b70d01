"""Signing in to the staff dashboard and reading back what it did, shared by
test_dashboard.py (over HTTP) and test_dashboard_browser.py (in Chromium): `web_link` (the
one-time link the bot sends staff who type /web), `init_data` (a Mini App's signed init data),
`refusals` (the reasons of the refusals in the event log) and `status_of` (an agency's
delivery status). Both modules sign in and check the outcome the same way, so these live here
rather than in either test module."""

from __future__ import annotations

import json
import re
import time

from sqlalchemy import select

from bot.runner import RunningBot
from bot.sandbox import Sandbox, SimUser
from bot.web.dashboard.initdata import sign
from db.models import DeliveryStatus, Event
from tests.helpers import ADMIN_ID

LINK = re.compile(r"https?://\S+/web/login\?token=\S+")


async def web_link(sandbox: Sandbox, user: SimUser | None = None) -> str:
    """The one-time link the bot sends a staff member who types /web."""
    admin = user or sandbox.add_user("Admin", user_id=ADMIN_ID)
    sent = await admin.ask("/web", "/web/login")
    found = LINK.search(sent.shown_text)
    assert found is not None, sent.shown_text
    return found.group(0)


async def refusals(bot: RunningBot) -> list[str]:
    async with bot.sessionmaker() as session:
        rows = await session.scalars(select(Event.detail).where(Event.kind == "web.refused"))
        return [str(detail["reason"]) for detail in rows.all()]


async def status_of(bot: RunningBot, directive_id: int, code: str) -> DeliveryStatus:
    from db.queries.answers import delivery_for

    async with bot.sessionmaker() as session:
        delivery = await delivery_for(session, directive_id, code)
        assert delivery is not None
        return delivery.status


def init_data(token: str, user_id: int, *, age: float = 0, name: str = "Admin") -> str:
    user = {"id": user_id, "first_name": name, "language_code": "vi"}
    fields = {
        "auth_date": str(int(time.time() - age)),
        "query_id": "AAH",
        "user": json.dumps(user, separators=(",", ":")),
    }
    return sign(fields, token)
