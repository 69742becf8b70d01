"""The reminder clock: each tick queues the rounds that are due.

PTB's JobQueue (APScheduler) calls `tick` every second on the instance that leads; the
schedule itself lives on the deliveries. A round is queued in the send queue in the same
transaction that moves the agency's schedule on, so a crash either does both or neither,
and the dispatcher sends reminders like everything else (rate limits, retries, blocks).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.metrics import Metrics
from bot.onboarding.identity import staff_ids
from bot.reminders.cadence import Cadence, cadence_for, completion_due, requires_report
from bot.reminders.calendar import WorkingClock
from bot.reminders.wording import digest_messages, reminder_text
from bot.texts import DEFAULT_LANGUAGE, t
from db.models import ContactRole, DeliveryStatus, Directive, MessageKind, ReminderPhase
from db.queries import reminders as queries
from db.queries.directives import cancel_queued_reminders
from db.queries.events import NewEvent, record_event, record_events
from db.queries.once import take_once
from db.queries.people import languages_of

log = logging.getLogger(__name__)

BATCH = 500
TICK_SECONDS = 1.0
DIGEST_EVENT = "staff.digest"
UNREACHABLE_EVENT = "reminder.unreachable"
POISON_LOG = "reminders: delivery %d cannot be scheduled; it gets no more reminders"
# One reminder message: (delivery_id, contact_id, chat_id, payload) for the send queue.
Outgoing = tuple[int | None, int | None, int, dict[str, Any]]


def is_escalated(round_number: int, cadence: Cadence) -> bool:
    """Rounds after `escalate_after` also go to the agency's backup and head contacts."""
    return round_number > cadence.escalate_after


def pick_recipients(
    contacts: Sequence[queries.Recipient], escalated: bool
) -> list[queries.Recipient]:
    """The primary contacts; everyone once escalated, or when no primary is left active."""
    if escalated:
        return list(contacts)
    primaries = [c for c in contacts if c.role == ContactRole.PRIMARY]
    return primaries or list(contacts)


@dataclass
class ManualRound:
    """What `/remind ID` did, for the reply to staff."""

    number: str
    agencies: int = 0
    messages: int = 0
    unreachable: list[str] = field(default_factory=list)


class Reminders:
    def __init__(
        self,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        clock: Callable[[], datetime],
        wake: Callable[[], None],
        leads: Callable[[], bool] = lambda: True,
        metrics: Metrics | None = None,
    ) -> None:
        self._settings = settings
        self._sessionmaker = sessionmaker
        self._clock = clock
        self._wake = wake
        self.leads = leads
        """Whether this instance leads (PostgreSQL: only one instance runs the clock)."""
        self._metrics = metrics or Metrics()
        self.work = WorkingClock.from_settings(settings.reminders)
        self.work.warm(clock())
        self._ticking = asyncio.Lock()  # one tick at a time in this process

    def cadence(self, directive: Directive) -> Cadence:
        return cadence_for(directive, self._settings.reminders)

    def report_due(self, directive: Directive, deadline: date, now: datetime) -> datetime | None:
        """When an acknowledged agency whose deadline became `deadline` (an extension) is
        next chased for its report; None when the letter's cadence has no rounds."""
        cadence = self.cadence(directive)
        if cadence.max_count <= 0:
            return None
        return completion_due(self.work, deadline, cadence, now, first=True)

    def first_reminder_after(self, directive: Directive) -> timedelta | None:
        """How long (in working time) after an agency first receives the letter its first
        round falls due; None when the letter has no rounds."""
        cadence = self.cadence(directive)
        return cadence.first_after if cadence.max_count > 0 else None

    def due_after(self, moment: datetime, duration: timedelta) -> datetime:
        """`duration` of working time after `moment` (see WorkingClock.after)."""
        return self.work.after(moment, duration)

    async def tick(self) -> None:
        """Move answered agencies to their next phase, queue due rounds, and the digest."""
        if not self.leads():
            return
        async with self._ticking:
            await self._tick(self._clock())

    async def _tick(self, now: datetime) -> None:
        await self._move_phases(now)
        queued = 0
        if self.work.is_working(now):
            while (count := await self._queue_due(now)) == BATCH:
                queued += count
            queued += count
            while (count := await self._queue_relay_reminders(now)) == BATCH:
                queued += count
            queued += count
        queued += await self._digest_if_due(now)
        if queued:
            log.info("queued reminders for %d agencies or staff", queued)
            self._wake()

    # phases ----------------------------------------------------------------------------------

    async def _move_phases(self, now: datetime) -> None:
        """Acknowledged: stop the acknowledgement reminders, start the report ones if asked."""
        remind_after = self._settings.relay.remind_after
        async with self._sessionmaker.begin() as session:
            found = await queries.phase_changes(session, BATCH)
            directives = await queries.directives(session, {c.directive_id for c in found})
            changes = [self._next_phase_or_park(c, directives[c.directive_id], now) for c in found]
            # One executemany: a batch of presses must not wait behind row-by-row updates.
            await queries.apply_schedules(session, changes)
            # A relay that acknowledged is reminded to relay `[relay] remind_after` later
            # (working time), beside its report reminders.
            relays = [
                (c.delivery_id, self.work.after_working(c.acknowledged_at or now, remind_after))
                for c in found
                if c.relay_pending
                and c.phase == ReminderPhase.ACK
                and self.cadence(directives[c.directive_id]).max_count > 0
            ]
            await queries.set_relay_reminders(session, relays)

    def _next_phase_or_park(
        self, change: queries.PhaseChange, directive: Directive, now: datetime
    ) -> queries.ScheduleChange:
        """The next phase; a row the clock cannot compute (a deadline in year 9999 written
        before dates were bounded) is logged and parked, never stops the others."""
        try:
            return self._next_phase(change, directive, now)
        except Exception:
            log.exception(POISON_LOG, change.delivery_id)
            return queries.ScheduleChange(
                change.delivery_id, None, None, change.scheduled_reminders, 0
            )

    def _next_phase(
        self, change: queries.PhaseChange, directive: Directive, now: datetime
    ) -> queries.ScheduleChange:
        """Where an answered agency's schedule goes: an acknowledged agency of a letter that
        wants a report is chased to report; anyone else, no further."""
        cadence = self.cadence(directive)
        # The agency's own deadline (an extension) when it has one, else the letter's.
        deadline = change.own_deadline or directive.deadline
        if (
            change.status == DeliveryStatus.ACKNOWLEDGED
            and requires_report(directive, change.items_mask, change.own_deadline)
            and cadence.max_count > 0
        ):
            since = change.acknowledged_at or now
            due = completion_due(self.work, deadline, cadence, since, first=True)
            return queries.ScheduleChange(change.delivery_id, ReminderPhase.COMPLETION, due, 0, 0)
        # answered for good: nothing more to chase
        return queries.ScheduleChange(change.delivery_id, None, None, change.scheduled_reminders, 0)

    # scheduled rounds ------------------------------------------------------------------------

    async def _queue_due(self, now: datetime) -> int:
        async with self._sessionmaker.begin() as session:
            targets = await queries.due_rounds(session, now, BATCH)
            if not targets:
                return 0
            directives = await queries.directives(session, {x.directive_id for x in targets})
            contacts = await queries.active_contacts(session, [x.agency_id for x in targets])
            languages = await languages_of(
                session, [c.user_id for found in contacts.values() for c in found]
            )
            changes: list[queries.ScheduleChange] = []
            events: list[NewEvent] = []
            outgoing: list[Outgoing] = []
            unreachable: list[queries.RoundTarget] = []
            for target in targets:
                directive = directives[target.directive_id]
                # One agency's round, kept only if all of it could be computed.
                change: list[queries.ScheduleChange] = []
                event: list[NewEvent] = []
                try:
                    recipients = self._round(
                        target, directive, contacts.get(target.agency_id, []), now, change, event
                    )
                    messages = (
                        []
                        if recipients is None
                        else self._messages(
                            target, directive, recipients, languages, now, change[-1].scheduled
                        )
                    )
                except Exception:
                    log.exception(POISON_LOG, target.delivery_id)
                    changes.append(
                        queries.ScheduleChange(
                            target.delivery_id, target.phase, None, target.scheduled_reminders, 0
                        )
                    )
                    continue
                changes += change
                events += event
                outgoing += messages
                if recipients is None:
                    unreachable.append(target)
            await queries.apply_schedules(session, changes)
            await record_events(session, events)
            await queries.enqueue_messages(session, outgoing, now)
            for target in unreachable:
                await self._unreachable(session, target, directives[target.directive_id], now)
        rounds = sum(1 for event in events if event.kind == "reminder.queued")
        self._metrics.reminder_rounds.labels(kind="scheduled").inc(rounds)
        return len(targets)

    async def _queue_relay_reminders(self, now: datetime) -> int:
        """The one reminder to relay of each relay whose time has come: to its primary
        contacts, with the letter's buttons (Chuyển tiếp among them); counted in the
        agency's reminders."""
        async with self._sessionmaker.begin() as session:
            targets = await queries.due_relay_reminders(session, now, BATCH)
            if not targets:
                return 0
            directives = await queries.directives(session, {x.directive_id for x in targets})
            contacts = await queries.active_contacts(session, [x.agency_id for x in targets])
            languages = await languages_of(
                session, [c.user_id for found in contacts.values() for c in found]
            )
            outgoing: list[Outgoing] = []
            events: list[NewEvent] = []
            sent: list[tuple[int, datetime | None]] = []
            nobody: list[tuple[int, datetime | None]] = []  # no contact left: nothing to send
            for target in targets:
                directive = directives[target.directive_id]
                recipients = pick_recipients(contacts.get(target.agency_id, []), escalated=False)
                if not recipients:
                    nobody.append((target.delivery_id, None))
                    continue
                sent.append((target.delivery_id, None))
                outgoing += self._messages(target, directive, recipients, languages, now, 1, False)
                detail = {"phase": ReminderPhase.RELAY, "contacts": len(recipients)}
                events.append(
                    NewEvent("reminder.queued", "bot", None, directive.id, target.agency_id, detail)
                )
            await queries.set_relay_reminders(session, sent, sent=True)
            await queries.set_relay_reminders(session, nobody)
            await record_events(session, events)
            await queries.enqueue_messages(session, outgoing, now)
        return len(targets)

    def _round(
        self,
        target: queries.RoundTarget,
        directive: Directive,
        contacts: list[queries.Recipient],
        now: datetime,
        changes: list[queries.ScheduleChange],
        events: list[NewEvent],
    ) -> list[queries.Recipient] | None:
        """Decide one agency's round: its new schedule (added to `changes`, with its event)
        and who gets it; None when nobody can receive it, [] when it has had all its rounds."""
        cadence = self.cadence(directive)
        round_number = target.scheduled_reminders + 1
        recipients = pick_recipients(contacts, is_escalated(round_number, cadence))
        if round_number > cadence.max_count or not recipients:  # max_count lowered, or nobody
            change = queries.ScheduleChange(
                target.delivery_id, target.phase, None, target.scheduled_reminders, 0
            )
            changes.append(change)
            return None if not recipients and round_number <= cadence.max_count else []
        if round_number >= cadence.max_count:
            next_at = None
        elif target.phase == ReminderPhase.ACK:
            next_at = self.work.after(now, cadence.every)
        else:
            deadline = target.own_deadline or directive.deadline
            next_at = completion_due(self.work, deadline, cadence, now, first=False)
        changes.append(
            queries.ScheduleChange(target.delivery_id, target.phase, next_at, round_number, 1)
        )
        detail = {
            "round": round_number,
            "phase": target.phase,
            "escalated": is_escalated(round_number, cadence),
            "contacts": len(recipients),
        }
        events.append(
            NewEvent("reminder.queued", "bot", None, directive.id, target.agency_id, detail)
        )
        return recipients

    def _messages(
        self,
        target: queries.RoundTarget,
        directive: Directive,
        recipients: Sequence[queries.Recipient],
        languages: dict[int, str],
        now: datetime,
        round_number: int | None,
        escalated: bool | None = None,
    ) -> list[Outgoing]:
        """The round's message to each recipient, in their language (None: a /remind)."""
        today = self.work.local_date(now)
        if escalated is None:
            escalated = round_number is not None and is_escalated(
                round_number, self.cadence(directive)
            )
        outgoing: list[Outgoing] = []
        for recipient in recipients:
            lang = languages.get(recipient.user_id, DEFAULT_LANGUAGE)
            text = reminder_text(
                lang,
                phase=target.phase or ReminderPhase.ACK,
                round_number=round_number,
                escalated=escalated,
                number=directive.number,
                subject=directive.subject,
                agency=target.agency_name,
                sent_ago=now - (target.sent_at or now),
                deadline=target.own_deadline or directive.deadline,
                today=today,
            )
            payload = {
                "text": text,
                "links": list(directive.links),
                "phase": target.phase or ReminderPhase.ACK,
                "lang": lang,
                # A scheduled round stops when the letter's reminders are paused; /remind not.
                "scheduled": round_number is not None,
            }
            outgoing.append((target.delivery_id, recipient.contact_id, recipient.chat_id, payload))
        return outgoing

    async def _unreachable(
        self,
        session: AsyncSession,
        target: queries.RoundTarget,
        directive: Directive,
        now: datetime,
    ) -> None:
        """Nobody left to remind: tell the sender once, instead of skipping silently.

        Once across instances too: the telling takes a once-mark in this transaction (an
        event from before the marks existed counts as told).
        """
        told = await queries.event_exists(
            session, UNREACHABLE_EVENT, directive_id=directive.id, agency_id=target.agency_id
        ) or not await take_once(session, f"unreachable:{directive.id}:{target.agency_id}", now)
        await record_event(
            session,
            UNREACHABLE_EVENT,
            actor_type="bot",
            directive_id=directive.id,
            agency_id=target.agency_id,
            phase=target.phase,
        )
        if told or directive.created_by is None:
            return
        sender = directive.created_by
        text = t(
            (await languages_of(session, [sender])).get(sender, DEFAULT_LANGUAGE),
            "notice.unreachable",
            agency=target.agency_name,
            number=directive.number,
        )
        await queries.enqueue_messages(
            session,
            [(None, None, directive.created_by, {"text": text})],
            now,
            kind=MessageKind.NOTICE,
        )

    # /remind ---------------------------------------------------------------------------------

    async def remind_now(
        self, directive_id: int, staff_id: int, *, actor_type: str = "staff"
    ) -> ManualRound | None:
        """A round now for every agency that has not acknowledged; None if no such open letter.

        It counts in `reminders_sent` (the report) but not against `max_count`, and goes
        to the same contacts the agency's next scheduled round would reach.
        """
        now = self._clock()
        async with self._sessionmaker.begin() as session:
            directive = (await queries.directives(session, [directive_id])).get(directive_id)
            if directive is None or directive.status not in queries.OPEN_DIRECTIVE:
                return None
            cadence = self.cadence(directive)
            targets = await queries.unacknowledged(session, directive_id)
            contacts = await queries.active_contacts(session, [x.agency_id for x in targets])
            languages = await languages_of(
                session, [c.user_id for found in contacts.values() for c in found]
            )
            result = ManualRound(directive.number)
            outgoing: list[Outgoing] = []
            reminded: list[int] = []
            for target in targets:
                escalated = is_escalated(target.scheduled_reminders + 1, cadence)
                recipients = pick_recipients(contacts.get(target.agency_id, []), escalated)
                if not recipients:
                    result.unreachable.append(target.agency_name)
                    continue
                outgoing += self._messages(
                    target, directive, recipients, languages, now, None, escalated
                )
                reminded.append(target.delivery_id)
            await queries.count_manual_round(session, reminded)
            result.agencies = len(reminded)
            await queries.enqueue_messages(session, outgoing, now)
            await record_event(
                session,
                "reminder.manual",
                actor_type=actor_type,
                actor_id=staff_id,
                directive_id=directive_id,
                agencies=result.agencies,
                messages=len(outgoing),
                unreachable=len(result.unreachable),
            )
            result.messages = len(outgoing)
        self._metrics.reminder_rounds.labels(kind="manual").inc(len(reminded))
        if outgoing:
            self._wake()
        return result

    async def set_paused(
        self, directive_id: int, paused: bool, staff_id: int, *, actor_type: str = "staff"
    ) -> str | None:
        """Pause or resume a letter's reminders; its number, or None if no such open letter."""
        async with self._sessionmaker.begin() as session:
            directive = (await queries.directives(session, [directive_id])).get(directive_id)
            if directive is None or not await queries.set_paused(session, directive_id, paused):
                return None
            if paused:  # a round already queued stops too, not only the next ones
                await cancel_queued_reminders(session, directive_id, "reminders paused")
            await record_event(
                session,
                "reminders.paused" if paused else "reminders.resumed",
                actor_type=actor_type,
                actor_id=staff_id,
                directive_id=directive_id,
            )
            return directive.number

    # the staff digest ------------------------------------------------------------------------

    async def _digest_if_due(self, now: datetime) -> int:
        """Once per working day, at `staff_digest_at`: who is overdue, who never answered."""
        settings = self._settings.reminders
        local = now.astimezone(settings.timezone)
        today = local.date()
        digest_at = settings.staff_digest_at
        if digest_at is None or not self.work.is_working_day(today) or local.time() < digest_at:
            return 0
        midnight = datetime.combine(today, time(0), settings.timezone)
        async with self._sessionmaker.begin() as session:
            # Once a day across instances: the once-mark is taken in this transaction, so a
            # second instance (or an old leader still ticking) finds it taken.
            if await queries.event_exists(
                session, DIGEST_EVENT, since=midnight
            ) or not await take_once(session, f"digest:{today.isoformat()}", now):
                return 0
            lines = await queries.digest_lines(session)
            staff = list(await staff_ids(session, self._settings))
            languages = await languages_of(session, staff)
            outgoing: list[Outgoing] = []
            for user_id in staff:
                lang = languages.get(user_id, DEFAULT_LANGUAGE)
                for text in digest_messages(lines, today, lang, self._settings.group_name):
                    outgoing.append((None, None, user_id, {"text": text}))
            await queries.enqueue_messages(session, outgoing, now, kind=MessageKind.NOTICE)
            await record_event(
                session,
                DIGEST_EVENT,
                actor_type="bot",
                date=today.isoformat(),
                messages=len(outgoing),
            )
        return len(outgoing)
