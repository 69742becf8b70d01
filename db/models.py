"""The domain (agencies, contacts, invites, staff, directives, deliveries, the send queue,
the audit trail) as typed SQLAlchemy models.

Times are stored in UTC and always come back timezone-aware (SQLite keeps no zone, so a
small type decorator restores it). Relationships are `lazy="raise"`: a query says what it
loads, and an accidental lazy load in async code fails loudly instead of hanging.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC that is always returned timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[str]: JSON(),
    }


def _enum(enum: type[StrEnum], name: str) -> Enum:
    """Store enums as their values in a VARCHAR with a CHECK-free native-less type.

    Native PostgreSQL enums make every new status a migration; a string column keeps the
    two databases identical.
    """
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda e: [m.value for m in e],
    )


class ContactRole(StrEnum):
    PRIMARY = "primary"
    BACKUP = "backup"
    HEAD = "head"


class ContactStatus(StrEnum):
    ACTIVE = "active"
    BLOCKED = "blocked"
    LEFT = "left"


class StaffRole(StrEnum):
    ADMIN = "admin"
    OPERATOR = "operator"


class Urgency(StrEnum):
    THUONG = "thuong"
    KHAN = "khan"
    HOA_TOC = "hoa-toc"


class DirectiveStatus(StrEnum):
    DRAFT = "draft"
    CANCELLED = "cancelled"
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    CLOSED = "closed"
    RECALLED = "recalled"  # withdrawn by staff (/recall): copies edited, nothing more sent


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    COMPLETED = "completed"
    FAILED = "failed"
    # The agency answered that the letter is not its business (Không thuộc thẩm quyền):
    # neither waiting nor failed, no longer chased, counted apart.
    REJECTED = "rejected"


class ReminderPhase(StrEnum):
    """What an agency is chased for: to acknowledge, or (acknowledged) to report. RELAY only
    marks the one reminder a relay gets to pass the letter on; it is no phase of the
    schedule, which goes on beside it."""

    ACK = "ack"
    COMPLETION = "completion"
    RELAY = "relay"


class MessageKind(StrEnum):
    DIRECTIVE = "directive"
    REMINDER = "reminder"
    NOTICE = "notice"
    EDIT = "edit"  # rewrite a delivered copy of a letter (a recall): `source_id` is the copy
    CORRECTION = "correction"  # a correction in reply to a copy (`source_id`) of the letter


class MessageStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"  # a reminder no longer wanted: the agency answered meanwhile


class ExtensionStatus(StrEnum):
    """An officer's request for more time (Xin gia hạn), as the letter's sender answered it."""

    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
    SUPERSEDED = "superseded"  # staff set the agency's deadline themselves meanwhile


class Verification(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    UNVERIFIED = "unverified"


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    group: Mapped[str] = mapped_column(String(32), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    parent: Mapped[Agency | None] = relationship(remote_side=[id], lazy="raise")
    contacts: Mapped[list[Contact]] = relationship(back_populates="agency", lazy="raise")

    # The tree is walked downwards (a relay's units, its subtree): migration 0006.
    __table_args__ = (Index("ix_agencies_parent_id", "parent_id"),)


class Contact(Base):
    """A Telegram user bound to one agency; the private chat id equals the user id."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    display_name: Mapped[str] = mapped_column(String(255))
    username: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[ContactRole] = mapped_column(_enum(ContactRole, "contact_role"))
    status: Mapped[ContactStatus] = mapped_column(
        _enum(ContactStatus, "contact_status"), default=ContactStatus.ACTIVE
    )
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency] = relationship(back_populates="contacts", lazy="raise")

    __table_args__ = (Index("ix_contacts_agency_status", "agency_id", "status"),)


class Invite(Base):
    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    role: Mapped[ContactRole | None] = mapped_column(_enum(ContactRole, "contact_role"))
    max_uses: Mapped[int] = mapped_column(Integer, default=1)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency] = relationship(lazy="raise")


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    role: Mapped[StaffRole] = mapped_column(_enum(StaffRole, "staff_role"))
    display_name: Mapped[str | None] = mapped_column(String(255))
    added_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class UserPreference(Base):
    """Per-user settings that must hold for anyone, contact, staff or stranger (/lang)."""

    __tablename__ = "user_preferences"

    telegram_user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    language: Mapped[str] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Directive(Base):
    __tablename__ = "directives"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    links: Mapped[list[str]] = mapped_column(default=list)
    actions: Mapped[list[str]] = mapped_column(default=list)
    targets: Mapped[list[str]] = mapped_column(default=list)
    urgency: Mapped[Urgency] = mapped_column(_enum(Urgency, "urgency"), default=Urgency.THUONG)
    issue_date: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date | None] = mapped_column(Date)
    attachment_name: Mapped[str | None] = mapped_column(String(255))
    attachment_mime_type: Mapped[str | None] = mapped_column(String(128))
    # Telegram's id of the uploaded file: set by the first send, reused for every contact.
    attachment_file_id: Mapped[str | None] = mapped_column(String(255))
    reminder_first_after_s: Mapped[int | None] = mapped_column(Integer)
    reminder_every_s: Mapped[int | None] = mapped_column(Integer)
    reminder_max_count: Mapped[int | None] = mapped_column(Integer)
    reminders_paused: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[DirectiveStatus] = mapped_column(
        _enum(DirectiveStatus, "directive_status"), default=DirectiveStatus.QUEUED
    )
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    # Numbered items addressed to some of the recipients, in order (item 1 first): each
    # {"text": str, "to": [group, code, "all" or "others"], "publish_links": bool}.
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    recalled_at: Mapped[datetime | None]
    recalled_by: Mapped[int | None] = mapped_column(BigInteger)
    recall_reason: Mapped[str | None] = mapped_column(Text)
    # Corrections (đính chính) sent: /status shows the count without reading the event log.
    corrections: Mapped[int] = mapped_column(Integer, default=0)
    # Relaying down the hierarchy (migration 0006). A relayed letter is a directive of
    # its own: the letter it passes on, the agency that relays it (only its subtree may be
    # addressed) and the relay's note above the quoted original. `relay_allowed`: whether
    # the relays among its recipients may pass it on (staff may turn it off).
    parent_directive_id: Mapped[int | None] = mapped_column(
        ForeignKey("directives.id", ondelete="SET NULL")
    )
    relayed_by_agency_id: Mapped[int | None] = mapped_column(
        ForeignKey("agencies.id", ondelete="SET NULL")
    )
    relay_allowed: Mapped[bool] = mapped_column(Boolean, default=True)
    relay_note: Mapped[str | None] = mapped_column(Text)

    # /status without an ID lists the newest directives (migration 0003); a letter's relayed
    # letters are found by their parent (0008).
    __table_args__ = (
        Index("ix_directives_created_at", "created_at"),
        Index("ix_directives_parent_directive_id", "parent_directive_id"),
    )


class DirectiveFile(Base):
    """The attachment's bytes, kept so that a restart can still upload it."""

    __tablename__ = "directive_files"

    directive_id: Mapped[int] = mapped_column(
        ForeignKey("directives.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Delivery(Base):
    """One row per (directive, agency): the agency is who must answer."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    directive_id: Mapped[int] = mapped_column(ForeignKey("directives.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    status: Mapped[DeliveryStatus] = mapped_column(
        _enum(DeliveryStatus, "delivery_status"), default=DeliveryStatus.PENDING
    )
    sent_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL")
    )
    acknowledged_by_staff_id: Mapped[int | None] = mapped_column(BigInteger)
    completed_at: Mapped[datetime | None]
    completed_by_contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL")
    )
    completed_by_staff_id: Mapped[int | None] = mapped_column(BigInteger)
    manual_reason: Mapped[str | None] = mapped_column(Text)
    evidence_verified: Mapped[Verification | None] = mapped_column(
        _enum(Verification, "verification")
    )
    failure_reason: Mapped[str | None] = mapped_column(Text)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    scheduled_reminders: Mapped[int] = mapped_column(Integer, default=0)
    next_reminder_at: Mapped[datetime | None]
    # What the agency is being chased for (a ReminderPhase), None when nothing is.
    reminder_phase: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The letter's items addressed to this agency: bit n-1 set for item n (0: none, or the
    # letter has no items). Agencies with the same bits get the same rendering.
    items_mask: Mapped[int] = mapped_column(Integer, default=0)
    # Whether the agency's evidence is checked against the letter's links: one of its items
    # asks it to publish them (or the letter has no items, and asks everyone).
    check_links: Mapped[bool] = mapped_column(Boolean, default=True)
    # The agency's own deadline (an approved extension, or set by staff); None: the letter's.
    deadline: Mapped[date | None] = mapped_column(Date)
    rejected_at: Mapped[datetime | None]
    rejected_by_contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL")
    )
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    # Relaying (migration 0006): how many units are directly under the agency when the
    # letter was queued, if it may relay it (0: not a relay, or relaying is off), and the
    # letter it relayed, once it has.
    relay_units: Mapped[int] = mapped_column(Integer, default=0)
    relayed_directive_id: Mapped[int | None] = mapped_column(
        ForeignKey("directives.id", ondelete="SET NULL")
    )
    relayed_at: Mapped[datetime | None]
    # A relay that acknowledged is reminded once to relay, at this time, unless it has by
    # then; beside (not instead of) its acknowledgement and report reminders.
    relay_remind_at: Mapped[datetime | None]

    directive: Mapped[Directive] = relationship(foreign_keys=[directive_id], lazy="raise")
    agency: Mapped[Agency] = relationship(lazy="raise")

    __table_args__ = (
        UniqueConstraint("directive_id", "agency_id", name="uq_deliveries_directive_agency"),
        Index("ix_deliveries_directive_status", "directive_id", "status"),
        Index("ix_deliveries_next_reminder_at", "next_reminder_at"),
        Index("ix_deliveries_reminder_phase_status", "reminder_phase", "status"),
        Index("ix_deliveries_relay_remind_at", "relay_remind_at"),
    )


class Evidence(Base):
    """What an agency sent as proof of completion: a URL, text, a photo or a document."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(Text)
    file_id: Mapped[str | None] = mapped_column(String(255))
    verification: Mapped[Verification | None] = mapped_column(_enum(Verification, "verification"))
    verification_reason: Mapped[str | None] = mapped_column(Text)
    checked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_evidence_delivery", "delivery_id"),)


class CompletionSession(Base):
    """An officer's completion report in progress: bound to one delivery, until it expires.

    Kept in the database so that a restart does not lose what the officer already sent.
    """

    __tablename__ = "report_sessions"

    telegram_user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]

    __table_args__ = (Index("ix_report_sessions_expires_at", "expires_at"),)


class Prompt(Base):
    """A question the bot asked a user and whose answer it awaits as a reply (the reason for
    a mark by hand, say): what the answer is for lives here, not in the question's text.

    One open question per user: asking another replaces it. `message_id` is the question's
    message, set once Telegram has it (an answer to an older question is then recognised).
    """

    __tablename__ = "prompts"

    telegram_user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    expires_at: Mapped[datetime]


class ExtensionRequest(Base):
    """An officer asks for more time for their agency; the letter's sender (staff) decides."""

    __tablename__ = "extension_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    requested_by: Mapped[int] = mapped_column(BigInteger)
    new_deadline: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[ExtensionStatus] = mapped_column(
        _enum(ExtensionStatus, "extension_status"), default=ExtensionStatus.PENDING
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_extension_requests_delivery", "delivery_id"),)


class OutboundMessage(Base):
    """One Telegram message (or a split series) the dispatcher must send: the send queue.

    A row is committed before anything is sent, and marked `sending` in a committed
    transaction before the API call, so that a crash leaves a trace of what may be in flight.
    """

    __tablename__ = "outbound_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MessageKind] = mapped_column(_enum(MessageKind, "message_kind"))
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[MessageStatus] = mapped_column(
        _enum(MessageStatus, "message_status"), default=MessageStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    parts_sent: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    telegram_message_ids: Mapped[list[str]] = mapped_column(default=list)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    # The queued copy of a letter this message acts on (an edit of it, a correction replying
    # to it); it waits until that copy is sent. No foreign key: rows are never deleted alone.
    source_id: Mapped[int | None] = mapped_column(Integer)
    # The claim (migration 0007): the instance sending the row and until when its lease runs.
    # The instance renews the lease while it works; only an expired lease is taken back, and
    # every outcome is written only by the instance that holds the claim.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_outbound_messages_status_next", "status", "next_attempt_at"),
        Index("ix_outbound_messages_delivery", "delivery_id"),
    )


class Event(Base):
    """The audit trail: who did what, when."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(48))
    actor_type: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    directive_id: Mapped[int | None] = mapped_column(
        ForeignKey("directives.id", ondelete="CASCADE")
    )
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="SET NULL"))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (
        Index("ix_events_directive_at", "directive_id", "at"),
        # `agency-bot events` without --directive: the latest events (migration 0003).
        Index("ix_events_at", "at"),
    )


class OnceMark(Base):
    """Something that must happen once across every instance (a notice, the daily digest):
    the first transaction to insert its key does it; the others find the key taken."""

    __tablename__ = "once_marks"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    done_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebSignIn(Base):
    """A one-time sign-in link for the dashboard (/web): only the token's SHA-256 is kept,
    so a copy of the database does not sign anyone in; `used_at` makes it single-use."""

    __tablename__ = "web_sign_ins"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class WebSession(Base):
    """A signed-in dashboard browser (12 hours): in the database, so that a restart or
    another instance behind the proxy keeps it; the cookie's SHA-256 is the key."""

    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger)
    csrf_token: Mapped[str] = mapped_column(String(64))
    via: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
