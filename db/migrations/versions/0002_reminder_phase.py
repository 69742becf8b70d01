"""Deliveries remember what their agency is being chased for (acknowledgement or report).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminder_phase", sa.String(length=16), nullable=True))
        batch_op.create_index(
            "ix_deliveries_reminder_phase_status", ["reminder_phase", "status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_reminder_phase_status")
        batch_op.drop_column("reminder_phase")
