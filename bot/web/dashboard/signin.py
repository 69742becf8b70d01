"""Sign-in to the dashboard: one-time links (/web) and the sessions they, or a Mini App's
init data, start.

Tokens are random; only their SHA-256 is stored, so the database alone signs nobody in.
A link is good once, for five minutes; a session for twelve hours, with its own CSRF token
for every state-changing request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.queries import dashboard as queries

LINK_LIFETIME = timedelta(minutes=5)
SESSION_LIFETIME = timedelta(hours=12)
LOGIN_PATH = "/web/login"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewSession:
    cookie: str
    """What the browser keeps (HttpOnly); the database keeps its digest."""
    csrf_token: str
    expires_at: datetime


async def create_link(
    sessionmaker: async_sessionmaker[AsyncSession], user_id: int, base_url: str, now: datetime
) -> str:
    """A one-time sign-in link for `user_id` (already known to be staff)."""
    token = secrets.token_urlsafe(32)
    async with sessionmaker.begin() as session:
        await queries.add_sign_in(
            session, digest(token), user_id, now=now, expires_at=now + LINK_LIFETIME
        )
    return f"{base_url.rstrip('/')}{LOGIN_PATH}?token={token}"


async def redeem_link(session: AsyncSession, token: str, now: datetime) -> int | None:
    """The link's user, once; None for an unknown, used or expired link."""
    if not token or len(token) > 128:
        return None
    return await queries.redeem_sign_in(session, digest(token), now)


async def start_session(session: AsyncSession, user_id: int, via: str, now: datetime) -> NewSession:
    cookie = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires_at = now + SESSION_LIFETIME
    await queries.add_session(
        session, digest(cookie), user_id, csrf_token=csrf, via=via, now=now, expires_at=expires_at
    )
    return NewSession(cookie, csrf, expires_at)
