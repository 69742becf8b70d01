"""An officer presses Đã nhận: record the agency's acknowledgement once, refuse strangers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.metrics import Metrics
from bot.resilience import database_unavailable
from bot.texts import language_from_telegram
from db.queries.answers import AckPress, PressContext, acknowledge, press_context, press_contexts
from db.queries.events import NewEvent, record_event, record_events
from db.queries.people import languages_of

log = logging.getLogger(__name__)

# Presses handled in one transaction at most: a burst of presses becomes a few transactions.
MAX_BATCH = 256
# A batch's transaction must end within this, or its presses are told to try again: Telegram
# refuses an answer to a press after 15 s, and a database that hangs must not eat them.
BATCH_TIMEOUT_SECONDS = 8.0


class AckResult(StrEnum):
    FIRST = "first"  # this press acknowledged for the agency
    ALREADY = "already"  # the agency had acknowledged: who and when
    REFUSED = "refused"  # not an active contact of that delivery's agency
    GONE = "gone"  # no such delivery, or the directive is no longer open
    RECALLED = "recalled"  # the directive was recalled (thu hồi) by the Department
    REJECTED = "rejected"  # the agency answered that the letter is not its business


@dataclass(frozen=True)
class AckOutcome:
    result: AckResult
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    directive_number: str | None = None
    directive_id: int | None = None


@dataclass(frozen=True)
class AckRequest:
    """A press of Đã nhận, as the handler saw it."""

    delivery_id: int
    user_id: int
    display_name: str  # the presser's name in Telegram, shown in the stamp
    language_code: str | None  # the presser's Telegram app language


@dataclass(frozen=True)
class AckAnswer:
    """What to tell the presser, and in which language."""

    lang: str
    outcome: AckOutcome


def _refusal(
    press: PressContext | None, delivery_id: int, user_id: int, action: str
) -> tuple[AckResult, NewEvent] | None:
    """Why this user may not answer this delivery (and the event that records it), or None.

    Only an active contact of the delivery's agency may, and only while the directive is
    open; every refusal goes to the event log. Whoever is not such a contact gets the same
    answer (REFUSED) whether the delivery exists, is closed or is someone else's: a stranger
    trying ids learns nothing. The log keeps the difference.
    """
    detail: dict[str, object] = {"delivery_id": delivery_id, "action": action}
    if press is None:
        return AckResult.REFUSED, NewEvent("callback.gone", "user", actor_id=user_id, detail=detail)
    if not press.contact_active or press.contact_agency_id != press.agency_id:
        event = NewEvent(
            "callback.refused",
            "user",
            actor_id=user_id,
            directive_id=press.directive_id,
            agency_id=press.agency_id,
            detail={**detail, "reason": "not an active contact of the agency"},
        )
        return AckResult.REFUSED, event
    if not press.directive_open:
        if press.directive_recalled:
            event = NewEvent(
                "callback.gone",
                "user",
                actor_id=user_id,
                directive_id=press.directive_id,
                detail={**detail, "recalled": True},
            )
            return AckResult.RECALLED, event
        event = NewEvent(
            "callback.gone",
            "user",
            actor_id=user_id,
            directive_id=press.directive_id,
            detail=detail,
        )
        return AckResult.GONE, event
    if press.rejected:
        event = NewEvent(
            "callback.refused",
            "user",
            actor_id=user_id,
            directive_id=press.directive_id,
            agency_id=press.agency_id,
            detail={**detail, "reason": "the agency sent the letter back"},
        )
        return AckResult.REJECTED, event
    return None


async def check_press(
    session: AsyncSession, delivery_id: int, user_id: int, action: str
) -> tuple[AckResult | None, PressContext | None]:
    """Whether this user may answer this delivery: (None, press) if so, else the refusal
    (recorded in the event log)."""
    press = await press_context(session, delivery_id, user_id)
    refusal = _refusal(press, delivery_id, user_id, action)
    if refusal is None:
        return None, press
    result, event = refusal
    await record_event(
        session,
        event.kind,
        actor_type=event.actor_type,
        actor_id=event.actor_id,
        directive_id=event.directive_id,
        agency_id=event.agency_id,
        **event.detail,
    )
    return result, press if result == AckResult.REFUSED else None


async def press_acknowledge(
    session: AsyncSession, requests: Sequence[AckRequest], now: datetime
) -> list[AckAnswer]:
    """Answer these presses, in order: any active contact of the agency may acknowledge for
    it, the first press counts; the others are told who did and when, or refused."""
    presses = [AckPress(r.delivery_id, r.user_id) for r in requests]
    chosen = await languages_of(session, {r.user_id for r in requests})
    acknowledged = await acknowledge(session, presses, now)
    outcomes: list[AckOutcome | None] = [None] * len(requests)
    events: list[NewEvent] = []
    counted: set[int] = set()
    for i, request in enumerate(requests):
        done = acknowledged.get(request.delivery_id)
        if done is None or done.telegram_user_id != request.user_id:
            continue
        if request.delivery_id in counted:  # the same user pressed twice at once
            continue
        counted.add(request.delivery_id)
        outcomes[i] = AckOutcome(
            AckResult.FIRST, request.display_name, now, None, done.directive_id
        )
        events.append(
            NewEvent(
                "delivery.acknowledged",
                "user",
                actor_id=request.user_id,
                directive_id=done.directive_id,
                agency_id=done.agency_id,
            )
        )
    others = [presses[i] for i, outcome in enumerate(outcomes) if outcome is None]
    contexts = await press_contexts(session, others) if others else {}
    for i, press in enumerate(presses):
        if outcomes[i] is not None:
            continue
        context = contexts[press]
        refusal = _refusal(context, press.delivery_id, press.telegram_user_id, "acknowledge")
        if refusal is not None or context is None:  # (no refusal means a context)
            if refusal is not None:
                outcomes[i] = AckOutcome(refusal[0])
                events.append(refusal[1])
            continue
        outcomes[i] = AckOutcome(
            AckResult.ALREADY,
            context.acknowledged_by,
            context.acknowledged_at,
            context.directive_number,
        )
    await record_events(session, events)
    return [
        AckAnswer(
            chosen.get(r.user_id) or language_from_telegram(r.language_code),
            outcome or AckOutcome(AckResult.GONE),
        )
        for r, outcome in zip(requests, outcomes, strict=True)
    ]


class AckBatcher:
    """Presses that arrive together are answered by one transaction (a group commit).

    While one transaction runs, the presses arriving meanwhile wait for the next one; a
    lone press runs at once. A burst of presses thus costs a few transactions instead of
    one each (on SQLite, with its one writer, most of the cost of a press). A batch that
    fails is retried one press per transaction, so one bad press fails only itself; a
    batch that fails because the database cannot be reached fails whole, at once (each
    press is then told to try again: nothing was recorded).
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Callable[[], datetime],
        max_batch: int = MAX_BATCH,
        *,
        metrics: Metrics | None = None,
        timeout: float = BATCH_TIMEOUT_SECONDS,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._clock = clock
        self._max_batch = max_batch
        self._metrics = metrics or Metrics()
        self._timeout = timeout
        self._queue: list[tuple[AckRequest, asyncio.Future[AckAnswer]]] = []
        self._worker: asyncio.Task[None] | None = None

    async def press(self, request: AckRequest) -> AckAnswer:
        future: asyncio.Future[AckAnswer] = asyncio.get_running_loop().create_future()
        self._queue.append((request, future))
        if self._worker is None:
            self._worker = asyncio.create_task(self._work(), name="ack-batcher")
        return await future

    async def _work(self) -> None:
        batch: list[tuple[AckRequest, asyncio.Future[AckAnswer]]] = []
        try:
            while self._queue:
                batch = self._queue[: self._max_batch]
                del self._queue[: self._max_batch]
                await self._answer(batch)
        except asyncio.CancelledError:  # the loop is shutting down: nobody waits for long
            for _, future in (*batch, *self._queue):
                future.cancel()
            self._queue.clear()
            raise
        finally:
            self._worker = None

    async def _answer(self, batch: list[tuple[AckRequest, asyncio.Future[AckAnswer]]]) -> None:
        try:
            async with asyncio.timeout(self._timeout), self._sessionmaker.begin() as session:
                answers = await press_acknowledge(session, [r for r, _ in batch], self._clock())
        except Exception as error:
            if len(batch) > 1 and not database_unavailable(error):
                log.warning("a batch of %d presses failed; retrying one by one", len(batch))
                for item in batch:
                    await self._answer([item])
                return
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            return
        self._metrics.acknowledgements.inc(
            sum(1 for answer in answers if answer.outcome.result == AckResult.FIRST)
        )
        for (_, future), answer in zip(batch, answers, strict=True):
            if not future.done():
                future.set_result(answer)
