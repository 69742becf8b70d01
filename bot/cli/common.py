"""What every command of `agency-bot` shares: the one-line error, the database for one
command, and printing a result as text or JSON."""

from __future__ import annotations

import argparse
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from db.migrate import upgrade
from db.session import make_engine, make_sessionmaker


class CommandError(Exception):
    """A failure to report to the operator in one line."""


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """The database, migrated, for the length of one command."""
    engine = make_engine(settings.database.url)
    try:
        await upgrade(engine)
        yield make_sessionmaker(engine)
    finally:
        await engine.dispose()


def print_result(args: argparse.Namespace, data: Any, text: str) -> None:
    print(json.dumps(data, ensure_ascii=False, default=str) if args.json else text)
