"""The callback data of the /status and /pending buttons: round trips, limits, garbage."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.telegram.callbacks import (
    MAX_CALLBACK_BYTES,
    OpenStatus,
    PendingMark,
    PendingPage,
    pack,
    parse,
)

IDS = st.integers(min_value=1, max_value=10**18 - 1)


@given(IDS, st.integers(min_value=0, max_value=10**18 - 1), IDS, st.sampled_from(["a", "c"]))
def test_round_trip_within_telegram_limit(
    directive_id: int, page: int, agency_id: int, status: str
) -> None:
    for data in (
        OpenStatus(directive_id),
        PendingPage(directive_id, page),
        PendingMark(directive_id, agency_id, status),
    ):
        packed = pack(data)
        assert len(packed.encode()) <= MAX_CALLBACK_BYTES
        assert parse(packed) == data


@given(st.sampled_from(["st", "pg", "pm"]), st.lists(st.text(max_size=6), max_size=4))
def test_garbage_with_our_prefixes_never_raises(prefix: str, fields: list[str]) -> None:
    raw = ":".join([prefix, *fields])
    data = parse(raw)
    assert data is None or pack(data) == raw


def test_malformed_fields_are_refused() -> None:
    for raw in ("st:0", "st:x", "st:1:2", "pg:1", "pg:1:-1", "pg:1:01", "pm:1:2:x", "pm:1:0:a"):
        assert parse(raw) is None, raw
    assert parse("pg:7:0") == PendingPage(7, 0)
    assert PendingMark.STATUSES == {"a": "acknowledged", "c": "completed"}
