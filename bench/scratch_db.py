"""A PostgreSQL database of the benchmark's own, shared by the benchmarks in bench/."""

from __future__ import annotations

import uuid

import asyncpg
from sqlalchemy.engine import URL, make_url

POSTGRES_CONNECT_TIMEOUT = 5.0


def asyncpg_url(url: str) -> URL:
    """Whatever driver the URL names, SQLAlchemy reaches PostgreSQL through asyncpg here."""
    return make_url(url).set(drivername="postgresql+asyncpg")


class ScratchPostgres:
    """A database of its own on the server, dropped after even with connections still open,
    so a run leaves nothing behind and never touches anyone's data."""

    def __init__(self, server_url: str) -> None:
        self._server = asyncpg_url(server_url)
        self.name = f"agency_bot_bench_{uuid.uuid4().hex[:12]}"
        self._admin: asyncpg.Connection | None = None

    async def create(self) -> str:
        """Create the database; returns its SQLAlchemy URL."""
        dsn = self._server.set(drivername="postgresql").render_as_string(hide_password=False)
        self._admin = await asyncpg.connect(dsn, timeout=POSTGRES_CONNECT_TIMEOUT)
        await self._admin.execute(f'CREATE DATABASE "{self.name}"')
        return self._server.set(database=self.name).render_as_string(hide_password=False)

    async def drop(self) -> None:
        if self._admin is None:
            return
        try:
            await self._admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        finally:
            await self._admin.close()
            self._admin = None
