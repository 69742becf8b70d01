"""Staff ask for an agency's evidence links to be checked again (/verify, the dashboard):
the request is recorded, then the checker fetches each link and records its verdict."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.queries.answers import delivery_for
from db.queries.completions import url_evidence
from db.queries.directives import get_directive
from db.queries.events import record_event


class RecheckError(Exception):
    """Nothing to check; `key` names the text that says why."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class Recheck:
    """What the checker needs: the letter's links and the evidence URLs to fetch."""

    number: str
    links: tuple[str, ...]
    checks: list[tuple[int, str]]


async def request_recheck(
    sessionmaker: async_sessionmaker[AsyncSession], directive_id: int, code: str, staff_id: int
) -> Recheck:
    async with sessionmaker() as session:
        directive = await get_directive(session, directive_id)
        delivery = await delivery_for(session, directive_id, code) if directive else None
        checks = await url_evidence(session, delivery.id) if delivery else []
    if directive is None:
        raise RecheckError("mark.unknown_directive")
    if delivery is None:
        raise RecheckError("mark.not_a_recipient")
    if not checks:
        raise RecheckError("verify.none")
    async with sessionmaker.begin() as session:
        await record_event(  # the staff action; each result is recorded as evidence.checked
            session,
            "evidence.recheck_requested",
            actor_type="staff",
            actor_id=staff_id,
            directive_id=directive_id,
            agency_id=delivery.agency_id,
            urls=[url for _, url in checks],
        )
    return Recheck(directive.number, tuple(directive.links), checks)
