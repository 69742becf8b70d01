"""prompts: questions the bot awaits a reply to

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

The reason for a mark by hand (and later other answers given as a reply) used to be
recovered by parsing the bot's own question; now what the answer is for is stored.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.models

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "prompts",
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("expires_at", db.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("telegram_user_id", name=op.f("pk_prompts")),
    )


def downgrade() -> None:
    op.drop_table("prompts")
