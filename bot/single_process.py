"""SQLite: one `agency-bot run` per database file.

SQLite has no row locks to keep two senders apart, so the bot holds an exclusive
`flock` on `<database>.lock` while it runs; a second `run` on the same file is refused at
start with the pid of the first. The kernel drops the lock when the process ends, however
it ends (kill -9 included), so a stale lock file never blocks a restart.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import make_url


class AlreadyRunningError(Exception):
    """Another process runs the bot on this SQLite file; the message says which."""


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL (None: not SQLite, or in memory)."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        return None
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file::memory:"):
        return None
    return Path(database)


@contextlib.contextmanager
def one_process_per_file(url: str) -> Iterator[None]:
    """Hold the SQLite file's lock for the block (nothing to hold for PostgreSQL)."""
    path = sqlite_file(url)
    if path is None:
        yield
        return
    lock_path = path.with_name(path.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            raise AlreadyRunningError(
                f"another agency-bot (pid {holder}) is running on {path}: SQLite allows one "
                "process per database file; stop it first (or use PostgreSQL to run several)"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock
