"""What must happen once happens once, however many instances share the PostgreSQL database
and however they race: the sender's all-acknowledged notice, the staff digest, the first
officer to join becoming the primary contact."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot

from bot.answers.notices import Notices
from bot.config import NoticesSettings, settings_from_mapping
from bot.delivery.directive_input import DirectiveDraft
from bot.delivery.drafts import create_directive, queue_broadcast, set_targets
from bot.metrics import Metrics
from bot.onboarding.invites import create_invite
from bot.onboarding.joining import Joiner, redeem_invite
from bot.onboarding.roster import import_roster
from bot.reminders.rounds import Reminders
from bot.resilience import DatabaseStatus
from db.models import (
    Contact,
    ContactRole,
    Delivery,
    DeliveryStatus,
    DirectiveStatus,
    MessageKind,
    OutboundMessage,
)
from db.queries import notices as notice_queries
from db.queries import reminders as reminder_queries
from db.session import make_engine, make_sessionmaker
from tests.helpers import ADMIN_ID, EXAMPLE_ROSTER

pytestmark = pytest.mark.postgresql_only

# A Tuesday, 09:00 in Sóc Trăng: a working day, after the digest's 08:00.
NOW = datetime(2026, 9, 8, 2, 0, tzinfo=UTC)


def _both_past_the_check(
    monkeypatch: pytest.MonkeyPatch, module: object, name: str, timeout: float = 1.0
) -> None:
    """Make two racing transactions meet inside `module.name` (called after the "has it
    been done?" check, before the doing): both have checked before either commits. If the
    other cannot come (it waits on the first's once-mark), go on after `timeout`."""
    original = getattr(module, name)
    arrived: list[None] = []
    both = asyncio.Event()

    async def meet(*args: object, **kwargs: object) -> object:
        arrived.append(None)
        if len(arrived) >= 2:
            both.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(both.wait(), timeout)
        return await original(*args, **kwargs)

    monkeypatch.setattr(module, name, meet)


@pytest.fixture
async def instances(db_url: str) -> AsyncIterator[list[async_sessionmaker[AsyncSession]]]:
    """Two instances' views of one database: an engine (and pool) each."""
    engines = [make_engine(db_url), make_engine(db_url)]
    try:
        yield [make_sessionmaker(engine) for engine in engines]
    finally:
        for engine in engines:
            await engine.dispose()


async def _letter_all_acknowledged(sm: async_sessionmaker[AsyncSession]) -> int:
    await import_roster(sm, EXAMPLE_ROSTER)
    async with sm.begin() as session:
        directive = await create_directive(
            session,
            DirectiveDraft(subject="V/v thử", body="Nội dung", number="9/STTTT"),
            now=NOW,
            timezone=ZoneInfo("Asia/Ho_Chi_Minh"),
            created_by=ADMIN_ID,
            status=DirectiveStatus.DRAFT,
        )
        await set_targets(session, directive, ["so-y-te", "dai-ptth"])
        await queue_broadcast(session, directive, now=NOW, actor_id=ADMIN_ID)
        await session.execute(
            update(Delivery).values(status=DeliveryStatus.ACKNOWLEDGED, acknowledged_at=NOW)
        )
        return directive.id


async def _notices(sm: async_sessionmaker[AsyncSession]) -> int:
    async with sm() as session:
        count = await session.scalar(
            select(func.count(OutboundMessage.id)).where(OutboundMessage.kind == MessageKind.NOTICE)
        )
    return int(count or 0)


async def test_two_instances_tell_the_sender_once_that_all_acknowledged(
    instances: list[async_sessionmaker[AsyncSession]], monkeypatch: pytest.MonkeyPatch
) -> None:
    directive_id = await _letter_all_acknowledged(instances[0])
    _both_past_the_check(monkeypatch, notice_queries, "acknowledged_count")
    metrics = Metrics()
    notices = [
        Notices(
            Bot("1:not-used"),
            sm,
            NoticesSettings(),
            clock=lambda: NOW,
            wake=lambda: None,
            database=DatabaseStatus(metrics),
        )
        for sm in instances
    ]
    await asyncio.gather(*(n.notify_if_all_acknowledged(directive_id) for n in notices))
    await asyncio.gather(*(n.notify_if_all_acknowledged(directive_id) for n in notices))
    assert await _notices(instances[0]) == 1


async def test_two_instances_send_the_daily_digest_once(
    instances: list[async_sessionmaker[AsyncSession]],
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Both tick at 09:00 on a working day (an old leader still ticking, say): one digest."""
    await _letter_all_acknowledged(instances[0])
    async with instances[0].begin() as session:
        await session.execute(
            update(Delivery).values(status=DeliveryStatus.SENT, acknowledged_at=None)
        )
    settings = settings_from_mapping(
        {
            "database": {"url": db_url},
            "staff": {"admins": [ADMIN_ID]},
            "reminders": {"staff_digest_at": "08:00", "first_after": "30d", "every": "30d"},
        },
        "test",
    )
    reminders = [Reminders(settings, sm, clock=lambda: NOW, wake=lambda: None) for sm in instances]
    _both_past_the_check(monkeypatch, reminder_queries, "digest_lines")
    await asyncio.gather(*(r.tick() for r in reminders))
    await asyncio.gather(*(r.tick() for r in reminders))
    assert await _notices(instances[0]) == 1  # one staff member, one digest message


async def test_two_officers_joining_at_once_make_one_primary(
    instances: list[async_sessionmaker[AsyncSession]],
) -> None:
    await import_roster(instances[0], EXAMPLE_ROSTER)

    async def join(sm: async_sessionmaker[AsyncSession], user_id: int, token: str) -> None:
        async with sm.begin() as session:
            await redeem_invite(session, token, Joiner(user_id, f"Cán bộ {user_id}", None), NOW)

    for _ in range(3):  # a race: give it a few chances
        async with instances[0].begin() as session:
            await session.execute(delete(Contact))
        async with instances[0].begin() as session:
            invites = [
                await create_invite(session, agency_code="so-y-te", now=NOW) for _ in range(2)
            ]
        await asyncio.gather(
            join(instances[0], 501, invites[0].token), join(instances[1], 502, invites[1].token)
        )
        async with instances[0]() as session:
            roles = sorted((await session.scalars(select(Contact.role))).all())
        assert roles == [ContactRole.BACKUP, ContactRole.PRIMARY]
