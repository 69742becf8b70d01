"""A Telegram Mini App's init data, checked as Telegram documents it.

https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app:
secret_key = HMAC_SHA256(key="WebAppData", msg=bot_token); the data-check string is every
received field but `hash`, as `key=value` sorted by key and joined by newlines; the data is
genuine when hex(HMAC_SHA256(key=secret_key, msg=data_check_string)) equals `hash`. Only
who holds the bot token can sign it. `auth_date` older than the allowed age is refused
too: a copy of someone's init data stops working after an hour.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode

MAX_AGE = timedelta(hours=1)
MAX_INIT_DATA = 4096


class InitDataError(Exception):
    """Forged, stale or malformed init data: the refusal's reason, for the event log."""


@dataclass(frozen=True)
class MiniAppUser:
    id: int
    name: str
    language_code: str | None


def _secret(bot_token: str) -> bytes:
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def _check_string(fields: dict[str, str]) -> str:
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")


def sign(fields: dict[str, str], bot_token: str) -> str:
    """The init data Telegram would hand a Mini App for these fields (tests, the demo)."""
    digest = hmac.new(_secret(bot_token), _check_string(fields).encode(), hashlib.sha256)
    return urlencode({**fields, "hash": digest.hexdigest()})


def validate(
    init_data: str, bot_token: str, now: datetime, max_age: timedelta = MAX_AGE
) -> MiniAppUser:
    """The signed-in user; raises InitDataError (why) when the data is not Telegram's own
    and fresh."""
    if not init_data or len(init_data) > MAX_INIT_DATA:
        raise InitDataError("malformed")
    pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=False)
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise InitDataError("malformed")
    received = fields.get("hash", "")
    expected = hmac.new(_secret(bot_token), _check_string(fields).encode(), hashlib.sha256)
    if not hmac.compare_digest(received.encode(), expected.hexdigest().encode()):
        raise InitDataError("bad_signature")
    try:
        signed_at = int(fields["auth_date"])
        user = json.loads(fields["user"])
        user_id = int(user["id"])
    except (KeyError, ValueError, TypeError) as error:
        raise InitDataError("malformed") from error
    age = now.timestamp() - signed_at
    if age > max_age.total_seconds() or age < -300:
        raise InitDataError("stale")
    name = " ".join(str(user.get(k) or "") for k in ("first_name", "last_name")).strip()
    language = user.get("language_code")
    return MiniAppUser(user_id, name, language if isinstance(language, str) else None)
