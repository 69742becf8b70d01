"""The dashboard's pure parts: Mini App init data as Telegram signs it, and the live counts'
cache (one aggregate per letter per interval, however many browsers poll)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.web.dashboard.initdata import InitDataError, sign, validate
from bot.web.dashboard.live import LiveCache
from db.queries.dashboard import LiveCounts
from tests.helpers import eventually

TOKEN = "123456:ABC-the-bot-token"
NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


def _fields(age: timedelta = timedelta(0), user_id: int = 42) -> dict[str, str]:
    user = {"id": user_id, "first_name": "Lan", "last_name": "Trần", "language_code": "en"}
    return {
        "auth_date": str(int((NOW - age).timestamp())),
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps(user, ensure_ascii=False, separators=(",", ":")),
    }


def test_init_data_signed_with_the_bot_token_is_accepted() -> None:
    user = validate(sign(_fields(timedelta(minutes=59)), TOKEN), TOKEN, NOW)
    assert (user.id, user.name, user.language_code) == (42, "Lan Trần", "en")


def test_the_documented_algorithm_is_the_one_checked() -> None:
    """Recomputed here from Telegram's description, independent of `sign`."""
    import hashlib
    import hmac
    from urllib.parse import urlencode

    fields = _fields()
    check = "\n".join(f"{k}={fields[k]}" for k in sorted(fields))
    secret = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    digest = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    assert validate(urlencode({**fields, "hash": digest}), TOKEN, NOW).id == 42


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (sign(_fields(), "999:another-bot"), "bad_signature"),
        (sign(_fields(timedelta(hours=1, seconds=1)), TOKEN), "stale"),
        (
            sign(_fields(), TOKEN).replace("%22id%22%3A42", "%22id%22%3A7"),
            "bad_signature",
        ),
        ("", "malformed"),
        ("auth_date=1&hash=00", "bad_signature"),
    ],
)
def test_forged_stale_or_broken_init_data_is_refused(data: str, reason: str) -> None:
    with pytest.raises(InitDataError, match=reason):
        validate(data, TOKEN, NOW)


@given(st.text(max_size=300))
def test_any_text_is_refused_without_a_crash(data: str) -> None:
    with pytest.raises(InitDataError):
        validate(data, TOKEN, NOW)


async def test_browsers_polling_together_cost_one_query_per_interval() -> None:
    cache = LiveCache(interval=3600)
    loads = 0
    release = asyncio.Event()

    async def load() -> LiveCounts:
        nonlocal loads
        loads += 1
        await release.wait()
        return LiveCounts(total=10, acknowledged=loads)

    polls = [asyncio.ensure_future(cache.get(1, load)) for _ in range(50)]

    async def started() -> int:
        return loads

    await eventually(started, 1)  # every poll is waiting on the one query
    release.set()
    results = await asyncio.gather(*polls)
    assert loads == 1
    assert {r.acknowledged for r in results} == {1}
    assert (await cache.get(1, load)).acknowledged == 1  # still within the interval
    await cache.get(2, load)  # another letter has its own query
    assert loads == 2
    cache.forget(1)  # an action on the letter: the next poll reads again
    assert (await cache.get(1, load)).acknowledged == 3


async def test_a_failed_query_is_not_kept() -> None:
    cache = LiveCache(interval=3600)
    calls = 0

    async def load() -> LiveCounts:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("database away")
        return LiveCounts(total=1)

    with pytest.raises(ConnectionError):
        await cache.get(1, load)
    assert (await cache.get(1, load)).total == 1
