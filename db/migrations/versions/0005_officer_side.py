"""The officer's side of a letter: items per recipient, an agency's own deadline and its
requests for more time, "not ours" (rejected), recall, and edits and corrections in the queue.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08

Statuses are strings (no native enums), so the new `rejected`, `recalled`, `edit` and
`correction` values need no change of type. Existing rows get the defaults that keep their
meaning: no items, evidence checked against the links, the letter's own deadline.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.models

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("directives", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("items", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(
            sa.Column("recalled_at", db.models.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("recalled_by", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("recall_reason", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("corrections", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("items_mask", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch_op.add_column(
            sa.Column("check_links", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(sa.Column("deadline", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("rejected_at", db.models.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("rejected_by_contact_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rejection_reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_deliveries_rejected_by_contact_id_contacts"),
            "contacts",
            ["rejected_by_contact_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("outbound_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_id", sa.Integer(), nullable=True))
    op.create_table(
        "extension_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("requested_by", sa.BigInteger(), nullable=False),
        sa.Column("new_deadline", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "refused",
                "superseded",
                name="extension_status",
                native_enum=False,
                create_constraint=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", db.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", db.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_extension_requests_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_extension_requests_delivery_id_deliveries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extension_requests")),
    )
    op.create_index(
        "ix_extension_requests_delivery", "extension_requests", ["delivery_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_extension_requests_delivery", table_name="extension_requests")
    op.drop_table("extension_requests")
    with op.batch_alter_table("outbound_messages", schema=None) as batch_op:
        batch_op.drop_column("source_id")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_deliveries_rejected_by_contact_id_contacts"), type_="foreignkey"
        )
        batch_op.drop_column("rejection_reason")
        batch_op.drop_column("rejected_by_contact_id")
        batch_op.drop_column("rejected_at")
        batch_op.drop_column("deadline")
        batch_op.drop_column("check_links")
        batch_op.drop_column("items_mask")
    with op.batch_alter_table("directives", schema=None) as batch_op:
        batch_op.drop_column("corrections")
        batch_op.drop_column("recall_reason")
        batch_op.drop_column("recalled_by")
        batch_op.drop_column("recalled_at")
        batch_op.drop_column("items")
