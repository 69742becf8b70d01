"""Claims are leases: who holds a message row and until when is in the row; only an
expired lease is taken back, and only the claim's holder may write the outcome."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.onboarding.roster import import_roster
from db.models import MessageKind, MessageStatus, OutboundMessage
from db.queries import outbox
from db.queries.reminders import enqueue_messages
from tests.helpers import EXAMPLE_ROSTER

T0 = datetime(2026, 9, 7, 2, 0, tzinfo=UTC)
LEASE = timedelta(seconds=10)
OLD, NEW = "old-leader:1:aaaaaa", "new-leader:2:bbbbbb"


async def _queue(sm: async_sessionmaker[AsyncSession], count: int = 3) -> None:
    await import_roster(sm, EXAMPLE_ROSTER)
    async with sm.begin() as session:
        await enqueue_messages(
            session,
            [(None, None, 1000 + n, {"text": f"notice {n}"}) for n in range(count)],
            T0,
            kind=MessageKind.NOTICE,
        )


async def _rows(sm: async_sessionmaker[AsyncSession]) -> list[tuple[str, str | None]]:
    async with sm() as session:
        rows = await session.execute(
            select(OutboundMessage.status, OutboundMessage.claimed_by).order_by(OutboundMessage.id)
        )
    return [(str(status), owner) for status, owner in rows.all()]


async def _claim(
    sm: async_sessionmaker[AsyncSession], owner: str, now: datetime, limit: int = 10
) -> list[outbox.Claimed]:
    async with sm.begin() as session:
        return await outbox.claim_due(session, now, limit, owner=owner, lease=LEASE)


async def test_a_claim_records_its_instance_and_lease(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _queue(sessionmaker)
    claimed = await _claim(sessionmaker, OLD, T0)
    assert len(claimed) == 3
    async with sessionmaker() as session:
        leases = (await session.scalars(select(OutboundMessage.lease_until))).all()
    assert set(leases) == {T0 + LEASE}
    assert await _rows(sessionmaker) == [("sending", OLD)] * 3
    async with sessionmaker.begin() as session:
        kept = await outbox.renew_leases(session, OLD, [m.id for m in claimed], T0 + 2 * LEASE)
        assert kept == {m.id for m in claimed}
        assert await outbox.renew_leases(session, NEW, [m.id for m in claimed], T0) == set()


async def test_a_new_leader_takes_back_only_expired_leases(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """The old leader, cut off but alive, is still sending: its rows stay its own until
    its lease runs out; then they are queued again (and the old leader's renewal fails)."""
    await _queue(sessionmaker)
    claimed = await _claim(sessionmaker, OLD, T0)
    async with sessionmaker.begin() as session:
        early = await outbox.recover_expired(session, T0 + LEASE / 2, owner=NEW, held=[])
    assert early == 0
    assert await _rows(sessionmaker) == [("sending", OLD)] * 3
    async with sessionmaker.begin() as session:
        late = await outbox.recover_expired(session, T0 + 2 * LEASE, owner=NEW, held=[])
    assert late == 3
    assert await _rows(sessionmaker) == [("queued", None)] * 3
    async with sessionmaker.begin() as session:
        assert await outbox.renew_leases(session, OLD, [m.id for m in claimed], T0) == set()


async def test_an_instance_never_takes_back_what_it_holds(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """After a long outage its own leases have run out, but its workers still hold the rows
    (one was sent and waits to be recorded): they are not queued again behind its back."""
    await _queue(sessionmaker)
    claimed = await _claim(sessionmaker, OLD, T0)
    held = [claimed[0].id, claimed[1].id]
    async with sessionmaker.begin() as session:
        count = await outbox.recover_expired(session, T0 + 2 * LEASE, owner=OLD, held=held)
    assert count == 1
    assert await _rows(sessionmaker) == [("sending", OLD), ("sending", OLD), ("queued", None)]


async def test_a_late_retry_of_an_old_leader_cannot_undo_a_newer_send(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _queue(sessionmaker, count=1)
    [old_claim] = await _claim(sessionmaker, OLD, T0)
    async with sessionmaker.begin() as session:
        await outbox.recover_expired(session, T0 + 2 * LEASE, owner=NEW, held=[])
    [new_claim] = await _claim(sessionmaker, NEW, T0 + 2 * LEASE)
    async with sessionmaker.begin() as session:
        assert await outbox.mark_sent(session, new_claim, ["77"], T0 + 2 * LEASE, owner=NEW)
    async with sessionmaker.begin() as session:
        retried = await outbox.mark_retry(
            session, old_claim, owner=OLD, error="timed out", at=T0, message_ids=[]
        )
        failed = await outbox.mark_failed(
            session, old_claim, owner=OLD, error="gave up", message_ids=[]
        )
        sent_again = await outbox.mark_sent(session, old_claim, ["66"], T0, owner=OLD)
    assert (retried, failed, sent_again) == (False, False, False)
    async with sessionmaker() as session:
        row = await session.scalar(select(OutboundMessage))
    assert row is not None
    assert (row.status, row.telegram_message_ids, row.claimed_by) == (
        MessageStatus.SENT,
        ["77"],
        None,
    )


@contextmanager
def _sent_by_someone_else_before_the_update(engine: AsyncEngine) -> Iterator[None]:
    """Between the claim's SELECT and its UPDATE, the first row becomes `sent` (what another
    sender's commit does on a database without row locks)."""

    def meddle(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE OUTBOUND_MESSAGES SET STATUS"):
            cursor.execute(
                "UPDATE outbound_messages SET status = 'sent' "
                "WHERE id = (SELECT min(id) FROM outbound_messages)"
            )

    sync = engine.sync_engine
    event.listen(sync, "before_cursor_execute", meddle)
    try:
        yield
    finally:
        event.remove(sync, "before_cursor_execute", meddle)


async def test_the_claim_update_checks_queued_again(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await _queue(sessionmaker, count=2)
    with _sent_by_someone_else_before_the_update(engine):
        claimed = await _claim(sessionmaker, NEW, T0)
    assert len(claimed) == 1
    assert await _rows(sessionmaker) == [("sent", None), ("sending", NEW)]


async def test_a_graceful_stop_gives_back_what_it_never_started(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _queue(sessionmaker, count=2)
    claimed = await _claim(sessionmaker, OLD, T0)
    async with sessionmaker.begin() as session:
        assert await outbox.release_claims(session, NEW, [m.id for m in claimed]) == 0
        assert await outbox.release_claims(session, OLD, [claimed[1].id]) == 1
    assert await _rows(sessionmaker) == [("sending", OLD), ("queued", None)]
    async with sessionmaker() as session:
        leases = (await session.execute(text("SELECT lease_until FROM outbound_messages"))).all()
    assert leases[1][0] is None
