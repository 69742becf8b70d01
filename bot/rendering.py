"""From the stored directive to what bot.render needs: one place for the mapping."""

from __future__ import annotations

from bot.render import DirectiveContent
from db.models import Directive


def directive_content(directive: Directive) -> DirectiveContent:
    return DirectiveContent(
        number=directive.number,
        subject=directive.subject,
        body=directive.body,
        issue_date=directive.issue_date,
        deadline=directive.deadline,
        urgency=directive.urgency,
        links=tuple(directive.links),
        actions=tuple(directive.actions),
        has_attachment=directive.attachment_name is not None,
    )
