"""Dev helper: autogenerate a migration from the models against a scratch SQLite database.

python scripts/new_migration.py "add reminders pause"
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from alembic import command
from sqlalchemy import Connection

from db.migrate import alembic_config, upgrade
from db.session import make_engine


def _revision(connection: Connection, message: str) -> None:
    command.revision(alembic_config(connection), message=message, autogenerate=True)


async def main(message: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite+aiosqlite:///{Path(folder) / 'scratch.db'}")
        await upgrade(engine)
        async with engine.begin() as connection:
            await connection.run_sync(_revision, message)
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
