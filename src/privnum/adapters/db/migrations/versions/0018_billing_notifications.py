"""Billing notifications (issue 15, billing.md R-14, R-27): one row per event the operator must hear of (low
balance, arrears started, recovered, a package 80 % / 100 % used or expiring), delivered to the operator's webhook;
and each account's low-balance threshold with since when the balance has been below it

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("billing_accounts") as table:
        table.add_column(sa.Column("low_balance_micros", sa.BigInteger()))
        table.add_column(sa.Column("low_since_ms", sa.BigInteger()))
    op.create_table(
        "billing_notifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("delivered_at_ms", sa.BigInteger()),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("last_error", sa.String(length=500)),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name=op.f("fk_billing_notifications_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_notifications")),
        sa.UniqueConstraint("key", name=op.f("uq_billing_notifications_key")),
    )
    op.create_index("ix_billing_notifications_due", "billing_notifications",
                    ["delivered_at_ms", "next_attempt_at_ms"])
    op.create_index("ix_billing_notifications_tenant", "billing_notifications", ["tenant_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_billing_notifications_tenant", table_name="billing_notifications")
    op.drop_index("ix_billing_notifications_due", table_name="billing_notifications")
    op.drop_table("billing_notifications")
    with op.batch_alter_table("billing_accounts") as table:
        table.drop_column("low_since_ms")
        table.drop_column("low_balance_micros")
