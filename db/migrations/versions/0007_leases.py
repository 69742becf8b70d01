"""leases on the send queue, once-marks

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

A claimed message records the instance sending it and the lease it renews
(outbound_messages.claimed_by, lease_until): a new leader takes back only expired leases,
and an outcome is written only by the claim's holder. once_marks keys what must happen
once across instances (the all-acknowledged and unreachable notices, the daily digest).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.models

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbound_messages") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(length=64), nullable=True))
        batch.add_column(
            sa.Column("lease_until", db.models.UTCDateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "once_marks",
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("done_at", db.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_once_marks")),
    )


def downgrade() -> None:
    op.drop_table("once_marks")
    with op.batch_alter_table("outbound_messages") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("claimed_by")
