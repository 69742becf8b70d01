"""Apply the Alembic migrations; `agency-bot run` and `agency-bot db upgrade` share this."""

from __future__ import annotations

import functools
from importlib.resources import files

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

# An arbitrary constant: instances sharing one PostgreSQL database migrate one at a time.
_MIGRATION_LOCK = 0x61676E6379


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("db") / "migrations"))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection, revision: str) -> None:
    if revision == "head" and read_revision(connection) == head_revision():
        # Every start asks; a schema already current needs no Alembic environment (its
        # scripts loaded and run took about 30 ms of CPU a start).
        return
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
    command.upgrade(alembic_config(connection), revision)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema to `revision` inside one transaction (both databases do DDL in one)."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade, revision)


def read_revision(connection: Connection) -> str | None:
    """The schema's revision as recorded by Alembic (None: no schema yet)."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


@functools.cache
def head_revision() -> str | None:
    """The newest migration this code ships: the revision a current schema is at."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(read_revision)
