"""How many rows a statement changed, typed.

`AsyncSession.execute` is typed to return a `Result`, which has no `rowcount`; the object
is a `CursorResult` for INSERT, UPDATE and DELETE, which does. One cast here instead of an
ignore at every call.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Result


def affected(result: Result[Any]) -> int:
    """The number of rows an INSERT, UPDATE or DELETE changed."""
    return int(cast(CursorResult[Any], result).rowcount)
