"""Who may manage a letter: the one rule, used by every command and button about a letter.

Staff manage every letter. A relay's active contacts manage the letters their agency
relayed: /status, /pending, /remind, /report and /close on those, and the
compose steps of their own drafts; nothing else. A refusal does not say whether the letter
exists, so that an officer learns nothing about the department's other letters.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.onboarding.identity import Who
from db.models import ContactStatus, Directive
from db.queries.relay import direct_units, relayed_by


def relay_contact_agency(who: Who) -> int | None:
    """The agency an active contact answers for; None for anyone else."""
    contact = who.contact
    if contact is None or contact.status != ContactStatus.ACTIVE:
        return None
    return contact.agency_id


async def may_manage(session: AsyncSession, who: Who, directive_id: int | None) -> bool:
    """Whether `who` may see and act on letter `directive_id`; without an ID (the list of
    recent letters, a usage message), whether they may manage any letter at all."""
    if who.is_staff:
        return True
    agency_id = relay_contact_agency(who)
    if agency_id is None:
        return False
    if directive_id is None:
        return await direct_units(session, agency_id) > 0
    return await relayed_by(session, directive_id) == agency_id


def may_compose(who: Who, draft: Directive) -> bool:
    """Whether `who` may change this draft: its author, while still staff (a department
    letter) or an active contact of the relay (a relayed letter)."""
    if draft.created_by != who.user_id:
        return False
    if draft.relayed_by_agency_id is None:
        return who.is_staff
    return relay_contact_agency(who) == draft.relayed_by_agency_id
