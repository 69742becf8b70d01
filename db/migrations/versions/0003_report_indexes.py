"""indexes for the reports: recent directives, the audit log by time

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

/status and the exports read a directive's deliveries and events through indexes that
0001 already has (deliveries by directive and status, events by directive and time).
What grows without bound over the years is read newest-first: the directives for
`/status` without an ID, and the whole audit log for `agency-bot events`.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("directives", schema=None) as batch_op:
        batch_op.create_index("ix_directives_created_at", ["created_at"], unique=False)
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_at", ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_at")
    with op.batch_alter_table("directives", schema=None) as batch_op:
        batch_op.drop_index("ix_directives_created_at")
