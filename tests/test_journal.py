"""The audit log in words: every event kind the code records has a description in both
languages, and details or names that are missing never break a line of the log."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.reports.journal import KNOWN_EVENTS, actor, describe
from db.queries.summary import EventRow

ROOT = Path(__file__).parent.parent
AT = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


def _kinds_in(node: ast.expr, constants: dict[str, str]) -> set[str]:
    """The event kinds an argument can be: a string, a module constant, a conditional."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.Name) and node.id in constants:
        return {constants[node.id]}
    if isinstance(node, ast.IfExp):
        return _kinds_in(node.body, constants) | _kinds_in(node.orelse, constants)
    if isinstance(node, ast.Attribute):  # `event.kind`: an event made elsewhere, passed on
        return set()
    raise AssertionError(f"an event kind the test cannot read: {ast.dump(node)}")


def recorded_kinds() -> dict[str, str]:
    """Every kind passed to record_event(session, KIND, …) or NewEvent(KIND, …) in the
    product's code, with where it was found."""
    found: dict[str, str] = {}
    for folder in ("bot", "handlers", "db"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            constants = {
                target.id: node.value.value
                for node in tree.body
                if isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
                for target in node.targets
                if isinstance(target, ast.Name)
            }
            for call in ast.walk(tree):
                if not isinstance(call, ast.Call):
                    continue
                name = getattr(call.func, "id", getattr(call.func, "attr", ""))
                if name == "record_event" and len(call.args) >= 2:
                    kind = call.args[1]
                elif name == "NewEvent" and call.args:
                    kind = call.args[0]
                else:
                    continue
                for value in _kinds_in(kind, constants):
                    found.setdefault(value, f"{path.relative_to(ROOT)}:{call.lineno}")
    return found


def test_every_recorded_event_kind_has_words() -> None:
    kinds = recorded_kinds()
    assert len(kinds) > 20, "the scan found the code's events"
    missing = {kind: where for kind, where in kinds.items() if kind not in KNOWN_EVENTS}
    assert missing == {}, "give these events their words in bot/reports/journal.py and texts"


def event(
    kind: str, actor_type: str = "bot", actor_id: int | None = None, **fields: Any
) -> EventRow:
    detail = fields.pop("detail", {})
    return EventRow(1, AT, kind, actor_type, actor_id, 1, "so-y-te", detail, "Sở Y tế", **fields)


@pytest.mark.parametrize(
    ("row", "vi", "en"),
    [
        (
            event("directive.created", detail={"number": "123/STTTT-TTBCXB"}),
            "Tạo công văn số 123/STTTT-TTBCXB",
            "Letter 123/STTTT-TTBCXB created",
        ),
        (
            event("delivery.failed", detail={"reason": "chưa có cán bộ đầu mối đăng ký"}),
            "Không gửi được: chưa có cán bộ đầu mối đăng ký",
            "Could not be sent: chưa có cán bộ đầu mối đăng ký",
        ),
        (
            event("reminder.queued", detail={"round": 3, "phase": "ack", "escalated": True}),
            "Nhắc xác nhận đã nhận, lần 3 (gửi cả lãnh đạo và đầu mối dự phòng)",
            "Reminder to acknowledge, round 3 (heads and backup contacts included)",
        ),
        (
            event("reminder.queued", detail={"round": 1, "phase": "completion"}),
            "Nhắc báo cáo kết quả, lần 1",
            "Reminder to report, round 1",
        ),
        (
            event("message.sent", detail={"message_kind": "reminder"}),
            "Đã gửi tin nhắc",
            "Reminder delivered",
        ),
        (
            event(
                "evidence.checked",
                detail={"url": "https://x.vn/a", "verdict": "unverified", "reason": "no link"},
            ),
            "Minh chứng chưa xác minh: https://x.vn/a (no link)",
            "Evidence not verified: https://x.vn/a (no link)",
        ),
        (
            event("delivery.completed", detail={"evidence": ["https://x.vn/a", "Đã đăng"]}),
            "Báo cáo kết quả: https://x.vn/a | Đã đăng",
            "Reported done: https://x.vn/a | Đã đăng",
        ),
        (
            event("delivery.marked", detail={"status": "completed", "reason": "gọi điện"}),
            "Đánh dấu «hoàn thành» thủ công: gọi điện",
            "Marked «completed» by hand: gọi điện",
        ),
        (
            event("report.exported", detail={"format": "docx", "channel": "cli"}),
            "Xuất báo cáo tổng kết (docx, bằng dòng lệnh)",
            "Summary report exported (docx, on the command line)",
        ),
    ],
)
def test_events_read_as_sentences_in_both_languages(row: EventRow, vi: str, en: str) -> None:
    assert describe(row, "vi") == vi
    assert describe(row, "en") == en


def test_a_missing_detail_or_an_unknown_kind_never_breaks_the_log() -> None:
    assert describe(event("delivery.failed")) == "Không gửi được: "
    assert (
        describe(event("reminder.queued", detail={"phase": "?"})) == "Nhắc xác nhận đã nhận, lần "
    )
    newer = event("relay.sent", detail={"units": 12, "note": None})
    assert describe(newer) == "relay.sent (units: 12)"
    assert describe(event("relay.opened")) == "relay.opened"
    text = "<b>Quang & Minh</b>"
    assert describe(event("delivery.failed", detail={"reason": text})) == f"Không gửi được: {text}"


def test_who_did_it_in_words() -> None:
    assert actor(event("x", "staff", 900001, actor_name="Nguyễn Văn An")) == (
        "Nguyễn Văn An (cán bộ Sở)"
    )
    assert actor(event("x", "staff", 900001)) == "Cán bộ Sở (ID 900001)"
    assert actor(event("x", "user", 800001, actor_name="Trần Thị Bích")) == "Trần Thị Bích"
    assert actor(event("x", "user", 800001), "en") == "Telegram user (ID 800001)"
    assert actor(event("x", "cli")) == "Dòng lệnh (agency-bot)"
    assert actor(event("x", "bot"), "en") == "System (bot)"
