"""The audit log as a clerk reads it: each event in words, and who did it.

The workbook's Nhật ký sheet (and the official report's appendix, the dashboard's log)
show "Tạo công văn số 123/STTTT-TTBCXB" and "Không gửi được: chưa có cán bộ đầu mối đăng
ký", not `directive.created` and a JSON object. `agency-bot events` keeps the codes and the
JSON: it is for scripts and for the technician.

Each kind recorded anywhere in the code has its words in both catalogues (`event.*` keys);
a test reads the code's `record_event` / `NewEvent` calls to keep the two in step. A kind
without words (a newer one) is shown as its code followed by its details, never dropped.
"""

from __future__ import annotations

import html
import string
from collections.abc import Callable
from typing import Any

from bot.texts import CATALOGUES, DEFAULT_LANGUAGE, Html, t
from db.queries.summary import EventRow

MAX_DETAIL = 500  # characters of evidence or details quoted in one cell


def _plain(lang: str, key: str, **params: object) -> str:
    """A catalogue text for a spreadsheet or a document, not for Telegram: no HTML escapes."""
    return html.unescape(t(lang, key, **params))


def _short(value: object) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 1] + "…"


def _words(key: str) -> Callable[[str, dict[str, Any]], str]:
    """The kind's words, its placeholders filled from the event's details of the same name
    (empty when one is missing: an old event may lack a detail a newer one has)."""

    def describe(lang: str, detail: dict[str, Any]) -> str:
        template = CATALOGUES.get(lang, CATALOGUES[DEFAULT_LANGUAGE])[key]
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        values = {name: detail.get(name) for name in names}
        return _plain(lang, key, **{n: "" if v is None else _short(v) for n, v in values.items()})

    return describe


def _dated(key: str, *fields: str) -> Callable[[str, dict[str, Any]], str]:
    """Like `_words`, with the ISO dates of `fields` shown as dd/mm/yyyy."""
    words = _words(key)

    def describe(lang: str, detail: dict[str, Any]) -> str:
        shown = dict(detail)
        for name in fields:
            value = detail.get(name)
            if isinstance(value, str) and len(value) == 10 and value[4] == value[7] == "-":
                shown[name] = f"{value[8:10]}/{value[5:7]}/{value[:4]}"
        return words(lang, shown)

    return describe


def _message_sent(lang: str, detail: dict[str, Any]) -> str:
    kind = detail.get("message_kind")
    if kind not in ("directive", "reminder", "notice"):
        kind = "directive"
    return _plain(lang, f"event.message.sent.{kind}")


def _evidence_checked(lang: str, detail: dict[str, Any]) -> str:
    verified = detail.get("verdict") == "verified"
    key = "event.evidence.checked." + ("verified" if verified else "unverified")
    return _plain(
        lang, key, url=_short(detail.get("url", "")), reason=_short(detail.get("reason", ""))
    )


def _reminder_queued(lang: str, detail: dict[str, Any]) -> str:
    phase = "completion" if detail.get("phase") == "completion" else "ack"
    text = _plain(lang, f"event.reminder.queued.{phase}", round=detail.get("round", ""))
    return text + (_plain(lang, "event.reminder.escalated") if detail.get("escalated") else "")


def _delivery_completed(lang: str, detail: dict[str, Any]) -> str:
    evidence = detail.get("evidence")
    items = evidence if isinstance(evidence, list) else [evidence] if evidence else []
    return _plain(lang, "event.delivery.completed", evidence=_short(" | ".join(map(str, items))))


def _delivery_marked(lang: str, detail: dict[str, Any]) -> str:
    status = detail.get("status")
    shown = (
        t(lang, f"summary.status.{status}")
        if status in ("acknowledged", "completed")
        else _short(status or "")
    )
    return _plain(
        lang, "event.delivery.marked", status=Html(shown), reason=_short(detail.get("reason", ""))
    )


def _report_exported(lang: str, detail: dict[str, Any]) -> str:
    channel = detail.get("channel")
    shown = (
        t(lang, f"event.channel.{channel}")
        if channel in ("telegram", "cli")
        else _short(channel or "")
    )
    return _plain(
        lang, "event.report.exported", format=_short(detail.get("format", "")), channel=Html(shown)
    )


_RELAY_REASONS = frozenset(
    (
        "not_recipient",
        "gone",
        "disabled",
        "no_units",
        "already",
        "late_deadline",
        "outside",
        "nobody",
    )
)


def _relay_refused(lang: str, detail: dict[str, Any]) -> str:
    reason = str(detail.get("reason", "")).removeprefix("relay.")
    shown = t(lang, f"event.relay.reason.{reason}") if reason in _RELAY_REASONS else _short(reason)
    return _plain(lang, "event.relay.refused", reason=Html(shown))


def _contact_joined(lang: str, detail: dict[str, Any]) -> str:
    role = detail.get("role")
    shown = t(lang, f"role.{role}") if role in ("primary", "backup", "head") else ""
    return _plain(lang, "event.contact.joined", role=Html(shown))


def _web_refused(lang: str, detail: dict[str, Any]) -> str:
    reason = str(detail.get("reason") or "")
    if reason.startswith("init_data"):
        reason = "init_data"
    if reason not in ("link", "not_staff", "init_data", "csrf", "no_session"):
        reason = "link"
    return _plain(lang, f"event.web.refused.{reason}")


def _web_signed_in(lang: str, detail: dict[str, Any]) -> str:
    via = "miniapp" if detail.get("via") == "miniapp" else "link"
    return _plain(lang, f"event.web.signed_in.{via}")


_SIMPLE = (
    "agencies.imported",
    "callback.gone",
    "callback.refused",
    "contact.blocked",
    "contact.rejoined",
    "delivery.acknowledged",
    "delivery.failed",
    "directive.all_acknowledged",
    "directive.cancelled",
    "delivery.rejected",
    "delivery.retargeted",
    "directive.closed",
    "directive.corrected",
    "directive.created",
    "directive.recalled",
    "directive.relayed",
    "directive.queued",
    "evidence.recheck_requested",
    "invite.created",
    "invite.rejected",
    "message.failed",
    "relay.drafted",
    "reminder.manual",
    "reminder.unreachable",
    "reminders.paused",
    "reminders.resumed",
    "staff.added",
    "staff.digest",
    "staff.refused",
    "staff.removed",
    "contact.removed",
    "invite.revoked",
    "agency.deactivated",
    "agency.activated",
    "callback.malformed",
)
DESCRIBE: dict[str, Callable[[str, dict[str, Any]], str]] = {
    **{kind: _words(f"event.{kind}") for kind in _SIMPLE},
    "contact.joined": _contact_joined,
    "deadline.set": _dated("event.deadline.set", "deadline"),
    "extension.requested": _dated("event.extension.requested", "new_deadline"),
    "extension.approved": _dated("event.extension.approved", "new_deadline"),
    "extension.refused": _dated("event.extension.refused", "new_deadline"),
    "delivery.completed": _delivery_completed,
    "delivery.marked": _delivery_marked,
    "evidence.checked": _evidence_checked,
    "message.sent": _message_sent,
    "relay.refused": _relay_refused,
    "reminder.queued": _reminder_queued,
    "report.exported": _report_exported,
    "web.refused": _web_refused,
    "web.signed_in": _web_signed_in,
}
KNOWN_EVENTS = frozenset(DESCRIBE)


def describe(event: EventRow, lang: str = "vi") -> str:
    """The event in words: "Tạo công văn số 123/STTTT-TTBCXB"."""
    detail = event.detail if isinstance(event.detail, dict) else {}
    words = DESCRIBE.get(event.kind)
    if words is not None:
        return words(lang, detail)
    # A kind without words yet: its code and its details, readable rather than JSON.
    shown = "; ".join(f"{k}: {_short(v)}" for k, v in detail.items() if v not in (None, ""))
    return _short(f"{event.kind} ({shown})" if shown else event.kind)


def actor(event: EventRow, lang: str = "vi") -> str:
    """Who did it: the staff member's or the officer's name, the bot, or the command line."""
    if event.actor_type in ("bot", "cli"):
        return _plain(lang, f"event.actor.{event.actor_type}")
    if event.actor_type in ("staff", "user"):
        if event.actor_name:
            return _plain(lang, f"event.actor.{event.actor_type}", name=event.actor_name)
        return _plain(lang, f"event.actor.{event.actor_type}_id", id=event.actor_id or "")
    return _short(event.actor_type)
