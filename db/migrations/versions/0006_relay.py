"""relay down the hierarchy: relayed letters, who relayed what, the tree walked downwards

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05

A relayed letter is a directive of its own that names the letter it passes on and the
agency that relays it. A delivery says how many units are directly under its
agency when the letter was queued (0: not a relay, or relaying was turned off) and, once
the agency has relayed, which letter it sent and when; and when a relay that acknowledged
is to be reminded to relay. Walking the roster downwards (a
relay's subtree) and a letter's relayed letters need an index on each parent column.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.models

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.create_index("ix_agencies_parent_id", ["parent_id"], unique=False)
    with op.batch_alter_table("directives", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parent_directive_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("relayed_by_agency_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("relay_allowed", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(sa.Column("relay_note", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_directives_parent_directive_id_directives"),
            "directives",
            ["parent_directive_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_directives_relayed_by_agency_id_agencies"),
            "agencies",
            ["relayed_by_agency_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(
            "ix_directives_parent_directive_id", ["parent_directive_id"], unique=False
        )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("relay_units", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("relayed_directive_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("relayed_at", db.models.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("relay_remind_at", db.models.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index("ix_deliveries_relay_remind_at", ["relay_remind_at"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_deliveries_relayed_directive_id_directives"),
            "directives",
            ["relayed_directive_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_deliveries_relayed_directive_id_directives"), type_="foreignkey"
        )
        batch_op.drop_index("ix_deliveries_relay_remind_at")
        batch_op.drop_column("relay_remind_at")
        batch_op.drop_column("relayed_at")
        batch_op.drop_column("relayed_directive_id")
        batch_op.drop_column("relay_units")
    with op.batch_alter_table("directives", schema=None) as batch_op:
        batch_op.drop_index("ix_directives_parent_directive_id")
        batch_op.drop_constraint(
            batch_op.f("fk_directives_relayed_by_agency_id_agencies"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_directives_parent_directive_id_directives"), type_="foreignkey"
        )
        batch_op.drop_column("relay_note")
        batch_op.drop_column("relay_allowed")
        batch_op.drop_column("relayed_by_agency_id")
        batch_op.drop_column("parent_directive_id")
    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.drop_index("ix_agencies_parent_id")
