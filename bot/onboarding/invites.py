"""Invite tokens and deep links (https://t.me/<bot>?start=<token>)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import ContactRole
from db.queries.agencies import get_agency_by_code
from db.queries.events import record_event
from db.queries.invites import add_invite

DEFAULT_USES = 1
DEFAULT_EXPIRY = timedelta(days=7)
# Telegram deep-link parameters are at most 64 characters of [A-Za-z0-9_-].
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class UnknownAgencyError(LookupError):
    def __init__(self, code: str) -> None:
        super().__init__(f"no agency with code {code!r}")
        self.code = code


@dataclass(frozen=True)
class CreatedInvite:
    token: str
    agency_code: str
    agency_name: str
    uses: int
    expires_at: datetime
    role: ContactRole | None


def new_token() -> str:
    """144 random bits, URL-safe: unguessable, and short enough for a deep link."""
    return secrets.token_urlsafe(18)


def deep_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username.removeprefix('@')}?start={token}"


async def create_invite(
    session: AsyncSession,
    *,
    agency_code: str,
    now: datetime,
    uses: int = DEFAULT_USES,
    expires_in: timedelta = DEFAULT_EXPIRY,
    role: ContactRole | None = None,
    created_by: int | None = None,
) -> CreatedInvite:
    if uses < 1:
        raise ValueError("an invite needs at least one use")
    agency = await get_agency_by_code(session, agency_code)
    if agency is None or not agency.active:
        raise UnknownAgencyError(agency_code)
    token = new_token()
    expires_at = now + expires_in
    await add_invite(
        session,
        token=token,
        agency_id=agency.id,
        role=role,
        max_uses=uses,
        expires_at=expires_at,
        created_by=created_by,
    )
    await record_event(
        session,
        "invite.created",
        actor_type="staff" if created_by else "cli",
        actor_id=created_by,
        agency_id=agency.id,
        uses=uses,
        expires_at=expires_at.isoformat(),
        role=role.value if role else None,
    )
    return CreatedInvite(token, agency.code, agency.name, uses, expires_at, role)
