"""Callback data of inline buttons: packed and parsed in exactly one place.

Telegram allows 1-64 bytes. Each kind is a small frozen dataclass with a one- or
four-letter prefix; anything that does not parse is None, never an exception, because
callback data can be forged by a modified client.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from bot.texts import LANGUAGES

MAX_CALLBACK_BYTES = 64
_ID = re.compile(r"^[1-9][0-9]{0,17}\Z")  # \Z: "$" would let a trailing newline in
_GROUP = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}\Z")


class _Data:
    """What every kind of callback data shares: its prefix, and the handler pattern for it."""

    PREFIX: ClassVar[str]

    @classmethod
    def pattern(cls) -> str:
        """The regex a CallbackQueryHandler takes to receive this kind's presses."""
        return f"^{re.escape(cls.PREFIX)}:"


@dataclass(frozen=True)
class SetLanguage(_Data):
    language: str
    PREFIX: ClassVar[str] = "lang"

    def fields(self) -> tuple[str, ...]:
        return (self.language,)


@dataclass(frozen=True)
class Acknowledge(_Data):
    """Đã nhận: the delivery (directive × agency) the contact acknowledges for."""

    delivery_id: int
    PREFIX: ClassVar[str] = "a"

    def fields(self) -> tuple[str, ...]:
        return (str(self.delivery_id),)


@dataclass(frozen=True)
class StartCompletion(_Data):
    """Báo cáo kết quả: start the completion report of a delivery."""

    delivery_id: int
    PREFIX: ClassVar[str] = "r"

    def fields(self) -> tuple[str, ...]:
        return (str(self.delivery_id),)


@dataclass(frozen=True)
class PreviewButton(_Data):
    """A button in a staff preview: looks like the real one, does nothing."""

    PREFIX: ClassVar[str] = "p"

    def fields(self) -> tuple[str, ...]:
        return ("0",)


@dataclass(frozen=True)
class BroadcastStep(_Data):
    """A step of composing a broadcast: choose recipients, then send or cancel.

    `action` is "all", "group", "next", "send" or "cancel"; `group` is set for "group".
    """

    directive_id: int
    action: str
    group: str = ""
    PREFIX: ClassVar[str] = "b"
    ACTIONS: ClassVar[frozenset[str]] = frozenset({"all", "group", "next", "send", "cancel"})

    def fields(self) -> tuple[str, ...]:
        return (str(self.directive_id), self.action, *((self.group,) if self.group else ()))


@dataclass(frozen=True)
class CompletionStep(_Data):
    """Confirm ("ok") or cancel ("no") the completion report of a delivery."""

    delivery_id: int
    action: str
    PREFIX: ClassVar[str] = "rc"
    ACTIONS: ClassVar[frozenset[str]] = frozenset({"ok", "no"})

    def fields(self) -> tuple[str, ...]:
        return (str(self.delivery_id), self.action)


@dataclass(frozen=True)
class CloseStep(_Data):
    """Confirm ("yes") or keep ("no") the closing of a directive."""

    directive_id: int
    action: str
    PREFIX: ClassVar[str] = "cl"
    ACTIONS: ClassVar[frozenset[str]] = frozenset({"yes", "no"})

    def fields(self) -> tuple[str, ...]:
        return (str(self.directive_id), self.action)


@dataclass(frozen=True)
class OpenStatus(_Data):
    """/status of one directive: open it from the recent list, or refresh it."""

    directive_id: int
    PREFIX: ClassVar[str] = "st"

    def fields(self) -> tuple[str, ...]:
        return (str(self.directive_id),)


@dataclass(frozen=True)
class PendingPage(_Data):
    """One page (from 0) of the agencies that have not acknowledged a directive."""

    directive_id: int
    page: int
    PREFIX: ClassVar[str] = "pg"

    def fields(self) -> tuple[str, ...]:
        return (str(self.directive_id), str(self.page))


@dataclass(frozen=True)
class PendingMark(_Data):
    """Set an agency's status by hand from /pending: "a" acknowledged, "c" completed."""

    directive_id: int
    agency_id: int
    status: str
    PREFIX: ClassVar[str] = "pm"
    STATUSES: ClassVar[dict[str, str]] = {"a": "acknowledged", "c": "completed"}

    def fields(self) -> tuple[str, ...]:
        return (str(self.directive_id), str(self.agency_id), self.status)


@dataclass(frozen=True)
class AskExtension(_Data):
    """Xin gia hạn: the officer asks for more time for the agency's delivery."""

    delivery_id: int
    PREFIX: ClassVar[str] = "x"

    def fields(self) -> tuple[str, ...]:
        return (str(self.delivery_id),)


@dataclass(frozen=True)
class Relay(_Data):
    """Chuyển tiếp under a letter: the relay's delivery it passes on (acknowledges it too)."""

    delivery_id: int
    PREFIX: ClassVar[str] = "rl"

    def fields(self) -> tuple[str, ...]:
        return (str(self.delivery_id),)


@dataclass(frozen=True)
class DecideExtension(_Data):
    """The letter's sender answers a request for more time: Đồng ý ("y") or Từ chối ("n")."""

    request_id: int
    action: str
    PREFIX: ClassVar[str] = "xd"
    ACTIONS: ClassVar[frozenset[str]] = frozenset({"y", "n"})

    def fields(self) -> tuple[str, ...]:
        return (str(self.request_id), self.action)


@dataclass(frozen=True)
class Reject(_Data):
    """Không thuộc thẩm quyền: the officer says the letter is not the agency's business."""

    delivery_id: int
    PREFIX: ClassVar[str] = "nj"

    def fields(self) -> tuple[str, ...]:
        return (str(self.delivery_id),)


@dataclass(frozen=True)
class Retarget(_Data):
    """Staff send a letter an agency rejected to another agency instead."""

    delivery_id: int
    PREFIX: ClassVar[str] = "rt"

    def fields(self) -> tuple[str, ...]:
        return (str(self.delivery_id),)


@dataclass(frozen=True)
class RecallStep(_Data):
    """Confirm ("yes") or drop ("no") the recall of a directive."""

    directive_id: int
    action: str
    PREFIX: ClassVar[str] = "rv"
    ACTIONS: ClassVar[frozenset[str]] = frozenset({"yes", "no"})

    def fields(self) -> tuple[str, ...]:
        return (str(self.directive_id), self.action)


@dataclass(frozen=True)
class WorklistAck(_Data):
    """Đã nhận pressed in /viec: acknowledge, then show the list again in place."""

    delivery_id: int
    PREFIX: ClassVar[str] = "wa"

    def fields(self) -> tuple[str, ...]:
        return (str(self.delivery_id),)


@dataclass(frozen=True)
class RelayDetails(_Data):
    """A relay's number, note and deadline for the relayed letter (a draft): asked as a reply."""

    directive_id: int
    PREFIX: ClassVar[str] = "rd"

    def fields(self) -> tuple[str, ...]:
        return (str(self.directive_id),)


@dataclass(frozen=True)
class RelayToggle(_Data):
    """Staff turn relaying on or off for a draft, in /broadcast's recipients step."""

    directive_id: int
    PREFIX: ClassVar[str] = "bt"

    def fields(self) -> tuple[str, ...]:
        return (str(self.directive_id),)


@dataclass(frozen=True)
class RemoveContact(_Data):
    """Gỡ under /contacts CODE: staff remove a contact (its row id, not its Telegram id)."""

    contact_id: int
    PREFIX: ClassVar[str] = "cg"

    def fields(self) -> tuple[str, ...]:
        return (str(self.contact_id),)


CallbackData = (
    SetLanguage
    | Acknowledge
    | StartCompletion
    | PreviewButton
    | BroadcastStep
    | CompletionStep
    | CloseStep
    | OpenStatus
    | PendingPage
    | PendingMark
    | AskExtension
    | DecideExtension
    | Reject
    | Retarget
    | RecallStep
    | WorklistAck
    | Relay
    | RelayDetails
    | RelayToggle
    | RemoveContact
)

# Kinds whose one field is an id: how each is built from it.
_RELAY_KINDS: dict[str, type[Relay] | type[RelayDetails] | type[RelayToggle]] = {
    kind.PREFIX: kind for kind in (Relay, RelayDetails, RelayToggle)
}
_OFFICER_ONE_ID = (AskExtension, Reject, Retarget, WorklistAck)
_WITH_ACTION = (DecideExtension, RecallStep)


def pack(data: CallbackData) -> str:
    packed = ":".join((data.PREFIX, *data.fields()))
    if len(packed.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {packed!r}")
    return packed


def parse(raw: str | None) -> CallbackData | None:
    """The callback data, or None for anything malformed or forged-looking."""
    if not raw or len(raw.encode()) > MAX_CALLBACK_BYTES:
        return None
    prefix, *fields = raw.split(":")
    if prefix == SetLanguage.PREFIX and len(fields) == 1 and fields[0] in LANGUAGES:
        return SetLanguage(fields[0])
    if prefix == PreviewButton.PREFIX and fields == ["0"]:
        return PreviewButton()
    if prefix in (Acknowledge.PREFIX, StartCompletion.PREFIX):
        if len(fields) != 1 or not _ID.match(fields[0]):
            return None
        kind = Acknowledge if prefix == Acknowledge.PREFIX else StartCompletion
        return kind(int(fields[0]))
    if prefix == CompletionStep.PREFIX and len(fields) == 2 and _ID.match(fields[0]):
        if fields[1] not in CompletionStep.ACTIONS:
            return None
        return CompletionStep(int(fields[0]), fields[1])
    if prefix == CloseStep.PREFIX and len(fields) == 2 and _ID.match(fields[0]):
        return CloseStep(int(fields[0]), fields[1]) if fields[1] in CloseStep.ACTIONS else None
    if prefix in (OpenStatus.PREFIX, PendingPage.PREFIX, PendingMark.PREFIX):
        return _parse_summary(prefix, fields)
    if prefix in {kind.PREFIX for kind in (*_OFFICER_ONE_ID, *_WITH_ACTION)}:
        return _parse_officer_side(prefix, fields)
    if prefix in _RELAY_KINDS:
        one = len(fields) == 1 and _ID.fullmatch(fields[0])
        return _RELAY_KINDS[prefix](int(fields[0])) if one else None
    if prefix == RemoveContact.PREFIX:
        return RemoveContact(int(fields[0])) if len(fields) == 1 and _ID.match(fields[0]) else None
    if prefix == BroadcastStep.PREFIX and len(fields) in (2, 3) and _ID.match(fields[0]):
        action, group = fields[1], fields[2] if len(fields) == 3 else ""
        if action not in BroadcastStep.ACTIONS or (action == "group") != bool(group):
            return None
        if group and not _GROUP.match(group):
            return None
        return BroadcastStep(int(fields[0]), action, group)
    return None


def _parse_summary(prefix: str, fields: list[str]) -> CallbackData | None:
    """The staff buttons of /status and /pending (a page number may be 0)."""
    if prefix == OpenStatus.PREFIX and len(fields) == 1 and _ID.match(fields[0]):
        return OpenStatus(int(fields[0]))
    if prefix == PendingPage.PREFIX and len(fields) == 2 and _ID.match(fields[0]):
        if fields[1] != "0" and not _ID.match(fields[1]):
            return None
        return PendingPage(int(fields[0]), int(fields[1]))
    if prefix == PendingMark.PREFIX and len(fields) == 3 and all(map(_ID.match, fields[:2])):
        if fields[2] not in PendingMark.STATUSES:
            return None
        return PendingMark(int(fields[0]), int(fields[1]), fields[2])
    return None


def _parse_officer_side(prefix: str, fields: list[str]) -> CallbackData | None:
    """The buttons of the officer's side of a letter and of its recall."""
    if not fields or not _ID.match(fields[0]):
        return None
    for one in _OFFICER_ONE_ID:
        if prefix == one.PREFIX:
            return one(int(fields[0])) if len(fields) == 1 else None
    for kind in _WITH_ACTION:
        if prefix == kind.PREFIX and len(fields) == 2 and fields[1] in kind.ACTIONS:
            return kind(int(fields[0]), fields[1])
    return None
